"""Shared fixtures: every test runs with its own POLICYDESK_HOME (cache and data folders)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def _seed_kb_template(tmp_path_factory):
    """The seed KB built once per session; tests start from a copy (building takes ~0.5 s)."""
    import matcher.reading.pipeline as pipeline

    home = tmp_path_factory.mktemp("template-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICYDESK_HOME", str(home))
        if not hasattr(pipeline, "build_document"):
            mp.setattr(pipeline, "build_document", _fake_build_document, raising=False)
        if not hasattr(pipeline, "build_seed_documents"):
            mp.setattr(pipeline, "build_seed_documents", _fake_build_seed_documents, raising=False)
        from matcher.store.kb import KnowledgeBase

        KnowledgeBase.open_default().close()
    return home / "cache" / "seed_kb.sqlite"


@pytest.fixture
def fresh_kb():
    """Request this to start without a seed KB (the test sees it being built)."""


@pytest.fixture(autouse=True)
def policydesk_home(request, tmp_path, monkeypatch):
    """Redirect PolicyDesk's cache and data folders into this test's tmp_path.

    The cache starts with a copy of the session's seed KB unless the test asks for
    ``fresh_kb`` (or counts builds with ``build_counter``).
    """
    home = tmp_path / "pdhome"
    home.mkdir()
    monkeypatch.setenv("POLICYDESK_HOME", str(home))
    monkeypatch.delenv("POLICYDESK_DEBUG", raising=False)
    if not {"fresh_kb", "build_counter"} & set(request.fixturenames):
        template = request.getfixturevalue("_seed_kb_template")
        (home / "cache").mkdir()
        shutil.copyfile(template, home / "cache" / "seed_kb.sqlite")
    return home


# ----------------------------------------------------------------------------------------
# A stand-in for matcher.reading.pipeline, used ONLY while the real build_document /
# build_seed_documents have not landed. It numbers lines that start like a clause. Tests
# written against it assert only what the real pipeline must also satisfy.

_DISTRICTS = (
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
)
_CLAUSE = re.compile(
    r"^[\s?]*(?:[一二三四五六七八九十]+、|\d{1,2}[.、.]|[((]\d{1,2}★?[))]|[((][一二三四五六七八九十]+[))])\s*\S"
)


def _fake_build_document(
    raw_text, *, source_file, sha256, doc_id=None, district=None, title=None, issued=None, source="seed"
):
    from matcher.errors import BadInput
    from matcher.models import Document, Measure

    text = raw_text.replace("區", "区").replace("匯", "汇")
    if district is None:
        found = [d for d in _DISTRICTS if d in text[:3000]]
        if not found:
            raise BadInput(f"{source_file}:无法确定所属区,请用 --district 指定。")
        district = found[0]
    lines = [ln.strip() for ln in text.splitlines() if _CLAUSE.match(ln)]
    if not lines:
        raise BadInput(f"{source_file}:没有找到编号的措施条目,这似乎不是政策文件。")
    title = title or next((ln.strip() for ln in text.splitlines() if "方案" in ln), source_file)[:60]
    doc_id = doc_id or "doc-" + sha256[:8]
    ms = [
        Measure(
            measure_id=f"{doc_id}/{i + 1}",
            doc_id=doc_id,
            district=district,
            document=title,
            issued=issued,
            clause=str(i + 1),
            title=ln[:12],
            text=ln,
            sentences=[ln],
            order=i,
            source=source,
            internal=("保障" in ln),
            office_source="stated" if "牵头" in ln else "none",
        )
        for i, ln in enumerate(lines)
    ]
    return Document(
        doc_id=doc_id,
        district=district,
        title=title,
        issued=issued,
        source_file=source_file,
        sha256=sha256,
        source=source,
        measures=ms,
    )


def _fake_build_seed_documents():
    from matcher.reading.readers import read_document

    return [
        _fake_build_document(
            read_document(p), source_file=p.name, sha256=hashlib.sha256(p.read_bytes()).hexdigest(), doc_id=f"seed{i}"
        )
        for i, p in enumerate(SEEDS)
    ]


@pytest.fixture(autouse=True)
def _pipeline_or_fake(monkeypatch):
    """Use the real pipeline when it exists; otherwise a temporary fake (tests only)."""
    import matcher.reading.pipeline as pipeline

    if not hasattr(pipeline, "build_document"):
        monkeypatch.setattr(pipeline, "build_document", _fake_build_document, raising=False)
    if not hasattr(pipeline, "build_seed_documents"):
        monkeypatch.setattr(pipeline, "build_seed_documents", _fake_build_seed_documents, raising=False)
    return pipeline


# ----------------------------------------------------------------------------------------
# Document generators: the same text as .docx, .html or .pdf.


def make_docx(path: Path, lines: list[str], table_rows: list[list[str]] | None = None) -> Path:
    """A Word file with one paragraph per line (and optionally a table after them)."""
    import docx

    d = docx.Document()
    for ln in lines:
        d.add_paragraph(ln)
    if table_rows:
        t = d.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for r, row in enumerate(table_rows):
            for c, val in enumerate(row):
                t.cell(r, c).text = val
        d.add_paragraph("表后的段落")
    d.save(str(path))
    return path


def make_html(path: Path, lines: list[str], encoding: str = "utf-8", declare: str | None = None) -> Path:
    """A web page: navigation, script and style noise around one <p> per line."""
    from html import escape

    body = "\n".join(f"<p>{escape(ln)}</p>" for ln in lines)
    charset = declare or encoding
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>政策</title>'
        "<style>p { color: red }</style><script>var x = '脚本噪声';</script></head><body>"
        "<nav><a href='/'>首页</a><a href='/x'>导航噪声</a></nav>"
        f"<div class='content'>{body}</div><script>alert('脚本噪声')</script></body></html>"
    )
    path.write_bytes(page.encode(encoding))
    return path


def make_pdf(path: Path, lines: list[str] | None, *, per_page: int = 45) -> Path:
    """A minimal hand-written PDF. Text uses a Type0 font with Identity-H encoding and a
    ToUnicode map (CID = Unicode code point), so any BMP text extracts as written.
    ``lines=None`` makes a page with a drawing and no text (like a scanned page)."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    pages_id = 2  # reserved below
    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # pages, filled in later
    page_ids = []
    if lines is None:
        content = add(stream(b"0.5 g 50 50 400 600 re f"))
        page_ids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % content))
    else:
        highs = sorted({ord(ch) >> 8 for ln in lines for ch in ln if ord(ch) < 0x10000} | {0})
        ranges = b"\n".join(b"<%02X00> <%02XFF> <%02X00>" % (h, h, h) for h in highs)
        cmap = (
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            + b"%d beginbfrange\n" % len(highs)
            + ranges
            + b"\nendbfrange\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end"
        )
        tounicode = add(stream(cmap))
        desc = add(
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>"
        )
        font = add(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
            b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (desc, tounicode)
        )
        for start in range(0, max(len(lines), 1), per_page):
            ops = [b"BT /F1 10 Tf 12 TL 40 800 Td"]
            for ln in lines[start : start + per_page]:
                hexs = "".join(f"{ord(ch):04X}" for ch in ln if ord(ch) < 0x10000)
                ops.append(b"<%s> Tj T*" % hexs.encode())
            ops.append(b"ET")
            content = add(stream(b"\n".join(ops)))
            page_ids.append(
                add(
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)
                )
            )
    objs[pages_id - 1] = (
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % i for i in page_ids) + b"] /Count %d >>" % len(page_ids)
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


class _DocGen:
    """The generators above, handed to tests by the ``docgen`` fixture."""

    docx = staticmethod(make_docx)
    html = staticmethod(make_html)
    pdf = staticmethod(make_pdf)


@pytest.fixture
def docgen():
    """Writers of .docx/.html/.pdf test documents: ``docgen.docx(path, lines)`` etc."""
    return _DocGen
