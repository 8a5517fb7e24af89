"""Qt's own texts in Chinese (:func:`load_qt_translations`): the buttons of standard dialogs
("Close" → "关闭"), the file dialogs, the print dialog — from the translations PySide6 ships
(``qtbase_zh_CN.qm``, in QLibraryInfo's translations folder; the packaged app keeps it:
packaging/policydesk.spec), plus the few texts that file lacks (:class:`GapTranslator`)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

# Qt 6 wrote these with a mnemonic ("&Look in:"); qtbase_zh_CN.qm translates only the old
# spelling ("Look in:"), so Qt's file dialog said "Look in:" and "Files of type:".
GAPS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class GapTranslator(QTranslator):
    """The texts of :data:`GAPS`; any other text is left to the next translator."""

    def translate(self, context, source_text, disambiguation=None, n=-1):
        return GAPS.get((context, source_text))  # None: a null string, the next translator is asked

    def isEmpty(self) -> bool:
        return False


def load_qt_translations(app) -> list:
    """Install Qt's Chinese translations on ``app``; returns the translators installed (kept
    referenced by the application). Logs a warning when Qt's own file is missing."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # the gaps first: the translator installed last is asked first, so Qt's own file
    # answers every text it has and the gaps are asked only for what it lacks
    gaps = GapTranslator(app)
    app.installTranslator(gaps)
    installed: list[QTranslator] = [gaps]
    for name in ("qtbase", "qt"):
        tr = QTranslator(app)
        if tr.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), name, "_", folder):
            app.installTranslator(tr)
            installed.append(tr)
            break
    else:
        log.warning("Qt 自带对话框的中文翻译(qtbase_zh_CN.qm)未找到:%s", folder)
    app.setProperty("policydeskTranslators", len(installed))
    app._policydesk_translators = installed
    return installed
