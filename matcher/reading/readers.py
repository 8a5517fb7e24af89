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
from matcher.common.limits import check_chars
from matcher.common.paths import os_reason
from matcher.errors import BadInput


def read_document(path: str | Path) -> str:
    """Return the text of the document at ``path``; raise BadInput if it cannot be used."""
    p = Path(path)
    try:
        exists, is_dir = p.exists(), p.is_dir()
    except OSError as e:  # a name too long, a loop of links …
        raise BadInput(f"无法读取文件 {p}:{os_reason(e)}。") from None
    if not exists:
        raise BadInput(f"找不到文件 {p}:请检查路径和文件名。")
    if is_dir:
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
        raise BadInput(f"无法读取文件 {p}:{os_reason(e)}。") from None
    if size > limits.MAX_FILE_BYTES:
        raise BadInput(
            f"无法导入文件 {p}:文件太大({limits.mb(size)}),上限是 {limits.mb(limits.MAX_FILE_BYTES)}。"
            f"一份政策文件通常不超过几 MB;请确认选对了文件,或把文件拆分后分别导入。"
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise BadInput(f"无法读取文件 {p}:{os_reason(e)}。") from None
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


def check_zip_sizes(p: Path) -> None:
    """Refuse a .docx whose parts declare more than the limits once unpacked (a zip bomb),
    from the zip directory alone: nothing is decompressed before this passes. What the
    directory declares is not trusted beyond this: the reader counts what it inflates
    (:mod:`matcher.reading.docx_text`)."""
    import zipfile

    from matcher.common.zipread import directory_size

    declared = directory_size(p)
    if declared is not None and (declared[0] > limits.MAX_DOCX_PARTS or declared[1] > limits.MAX_ZIP_DIRECTORY_BYTES):
        raise BadInput(
            f"无法导入文件 {p}:Word 文件的目录声明有 {declared[0]:,} 个部件({limits.mb(declared[1])}),"
            f"超过上限 {limits.MAX_DOCX_PARTS:,} 个,不像一份政策文件,未读取。"
        )
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the Word reader says the file is damaged
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.MAX_PART_BYTES:
            raise BadInput(
                f"无法导入文件 {p}:Word 文件中的“{info.filename}”解压后有 {limits.mb(info.file_size)},"
                f"超过单个部件的上限 {limits.mb(limits.MAX_PART_BYTES)},可能是恶意构造的压缩文件,未读取。"
            )
        if info.file_size > 1024 * 1024 and ratio > limits.MAX_PART_RATIO:
            raise BadInput(
                f"无法导入文件 {p}:Word 文件中的“{info.filename}”解压后有 {limits.mb(info.file_size)},"
                f"压缩比 {ratio:.0f}:1 超过上限 {limits.MAX_PART_RATIO}:1,可能是恶意构造的压缩文件,未读取。"
            )
    if total > limits.MAX_UNPACKED_BYTES:
        raise BadInput(
            f"无法导入文件 {p}:Word 文件解压后共 {limits.mb(total)},超过上限 "
            f"{limits.mb(limits.MAX_UNPACKED_BYTES)},可能是恶意构造的压缩文件,未读取。"
        )


# ---------------------------------------------------------------- Word


def _read_docx(p: Path) -> str:
    from matcher.reading.docx_text import docx_text

    return docx_text(p, lambda why: _refuse(p, why))


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
        except Exception:
            raise _refuse(p, "PDF 文件已损坏或不是真正的 PDF 文件(无法读出页面)") from None
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


class _TextOfPage:
    """An lxml parser target: the page's text as it streams past, without building a tree —
    a newline at each block element's start and end, nothing inside the dropped elements
    (script, style, navigation …). Work is linear in the page's size whatever its nesting
    (50,000 nested ``<div>``: a fraction of a second)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.dropping = 0  # how many dropped elements are open

    def start(self, tag: str, attrib: object) -> None:
        name = _local(tag)
        if name in _DROP:
            self.dropping += 1
        elif name in _BLOCK and not self.dropping:
            self.parts.append("\n")

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif name in _BLOCK and not self.dropping:
            self.parts.append("\n")

    def data(self, text: str) -> None:
        if not self.dropping:
            self.parts.append(text)

    def comment(self, text: str) -> None:
        pass

    def pi(self, target: str, data: str | None = None) -> None:
        pass

    def doctype(self, *args: object) -> None:
        pass

    def close(self) -> str:
        return "".join(self.parts)


def _local(tag: object) -> str:
    t = tag if isinstance(tag, str) else ""
    return t.rsplit("}", 1)[-1].lower()


_DROP = frozenset(_DROP_TAGS)
_BLOCK = frozenset(_BLOCK_TAGS)


def _read_html(data: bytes, p: Path) -> str:
    from lxml import etree

    markup = _decode_html(data, p)
    target = _TextOfPage()
    try:
        parser = etree.HTMLParser(target=target, encoding="utf-8", remove_comments=True, remove_pis=True)
        raw = etree.fromstring(markup.encode("utf-8", "replace"), parser)
    except (etree.LxmlError, ValueError, UnicodeError):
        raise _refuse(p, "网页文件无法解析(HTML 结构损坏)") from None
    if not isinstance(raw, str):
        raw = target.close()
    lines: list[str] = []
    for line in raw.split("\n"):
        line = re.sub(r"[ \t\xa0]+", " ", line).strip(" \t")
        if line or (lines and lines[-1]):
            lines.append(line)
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise _refuse(p, "网页里没有正文文字")
    return text
