"""A read-only data folder (issue 23), for root too: the CLI and the window work read-only
and say so; writing is refused in Chinese; nothing in the folder changes.

Before: the window did not start (an unhandled OSError from the sessions list: the
profiles folder could not be made), and the only read-only test was skipped as root.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import readonly

from matcher.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"

pytestmark = pytest.mark.skipif(readonly.how().startswith("none"), reason=readonly.how())


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env.update(POLICYDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return env


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def used_home(policydesk_home, capsys):
    """A home that has been used: the user KB, an import, the stored index."""
    assert main(["ingest", str(DOC)]) == 0
    assert main(["match", "--district", "长宁区", "--top", "3"]) == 0
    capsys.readouterr()
    return policydesk_home


def test_the_cli_matches_and_says_read_only_and_refuses_to_write(used_home, tmp_path):
    data = used_home / "data"
    before = _files(data)
    env = _env(used_home)
    r = readonly.run(
        data, [sys.executable, "-m", "matcher", "match", "--district", "长宁区", "--top", "3"], env=env, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    assert "无法写入" in r.stderr and "可以匹配" in r.stderr and "Traceback" not in r.stderr
    assert "长宁" in r.stdout
    r = readonly.run(data, [sys.executable, "-m", "matcher", "ingest", DOC], env=env, cwd=ROOT)
    assert r.returncode in (2, 3) and "Traceback" not in r.stderr and "意外错误" not in r.stderr, r.stderr
    r = readonly.run(data, [sys.executable, "-m", "matcher", "pack", "trust", "--list"], env=env, cwd=ROOT)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert _files(data) == before


def test_the_window_starts_read_only_and_says_so(used_home, tmp_path):
    data = used_home / "data"
    before = _files(data)
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"district": "长宁区", "needs": ["融资"]}, ensure_ascii=False), encoding="utf-8")
    shot = tmp_path / "shot.png"
    r = readonly.run(
        data,
        [sys.executable, "-m", "desktop.app", "--profile", prof, "--screenshot", shot],
        env=_env(used_home),
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and "无法写入" in r.stderr and "可以匹配" in r.stderr, r.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _files(data) == before


def test_a_read_only_cache_without_a_knowledge_base_is_said_plainly(tmp_path):
    """What tests/matcher/test_kb.py skipped as root: the seed KB cannot be built."""
    home = tmp_path / "home"
    (home / "cache").mkdir(parents=True)
    (home / "data").mkdir()
    r = readonly.run(home / "cache", [sys.executable, "-m", "matcher", "kb", "stats"], env=_env(home), cwd=ROOT)
    assert r.returncode == 3, r.stderr
    assert ("只读" in r.stderr or "权限" in r.stderr) and "Traceback" not in r.stderr
