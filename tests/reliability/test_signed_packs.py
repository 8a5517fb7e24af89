"""Signed policy packs (issue 23): a counter imports only packs signed by a key it trusts.

Before: a manifest edited and re-hashed was accepted (exit 0), a byte flipped inside a
compressed member gave exit 1 and 出现意外错误(error: Error -3 while decompressing data…),
and member names such as ``../../x`` and ``/abs/path`` were accepted.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.errors import BadInput
from matcher.store import packfile, signing
from matcher.store.packfile import content_hash, read_pack

ROOT = Path(__file__).resolve().parents[2]
SONGJIANG = ROOT / "tests" / "corpus" / "songjiang_jinrong_ruogan_2025.txt"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(home: Path) -> dict[str, bytes]:
    data = home / "data"
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


@pytest.fixture
def signed(capsys, tmp_path, monkeypatch, policydesk_home):
    """The maintainer (this home) makes a key and exports a signed pack of one document;
    then POLICYDESK_HOME is a fresh counter that has not trusted the key yet."""
    keys = tmp_path / "keys"
    keys.mkdir()
    code, out, err = run(capsys, "pack", "keygen", keys / "jingan.key", "--name", "静安区维护人员")
    assert code == 0, err
    assert (keys / "jingan.key").stat().st_mode & 0o077 == 0  # the private key is the user's only
    assert run(capsys, "ingest", SONGJIANG)[0] == 0
    pack = tmp_path / "maint.pdpack"
    code, out, err = run(capsys, "pack", "export", pack, "--sign", keys / "jingan.key")
    assert code == 0, err
    assert "签名" in out
    counter = tmp_path / "counter"
    (counter / "cache").mkdir(parents=True)
    shutil.copyfile(policydesk_home / "cache" / "seed_kb.sqlite", counter / "cache" / "seed_kb.sqlite")
    monkeypatch.setenv("POLICYDESK_HOME", str(counter))
    assert run(capsys, "kb", "stats")[0] == 0  # the counter's data folder exists
    return {"pack": pack, "key": keys / "jingan.key", "pub": keys / "jingan.key.pub", "home": counter}


def _refused(capsys, home: Path, pack: Path, why: str) -> str:
    before = snapshot(home)
    code, out, err = run(capsys, "pack", "import", pack)
    assert code == 2, (pack.name, code, err)
    assert why in err and "未做任何更改" in err and "意外错误" not in err and "Traceback" not in err, err
    assert snapshot(home) == before, pack.name  # the data folder byte-identical
    return err


def _resign(path: Path, key: Path) -> Path:
    """Sign ``path`` again (it may have lost its signature block) with the private ``key``."""
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = signing.placeholder()
    signing.sign_file(path, signing.load_private(key))
    return path


def _rebuild(src: Path, dst: Path, members: dict[str, bytes] | None = None, edit=None) -> Path:
    """A copy of a pack's members (unsigned), with ``members`` added and the manifest edited
    (and re-hashed, as a forger would)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json" and edit is not None:
                m = json.loads(data)
                edit(m)
                m["content_sha256"] = content_hash(m)
                data = json.dumps(m, ensure_ascii=False).encode()
            zout.writestr(info.filename, data)
        for name, data in (members or {}).items():
            zout.writestr(zipfile.ZipInfo(name), data)
    return dst


def test_trusted_key_imports_unknown_key_is_refused_and_trust_is_listed_and_removed(capsys, signed):
    home = signed["home"]
    err = _refused(capsys, home, signed["pack"], "不在本机信任的密钥中")
    assert "pack trust" in err
    code, out, err = run(capsys, "pack", "trust", signed["pub"])
    assert code == 0 and "已信任" in out, err
    key_id = signing.read_public(str(signed["pub"])).key_id
    code, out, err = run(capsys, "pack", "trust", "--list")
    assert code == 0 and key_id in out and "静安区维护人员" in out
    code, out, err = run(capsys, "pack", "import", signed["pack"])
    assert code == 0 and "新增:songjiang-2025" in out and key_id in out, err
    code, out, err = run(capsys, "pack", "trust", "--remove", key_id)
    assert code == 0 and "不再信任" in out
    assert json.loads(run(capsys, "pack", "trust", "--list", "--format", "json")[1]) == {"trusted_keys": []}
    _refused(capsys, home, signed["pack"], "不在本机信任的密钥中")


def test_unsigned_forged_and_foreign_key_packs_are_refused(capsys, tmp_path, signed):
    home = signed["home"]
    assert run(capsys, "pack", "trust", signed["pub"])[0] == 0
    # the forgery: a manifest edited and re-hashed, written as a pack
    forged = _rebuild(signed["pack"], tmp_path / "forged.pdpack", edit=lambda m: m["documents"][0].update(title="伪造"))
    assert "没有签名" in _refused(capsys, home, forged, "没有签名")
    # the same forgery carrying the genuine signature block: the signature does not match
    with zipfile.ZipFile(signed["pack"]) as zf:
        genuine = zf.comment
    with zipfile.ZipFile(forged, "a") as zf:
        zf.comment = genuine
    _refused(capsys, home, forged, "签名不符")
    # signed by the forger's own key
    assert run(capsys, "pack", "keygen", tmp_path / "forger.key")[0] == 0
    _resign(forged, tmp_path / "forger.key")
    _refused(capsys, home, forged, "不在本机信任的密钥中")
    # a pack signed by the trusted key, with bytes appended after it
    appended = tmp_path / "appended.pdpack"
    appended.write_bytes(signed["pack"].read_bytes() + b"\0" * 10)
    _refused(capsys, home, appended, "没有签名")


def test_every_byte_altered_is_refused(capsys, signed):
    """Each byte of the pack flipped in turn (zip headers, compressed data, directory, the
    signature block): refused every time; through the command line for a sample, with the
    data folder unchanged."""
    assert run(capsys, "pack", "trust", signed["pub"])[0] == 0
    raw = signed["pack"].read_bytes()
    read_pack(signed["pack"])  # the genuine one is accepted
    altered = signed["pack"].with_name("altered.pdpack")
    assert len(raw) > 1000
    reasons = set()
    for i in range(len(raw)):
        b = bytearray(raw)
        b[i] ^= 0x01 if i % 2 else 0xFF
        altered.write_bytes(bytes(b))
        with pytest.raises(BadInput) as e:
            read_pack(altered)
        assert "未做任何更改" in str(e.value), (i, str(e.value))
        reasons.add(str(e.value).split("altered.pdpack ", 1)[1][:4])
    # the body: the signature does not match; the block: not a signature, another key, damaged
    assert "签名不符" in reasons and reasons <= {"签名不符", "没有签名", "的签名密", "的签名已", "已损坏或"}, reasons
    for i in (0, len(raw) // 3, len(raw) // 2, len(raw) - signing.BLOCK_LEN - 3, len(raw) - 5):
        b = bytearray(raw)
        b[i] ^= 0xFF
        altered.write_bytes(bytes(b))
        _refused(capsys, signed["home"], altered, "政策包 altered.pdpack")


def test_the_bits_base64_leaves_unused_are_part_of_the_signature(capsys, signed):
    """The last character of the key's and of the signature's base64 carries bits a lenient
    decoder ignores ('=' padding): changing them must be refused like any other byte (the
    byte-by-byte test above hit this only when the pack's length put that byte on an odd
    offset, so it failed one run in three)."""
    assert run(capsys, "pack", "trust", signed["pub"])[0] == 0
    raw = signed["pack"].read_bytes()
    block = raw[-signing.BLOCK_LEN :]
    key_end = block.index(b" ", len(signing.SIG_TAG))  # the key's base64 ends here, '=' padded
    sig_end = len(block)  # the signature's base64 ends the file, '==' padded
    altered = signed["pack"].with_name("altered.pdpack")
    for end in (key_end, sig_end):
        pos = len(raw) - signing.BLOCK_LEN + end
        last = pos - 1
        while raw[last : last + 1] == b"=":
            last -= 1
        alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        b = bytearray(raw)
        b[last] = alphabet[alphabet.index(raw[last]) ^ 1]  # its lowest bit: one the decoder drops
        altered.write_bytes(bytes(b))
        with pytest.raises(BadInput) as e:
            read_pack(altered)
        assert "签名" in str(e.value) and "未做任何更改" in str(e.value), str(e.value)


def test_member_names_that_are_not_plain_file_names_are_refused(capsys, tmp_path, signed):
    """Even under a trusted signature (a key may sign a pack our tool did not write)."""
    home = signed["home"]
    assert run(capsys, "pack", "trust", signed["pub"])[0] == 0
    for i, name in enumerate(["../../x", "/abs/path", "documents/../../x", "C:/x", "documents\\x", "documents/x"]):
        pack = _resign(_rebuild(signed["pack"], tmp_path / f"names{i}.pdpack", {name: b"x"}), signed["key"])
        err = _refused(capsys, home, pack, "不是本程序写出的文件名")
        assert name.replace("\\", "") in err.replace("\\", ""), err


def test_every_decompression_error_is_a_refusal(capsys, tmp_path, signed):
    """A byte flipped inside the compressed document, re-signed by the trusted key: a refusal
    (exit 2) every time, whatever the decompressor raises — never 出现意外错误."""
    assert run(capsys, "pack", "trust", signed["pub"])[0] == 0
    key = signing.load_private(signed["key"])
    with zipfile.ZipFile(signed["pack"]) as zf:
        info = next(i for i in zf.infolist() if i.filename.startswith("documents/"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = signed["pack"].read_bytes()
    bad = tmp_path / "flipped.pdpack"
    causes = set()
    for i in range(start, start + info.compress_size, max(1, info.compress_size // 300)):
        b = bytearray(raw)
        b[i] ^= 0x5A
        bad.write_bytes(bytes(b))
        signing.sign_file(bad, key)
        with pytest.raises(BadInput) as e:  # never zlib.error, never BadZipFile
            read_pack(bad)
        assert "已损坏" in str(e.value) and "未做任何更改" in str(e.value), str(e.value)
        causes.add(str(e.value).split("已损坏或不完整(")[1].split(")")[0])
    assert "压缩数据无法解开" in causes, causes  # zlib.error: the Error -3 while decompressing data
    assert not any(c.isascii() for c in causes), causes  # said in words, never a Python class name
    b = bytearray(raw)
    b[start + info.compress_size // 2] ^= 0x5A
    bad.write_bytes(bytes(b))
    signing.sign_file(bad, key)
    err = _refused(capsys, signed["home"], bad, "已损坏")
    assert "请重新复制" in err


def test_export_needs_a_key_and_a_file_name(capsys, tmp_path, signed, policydesk_home, monkeypatch):
    monkeypatch.setenv("POLICYDESK_HOME", str(policydesk_home))  # back to the maintainer
    code, out, err = run(capsys, "pack", "export", tmp_path / "x.pdpack")
    assert code == 2 and "--sign" in err and "pack keygen" in err
    code, out, err = run(capsys, "pack", "export", tmp_path / "x.pdpack", "--sign", signed["pub"])
    assert code == 2 and "公钥" in err and "私钥" in err
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, err = run(capsys, "pack", "export", f"{folder}/", "--sign", signed["key"])
    assert code == 2 and "是一个文件夹" in err
    assert not (tmp_path / "out.pdpack").exists() and list(folder.iterdir()) == []
    code, out, err = run(capsys, "pack", "export", tmp_path / "missing" / "x.pdpack", "--sign", signed["key"])
    assert code == 2 and "不存在" in err and not (tmp_path / "missing").exists()
    code, out, err = run(capsys, "pack", "keygen", signed["key"])
    assert code == 2 and "已存在" in err  # a distributed key is never overwritten


def test_the_shared_library_needs_a_trusted_signature_too(capsys, tmp_path, signed, monkeypatch):
    from matcher.store import packs
    from matcher.store.kb import KnowledgeBase

    lib = tmp_path / "share"
    lib.mkdir()
    shutil.copyfile(signed["pack"], lib / "lib.pdpack")
    monkeypatch.setenv(packs.LIBRARY_ENV, str(lib))
    with KnowledgeBase.open_default() as kb:
        note = packs.sync_library(kb)
        assert "未能更新" in note and "不在本机信任的密钥中" in note
        assert "songjiang-2025" not in {d.doc_id for d in kb.documents()}
    assert run(capsys, "pack", "trust", signed["pub"])[0] == 0
    with KnowledgeBase.open_default() as kb:
        assert "已按共享政策库" in packs.sync_library(kb)
        assert "songjiang-2025" in {d.doc_id for d in kb.documents()}
    assert packfile.read_pack(lib / "lib.pdpack").signer.name == "静安区维护人员"
