"""Read a user's document file into plain text.

One public function, :func:`read_document`. It accepts ``.txt`` (in any common Chinese
encoding), ``.docx``, ``.pdf`` and ``.html``/``.htm``; anything else, and anything that is
not a readable text document, is refused with :class:`~matcher.errors.BadInput` whose
message names the file, says what is wrong and what is accepted.

The text returned is not repaired or normalised: that is :mod:`matcher.common.text`'s job.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from matcher.common import limits
from matcher.common.encodings import ACCEPTED, decode_text, has_bom
from matcher.common.encodings import refusal as _refuse
from matcher.errors import BadInput


def read_document(path: str | Path) -> str:
    """Return the text of the document at ``path``; raise BadInput if it cannot be used."""
    p = Path(path)
    if not p.exists():
        raise BadInput(f"找不到文件 {p}:请检查路径和文件名。")
    if p.is_dir():
        raise BadInput(f"{p} 是一个文件夹,不是文件:请选择文件夹里的文档文件。")
    ext = p.suffix.lower()
    if ext not in ACCEPTED:
        hint = ""
        if ext in (".doc", ".wps"):
            hint = "(旧版 Word/WPS 文件请先另存为 .docx)"
        elif ext in (".xls", ".xlsx", ".csv"):
            hint = "(表格文件不是政策文件)"
        shown = ext or "(无扩展名)"
        raise _refuse(p, f"不支持扩展名为 {shown} 的文件{hint}")
    try:
        size = p.stat().st_size
    except OSError as e:
        raise BadInput(f"无法读取文件 {p}:{e.strerror or e}。") from None
    if size > limits.MAX_FILE_BYTES:
        raise BadInput(
            f"无法导入文件 {p}:文件太大({limits.mb(size)}),上限是 {limits.mb(limits.MAX_FILE_BYTES)}。"
            f"一份政策文件通常不超过几 MB;请确认选对了文件,或把文件拆分后分别导入。"
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise BadInput(f"无法读取文件 {p}:{e.strerror or e}。") from None
    if not data.strip():
        raise _refuse(p, "文件是空的")
    if ext == ".txt":
        text = decode_text(data, p)
    elif ext == ".docx":
        check_zip_sizes(p)
        text = _read_docx(p)
    elif ext == ".pdf":
        text = _read_pdf(p)
    else:
        text = _read_html(data, p)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _refuse(p, "文件是空的(没有文字)")
    check_chars(text, p)
    return text


def check_chars(text: str, p: Path | str) -> None:
    """Refuse a text longer than :data:`matcher.common.limits.MAX_CHARS` characters."""
    if len(text) > limits.MAX_CHARS:
        raise BadInput(
            f"无法导入文件 {p}:文字太多({len(text):,} 个字符),上限是 {limits.MAX_CHARS:,} 个字符。"
            f"一份政策文件通常只有几万字;请确认选对了文件,或把文件拆分后分别导入。"
        )


def check_zip_sizes(p: Path) -> None:
    """Refuse a .docx whose parts declare more than the limits once unpacked (a zip bomb),
    from the zip directory alone: nothing is decompressed before this passes."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the Word reader says the file is damaged
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.MAX_PART_BYTES or (info.file_size > 1024 * 1024 and ratio > limits.MAX_PART_RATIO):
            raise BadInput(
                f"无法导入文件 {p}:Word 文件中的“{info.filename}”解压后有 {limits.mb(info.file_size)}"
                f"(压缩比 {ratio:.0f}:1),超过上限 {limits.mb(limits.MAX_PART_BYTES)},"
                f"可能是恶意构造的压缩文件,未读取。"
            )
    if total > limits.MAX_UNPACKED_BYTES:
        raise BadInput(
            f"无法导入文件 {p}:Word 文件解压后共 {limits.mb(total)},超过上限 "
            f"{limits.mb(limits.MAX_UNPACKED_BYTES)},可能是恶意构造的压缩文件,未读取。"
        )


# ---------------------------------------------------------------- Word


def _read_docx(p: Path) -> str:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(p))
    except Exception as e:  # python-docx raises many kinds on a bad package
        raise _refuse(p, f"Word 文件已损坏或不是真正的 .docx 文件({type(e).__name__})") from None

    lines: list[str] = []

    def add_table(table: Table) -> None:
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat across the row
                    continue
                seen.add(id(cell._tc))
                for block in cell.iter_inner_content():
                    if isinstance(block, Paragraph):
                        lines.append(block.text)
                    else:
                        add_table(block)

    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                add_table(block)
    except Exception as e:
        raise _refuse(p, f"Word 文件内容无法读取({type(e).__name__})") from None
    text = "\n".join(lines)
    if not text.strip():
        raise _refuse(p, "Word 文件里没有文字")
    return text


# ---------------------------------------------------------------- PDF


def _read_pdf(p: Path) -> str:
    log = logging.getLogger("pypdf")
    old_level = log.level
    log.setLevel(logging.ERROR)  # pypdf warns on every small oddity; the user needs none of it
    try:
        try:
            from pypdf import PdfReader  # pypdf caps each decompressed stream (75 MB) itself

            reader = PdfReader(str(p))
            if reader.is_encrypted:
                try:
                    opened = bool(reader.decrypt(""))  # an empty user password opens some
                except Exception:
                    opened = False
                if not opened:
                    raise _refuse(p, "PDF 文件有密码保护,无法读取(请先去掉密码)")
            n = len(reader.pages)
            if n > limits.MAX_PDF_PAGES:
                raise _refuse(p, f"PDF 有 {n} 页,超过上限 {limits.MAX_PDF_PAGES} 页")
            pages, chars = [], 0
            for page in reader.pages:
                t = page.extract_text() or ""
                chars += len(t)
                if chars > limits.MAX_CHARS:
                    check_chars(" " * chars, p)
                pages.append(t)
        except BadInput:
            raise
        except Exception as e:
            raise _refuse(p, f"PDF 文件已损坏或不是真正的 PDF 文件({type(e).__name__})") from None
    finally:
        log.setLevel(old_level)
    text = "\n".join(pages)
    if not re.search(r"[\w\u4e00-\u9fff]", text):
        raise _refuse(p, "PDF 中没有可提取的文字(可能是扫描件或图片),请先做文字识别(OCR),或改用 .docx/.txt 版本")
    return text


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "button", "form")
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "hr",
    "title",
    "center",
    "figure",
    "figcaption",
    "address",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _decode_html(data: bytes, p: Path) -> str:
    if not has_bom(data):
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii", "replace").lower()
            if declared in ("gb2312", "gbk"):
                declared = "gb18030"  # supersets: pages labelled gb2312 often hold GBK characters
            try:
                return data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass  # wrong or unknown label: detect instead
    return decode_text(data, p)


def _read_html(data: bytes, p: Path) -> str:
    from bs4 import BeautifulSoup

    markup = _decode_html(data, p)
    try:
        soup = BeautifulSoup(markup, "html.parser")
    except Exception as e:
        raise _refuse(p, f"网页文件无法解析({type(e).__name__})") from None
    for tag in soup(list(_DROP_TAGS)):
        tag.decompose()
    for tag in soup.find_all(list(_BLOCK_TAGS)):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = soup.get_text()
    lines: list[str] = []
    for line in raw.split("\n"):
        line = re.sub(r"[ \t\xa0]+", " ", line).strip(" \t")
        if line or (lines and lines[-1]):
            lines.append(line)
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise _refuse(p, "网页里没有正文文字")
    return text
