"""The streaming .docx reader (issue 23) gives the lines python-docx gave — the reader before,
kept here as the reference — on real document texts and on the awkward structures: cells
merged across and down, a table inside a cell, hyperlinks, tabs and breaks, tracked
insertions and content controls (which python-docx leaves out, and so does the reader)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml

from matcher.reading.readers import read_document

ROOT = Path(__file__).resolve().parents[2]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def python_docx_lines(path: Path) -> str:
    """The reader before issue 23, word for word."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []

    def add_table(table: Table) -> None:
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                for block in cell.iter_inner_content():
                    if isinstance(block, Paragraph):
                        lines.append(block.text)
                    else:
                        add_table(block)

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            add_table(block)
    return "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")


def _structures(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("一、开头")
    t = d.add_table(rows=4, cols=3)
    for r in range(4):
        for c in range(3):
            t.cell(r, c).text = f"第{r}行第{c}列"
    t.cell(0, 0).merge(t.cell(2, 0))  # down
    t.cell(3, 1).merge(t.cell(3, 2))  # across
    t.cell(1, 1).merge(t.cell(2, 2))  # a block
    inner = t.cell(3, 0).add_table(rows=2, cols=2)
    inner.cell(0, 0).text = "内表甲"
    inner.cell(1, 1).text = "内表丁"
    t.cell(3, 0).add_paragraph("内表之后")
    p = d.add_paragraph("链接前")
    p._p.append(
        parse_xml(
            f'<w:hyperlink {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'r:id="rId99"><w:r><w:t>链接文字</w:t></w:r></w:hyperlink>'
        )
    )
    run = p.add_run("后")
    run.add_tab()
    run.add_text("制表")
    run.add_break()
    run.add_text("换行")
    run.add_break(WD_BREAK.PAGE)
    run.add_text("分页")
    p._p.append(parse_xml(f'<w:ins {W} w:id="1" w:author="a"><w:r><w:t>修订插入</w:t></w:r></w:ins>'))
    body = d.element.body
    body.insert(
        len(body) - 1,
        parse_xml(f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>内容控件</w:t></w:r></w:p></w:sdtContent></w:sdt>"),
    )
    p2 = d.add_paragraph()
    p2._p.append(
        parse_xml(
            f'<w:r {W}><w:t xml:space="preserve">  空格  </w:t><w:noBreakHyphen/><w:cr/>'
            '<w:ptab w:relativeTo="margin" w:alignment="left" w:leader="none"/><w:t>末</w:t></w:r>'
        )
    )
    d.add_paragraph("二、结尾")
    d.save(str(path))
    return path


def test_awkward_structures_read_as_python_docx_read_them(tmp_path):
    f = _structures(tmp_path / "structures.docx")
    got = read_document(f)
    assert got == python_docx_lines(f)
    assert got.count("第0行第0列") == 3  # a cell merged down is given again in each row, as before
    assert "链接文字" in got and "制表" in got and "修订插入" not in got and "内容控件" not in got


@pytest.mark.parametrize("doc", sorted((ROOT / "tests" / "corpus").glob("*.txt"))[:8], ids=lambda p: p.stem[:24])
def test_real_texts_read_as_python_docx_read_them(tmp_path, doc, docgen):
    lines = doc.read_text(encoding="utf-8").splitlines()
    f = docgen.docx(tmp_path / "d.docx", lines, [["申报条件", "材料"], ["企业", "营业执照\n章程"]])
    assert read_document(f) == python_docx_lines(f)
