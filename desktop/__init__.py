"""PolicyDesk desktop GUI (PySide6). A thin layer over ``matcher``: no matching here."""
