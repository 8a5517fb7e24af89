"""Every keyboard shortcut in one place."""

from PySide6.QtGui import QKeySequence

SEARCH = QKeySequence("Ctrl+F")
IMPORT = QKeySequence("Ctrl+O")
OPEN_PROFILE = QKeySequence("Ctrl+Shift+O")
SAVE_PROFILE = QKeySequence("Ctrl+S")
PRINT = QKeySequence("Ctrl+P")
EXPORT_PDF = QKeySequence("Ctrl+E")
EXPORT_XLSX = QKeySequence("Ctrl+Shift+E")
LARGE_TEXT = QKeySequence("Ctrl+L")
PROFILE = QKeySequence("Ctrl+1")
RESULTS = QKeySequence("Ctrl+2")
OFFICES = QKeySequence("Ctrl+3")
SEARCH_TAB = QKeySequence("Ctrl+4")
DETAIL = QKeySequence("Ctrl+D")
ABOUT = QKeySequence("F1")
QUIT = QKeySequence("Ctrl+Q")
NEW_CLIENT = QKeySequence("Ctrl+N")
OFFICE_DIRECTORY = QKeySequence("Ctrl+Shift+D")
# the menu's counter commands (shown beside them in 文件); none a line edit keeps for itself
DOCUMENTS = QKeySequence("Ctrl+Shift+K")
UPDATE_LIBRARY = QKeySequence("Ctrl+Shift+P")
CLIENT_CHANGES = QKeySequence("Ctrl+Shift+C")
CLEAR_RECORDS = QKeySequence("Ctrl+Shift+R")
