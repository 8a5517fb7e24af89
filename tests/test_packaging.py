"""The installable app (packaging/): built with PyInstaller, started as a user would.

The slow tests build the one-folder app once per run (``packaging/build.py`` into a temp
folder, about a minute on 2 cores), or use an existing build named by the environment
variable ``POLICYDESK_BUNDLE`` (the ``PolicyDesk`` folder; it must be built from this
tree). Without PyInstaller they fail in CI (``CI=true``) and are skipped elsewhere.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
EXE = ".exe" if sys.platform == "win32" else ""
CASES = ROOT / "tests" / "cases"


def _smoke():
    """packaging/smoke.py: the comparison of two printed answers (apart from line ends)."""
    return _load("smoke")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_pd_{name}", PACKAGING / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = mod  # dataclasses (smoke.py) look their module up there
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------ fast: the start-up guard


def test_guard_turns_an_escaped_error_into_a_sentence_and_exit_code(monkeypatch, capsys, tmp_path):
    """An error that escapes the GUI's own handling (a user folder that cannot be created)
    becomes one Chinese sentence and exit code 3 in the packaged app — no traceback."""
    sys.path.insert(0, str(PACKAGING))
    try:
        entry = _load("policydesk_entry")
    finally:
        sys.path.remove(str(PACKAGING))
    import desktop.app

    def boom(argv=None):
        raise NotADirectoryError(20, "Not a directory", str(tmp_path / "file" / "data"))

    monkeypatch.setattr(desktop.app, "main", boom)
    monkeypatch.setenv("POLICYDESK_NO_DIALOG", "1")
    with pytest.raises(SystemExit) as ex:
        entry.run("gui")
    assert ex.value.code == 3
    err = capsys.readouterr().err
    assert "无法访问文件或文件夹" in err and "POLICYDESK_HOME" in err
    assert "Traceback" not in err


def test_guard_passes_the_cli_exit_code_through(monkeypatch):
    """The CLI's own exit codes (2 bad input, 3 KB problem) are what the packaged program returns."""
    sys.path.insert(0, str(PACKAGING))
    try:
        entry = _load("policydesk_entry")
    finally:
        sys.path.remove(str(PACKAGING))
    import matcher.cli.main

    monkeypatch.setattr(matcher.cli.main, "main", lambda argv=None: 2)
    with pytest.raises(SystemExit) as ex:
        entry.run("cli")
    assert ex.value.code == 2


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in program is a shell script")
def test_smoke_runner_starts_a_silent_failure_once_more_only_where_asked(tmp_path):
    """Under Wine a program that exits non-zero having printed nothing is started again (the app
    never fails silently); one that printed its error is not, and elsewhere nothing is retried."""
    smoke = _smoke()
    marker = tmp_path / "tried"
    silent = tmp_path / "silent"
    silent.write_text(f'#!/bin/sh\nif [ -e "{marker}" ]; then echo ok; exit 0; fi\ntouch "{marker}"\nexit 1\n')
    loud = tmp_path / "loud"
    loud.write_text("#!/bin/sh\necho 错误:档案无效 >&2\nexit 2\n")
    for exe in (silent, loud):
        exe.chmod(0o755)

    plain = smoke.Runner(cwd=tmp_path)
    assert plain.run(silent, [], timeout=30).returncode == 1
    assert plain.retried == []
    marker.unlink()

    wine = smoke.Runner(cwd=tmp_path, retry_silent_exit=True)
    r = wine.run(silent, [], timeout=30, what="match")
    assert (r.returncode, r.stdout.strip()) == (0, b"ok")
    assert wine.retried == ["match: exit 1 with no output; second try exit 0"]
    r = wine.run(loud, [], timeout=30, what="match")
    assert r.returncode == 2 and "档案无效" in r.stderr.decode("utf-8")
    assert len(wine.retried) == 1


def _fake_bundle(dist: Path) -> None:
    """A stand-in PolicyDesk folder whose two programs answer as the real ones do (POSIX shell)."""
    app = dist / "PolicyDesk"
    app.mkdir(parents=True)
    stats = json.dumps({"measures": 281, "documents": [{}] * 5})
    (app / "policydesk").write_text(f"#!/bin/sh\necho '{stats}'\n", encoding="utf-8")
    gui = '#!/bin/sh\nwhile [ "$1" != --screenshot ]; do shift; done\nprintf PNG > "$2"\n'
    (app / "policydesk-gui").write_text(gui, encoding="utf-8")
    for exe in app.iterdir():
        exe.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in programs are shell scripts")
def test_build_check_prints_under_a_legacy_code_page_into_a_pipe(tmp_path):
    """``build.py --check`` on Windows writes into a pipe (CI logs) in the ANSI code page
    (cp1252): what it prints — arrows, a folder name in Chinese — must not raise
    UnicodeEncodeError and stop the build after it succeeded."""
    dist = tmp_path / "构建" / "dist"
    _fake_bundle(dist)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import build; "
        "build.check(Path(sys.argv[2])); build.say(f'built {build.app_dir(Path(sys.argv[2]))}')"
    )
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}
    r = subprocess.run(
        [sys.executable, "-c", code, str(PACKAGING), str(dist)], capture_output=True, env=env, timeout=300
    )
    assert r.returncode == 0, r.stderr.decode("cp1252", "replace")
    out = r.stdout.decode("cp1252")
    assert "kb stats -> 281 measures in 5 documents" in out
    assert "screenshot -> " in out and "dist" in out


def test_prebuilt_kb_prints_under_a_legacy_code_page_into_a_pipe(tmp_path):
    """build.py runs prebuilt.py first: its line about a folder with a Chinese name must not
    stop a Windows build whose output goes into a pipe in cp1252."""
    out = tmp_path / "预置" / "prebuilt"
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0", "POLICYDESK_HOME": str(tmp_path / "h")}
    r = subprocess.run(
        [sys.executable, str(PACKAGING / "prebuilt.py"), str(out)], capture_output=True, env=env, timeout=300, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr.decode("cp1252", "replace")
    assert (out / "seed_kb.sqlite").is_file() and b" measures)" in r.stdout


# ------------------------------------------------------------------ slow: the built app


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The built PolicyDesk folder (built here, or $POLICYDESK_BUNDLE)."""
    given = os.environ.get("POLICYDESK_BUNDLE")
    if given:
        return Path(given)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        why = "PyInstaller is not installed (pip install -e '.[package]')"
        if os.environ.get("CI"):
            pytest.fail(why + ": CI must build the app")
        pytest.skip(why)
    build = _load("build")
    out = tmp_path_factory.mktemp("bundle")
    seconds = build.build(out / "dist", out / "work", quiet=True)
    app = build.app_dir(out / "dist")
    print(f"\n[packaging] built in {seconds:.1f} s, {build.folder_size(app) / 2**20:.0f} MiB")
    return app


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("POLICYDESK_DEBUG",)}
    env.update(POLICYDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen", POLICYDESK_NO_DIALOG="1", **extra)
    return env


def _run(cmd: list, home: Path, timeout: int = 120, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd],
        env=_env(home, **extra),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=ROOT,
    )


def _cli(bundle: Path) -> Path:
    return bundle / f"policydesk{EXE}"


def _gui(bundle: Path) -> Path:
    return bundle / f"policydesk-gui{EXE}"


def _meta(db: Path) -> dict[str, str]:
    con = sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()


def _profile(tmp_path: Path, case: str) -> Path:
    p = tmp_path / f"{case}.json"
    p.write_text(
        json.dumps(json.loads((CASES / f"{case}.json").read_text("utf-8"))["profile"], ensure_ascii=False),
        encoding="utf-8",
    )
    return p


def _png_size(p: Path) -> tuple[int, int]:
    head = p.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{p} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.slow
def test_first_start_with_an_empty_user_folder_uses_the_prebuilt_kb(bundle, tmp_path):
    """The packaged CLI starts with an empty POLICYDESK_HOME, copies the shipped KB (no
    rebuild) and knows every seed measure; later starts are timed (printed)."""
    home = tmp_path / "home"
    r = _run([_cli(bundle), "kb", "stats", "--format", "json"], home)
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert len(stats["documents"]) == 5 and stats["measures"] > 200
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    for folder in ("resources", "seeds"):
        want = {
            f.relative_to(ROOT).as_posix()
            for f in (ROOT / folder).rglob("*")
            if f.is_file() and "__pycache__" not in f.parts and not f.name.startswith(".")
        }
        have = {f.relative_to(internal).as_posix() for f in (internal / folder).rglob("*") if f.is_file()}
        assert want <= have, f"not bundled: {sorted(want - have)}"
    meta = _meta(home / "cache" / "seed_kb.sqlite")
    assert "prebuilt" in meta.get("copied_from", ""), meta  # copied, not rebuilt at first start
    assert "Traceback" not in r.stderr
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        assert _run([_cli(bundle), "kb", "stats"], home).returncode == 0
        times.append(time.perf_counter() - t0)
    print(f"\n[packaging] kb stats: median {statistics.median(times):.2f} s")


@pytest.mark.slow
@pytest.mark.parametrize("case", ["hk-zjtx-hightech-domestic", "xh-foreign-biomed-rnd", "jd-factory-construction"])
def test_match_json_is_identical_to_the_development_install(bundle, tmp_path, case):
    """``policydesk match --format json`` prints the same bytes packaged and from source
    (KB version included: the bundle records the code hash it was built from)."""
    prof = _profile(tmp_path, case)
    dev = _run([sys.executable, "-m", "matcher", "match", "--profile", prof, "--format", "json"], tmp_path / "dev")
    frozen = _run([_cli(bundle), "match", "--profile", prof, "--format", "json"], tmp_path / "frozen")
    assert dev.returncode == 0, dev.stderr
    assert frozen.returncode == 0, frozen.stderr
    assert json.loads(frozen.stdout)["results"], "no results: the comparison would prove little"
    assert _smoke().same_answer(frozen.stdout, dev.stdout)  # every byte but line ends (CRLF on Windows)


@pytest.mark.slow
def test_ingest_repairs_a_document_as_the_development_install_does(bundle, tmp_path):
    """Importing a damaged document (mojibake, pinyin annotations, Traditional characters:
    OpenCC, jieba's dictionary and pypinyin's table at work) gives the same measures and
    repairs packaged as from source — the text-repair data is in the bundle."""
    seed = sorted((ROOT / "seeds").glob("004_*.txt"))[0]
    doc = tmp_path / "xuhui-copy.txt"
    # its first two thirds: the same damage, but not the same measures as the built-in seed
    # (an identical document is refused as a duplicate, whatever its bytes)
    lines = seed.read_bytes().split(b"\n")
    doc.write_bytes(b"\n".join(lines[: len(lines) * 2 // 3]) + b"\n")
    dev = _run([sys.executable, "-m", "matcher", "ingest", doc, "--format", "json"], tmp_path / "dev")
    frozen = _run([_cli(bundle), "ingest", doc, "--format", "json"], tmp_path / "frozen")
    assert dev.returncode == 0, dev.stderr
    assert frozen.returncode == 0, frozen.stderr
    got = json.loads(frozen.stdout)["documents"][0]
    assert got["repairs"].get("pinyin") and got["repairs"].get("traditional") and got["repairs"].get("mojibake")
    assert _smoke().same_answer(frozen.stdout, dev.stdout)


@pytest.mark.slow
def test_signed_packs_work_in_the_bundle(bundle, tmp_path):
    """Ed25519 (the ``cryptography`` package, its compiled part included) is in the bundle:
    a key made, a pack signed and exported, trusted and imported by another counter, and an
    altered copy refused with exit code 2."""
    maint, counter = tmp_path / "maintainer", tmp_path / "counter"
    doc = ROOT / "tests" / "corpus" / "songjiang_jinrong_ruogan_2025.txt"
    key = tmp_path / "m.key"
    assert _run([_cli(bundle), "pack", "keygen", key], maint).returncode == 0
    assert _run([_cli(bundle), "ingest", doc], maint).returncode == 0
    r = _run([_cli(bundle), "pack", "export", tmp_path / "m.pdpack", "--sign", key], maint)
    assert r.returncode == 0, r.stderr
    assert _run([_cli(bundle), "pack", "trust", f"{key}.pub"], counter).returncode == 0
    r = _run([_cli(bundle), "pack", "import", tmp_path / "m.pdpack"], counter)
    assert r.returncode == 0 and "songjiang-2025" in r.stdout, r.stderr
    raw = bytearray((tmp_path / "m.pdpack").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / "bad.pdpack").write_bytes(bytes(raw))
    r = _run([_cli(bundle), "pack", "import", tmp_path / "bad.pdpack"], counter)
    assert r.returncode == 2 and "签名不符" in r.stderr, r.stderr


@pytest.mark.slow
def test_gui_starts_offscreen_and_takes_a_screenshot(bundle, tmp_path):
    """``policydesk-gui --profile F --screenshot OUT`` opens the window, matches, saves a PNG, exits 0."""
    prof = _profile(tmp_path, "hk-zjtx-hightech-domestic")
    shot = tmp_path / "shot.png"
    t0 = time.perf_counter()
    r = _run([_gui(bundle), "--profile", prof, "--screenshot", shot, "--size", "1360x820"], tmp_path / "home")
    took = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    # --size is the screen: the window (its frame included) stays within it (issue 21)
    w, h = _png_size(shot)
    assert 1360 * 0.97 <= w <= 1360 and 820 * 0.97 <= h <= 820, (w, h)
    assert shot.stat().st_size > 20_000  # a drawn window, not an empty image
    assert "Traceback" not in r.stderr
    log = (tmp_path / "home" / "data" / "policydesk.log").read_text("utf-8")
    assert "font" not in log.lower(), f"the bundled CJK font did not load: {log}"
    # Qt's own dialogs in Chinese: the translations file found where the frozen Qt looks (issue 21)
    assert "qtbase_zh_CN" not in log, log
    assert list(bundle.rglob("qtbase_zh_CN.qm")), "Qt's Chinese translations are not in the bundle"
    print(f"\n[packaging] GUI to screenshot (first start): {took:.2f} s; {r.stderr.strip().splitlines()[-1]}")


@pytest.mark.slow
def test_exit_codes_and_messages_survive_freezing(bundle, tmp_path):
    """Bad input → 2, an unusable user folder → 3, each with a Chinese message and no traceback."""
    home = tmp_path / "home"
    r = _run([_cli(bundle), "match", "--district", "火星区"], home)
    assert r.returncode == 2 and "火星" in r.stderr
    r = _run([_cli(bundle), "ingest", tmp_path / "nope.txt"], home)
    assert r.returncode == 2 and "找不到" in r.stderr
    r = _run([_cli(bundle), "--bogus"], home)
    assert r.returncode == 2 and "参数有误" in r.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = _run([_cli(bundle), "kb", "stats"], blocker)
    assert r.returncode == 3 and "错误" in r.stderr
    r = _run([_gui(bundle), "--screenshot", tmp_path / "x.png"], blocker)
    assert r.returncode == 3 and "POLICYDESK_HOME" in r.stderr
    assert "Traceback" not in r.stderr
    r = _run([_cli(bundle), "--version"], home)
    assert r.returncode == 0 and r.stdout.startswith("policydesk ")


@pytest.mark.slow
def test_upgrade_keeps_imports_corrections_and_saved_profiles(bundle, tmp_path):
    """A user imports a document, corrects a measure and saves a profile; then a new build
    of the app (other code → other KB fingerprint) starts on the same user folder: the
    seed KB is refreshed from the new bundle, the import re-derived, and the document, the
    correction and the profile are all still there."""
    home = tmp_path / "home"
    doc = tmp_path / "jingan.txt"
    seed = sorted((ROOT / "seeds").glob("000_*.txt"))[0]
    doc.write_text(seed.read_text("utf-8").replace("虹口", "静安"), encoding="utf-8")

    r = _run(
        [_cli(bundle), "ingest", doc, "--district", "静安区", "--title", "静安区测试行动方案", "--format", "json"], home
    )
    assert r.returncode == 0, r.stderr
    doc_id = json.loads(r.stdout)["documents"][0]["id"]

    # the correction and the saved profile, made the way the GUI makes them
    script = (
        "import json, sys\n"
        "from matcher.store.kb import KnowledgeBase\n"
        "from matcher.engine import Engine\n"
        "kb = KnowledgeBase.open_default()\n"
        f"mid = next(m.measure_id for m in kb.measures() if m.doc_id == {doc_id!r})\n"
        "kb.add_correction(mid, 'offices', ['区测试更正办公室'], note='test')\n"
        "kb.close()\n"
        "p = Engine.save_profile('静安测试企业', {'district': '静安区', 'needs': ['融资']})\n"
        "print(json.dumps({'mid': mid, 'profile': str(p)}))\n"
    )
    r = _run([sys.executable, "-c", script], home)
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    seed_fp_before = _meta(home / "cache" / "seed_kb.sqlite")["fingerprint"]

    # "upgrade": the same app rebuilt from changed code (a different code hash in the bundle)
    upgraded = tmp_path / "upgraded" / bundle.name
    shutil.copytree(bundle, upgraded, symlinks=True)
    stamp = upgraded / "_internal" / "prebuilt" / "code_hash.txt"
    if not stamp.is_file():  # macOS-style layout or an older PyInstaller
        stamp = next(upgraded.rglob("prebuilt/code_hash.txt"))
    stamp.write_text("0" * 64 + "\n", encoding="ascii")

    r = _run([_cli(upgraded), "kb", "list", "--format", "json"], home)
    assert r.returncode == 0, r.stderr
    measures = {m["measure_id"]: m for m in json.loads(r.stdout)["measures"]}
    assert made["mid"] in measures, "the imported document is gone after the upgrade"
    assert measures[made["mid"]]["offices"] == ["区测试更正办公室"], "the correction is gone"
    assert sum(1 for m in measures.values() if m["measure_id"].startswith(doc_id + "/")) > 100
    assert _meta(home / "cache" / "seed_kb.sqlite")["fingerprint"] != seed_fp_before  # the new app's KB
    assert "rederived_at" in _meta(home / "data" / "user_kb.sqlite")  # imports re-derived by the new rules
    assert (home / "data" / "imports").is_dir() and any((home / "data" / "imports").rglob("jingan.txt"))

    saved = Path(made["profile"])
    assert saved.is_file()
    shot = tmp_path / "after.png"
    r = _run([_gui(upgraded), "--profile", saved, "--screenshot", shot], home)
    assert r.returncode == 0, r.stderr
    assert shot.is_file()
