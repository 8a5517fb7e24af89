"""The stored match index (matcher.matching.stored_index) and its posting lists (matcher.matching.postings):
built once when the KB changes, read (mapped) at open, never trusted when stale or damaged;
the posting lists find exactly what a scan of the texts finds."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from matcher.common import fuzzy
from matcher.engine import Engine
from matcher.matching import index_state, stored_index
from matcher.matching.match import Matcher, matcher_for, matcher_of
from matcher.profile.company import Profile
from matcher.store.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"

PROFILES = [
    {
        "district": "虹口区",
        "industry": "交通运输、仓储和邮政业 (航运)",
        "size": "小型",
        "needs": ["融资", "政策咨询"],
        "keywords": "航运 船舶代理",
        "area": "北外滩",
    },
    {
        "district": "嘉定区",
        "industry": "制造业",
        "size": "中型",
        "zjtx": "专精特新中小企业",
        "flags": ["高新技术企业"],
        "needs": ["融资", "用工就业", "法律服务"],
        "keywords": "汽车零部件 破产重整",
    },
    {
        "district": "静安区",
        "industry": "信息传输、软件和信息技术服务业",
        "size": "小型",
        "needs": ["科技创新", "人才"],
        "keywords": "人工智能 人才公寓",
    },
]


def _files(kb) -> list[Path]:
    """The index's segment files (issue 24: ``match_index/seg-*.bin``, named by the manifest)."""
    return sorted((stored_index.index_dir(kb) / index_state.FOLDER).glob("seg-*.bin"))


def _answers(m: Matcher) -> list:
    out = []
    for pd in PROFILES:
        resp = m.match(Profile.from_dict(pd), top=None)
        out.append([(r.measure.measure_id, r.score, r.tier, [x.text for x in r.reasons]) for r in resp.results])
    out.append([(r.measure.measure_id, r.score) for r in m.search("人才公寓 融资", top=50)])
    return out


def _in_memory(kb) -> Matcher:
    return matcher_of(kb.measures(include_internal=True), {"documents": 1})


def test_index_is_stored_once_and_then_read_not_rebuilt(monkeypatch):
    kb = KnowledgeBase.open_default()
    try:
        first = matcher_for(kb)
        files = _files(kb)
        assert len(files) == 1 and files[0].parent.parent == kb.user_path.parent
        assert files[0].read_bytes()[:8] == stored_index.MAGIC
        want = _answers(first)
        assert want == _answers(_in_memory(kb))

        def no_build(*a, **k):
            raise AssertionError("the index was rebuilt although the KB did not change")

        monkeypatch.setattr(stored_index, "build", no_build)
        again = matcher_for(kb)
        assert isinstance(again.ix.arrays["tlen"], np.ndarray)
        assert all(s._keep is not None for s in again.ix.segments)  # mapped
        assert _answers(again) == want
        assert _files(kb) == files
    finally:
        kb.close()


def test_every_change_of_the_kb_changes_the_stamp_and_rebuilds():
    with Engine.open() as e:
        kb = e.kb
        stamps = [kb.stamp()]
        m0 = e.matcher
        ms = kb.measures(include_internal=True)
        kb.add_correction(ms[0].measure_id, "add_tag", "专精特新企业", field="audiences")
        stamps.append(kb.stamp())
        kb.add_correction(ms[1].measure_id, "hide")
        stamps.append(kb.stamp())
        e.ingest([CORPUS / "jingan_ai_shifanqu_xingdong_2026.txt"])
        stamps.append(kb.stamp())
        assert e.matcher is not m0 and e.matcher.ix.n > m0.ix.n  # rebuilt at once
        other = sqlite3.connect(kb.user_path)  # a write no code path announces
        other.execute("UPDATE measures SET title = title || '' WHERE rowid = (SELECT MIN(rowid) FROM measures)")
        other.commit()
        other.close()
        stamps.append(kb.stamp())
        assert len(set(stamps)) == len(stamps)
        assert _answers(matcher_for(kb)) == _answers(_in_memory(kb))
        doc = [d.doc_id for d in kb.documents() if d.source == "user"]
        e.remove(doc)
        stamps.append(kb.stamp())
        assert len(set(stamps)) == len(stamps)
        assert e.matcher.ix.n == m0.ix.n - 1  # one measure still hidden
        assert _answers(e.matcher) == _answers(_in_memory(kb))
        # the removed document's segment tidied away: the seeds' and the corrections' remain
        manifest = json.loads((_files(kb)[0].parent / index_state.MANIFEST).read_text("utf-8"))
        assert sorted(f.name for f in _files(kb)) == sorted(s["name"] for s in manifest["segments"])
        assert len(_files(kb)) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "header"])
def test_a_damaged_index_is_rebuilt_not_trusted(damage):
    kb = KnowledgeBase.open_default()
    try:
        want = _answers(matcher_for(kb))
        (f,) = _files(kb)
        data = f.read_bytes()
        if damage == "truncate":
            f.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":  # the arrays after the header
            at = data.index(b"\0" * 8, 16 + int.from_bytes(data[8:16], "little")) + 64
            f.write_bytes(data[:at] + bytes(random.Random(1).randrange(256) for _ in range(2000)) + data[at + 2000 :])
        else:
            f.write_bytes(data[:16] + b"{" + data[17:])
        got = matcher_for(kb)
        assert _answers(got) == want
        assert f.read_bytes() == data  # written again
    finally:
        kb.close()


def test_an_old_user_file_gets_the_stamp_triggers():
    kb = KnowledgeBase.open_default()
    kb.close()
    path = Path(kb.user_path)
    con = sqlite3.connect(path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER {name}")
    con.execute("DELETE FROM meta WHERE key LIKE 'kb_stamp%'")
    con.commit()
    con.close()
    kb = KnowledgeBase.open_default()
    try:
        s1 = kb.stamp()
        con = sqlite3.connect(path)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        con.close()
        assert len(names) == 9
        kb.add_correction(kb.measures()[0].measure_id, "hide")
        assert kb.stamp() != s1
    finally:
        kb.close()


# ---------------------------------------------------------------------------- postings


@pytest.fixture
def seeded():
    kb = KnowledgeBase.open_default()
    m = matcher_for(kb)
    texts = [m.ix.text_of(q) for q in range(m.ix.n)]
    yield m, texts
    kb.close()


def _words(texts, rng, k):
    out = []
    for _ in range(k):
        t = rng.choice(texts)
        i = rng.randrange(len(t))
        out.append(t[i : i + rng.choice([1, 2, 3, 5, 8])])
    return out + ["一网通办", "融资", "的", "不存在的词语", "。", "担保担保", "人才公寓"]


def test_postings_find_what_a_scan_finds(seeded):
    m, texts = seeded
    ix = m.ix
    titles = [t[: int(ix.arrays["tlen"][q])] for q, t in enumerate(texts)]
    rng = random.Random(7)
    scope = np.zeros(ix.n, dtype=bool)
    scope[rng.sample(range(ix.n), ix.n // 3)] = True
    for w in _words(texts, rng, 300):
        want = [q for q, t in enumerate(texts) if w in t]
        assert ix.text.containing(w).tolist() == want, w
        assert ix.text.containing(w, scope).tolist() == [q for q in want if scope[q]], w
        assert ix.title.containing(w).tolist() == [q for q, t in enumerate(titles) if w in t], w


def test_fuzzy_prefilter_keeps_every_fuzzy_hit(seeded):
    m, texts = seeded
    rng = random.Random(11)
    terms = ["告知承若制", "一网通半", "知识产劝", "融资单保", "人材公寓", "跨竟电商", "首贷续贷中心"]
    for _ in range(60):  # words of the text with one character changed
        t = rng.choice(texts)
        i = rng.randrange(max(1, len(t) - 6))
        w = list(t[i : i + rng.choice([4, 5, 6])])
        w[rng.randrange(len(w))] = rng.choice("的一是在人有我他这中")
        terms.append("".join(w))
    everywhere = np.ones(m.ix.n, dtype=bool)
    for term in terms:
        if len(term) < fuzzy.MIN_FUZZY_LEN:
            continue
        may = set(m.ix.text.may_align(term, fuzzy.TERM_CUTOFF, everywhere).tolist())
        hits = {p for p, t in enumerate(texts) if fuzzy.find_in_text(term, t)}
        assert hits <= may, term


def test_a_rebuild_tells_progress_and_the_cli_then_reads_no_whole_kb(monkeypatch, capsys):
    import json

    from matcher.cli.main import main

    told = []
    with Engine(progress=lambda d, t, msg: told.append(msg)) as e:
        e.matcher  # noqa: B018 - built now
    assert "正在建立索引 …" in told

    def whole(*a, **k):
        raise AssertionError("the whole knowledge base was read")

    monkeypatch.setattr(KnowledgeBase, "index_rows", whole)
    monkeypatch.setattr(KnowledgeBase, "measures", whole)
    monkeypatch.setattr(stored_index, "build", whole)
    code = main(["match", "--district", "虹口区", "--need", "融资", "--keywords", "人才公寓", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["results"] and data["kb"]["measures"] > 200
    code = main(["search", "人才公寓", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "人才公寓" in json.loads(out)["results"][0]["text"] + json.loads(out)["results"][0]["title"]


def test_ingest_without_reindex_leaves_the_rebuild_to_the_next_match(monkeypatch):
    with Engine.open() as e:
        n0 = e.matcher.ix.n
        built = []
        real = stored_index.build
        monkeypatch.setattr(stored_index, "build", lambda *a, **k: built.append(1) or real(*a, **k))
        e.ingest([CORPUS / "jingan_ai_shifanqu_xingdong_2026.txt"], reindex=False)
        assert built == []
        assert e.matcher.ix.n > n0 and built == [1]  # stale stamp: rebuilt when asked


def test_a_mapped_section_is_checked_a_part_at_a_time_and_let_go(tmp_path, monkeypatch):
    """The CRC of a mapped section, read in parts (any base, any length, parts not on page
    boundaries), is the CRC of its bytes; where the system can say (Linux), the pages read
    are let go of (not kept in the process), and the bytes read again are the same."""
    import mmap
    import sys
    import zlib

    raw = random.Random(7).randbytes(64 * mmap.PAGESIZE + 123)
    f = tmp_path / "blob.bin"
    f.write_bytes(raw)
    monkeypatch.setattr(stored_index, "_CRC_CHUNK", 3 * mmap.PAGESIZE + 17)
    with open(f, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        for base, length in ((0, len(raw)), (5, len(raw) - 9), (mmap.PAGESIZE - 1, 2 * mmap.PAGESIZE + 3), (11, 0)):
            assert stored_index._crc_of_mapped(mm, base, length) == zlib.crc32(raw[base : base + length])
        if sys.platform.startswith("linux") and hasattr(mmap, "MADV_DONTNEED"):
            view = np.frombuffer(mm, dtype=np.uint8)
            addr = view.__array_interface__["data"][0]
            pages = len(raw) // mmap.PAGESIZE

            def present() -> int:  # pages of the map in this process's page table
                with open("/proc/self/pagemap", "rb", buffering=0) as pm:
                    pm.seek(addr // mmap.PAGESIZE * 8)
                    bits = np.frombuffer(pm.read(pages * 8), dtype=np.uint64)
                return int(((bits >> np.uint64(63)) & np.uint64(1)).sum())

            int(view.sum())  # every page read into the process
            before = present()
            stored_index._crc_of_mapped(mm, 0, len(raw))
            after = present()
            assert before >= pages - 1 and after <= 4, (before, after)
            del view
        assert mm[: len(raw)] == raw  # what was let go of reads the same
        mm.close()
