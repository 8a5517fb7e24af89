"""matcher.reading.readers: every accepted format is read faithfully; everything else is refused clearly."""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

import pytest

from matcher.errors import BadInput
from matcher.reading.readers import decode_text, read_document

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

HONGKOU = SEEDS[0]
JIADING = SEEDS[2]


def _seed_text(p: Path = HONGKOU) -> str:
    return p.read_text(encoding="utf-8")


def _nonblank(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _traditional_big5_text() -> str:
    """The Hongkou seed in Traditional characters, limited to what Big5 can encode."""
    import opencc

    t = opencc.OpenCC("s2t").convert(_seed_text())
    return "".join(ch for ch in t if _big5_ok(ch))


def _big5_ok(ch: str) -> bool:
    try:
        ch.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("gb18030", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_txt_encodings_read_back_exactly(tmp_path, encoding, bom):
    """A seed re-encoded in a common Chinese encoding reads back as the same text."""
    text = _seed_text()
    f = tmp_path / f"doc-{encoding}.txt"
    f.write_bytes(bom + text.encode(encoding))
    assert read_document(f) == text.replace("\r\n", "\n")


def test_txt_big5_traditional(tmp_path):
    """Big5 text is told apart from GB18030 (both decode strictly; Big5 gives real words)."""
    text = _traditional_big5_text()
    f = tmp_path / "big5.txt"
    f.write_bytes(text.encode("big5"))
    assert read_document(f) == text


def test_txt_jiading_seed_as_gb18030(tmp_path):
    """The damaged Traditional seed (pinyin annotations, ??) survives a GB18030 round trip."""
    text = _seed_text(JIADING)
    f = tmp_path / "jd.txt"
    f.write_bytes(text.encode("gb18030"))
    assert read_document(f) == text


def test_decode_prefers_utf8_for_ascii():
    assert decode_text(b"1. plain ascii measure\n") == "1. plain ascii measure\n"


def test_html_drops_noise_and_keeps_lines(tmp_path, docgen):
    """Script, style and nav text are dropped; each <p> stays on its own line."""
    lines = _nonblank(_seed_text())[:30]
    f = docgen.html(tmp_path / "p.html", lines)
    text = read_document(f)
    assert "脚本噪声" not in text and "导航噪声" not in text and "color" not in text
    got = _nonblank(text)
    assert got[-30:] == [ln.replace("\xa0", " ") for ln in lines]


def test_html_declared_gb2312_holding_gbk(tmp_path, docgen):
    """A page labelled gb2312 but written in GBK/GB18030 still reads correctly."""
    lines = ["(1)推行“一件事”集成服务。", "鎔基 — 这个字不在 GB2312 里"]
    f = docgen.html(tmp_path / "p.htm", lines, encoding="gb18030", declare="gb2312")
    assert _nonblank(read_document(f))[-2:] == lines


def test_docx_paragraphs_and_tables_in_order(tmp_path, docgen):
    lines = _nonblank(_seed_text())[:10]
    f = docgen.docx(tmp_path / "d.docx", lines, table_rows=[["1.表格里的措施", "区商务委"], ["2.第二条", "区科委"]])
    got = _nonblank(read_document(f))
    assert got[:10] == lines
    assert got[10:] == ["1.表格里的措施", "区商务委", "2.第二条", "区科委", "表后的段落"]


def test_pdf_ascii(tmp_path, docgen):
    f = docgen.pdf(tmp_path / "a.pdf", ["Hello policy", "1. First measure"])
    assert _nonblank(read_document(f)) == ["Hello policy", "1. First measure"]


def test_pdf_chinese_lines(tmp_path, docgen):
    lines = _nonblank(_seed_text())
    f = docgen.pdf(tmp_path / "hk.pdf", lines)
    assert _nonblank(read_document(f)) == lines


# ---------------------------------------------------------------- refusals


def _refused(path, *needles):
    with pytest.raises(BadInput) as ei:
        read_document(path)
    msg = str(ei.value)
    assert str(path) in msg, msg
    for n in needles:
        assert n in msg, msg
    return msg


def test_missing_file(tmp_path):
    _refused(tmp_path / "nope.txt", "找不到文件")


def test_directory(tmp_path):
    _refused(tmp_path, "文件夹")


@pytest.mark.parametrize("name, hint", [("a.doc", ".docx"), ("a.xlsx", "不支持"), ("noext", "无扩展名")])
def test_unsupported_extension_lists_accepted(tmp_path, name, hint):
    f = tmp_path / name
    f.write_bytes(b"1. something")
    msg = _refused(f, "不支持", hint)
    for ext in (".txt", ".docx", ".html", "PDF"):
        assert ext in msg


@pytest.mark.parametrize("content", [b"", b"   \n\r\n  ", "\u3000\n".encode()])
def test_empty_txt(tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    _refused(f, "空")


def test_binary_with_nul_bytes(tmp_path):
    f = tmp_path / "bin.txt"
    f.write_bytes(bytes(range(256)) * 4)
    _refused(f, "不是文本文件")


def test_binary_control_characters(tmp_path):
    f = tmp_path / "ctl.txt"
    f.write_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08abc" * 50)
    _refused(f, "不是文本文件")


def test_undecodable_bytes(tmp_path):
    f = tmp_path / "junk.txt"
    f.write_bytes(bytes([0x81, 0x30, 0xFF, 0xFE, 0xFD, 0x80]) * 200)
    _refused(f)


def test_scanned_pdf_refused(tmp_path, docgen):
    f = docgen.pdf(tmp_path / "scan.pdf", None)
    _refused(f, "没有可提取的文字", "扫描件")


@pytest.mark.parametrize("content", [b"%PDF-1.4\nthis is not really a pdf", b"hello"])
def test_corrupt_pdf(tmp_path, content):
    f = tmp_path / "bad.pdf"
    f.write_bytes(content)
    _refused(f, "PDF")


def test_corrupt_docx_not_a_zip(tmp_path):
    f = tmp_path / "bad.docx"
    f.write_text("1. 这其实是文本文件", encoding="utf-8")
    _refused(f, "已损坏")


def test_corrupt_docx_zip_without_document(tmp_path):
    f = tmp_path / "bad2.docx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("hello.txt", "hi")
    _refused(f, "已损坏")


def test_empty_docx(tmp_path, docgen):
    f = docgen.docx(tmp_path / "blank.docx", [])
    _refused(f, "没有文字")


def test_html_without_text(tmp_path):
    f = tmp_path / "x.html"
    f.write_text("<html><head><script>var a=1</script></head><body><nav>菜单</nav></body></html>", encoding="utf-8")
    _refused(f, "没有")


def _bytes(path, data: bytes):
    path.write_bytes(data)
    return path


def _docx_with_body(path, body: bytes):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", body)
    return path


@pytest.mark.parametrize(
    "name, make",
    [
        ("not-a-zip.docx", lambda p: _bytes(p, b"PK\x03\x04garbage")),
        (
            "broken-body.docx",
            lambda p: _docx_with_body(
                p,
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                b"<w:body><w:p><w:r><w:t>\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1",
            ),
        ),
        ("bad.pdf", lambda p: _bytes(p, b"%PDF-1.4\n1 0 obj << /Type /Page")),
    ],
)
def test_damaged_files_are_told_in_plain_chinese_without_python_class_names(tmp_path, name, make):
    """An owner reads the message: '已损坏' and what was wrong, never 'BadZipFile' or 'XMLSyntaxError'."""
    f = make(tmp_path / name)
    with pytest.raises(BadInput) as ei:
        read_document(f)
    msg = str(ei.value)
    assert "损坏" in msg, msg
    assert not re.search(r"[A-Z][a-z]+(Error|File|Exception)\b|BadZip", msg), msg
