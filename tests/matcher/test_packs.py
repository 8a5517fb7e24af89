"""Policy packs (issue 14): export on one home, import on another; refusals change nothing;
"what changed" for a saved client; the shared library."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from packkeys import private_key, test_key, trust_test_key

from matcher.cli.main import main
from matcher.store import history, signing

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
SONGJIANG = CORPUS / "songjiang_jinrong_ruogan_2025.txt"
YANGPU = CORPUS / "yangpu_zongchengbao_zixun_shenbao_2026.txt"
JINSHAN = CORPUS / "jinshan_yingshang_huanjing_xingdong_2024.txt"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def export(capsys, *argv) -> tuple[int, str, str]:
    """``pack export … --sign KEY`` with the suite's maintainer key."""
    return run(capsys, "pack", "export", *argv, "--sign", test_key()[0])


@pytest.fixture(autouse=True)
def _counter_trusts_the_maintainer(policydesk_home):
    """Every home here is a counter of the same maintainer: it trusts the maintainer's key."""
    trust_test_key()


def other_home(tmp_path, monkeypatch, policydesk_home, name: str) -> Path:
    """Switch POLICYDESK_HOME to a fresh home with the same seed KB (a second counter)."""
    home = tmp_path / name
    (home / "cache").mkdir(parents=True)
    shutil.copyfile(policydesk_home / "cache" / "seed_kb.sqlite", home / "cache" / "seed_kb.sqlite")
    monkeypatch.setenv("POLICYDESK_HOME", str(home))
    trust_test_key()
    return home


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file of a home's data folder (the KB, imports/, corrections, directory)."""
    data = home / "data"
    return {
        str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file() and p.name != "kb.lock"
    }


@pytest.fixture
def maintainer_pack(capsys, tmp_path, policydesk_home):
    """The maintainer's home: two corpus documents, an office correction, a hidden seed
    measure and an office-directory entry, exported as a pack."""
    from matcher.store.kb import KnowledgeBase
    from matcher.store.office_directory import Contact, OfficeDirectory

    assert run(capsys, "ingest", SONGJIANG, YANGPU)[0] == 0
    with KnowledgeBase.open_default() as kb:
        first = next(m for m in kb.measures() if m.doc_id == "songjiang-2025")
        kb.add_correction(first.measure_id, "offices", ["区发展改革委"], note="维护人员核对原文")
        seed = next(m for m in kb.measures() if m.district == "杨浦区" and m.source == "seed")
        kb.add_correction(seed.measure_id, "hide", note="已停止受理")
    d = OfficeDirectory.load()
    d.set("松江区", "区发展改革委", Contact(address="松江区某路1号", phone="021-0000"))
    d.save()
    pack = tmp_path / "maint.pdpack"
    code, out, err = export(capsys, pack)
    assert code == 0, err
    assert "2 份文件" in out and "2 条更正" in out and "1 条部门通讯录" in out
    return {"pack": pack, "corrected": first.measure_id, "hidden": seed.measure_id}


def test_round_trip_stats_and_match_equal(capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack):
    outputs = {}
    for who in ("maintainer", "counter"):
        if who == "counter":
            other_home(tmp_path, monkeypatch, policydesk_home, "counter")
            code, out, err = run(capsys, "pack", "import", maintainer_pack["pack"])
            assert code == 0, err
            assert "新增:songjiang-2025" in out and "新增:yangpu-2026" in out and "新的更正:2 条" in out
        outputs[who] = [
            run(capsys, *argv)[1]
            for argv in (
                ("kb", "stats", "--format", "json"),
                ("match", "--district", "松江区", "--need", "融资", "--format", "json"),
                ("match", "--district", "杨浦区", "--all", "--format", "json"),
                ("kb", "list", "--all", "--format", "json"),
            )
        ]
    assert outputs["maintainer"] == outputs["counter"]
    listed = json.loads(outputs["counter"][3])["measures"]
    by_id = {m["measure_id"]: m for m in listed}
    assert by_id[maintainer_pack["corrected"]]["offices"] == ["区发展改革委"]
    assert by_id[maintainer_pack["hidden"]]["hidden"] is True
    from matcher.store.office_directory import OfficeDirectory

    c = OfficeDirectory.load().get("松江区", "区发展改革委")
    assert c is not None and c.address == "松江区某路1号"
    # importing it again changes nothing
    before = snapshot(Path(tmp_path / "counter"))
    code, out, _ = run(capsys, "pack", "import", maintainer_pack["pack"])
    assert code == 0 and "无需更新" in out
    assert snapshot(Path(tmp_path / "counter")) == before


def test_manifest_is_documented_shape_with_hashes(maintainer_pack):
    with zipfile.ZipFile(maintainer_pack["pack"]) as zf:
        m = json.loads(zf.read("manifest.json"))
        assert m["format"] == "policydesk-pack" and m["format_version"] == 1
        assert set(m["producer"]) == {"app", "version"}  # nothing about the machine
        for d in m["documents"]:
            assert hashlib.sha256(zf.read(d["path"])).hexdigest() == d["sha256"]
        assert {d["file"] for d in m["documents"]} == {SONGJIANG.name, YANGPU.name}
        assert maintainer_pack["hidden"] in m["hidden"]
    from matcher.store.packfile import content_hash

    assert content_hash(m) == m["content_sha256"]


def _rewrite(src: Path, dst: Path, change) -> Path:
    """Copy a pack, letting ``change(name, bytes) -> bytes | None`` alter members, and sign
    it again with the maintainer's key: the checks behind the signature are what is tested
    (a pack altered without re-signing is refused for its signature: tests/reliability)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        zout.comment = signing.placeholder()
    signing.sign_file(dst, private_key())
    return dst


def _with_manifest(src: Path, dst: Path, edit, rehash: bool) -> Path:
    from matcher.store.packfile import content_hash

    def change(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        edit(m)
        if rehash:
            m["content_sha256"] = content_hash(m)
        return json.dumps(m, ensure_ascii=False).encode()

    return _rewrite(src, dst, change)


def _damaged_packs(src: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    raw = src.read_bytes()
    truncated = tmp / "truncated.pdpack"
    truncated.write_bytes(raw[: len(raw) * 2 // 3])
    flipped = bytearray(raw)
    with zipfile.ZipFile(src) as zf:  # flip a byte inside a compressed document
        info = next(i for i in zf.infolist() if i.filename.startswith("documents/"))
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    flipped[at] ^= 0xFF
    crc = tmp / "crc.pdpack"
    crc.write_bytes(bytes(flipped))
    tampered_doc = _rewrite(
        src,
        tmp / "tampered-doc.pdpack",
        lambda n, d: d.replace("区".encode(), "县".encode(), 1) if n.endswith(YANGPU.name) else d,
    )
    tampered_manifest = _with_manifest(
        src, tmp / "tampered-manifest.pdpack", lambda m: m["corrections"][0].update(value=["区财政局"]), rehash=False
    )
    future = _with_manifest(src, tmp / "future.pdpack", lambda m: m.update(format_version=2), rehash=True)
    schema = _with_manifest(src, tmp / "schema.pdpack", lambda m: m["documents"][0].pop("sha256"), rehash=True)
    traversal = _with_manifest(
        src, tmp / "traversal.pdpack", lambda m: m["documents"][0].update(file="../../user_kb.sqlite"), rehash=True
    )
    bad_fix = _with_manifest(
        src, tmp / "bad-correction.pdpack", lambda m: m["corrections"][0].update(kind="drop_table"), rehash=True
    )
    extra = _rewrite(src, tmp / "extra.pdpack", lambda n, d: d)
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("documents/0123456789abcdef/run.txt", "x")
    signing.sign_file(extra, private_key())
    notzip = tmp / "notzip.pdpack"
    notzip.write_text("这不是压缩包", encoding="utf-8")
    return {
        "truncated": (truncated, "不完整"),
        "crc": (crc, "损坏"),
        "tampered-doc": (tampered_doc, "校验值不符"),
        "tampered-manifest": (tampered_manifest, "content_sha256"),
        "future": (future, "请升级 PolicyDesk"),
        "schema": (schema, "sha256"),
        "extra": (extra, "清单未列出"),
        "notzip": (notzip, "不完整"),
        "traversal": (traversal, "documents.0.file"),
        "bad-correction": (bad_fix, "drop_table"),
    }


def test_damaged_truncated_tampered_and_future_packs_refused_nothing_changed(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    bad = _damaged_packs(maintainer_pack["pack"], tmp_path)
    home = other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    assert run(capsys, "ingest", JINSHAN)[0] == 0  # the counter's own import
    before = snapshot(home)
    stats = run(capsys, "kb", "stats", "--format", "json")[1]
    for name, (pack, why) in bad.items():
        code, out, err = run(capsys, "pack", "import", pack)
        assert code == 2, (name, err)
        assert why in err and "未做任何更改" in err and "Traceback" not in err, (name, err)
        assert snapshot(home) == before, name
    assert run(capsys, "kb", "stats", "--format", "json")[1] == stats
    assert run(capsys, "pack", "import", maintainer_pack["pack"])[0] == 0  # the good one still goes in


def test_failure_inside_the_transaction_leaves_kb_and_imports_as_before(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    import matcher.store.kbstore as kbmod

    home = other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    assert run(capsys, "kb", "stats")[0] == 0
    before = snapshot(home)
    real = kbmod.write_documents

    def fail(db, docs, *a, **k):
        real(db, docs, *a, **k)  # rows written, then the disk fails
        import sqlite3

        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(kbmod, "write_documents", fail)
    code, _out, err = run(capsys, "pack", "import", maintainer_pack["pack"])
    assert code == 3 and "导入政策包失败" in err
    monkeypatch.setattr(kbmod, "write_documents", real)
    after = snapshot(home)
    assert {k: v for k, v in after.items() if not k.startswith("kb_history")} == before
    assert not any(k.startswith("imports/") for k in after)
    assert json.loads(run(capsys, "kb", "stats", "--format", "json")[1])["measures"] == 281


def test_own_import_never_replaced_without_saying_so(capsys, tmp_path, monkeypatch, policydesk_home):
    # the counter imported a document itself; the maintainer's pack has another version of it
    from matcher.store.kb import KnowledgeBase

    assert run(capsys, "ingest", YANGPU)[0] == 0
    own = snapshot(policydesk_home)
    maint = other_home(tmp_path, monkeypatch, policydesk_home, "maintainer")
    edited = tmp_path / YANGPU.name
    edited.write_text(YANGPU.read_text(encoding="utf-8").replace("申报", "申请", 3), encoding="utf-8")
    assert run(capsys, "ingest", edited)[0] == 0
    pack = tmp_path / "v2.pdpack"
    assert export(capsys, pack)[0] == 0
    monkeypatch.setenv("POLICYDESK_HOME", str(policydesk_home))
    code, out, err = run(capsys, "pack", "import", pack, "--dry-run")
    assert code == 0 and "冲突:本机自行导入的 yangpu-2026" in out and "--replace-own" in out
    code, _out, err = run(capsys, "pack", "import", pack)
    assert code == 2 and "自行导入" in err and "--replace-own" in err
    assert snapshot(policydesk_home) == own
    code, out, err = run(capsys, "pack", "import", pack, "--replace-own")
    assert code == 0, err
    with KnowledgeBase.open_default() as kb:
        doc = next(d for d in kb.documents() if d.doc_id == "yangpu-2026")
        assert doc.sha256 == hashlib.sha256(edited.read_bytes()).hexdigest()
    assert maint.is_dir()


def test_a_later_pack_replaces_and_removes_what_an_earlier_pack_brought(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    # maintainer withdraws the Yangpu document and publishes again
    assert run(capsys, "kb", "remove", "yangpu-2026")[0] == 0
    pack2 = tmp_path / "second.pdpack"
    assert export(capsys, pack2)[0] == 0
    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    assert run(capsys, "ingest", JINSHAN)[0] == 0  # own import: never removed by a pack
    assert run(capsys, "pack", "import", maintainer_pack["pack"])[0] == 0
    code, out, err = run(capsys, "pack", "import", pack2)
    assert code == 0, err
    assert "删除:yangpu-2026" in out
    ids = [d["id"] for d in json.loads(run(capsys, "kb", "stats", "--format", "json")[1])["documents"]]
    assert "yangpu-2026" not in ids and "songjiang-2025" in ids and any(i.startswith("jinshan") for i in ids)


def test_district_export_carries_only_that_district(capsys, tmp_path, policydesk_home, maintainer_pack):
    pack = tmp_path / "songjiang.pdpack"
    code, out, err = export(capsys, pack, "--district", "松江")
    assert code == 0, err
    with zipfile.ZipFile(pack) as zf:
        m = json.loads(zf.read("manifest.json"))
    assert m["districts"] == ["松江区"]
    assert [d["doc_id"] for d in m["documents"]] == ["songjiang-2025"]
    assert [c["measure_id"] for c in m["corrections"]] == [maintainer_pack["corrected"]]


def test_saved_client_sees_newly_imported_targeted_measure(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    from matcher.clients import changes
    from matcher.store.kb import KnowledgeBase
    from matcher.store.userdata import profiles_dir

    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    profile = {"district": "松江区", "needs": ["融资"]}
    (profiles_dir() / "松江某公司.json").write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    changes.mark_reviewed("松江某公司", "2026-01-01T00:00:00")
    with KnowledgeBase.open_default() as kb:
        assert changes.saved_clients_changes(kb)[0]["diff"]["newly_targeted"] == []
    assert run(capsys, "pack", "import", maintainer_pack["pack"])[0] == 0
    with KnowledgeBase.open_default() as kb:
        [client] = changes.saved_clients_changes(kb)
        new = client["diff"]["newly_targeted"]
        assert client["name"] == "松江某公司" and new
        assert all(r["district"] == "松江区" and r["measure_id"].startswith("songjiang-2025/") for r in new)
        from matcher.matching.match import matcher_for
        from matcher.profile.company import Profile

        now = {
            r.measure.measure_id
            for r in matcher_for(kb).match(Profile.from_dict(profile), top=None).results
            if changes.targeted(r)
        }
        assert {r["measure_id"] for r in new} == now
    # the CLI says the same, and nothing since a later date
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "match", "--profile", prof, "--since", "2026-01-01", "--format", "json")
    assert code == 0, err
    assert {r["measure_id"] for r in json.loads(out)["newly_targeted"]} == {r["measure_id"] for r in new}
    code, out, _ = run(capsys, "match", "--profile", prof, "--since", changes._dt.date.today().isoformat())
    assert code == 0 and "新增适用" in out  # imported today: still new since this morning
    code, _, err = run(capsys, "match", "--profile", prof, "--since", "2099-01-01")
    assert code == 2 and "晚于今天" in err
    code, _, err = run(capsys, "match", "--profile", prof, "--since", "上个月")
    assert code == 2 and "YYYY-MM-DD" in err


def test_changed_office_since(capsys, tmp_path, monkeypatch, policydesk_home):
    """A correction made after the date is a change of office, not a new measure."""
    from matcher.clients import changes
    from matcher.profile.company import Profile
    from matcher.store.kb import KnowledgeBase

    assert run(capsys, "ingest", SONGJIANG)[0] == 0
    prof = Profile.from_dict({"district": "松江区", "needs": ["融资"]})
    with KnowledgeBase.open_default() as kb:
        since, today = "2027-01-01T00:00:00", "2027-06-01"  # the document is valid until 2027-12-31
        assert changes.what_changed(kb, prof, since, today)["changed"] == []
        target = changes.what_changed(kb, prof, "2000-01-01")["newly_targeted"][0]["measure_id"]
        import matcher.store.kbstore as kbmod

        monkeypatch.setattr(kbmod, "now", lambda: "2027-03-01T09:00:00")  # corrected after `since`
        kb.add_correction(target, "offices", ["区商务委"])
        diff = changes.what_changed(kb, prof, since, today)
        [row] = diff["changed"]
        assert row["measure_id"] == target and row["changes"]["offices"]["after"] == ["区商务委"]
        assert "负责部门" in changes.describe(row) and diff["newly_targeted"] == []


def test_history_restores_removed_document(capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack):
    from matcher.clients import changes
    from matcher.profile.company import Profile
    from matcher.store.kb import KnowledgeBase

    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    assert run(capsys, "pack", "import", maintainer_pack["pack"])[0] == 0
    with KnowledgeBase.open_default() as kb:
        imported = kb.imported_at()["yangpu-2026"]
    # a second pack without any document: the pack-brought documents go
    empty = tmp_path / "empty.pdpack"
    from matcher.store import packfile

    packfile.write_pack(
        empty,
        {"districts": [], "documents": [], "corrections": [], "hidden": [], "office_directory": []},
        {},
        private_key(),
    )
    import matcher.store.kbstore as kbmod

    monkeypatch.setattr(kbmod, "now", lambda: "2027-06-01T00:00:00")  # the second pack comes later
    code, out, _ = run(capsys, "pack", "import", empty)
    assert code == 0 and "删除:yangpu-2026" in out and "删除:songjiang-2025" in out
    prof = Profile.from_dict({"district": "松江区", "needs": ["融资"]})
    with KnowledgeBase.open_default() as kb:
        assert not any(d.doc_id == "songjiang-2025" for d in kb.documents())
        assert imported < "2027-01-01T00:00:00"
        measures, docs = kb.as_of("2027-01-01T00:00:00")
        assert "songjiang-2025" in docs and any(m.doc_id == "songjiang-2025" for m in measures)
        assert not any(m.doc_id == "songjiang-2025" for m in kb.as_of("2027-06-01T00:00:01")[0])
        lost = changes.what_changed(kb, prof, "2027-01-01T00:00:00", today="2027-07-01")["no_longer_targeted"]
        assert lost and all(r["why"] == "已从政策库中删除" for r in lost)


def test_shared_library_applied_once_read_only(capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack):
    from matcher.store import packs
    from matcher.store.kb import KnowledgeBase

    lib = tmp_path / "share"
    lib.mkdir()
    shutil.copyfile(maintainer_pack["pack"], lib / "2026-12.pdpack")
    (lib / "2026-12.pdpack").chmod(0o444)
    lib_bytes = (lib / "2026-12.pdpack").read_bytes()
    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    monkeypatch.setenv(packs.LIBRARY_ENV, str(lib))
    with KnowledgeBase.open_default() as kb:
        note = packs.sync_library(kb)
        assert note and "2026-12.pdpack" in note
        assert {"songjiang-2025", "yangpu-2026"} <= {d.doc_id for d in kb.documents()}
        assert packs.sync_library(kb) is None  # nothing new the second time
        st = packs.library_status(kb)
        assert (
            st["library"] == str(lib)
            and st["created"] == json.loads(zipfile.ZipFile(lib / "2026-12.pdpack").read("manifest.json"))["created"]
        )
    assert (lib / "2026-12.pdpack").read_bytes() == lib_bytes and sorted(p.name for p in lib.iterdir()) == [
        "2026-12.pdpack"
    ]
    monkeypatch.setenv(packs.LIBRARY_ENV, str(tmp_path / "unplugged"))
    with KnowledgeBase.open_default() as kb:
        note = packs.sync_library(kb)
        assert "未能更新" in note and "共享盘" in note  # a message, the counter carries on


def test_expired_since_when_the_documents_validity_ends(capsys, policydesk_home):
    """松江 measures are valid until 2027-12-31 (the document says so): targeted in mid-2027,
    listed as expired in 2028, and not as merely "no longer targeted"."""
    from matcher.clients import changes
    from matcher.profile.company import Profile
    from matcher.store.kb import KnowledgeBase

    assert run(capsys, "ingest", SONGJIANG)[0] == 0
    prof = Profile.from_dict({"district": "松江区", "needs": ["融资"]})
    with KnowledgeBase.open_default() as kb:
        until = {m.valid_until for m in kb.measures() if m.doc_id == "songjiang-2025"}
        assert until == {"2027-12-31"}
        before = changes.what_changed(kb, prof, "2027-06-01T00:00:00", today="2027-09-01")
        assert before["expired"] == [] and before["no_longer_targeted"] == []
        diff = changes.what_changed(kb, prof, "2027-06-01T00:00:00", today="2028-01-15")
        assert diff["expired"] and diff["newly_targeted"] == [] and diff["no_longer_targeted"] == []
        assert {r["valid_until"] for r in diff["expired"]} == {"2027-12-31"}
        assert all(r["measure_id"].startswith("songjiang-2025/") for r in diff["expired"])


def test_kb_remove_is_kept_in_history_too(capsys, policydesk_home):
    from matcher.store.kb import KnowledgeBase

    assert run(capsys, "ingest", SONGJIANG)[0] == 0
    stats = json.loads(run(capsys, "kb", "stats", "--format", "json")[1])
    n = next(d["measures"] for d in stats["documents"] if d["id"] == "songjiang-2025")
    assert run(capsys, "kb", "remove", "songjiang-2025")[0] == 0
    lines = (policydesk_home / "data" / history.HISTORY_FILE).read_text(encoding="utf-8").splitlines()
    [entry] = [json.loads(x) for x in lines]
    assert entry["doc"]["doc_id"] == "songjiang-2025" and len(entry["doc"]["measures"]) == n > 0
    with KnowledgeBase.open_default() as kb:
        measures, _docs = kb.as_of(entry["imported_at"][:10] + "T00:00:00")
        assert not any(m.doc_id == "songjiang-2025" for m in measures)  # not yet imported then
        assert entry["at"] >= entry["imported_at"]


def test_clearing_saved_profiles_clears_when_they_were_reviewed(capsys, policydesk_home):
    from matcher.clients import changes
    from matcher.store.userdata import profiles_dir

    (profiles_dir() / "某客户.json").write_text('{"district": "虹口区"}', encoding="utf-8")
    changes.mark_reviewed("某客户")
    assert changes.reviewed_at("某客户")
    assert run(capsys, "data", "clear", "--profiles")[0] == 0
    assert changes.reviewed_at("某客户") is None
    assert not (policydesk_home / "data" / changes.REVIEWS_FILE).exists()


def test_same_measures_in_another_encoding_are_already_here_not_a_conflict(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    gbk = tmp_path / "gbk" / SONGJIANG.name
    gbk.parent.mkdir()
    gbk.write_bytes(SONGJIANG.read_text(encoding="utf-8").encode("gb18030"))
    assert run(capsys, "ingest", gbk)[0] == 0  # the counter's own copy, other bytes
    code, out, err = run(capsys, "pack", "import", maintainer_pack["pack"])
    assert code == 0, err
    assert "冲突" not in out and "新增:songjiang" not in out and "已是最新:1 份文件" in out
    listed = {m["measure_id"]: m for m in json.loads(run(capsys, "kb", "list", "--format", "json")[1])["measures"]}
    assert listed[maintainer_pack["corrected"]]["offices"] == ["区发展改革委"]  # the correction still lands


def test_a_pack_correction_over_the_counters_own_is_said(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    from matcher.store.kb import KnowledgeBase

    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    assert run(capsys, "ingest", SONGJIANG)[0] == 0
    with KnowledgeBase.open_default() as kb:
        kb.add_correction(maintainer_pack["corrected"], "offices", ["区财政局"], note="本机核对")
    code, out, err = run(capsys, "pack", "import", maintainer_pack["pack"], "--dry-run")
    assert code == 0, err
    assert "1 条更正与本机已有的更正针对同一措施" in out


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL (POSIX)")
@pytest.mark.parametrize("step", ["staged", "in-transaction", "committed"])
def test_killed_pack_import_is_all_or_nothing(capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack, step):
    """A pack import killed at a step leaves the KB either as before or fully imported, and
    the next start agrees with imports/ (the import run's protocol)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    home = other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    before = run(capsys, "kb", "stats", "--format", "json")[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDESK_")}
    env.update(POLICYDESK_HOME=str(home), POLICYDESK_TEST_IMPORT_PAUSE="0.5")
    proc = subprocess.Popen(
        [sys.executable, "-m", "matcher", "pack", "import", str(maintainer_pack["pack"])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line or line.strip() == f"POLICYDESK_TEST_STEP {step}":
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()
    proc.stderr.close()
    after = json.loads(run(capsys, "kb", "stats", "--format", "json")[1])
    ids = {d["id"] for d in after["documents"]}
    folders = {p.parent.name for p in (home / "data" / "imports").glob("*/manifest.json")}
    pending = list((home / "data" / "imports").glob("*/manifest.pending.json"))
    if step == "committed":
        assert {"songjiang-2025", "yangpu-2026"} <= ids and len(folders) == 2
    else:
        assert json.loads(before) == after and folders == set()
    assert pending == []
    code, out, err = run(capsys, "pack", "import", maintainer_pack["pack"])  # and it can be done again
    assert code == 0, err
    final = json.loads(run(capsys, "kb", "stats", "--format", "json")[1])
    assert {"songjiang-2025", "yangpu-2026"} <= {d["id"] for d in final["documents"]}


def test_new_version_with_another_amount_is_a_change_for_the_client(capsys, tmp_path, monkeypatch, policydesk_home):
    """The maintainer re-issues 松江's document with 贴息 capped at 60万元 instead of 45万元:
    for a client who needs 融资 the measure is not new, it *changed* (amount)."""
    import matcher.store.kbstore as kbmod
    from matcher.clients import changes
    from matcher.profile.company import Profile
    from matcher.store.kb import KnowledgeBase

    assert run(capsys, "ingest", SONGJIANG)[0] == 0
    v1 = tmp_path / "v1.pdpack"
    assert export(capsys, v1)[0] == 0
    text = SONGJIANG.read_text(encoding="utf-8")
    assert text.count("单个企业贴息总额最高不超过45万元") == 1
    v2_src = tmp_path / "v2" / SONGJIANG.name
    v2_src.parent.mkdir()
    v2_src.write_text(
        text.replace("单个企业贴息总额最高不超过45万元", "单个企业贴息总额最高不超过60万元"), encoding="utf-8"
    )
    assert run(capsys, "kb", "remove", "songjiang-2025")[0] == 0  # the old version withdrawn
    assert run(capsys, "ingest", v2_src)[0] == 0
    v2 = tmp_path / "v2.pdpack"
    assert export(capsys, v2)[0] == 0

    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    assert run(capsys, "pack", "import", v1)[0] == 0
    monkeypatch.setattr(kbmod, "now", lambda: "2027-03-01T10:00:00")  # the new version arrives later
    code, out, err = run(capsys, "pack", "import", v2)
    assert code == 0 and "替换:songjiang-2025" in out, err
    prof = Profile.from_dict({"district": "松江区", "needs": ["融资"]})
    with KnowledgeBase.open_default() as kb:
        diff = changes.what_changed(kb, prof, "2027-01-01T00:00:00", today="2027-06-01")
    assert diff["newly_targeted"] == [] and diff["no_longer_targeted"] == []
    [row] = [r for r in diff["changed"] if "amounts" in r["changes"]]
    assert "最高60万元" in row["changes"]["amounts"]["after"]
    assert "最高45万元" in row["changes"]["amounts"]["before"]
    assert "金额" in changes.describe(row)


def test_a_pack_import_rebuilds_the_stored_index_at_once(
    capsys, tmp_path, monkeypatch, policydesk_home, maintainer_pack
):
    """The counter's next start (and its first match) reads the index the import built:
    nothing is left to build at the next open."""
    from matcher.matching import stored_index
    from matcher.matching.match import matcher_for
    from matcher.store.kb import KnowledgeBase

    other_home(tmp_path, monkeypatch, policydesk_home, "counter")
    code, _out, err = run(capsys, "pack", "import", maintainer_pack["pack"])
    assert code == 0, err

    def no_build(*a, **k):
        raise AssertionError("the index was built at the next open, not by the import")

    monkeypatch.setattr(stored_index, "build", no_build)
    with KnowledgeBase.open_default() as kb:
        m = matcher_for(kb)
        assert any(m.ix.mid(q).startswith("songjiang-2025/") for q in range(m.ix.n))


def test_stale_copies_of_killed_imports_are_swept(tmp_path):
    """A pack keeps its verified private copy while it is imported (its files are read one at
    a time, issue 24); a killed import leaves it behind, and the next read removes it once it
    is a day old — never a running import's."""
    import os
    import time

    from matcher.store import packfile

    old = tmp_path / "policydesk-pack-old.pdpack"
    new = tmp_path / "policydesk-pack-new.pdpack"
    other = tmp_path / "someone-else.pdpack"
    for f in (old, new, other):
        f.write_bytes(b"x")
    two_days = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days, two_days))
    os.utime(other, (two_days, two_days))
    assert packfile.sweep_stale_copies(tmp_path) == 1
    assert not old.exists() and new.exists() and other.exists()
