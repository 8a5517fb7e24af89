"""The offscreen screen's config file is named so Qt can parse QT_QPA_PLATFORM on Windows
(issue 22): its arguments are split at colons, so "C:/…" stopped the packaged window from
starting at all (exit code 9 under Wine, PySide6 6.9.3)."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from desktop.app import offscreen_platform, qt_platform_path


def test_a_windows_drive_never_reaches_qts_platform_arguments():
    conf = PureWindowsPath(r"C:\Users\柜台\AppData\Local\Temp\policydesk-offscreen\screen-1360x820.json")
    got = qt_platform_path(conf, PureWindowsPath(r"c:\Program Files\PolicyDesk"))
    assert got == "/Users/柜台/AppData/Local/Temp/policydesk-offscreen/screen-1360x820.json"
    assert ":" not in got
    # another current drive: the drive-less path would name another file, so the default screen
    assert qt_platform_path(conf, PureWindowsPath(r"D:\work")) is None


def test_posix_paths_are_kept():
    conf = PurePosixPath("/tmp/policydesk-offscreen/screen-1024x700.json")
    assert qt_platform_path(conf, PurePosixPath("/home/x")) == str(conf)


def test_the_platform_string_has_no_colon_but_the_one_after_offscreen():
    spec = offscreen_platform(1024, 700)
    assert spec.startswith("offscreen:configfile=") and spec.count(":") == 1
