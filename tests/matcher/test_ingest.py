"""policydesk ingest: every format and encoding imports; every bad input is refused with
exit code 2, a message naming the file and the problem, and the knowledge base unchanged."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.store.kb import KnowledgeBase

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

HONGKOU = SEEDS[0]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def kb_state():
    k = KnowledgeBase.open_default()
    try:
        return len(k.documents()), len(k.measures(include_hidden=True))
    finally:
        k.close()


def seed_lines(p: Path = HONGKOU) -> list[str]:
    return p.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def hongkou_count():
    """Measures the pipeline finds in the Hongkou seed itself."""
    k = KnowledgeBase.open_default()
    n = sum(1 for m in k.measures(include_hidden=True) if m.doc_id == k.documents()[0].doc_id)
    k.close()
    return n


def ingest_json(capsys, *argv):
    code, out, err = run(capsys, "ingest", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------- accepted inputs
#
# A seed saved in another format or encoding has the seed's measures, so it is refused as a
# duplicate (same measures after normalisation); a corpus document in any format imports
# with the measures the pipeline finds in its UTF-8 text.

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
OTHER = CORPUS / "changning_jieneng_jiantan_zhengce_2024.txt"  # 长宁区, not a seed
OTHERS = [
    CORPUS / n
    for n in (
        "changning_jieneng_jiantan_zhengce_2024.txt",
        "jinshan_yingshang_huanjing_xingdong_2024.txt",
        "songjiang_jinrong_ruogan_2025.txt",
    )
]


def pipeline_count(p: Path = OTHER) -> int:
    from matcher.reading import pipeline

    return len(pipeline.build_document(p.read_text(encoding="utf-8"), source_file=p.name, source="user").measures)


def assert_duplicate_of_seed(capsys, f):
    before = kb_state()
    code, out, err = run(capsys, "ingest", f)
    assert code == 2, (out, err)
    assert "内置政策文件" in err and "措施内容相同" in err and "hongkou-2023" in err, err
    assert kb_state() == before


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_ingest_reencoded_seed(capsys, tmp_path, encoding):
    """A seed saved in another encoding has the seed's measures: refused as a duplicate."""
    f = tmp_path / f"hongkou-{encoding}.txt"
    f.write_bytes(HONGKOU.read_text(encoding="utf-8").encode(encoding))
    assert_duplicate_of_seed(capsys, f)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_ingest_reencoded_document(capsys, tmp_path, encoding):
    """A document saved in another encoding imports with the measures of its UTF-8 text."""
    f = tmp_path / f"changning-{encoding}.txt"
    f.write_bytes(OTHER.read_text(encoding="utf-8").encode(encoding))
    before = kb_state()
    data = ingest_json(capsys, f)
    (doc,) = data["documents"]
    n = pipeline_count()
    assert doc["district"] == "长宁区"
    assert doc["measures"] == n > 0
    assert set(doc) >= {"file", "id", "district", "title", "issued", "measures", "repairs", "unrepaired"}
    assert kb_state() == (before[0] + 1, before[1] + n)
    assert data["kb"]["documents"] == before[0] + 1


def test_ingest_big5(capsys, tmp_path):
    """A Traditional-character copy in Big5 has the measures of the same text in UTF-8:
    the second is refused as a duplicate of the first."""
    import opencc

    text = opencc.OpenCC("s2t").convert(OTHER.read_text(encoding="utf-8"))
    text = "".join(ch for ch in text if _encodable(ch, "big5"))
    b5 = tmp_path / "changning-big5.txt"
    b5.write_bytes(text.encode("big5"))
    u8 = tmp_path / "changning-trad-utf8.txt"
    u8.write_bytes(text.encode("utf-8"))
    a = ingest_json(capsys, b5)["documents"][0]
    assert a["district"] == "长宁区" and a["measures"] > 0
    code, out, err = run(capsys, "ingest", u8)
    assert code == 2 and "措施内容相同" in err and a["id"] in err, err


def _encodable(ch, enc):
    try:
        ch.encode(enc)
        return True
    except UnicodeEncodeError:
        return False


def _lines(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").splitlines()


def test_ingest_docx(capsys, tmp_path, docgen):
    assert_duplicate_of_seed(capsys, docgen.docx(tmp_path / "虹口方案.docx", seed_lines()))
    f = docgen.docx(tmp_path / "长宁.docx", _lines(OTHER))
    doc = ingest_json(capsys, f)["documents"][0]
    assert doc["district"] == "长宁区"
    assert doc["measures"] == pipeline_count()


def test_ingest_html(capsys, tmp_path, docgen):
    assert_duplicate_of_seed(
        capsys,
        docgen.html(
            tmp_path / "hongkou.html", [ln for ln in seed_lines() if ln.strip()], encoding="gb18030", declare="gb2312"
        ),
    )
    f = docgen.html(
        tmp_path / "changning.html", [ln for ln in _lines(OTHER) if ln.strip()], encoding="gb18030", declare="gb2312"
    )
    doc = ingest_json(capsys, f)["documents"][0]
    assert doc["district"] == "长宁区"
    assert doc["measures"] == pipeline_count()


def test_ingest_pdf(capsys, tmp_path, docgen):
    assert_duplicate_of_seed(capsys, docgen.pdf(tmp_path / "hongkou.pdf", [ln for ln in seed_lines() if ln.strip()]))
    f = docgen.pdf(tmp_path / "changning.pdf", [ln for ln in _lines(OTHER) if ln.strip()])
    doc = ingest_json(capsys, f)["documents"][0]
    assert doc["district"] == "长宁区"
    assert doc["measures"] == pipeline_count()


def test_ingest_with_options_and_table_report(capsys, tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(OTHERS[1].read_text(encoding="utf-8").encode("gb18030"))
    code, out, err = run(capsys, "ingest", f, "--district", "徐汇", "--title", "测试标题", "--issued", "2022-06-01")
    assert code == 0, err
    assert "已导入" in out and "徐汇区" in out and "测试标题" in out and "2022-06-01" in out
    k = KnowledgeBase.open_default()
    d = k.documents()[-1]
    assert (d.district, d.title, d.issued) == ("徐汇区", "测试标题", "2022-06-01")
    k.close()


def test_ingest_several_files_at_once(capsys, tmp_path):
    files = []
    for i, doc in enumerate(OTHERS):
        f = tmp_path / f"s{i}.txt"
        f.write_bytes(doc.read_text(encoding="utf-8").encode("utf-16"))
        files.append(f)
    before = kb_state()
    data = ingest_json(capsys, *files)
    assert [d["file"] for d in data["documents"]] == [str(f) for f in files]
    assert kb_state()[0] == before[0] + 3


# ---------------------------------------------------------------- refused inputs


def _bin(tmp_path, docgen=None):
    f = tmp_path / "program.txt"
    f.write_bytes(bytes(range(256)) * 8)
    return f


def _empty(tmp_path, docgen=None):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    return f


def _wrong_ext(tmp_path, docgen=None):
    f = tmp_path / "sheet.xlsx"
    f.write_bytes(b"PK\x03\x04 not really")
    return f


def _no_measures(tmp_path, docgen=None):
    f = tmp_path / "notice.txt"
    f.write_text(
        "虹口区关于召开座谈会的通知\n\n请各单位于下周一上午九点到区政府三楼会议室参加座谈会。\n\n"
        "虹口区人民政府办公室\n",
        encoding="utf-8",
    )
    return f


def _scanned(tmp_path, docgen):
    return docgen.pdf(tmp_path / "scan.pdf", None)


def _corrupt_docx(tmp_path, docgen=None):
    f = tmp_path / "broken.docx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
    return f


def _corrupt_pdf(tmp_path, docgen=None):
    f = tmp_path / "broken.pdf"
    f.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    return f


def _missing(tmp_path, docgen=None):
    return tmp_path / "no-such-file.txt"


@pytest.mark.parametrize(
    "make, needles",
    [
        (_empty, ["空"]),
        (_bin, ["不是文本文件"]),
        (_wrong_ext, [".xlsx", ".docx", ".txt"]),
        (_missing, ["找不到"]),
        (_no_measures, []),
        (_scanned, ["扫描件"]),
        (_corrupt_docx, ["损坏"]),
        (_corrupt_pdf, ["PDF"]),
    ],
    ids=["empty", "binary", "wrong-extension", "missing", "no-measures", "scanned-pdf", "corrupt-docx", "corrupt-pdf"],
)
def test_refused_input(capsys, tmp_path, make, needles, docgen):
    """Exit 2, a message naming the file and what is wrong, and nothing written."""
    bad = make(tmp_path, docgen)
    before = kb_state()
    code, out, err = run(capsys, "ingest", bad)
    assert code == 2, (out, err)
    assert bad.name in err, err
    for n in needles:
        assert n in err, err
    assert "Traceback" not in err
    assert kb_state() == before
    assert not list((Path(tmp_path) / "pdhome" / "data" / "imports").glob("*/*"))


def test_one_bad_file_refuses_the_whole_import(capsys, tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(OTHER.read_text(encoding="utf-8").encode("gb18030"))
    bad = _bin(tmp_path)
    before = kb_state()
    code, out, err = run(capsys, "ingest", good, bad)
    assert code == 2 and bad.name in err
    assert kb_state() == before


def test_reimport_refused(capsys, tmp_path):
    f = tmp_path / "cn.txt"
    f.write_bytes(OTHER.read_text(encoding="utf-8").encode("gb18030"))
    assert run(capsys, "ingest", f)[0] == 0
    before = kb_state()
    code, out, err = run(capsys, "ingest", f)
    assert code == 2 and "内容完全相同" in err and "--replace" in err
    code, out, err = run(capsys, "ingest", SEEDS[0])
    assert code == 2 and "内置政策文件" in err
    assert kb_state() == before


@pytest.mark.parametrize(
    "opt, value, needle",
    [
        ("--issued", "2023/3/13", "YYYY-MM-DD"),
        ("--issued", "2023-02-30", "YYYY-MM-DD"),
        ("--district", "上海", "不是上海的区"),
        ("--title", "  ", "--title"),
    ],
)
def test_bad_options(capsys, tmp_path, opt, value, needle):
    f = tmp_path / "x.txt"
    f.write_bytes(SEEDS[1].read_bytes() + b"\n")
    before = kb_state()
    code, out, err = run(capsys, "ingest", f, opt, value)
    assert code == 2 and needle in err and value.strip() in err
    assert kb_state() == before
