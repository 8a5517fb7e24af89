"""The text of a Word .docx with bounded work, whatever the file holds.

A .docx is a zip of XML parts. Nothing here trusts what the zip directory declares: the
main document part is read through a counting stream (:mod:`matcher.common.zipread`) that
stops at :data:`~matcher.common.limits.MAX_PART_BYTES` of real XML. A first pass counts its
elements at C speed and refuses more than :data:`~matcher.common.limits.MAX_DOCX_ELEMENTS`
before anything is parsed; then it is parsed as it streams (``lxml.etree.iterparse``, events
for the structural elements only, each paragraph dropped once read), so memory stays small
and time linear in the XML; the text is counted as it grows and refused once past
:data:`~matcher.common.limits.MAX_CHARS`. Images and other parts are never inflated.

The text is what python-docx gives (the reader before issue 23), line for line:

* the body's paragraphs (``w:p``) and tables (``w:tbl``) in order — direct children only,
  as ``Document.iter_inner_content`` yields them;
* a paragraph's text from its direct runs (``w:r``) and hyperlinks' runs: ``w:t`` as
  written, ``w:tab``/``w:ptab`` a tab, ``w:br`` (a line break; page and column breaks give
  nothing) and ``w:cr`` a newline, ``w:noBreakHyphen`` a hyphen;
* a table row by row, each cell's paragraphs and nested tables once per row: a cell
  spanning columns (``w:gridSpan``) once, a cell continuing a vertical merge (``w:vMerge``)
  as the cell it continues — its text again, as ``_Row.cells`` gives it.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matcher.common import limits, zipread
from matcher.common.limits import check_chars
from matcher.errors import BadInput

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_REL_DOC_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_RUN_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}


class _Stream:
    """A zip member as a file object for the parser, counting what it inflates."""

    def __init__(self, fh: Any, limit: int, ratio_base: int):
        self._fh = fh
        self._limit = limit
        self._compressed = max(1, ratio_base)
        self.n = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(zipread.CHUNK if size < 0 else min(size, zipread.CHUNK))
        self.n += len(chunk)
        if self.n > self._limit:
            raise zipread.TooBig(self.n, "size")
        if self.n > 1024 * 1024 and self.n / self._compressed > limits.MAX_PART_RATIO:
            raise zipread.TooBig(self.n, "ratio")
        return chunk


class _Cell:
    __slots__ = ("lines", "span", "vmerge")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.span = 1
        self.vmerge: str | None = None


class _Table:
    __slots__ = ("roots", "offset", "seen", "out")

    def __init__(self, out: list[str]) -> None:
        self.roots: dict[int, _Cell] = {}  # grid column → the cell whose text it shows
        self.offset = 0  # grid column of the next cell in the row
        self.seen: set[int] = set()  # cells already given in this row
        self.out = out  # where the table's lines go (the body, or the enclosing cell)


def _small_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    return zipread.read_member(zf, info, 1024 * 1024)


def _main_part(zf: zipfile.ZipFile) -> str | None:
    """The name of the main document part, as the package's relationships name it."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    rels = _small_part(zf, "_rels/.rels")
    if rels is None:
        return None
    target = None
    for rel in etree.fromstring(rels, parser):
        if rel.get("Type") in (_REL_DOC, _REL_DOC_STRICT) and rel.get("TargetMode") != "External":
            target = posixpath.normpath(posixpath.join("/", rel.get("Target") or "")).lstrip("/")
            break
    types = _small_part(zf, "[Content_Types].xml")
    if target is None or types is None:
        return None
    override = default = None  # a part's own content type, else its extension's
    ext = target.rsplit(".", 1)[-1].lower()
    for el in etree.fromstring(types, parser):
        tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
        if tag == "Override" and (el.get("PartName") or "").lstrip("/") == target:
            override = el.get("ContentType")
        elif tag == "Default" and (el.get("Extension") or "").lower() == ext:
            default = el.get("ContentType")
    return target if (override or default) == _CT_MAIN else None


def docx_text(p: Path, refuse: Callable[[str], BadInput]) -> str:
    """The text of the .docx at ``p`` (see the module docstring); ``refuse(why)`` makes the
    error raised for a file that is not a readable Word document or is over a limit."""
    from lxml import etree

    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise refuse("Word 文件已损坏或不是真正的 .docx 文件(无法作为压缩包打开)") from None
    with zf:
        if len(zf.infolist()) > limits.MAX_DOCX_PARTS:
            raise refuse(
                f"Word 文件中有 {len(zf.infolist()):,} 个部件,超过上限 {limits.MAX_DOCX_PARTS:,} 个,不像一份政策文件"
            )
        try:
            name = _main_part(zf)
        except zipread.TooBig:
            raise refuse("Word 文件的目录部件过大,可能是恶意构造的文件") from None
        except (zipread.Damaged, etree.LxmlError, ValueError):
            name = None
        if name is None:
            raise refuse("Word 文件已损坏或不是真正的 .docx 文件(缺少正文部件)")
        info = zf.getinfo(name)
        lines: list[str] = []
        chars = [0]
        try:
            n = _count_elements(zf, info)
            if n > limits.MAX_DOCX_ELEMENTS:
                raise refuse(
                    f"Word 文件的正文有约 {n:,} 个 XML 元素,超过上限 {limits.MAX_DOCX_ELEMENTS:,} 个"
                    f"(一份政策文件通常只有几万个),可能是恶意构造的文件,未解析"
                )
            with zf.open(info) as fh:
                stream = _Stream(fh, limits.MAX_PART_BYTES, info.compress_size)
                _walk(etree.iterparse(stream, events=("start", "end"), tag=_TAGS, **_SAFE), lines, chars, p)
        except zipread.TooBig as e:
            raise refuse(_too_big(name, e, info)) from None
        except BadInput:
            raise
        except etree.LxmlError:
            raise refuse("Word 文件的正文已损坏(XML 结构不完整)") from None
        except zipread.Damaged as e:
            raise refuse(f"Word 文件的正文已损坏({zipread.damage_in_words(e)})") from None
        except zipread.ZIP_ERRORS as e:
            raise refuse(f"Word 文件的正文已损坏({zipread.damage_in_words(zipread.Damaged(e))})") from None
    text = "\n".join(lines)
    if not text.strip():
        raise refuse("Word 文件里没有文字")
    return text


def _count_elements(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """About how many elements the part holds (its ``<`` that open a tag), counted at C
    speed while it streams past — before the costly step, the parse."""
    n = 0
    with zf.open(info) as fh:
        stream = _Stream(fh, limits.MAX_PART_BYTES, info.compress_size)
        while chunk := stream.read(zipread.CHUNK):
            n += chunk.count(b"<") - chunk.count(b"</")
    return n


_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)


def _too_big(name: str, e: zipread.TooBig, info: zipfile.ZipInfo) -> str:
    if e.why == "ratio":
        return (
            f"Word 文件中的“{name}”解压时已超过 {limits.mb(e.size)},压缩比超过上限 {limits.MAX_PART_RATIO}:1"
            f"(目录声明 {limits.mb(info.file_size)}),可能是恶意构造的压缩文件,已停止读取"
        )
    return (
        f"Word 文件中的“{name}”解压后超过上限 {limits.mb(limits.MAX_PART_BYTES)}"
        f"(目录声明 {limits.mb(info.file_size)}),可能是恶意构造的压缩文件,已停止读取"
    )


_TAGS = [W + t for t in ("document", "body", "p", "tbl", "tr", "tc")]
_PARENT = {  # which parent makes an element count (python-docx's ./w:p | ./w:tbl …)
    W + "body": (W + "document",),
    W + "p": (W + "body", W + "tc"),
    W + "tbl": (W + "body", W + "tc"),
    W + "tr": (W + "tbl",),
    W + "tc": (W + "tr",),
}


def _paragraph_text():
    from lxml import etree

    run = ("t", "tab", "ptab", "br", "cr", "noBreakHyphen")
    path = " | ".join([f"./w:r/w:{t}" for t in run] + [f"./w:hyperlink/w:r/w:{t}" for t in run])
    xp = etree.XPath(path, namespaces={"w": W[1:-1]})
    br_type = W + "type"

    def text(p: Any) -> str:
        out = []
        for c in xp(p):
            tag = c.tag
            if tag == W + "t":
                if c.text:
                    out.append(c.text)
            elif tag == W + "br":
                if c.get(br_type, "textWrapping") == "textWrapping":
                    out.append("\n")
            else:
                out.append(_RUN_TEXT[tag])
        return "".join(out)

    return text


def _walk(events: Any, lines: list[str], chars: list[int], p: Path) -> None:
    """Follow the parser's events for the structural elements only (the rest is skipped in
    C): whether an element counts is decided from its parent, as python-docx's XPath
    (``./w:p | ./w:tbl``) would; a paragraph's text is one compiled XPath over its runs."""
    para_text = _paragraph_text()
    stack: list[tuple[Any, bool]] = []  # the open structural elements: (element, counts)
    outs: list[list[str]] = [lines]  # where paragraphs' text goes: the body, or a cell
    tables: list[_Table] = []
    cells: list[_Cell] = []

    def add(out: list[str], new: list[str]) -> None:
        out.extend(new)
        chars[0] += sum(len(x) + 1 for x in new)
        if chars[0] > limits.MAX_CHARS:
            check_chars(" " * chars[0], p)

    for event, el in events:
        tag = el.tag
        if event == "start":
            top = stack[-1] if stack else (None, tag == W + "document")
            parent = el.getparent()
            ok = tag == W + "document" or (
                top[1] and parent is top[0] and parent is not None and parent.tag in _PARENT.get(tag, ())
            )
            stack.append((el, ok))
            if ok:
                if tag == W + "tbl":
                    tables.append(_Table(outs[-1]))
                elif tag == W + "tr":
                    tables[-1].offset = 0
                    tables[-1].seen = set()
                elif tag == W + "tc":
                    cells.append(_Cell())
                    outs.append(cells[-1].lines)
            continue
        _el, ok = stack.pop()
        parent = el.getparent()
        if ok:
            if tag == W + "p":
                add(outs[-1], [para_text(el)])
            elif tag == W + "tc":
                cell = cells.pop()
                outs.pop()
                pr = el.find(W + "tcPr")
                if pr is not None:
                    span = pr.find(W + "gridSpan")
                    if span is not None:
                        try:
                            cell.span = max(1, min(int(span.get(W + "val", "1")), 1000))
                        except ValueError:
                            pass
                    vm = pr.find(W + "vMerge")
                    if vm is not None:
                        cell.vmerge = vm.get(W + "val", "continue")
                table = tables[-1]
                root = table.roots.get(table.offset) if cell.vmerge == "continue" else cell
                if root is not None:
                    for g in range(table.offset, table.offset + cell.span):
                        table.roots[g] = root
                table.offset += cell.span
                if root is not None and id(root) not in table.seen:
                    table.seen.add(id(root))
                    add(table.out, root.lines)
            elif tag == W + "tbl":
                tables.pop()
        # what has been read is dropped (a cell's properties stay until the cell ends)
        el.clear(keep_tail=True)
        if parent is not None and parent.tag != W + "tc":
            while el.getprevious() is not None:
                del parent[0]
