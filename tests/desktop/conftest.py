"""GUI test fixtures: offscreen Qt, the real engine on the seed knowledge base (built once
per session and copied into each test's own POLICYDESK_HOME), and a window factory."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # a 1920×1080 screen (the plugin's own is 800×800): the window is kept within its screen,
    # and the tests try it at 1024×700 and 1366×768
    from desktop.app import offscreen_platform

    os.environ["QT_QPA_PLATFORM"] = offscreen_platform(1920, 1080)

import pytest


@pytest.fixture(scope="session", autouse=True)
def _interpreter_collects_again_after_the_window():
    """The window runs the cyclic garbage collector on the GUI thread only
    (desktop/workers.py); the tests after these get the interpreter's own collection back."""
    yield
    from PySide6.QtWidgets import QApplication

    from desktop.workers import stop_collecting_on_gui_thread

    stop_collecting_on_gui_thread(QApplication.instance())


@pytest.fixture(scope="session")
def seed_cache(tmp_path_factory):
    """The seed knowledge base, built once: a cache folder to copy into each test."""
    home = tmp_path_factory.mktemp("seedhome")
    old = os.environ.get("POLICYDESK_HOME")
    os.environ["POLICYDESK_HOME"] = str(home)
    try:
        from matcher.store.kb import KnowledgeBase

        KnowledgeBase.open_default().close()
    finally:
        if old is None:
            os.environ.pop("POLICYDESK_HOME", None)
        else:
            os.environ["POLICYDESK_HOME"] = old
    return home / "cache"


@pytest.fixture
def backend(policydesk_home, seed_cache):
    """The real backend on the seed KB."""
    from desktop.backend import Backend

    shutil.copytree(seed_cache, policydesk_home / "cache", dirs_exist_ok=True)
    b = Backend()
    yield b
    b.close()


@pytest.fixture
def make_window(qtbot, backend):
    """Build controller + window around a backend, show it, wait for the KB."""
    from desktop.app import build

    made = []

    def make(b=None, large_text=None, wait_ready=True):
        controller, window = build(backend=b or backend, large_text=large_text)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        made.append(controller)
        if wait_ready:
            with qtbot.waitSignal(controller.kb_ready, timeout=60000):
                controller.start()
        return controller, window

    yield make
    for c in made:
        c.wait(10000)


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def hongkou_profile():
    from gui_helpers import HONGKOU

    return dict(HONGKOU)
