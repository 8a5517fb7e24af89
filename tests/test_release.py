"""The release tooling (packaging/release.py and what it calls), tested here on Linux: the
parts that run on every system (answer comparison, code signing, the Windows interpreter's
signature check, the installer's refusal logic is exercised under Wine by .ci/run) and the
skips a release job relies on when no certificate is configured."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


@pytest.fixture(scope="module")
def pk():
    """packaging/ modules (smoke, installers, winebuild, release) imported as release.py does."""
    sys.path.insert(0, str(PACKAGING))
    try:
        yield {name: importlib.import_module(name) for name in ("smoke", "installers", "winebuild", "release")}
    finally:
        sys.path.remove(str(PACKAGING))


def _answer(tmp_path: Path) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "matcher", "kb", "stats", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "POLICYDESK_HOME": str(tmp_path / "home")},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_json_answers_compare_equal_apart_from_line_ends(pk, tmp_path):
    """A Windows program prints CRLF; captured as bytes (as the installed app's output is under
    Wine) the same answer is not byte-identical to the Linux one. The comparison the smoke test
    and the packaging tests use ignores exactly that and nothing else."""
    same_answer = pk["smoke"].same_answer
    linux = _answer(tmp_path)
    windows = linux.replace("\n", "\r\n").encode("utf-8")
    assert windows != linux.encode("utf-8")  # byte for byte: the old comparison failed here
    assert same_answer(windows, linux.encode("utf-8"))
    assert same_answer(windows, linux)
    data = json.loads(linux)
    data["measures"] += 1
    changed = json.dumps(data, ensure_ascii=False, indent=2).replace("\n", "\r\n")
    assert not same_answer(changed, linux)
    assert not same_answer(linux.replace(": ", ":  ", 1), linux)  # any other byte still counts


def test_release_refuses_another_system(pk, capsys):
    assert pk["release"].main(["--platform", "macos" if sys.platform != "darwin" else "windows"]) == 2
    assert "runs on" in capsys.readouterr().err


def test_signing_steps_say_they_are_skipped_without_a_certificate(pk, monkeypatch, capsys, tmp_path):
    for var in ("POLICYDESK_WINDOWS_PFX_BASE64", "POLICYDESK_CODESIGN_IDENTITY", "POLICYDESK_NOTARY_APPLE_ID"):
        monkeypatch.delenv(var, raising=False)
    inst = pk["installers"]
    assert inst.windows_signing() is None
    assert inst.notarize(tmp_path / "x.dmg") is False
    out = capsys.readouterr().out
    assert "Windows code signing: skipped" in out and "POLICYDESK_WINDOWS_PFX_BASE64" in out
    assert "macOS notarisation: skipped" in out


# ------------------------------------------------------------------ Authenticode, with Debian's tools

needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("makensis", "osslsigncode", "openssl")),
    reason="makensis, osslsigncode and openssl (Debian: nsis osslsigncode openssl; .ci/run installs them)",
)


@pytest.fixture
def pe_file(tmp_path) -> Path:
    """A small Windows program (an empty NSIS installer) to sign."""
    nsi = tmp_path / "tiny.nsi"
    exe = tmp_path / "tiny.exe"
    nsi.write_text(f'Unicode true\nOutFile "{exe}"\nSection\nSectionEnd\n', encoding="utf-8")
    r = subprocess.run(["makensis", "-V1", str(nsi)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return exe


def _self_signed(tmp_path: Path, subject: str) -> tuple[Path, str]:
    key, crt, pfx = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "c.pfx"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "2",
         "-subj", subject, "-addext", "extendedKeyUsage=codeSigning"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-out", pfx, "-passout", "pass:pw"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pfx, "pw"


@needs_tools
def test_windows_signing_signs_in_place(pk, pe_file, tmp_path):
    """The release job's signing step (osslsigncode off Windows) leaves a signed program."""
    cert = _self_signed(tmp_path, "/C=CN/O=PolicyDesk Test/CN=PolicyDesk Test")
    pk["installers"].sign_windows([pe_file], cert, timestamp=None)
    sig = pk["winebuild"].signature(pe_file)
    assert "CN=PolicyDesk Test" in sig["signer"] and sig["digest"] == "match"


@needs_tools
def test_interpreter_check_rejects_a_signature_that_only_claims_the_psf(pk, pe_file, tmp_path):
    """A program signed by a certificate that merely *names* the Python Software Foundation
    (self-signed, no trusted chain) must not pass the Windows interpreter's check; neither
    must an unsigned one, nor a signed one changed afterwards."""
    wb = pk["winebuild"]
    folder = tmp_path / "cp311"
    folder.mkdir()
    unsigned = folder / "python311.dll"
    shutil.copy2(pe_file, unsigned)
    shutil.copy2(pe_file, folder / "python.exe")
    with pytest.raises(wb.BuildFailure, match="signature check failed"):
        wb.verify_python(folder)

    forged = _self_signed(tmp_path, "/C=US/O=Python Software Foundation/CN=Python Software Foundation")
    pk["installers"].sign_windows([folder / "python.exe", unsigned], forged, timestamp=None)
    assert "Python Software Foundation" in wb.signature(unsigned)["signer"]
    with pytest.raises(wb.BuildFailure, match="not the Python Software Foundation's"):
        wb.verify_python(folder)

    data = bytearray(unsigned.read_bytes())
    data[200] ^= 0xFF  # a changed byte in the signed image
    unsigned.write_bytes(bytes(data))
    assert wb.signature(unsigned)["digest"] == "mismatch"


OTOOL_NEW = """Load command 9
      cmd LC_BUILD_VERSION
  cmdsize 32
 platform 1
    minos 14.0
      sdk 14.2
   ntools 1
"""
OTOOL_OLD = """Load command 8
      cmd LC_VERSION_MIN_MACOSX
  cmdsize 16
  version 10.13
      sdk 10.15
"""


def test_macos_minimum_is_read_from_otool(pk):
    """The macOS job refuses a bundle holding a library built for a newer macOS than supported."""
    inst = pk["installers"]
    assert inst.otool_minimum(OTOOL_NEW) == "14.0"
    assert inst.otool_minimum(OTOOL_OLD) == "10.13"
    assert inst.otool_minimum("Load command 1\n cmd LC_SEGMENT_64\n") is None
    assert inst._vtuple("14.0") > inst._vtuple(inst.MACOS_MINIMUM) > inst._vtuple("10.13")


def test_macos_job_asks_pip_for_wheels_that_run_on_the_oldest_supported_macos(pk, tmp_path):
    rel = pk["release"]
    cmd = rel.macos_wheel_command(tmp_path, "arm64")
    assert cmd[cmd.index("--platform") + 1] == "macosx_13_0_arm64"
    assert "--only-binary=:all:" in cmd and cmd[cmd.index("-d") + 1] == str(tmp_path)
    names = " ".join(cmd).lower()
    assert "pyside6-essentials" in names and "numpy" in names and "pyinstaller" in names
    assert "jieba" not in names  # source-only, pure Python: as pip installed it


def test_release_workflow_is_thin_and_names_platforms_the_script_knows(pk):
    """The hosted-CI workflow only installs the project and calls release.py, once per system."""
    import re

    text = (ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8")
    platforms = re.findall(r"platform: (\w+) \}", text)
    assert sorted(set(platforms)) == ["linux", "macos", "windows"] and platforms.count("macos") == 2
    assert set(platforms) <= set(pk["release"].PLATFORMS)
    assert "python packaging/release.py --platform ${{ matrix.platform }}" in text
    assert 'pip install ".[package]"' in text
