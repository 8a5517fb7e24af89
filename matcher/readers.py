"""Read a user's document file into plain text.

One public function, :func:`read_document`. It accepts ``.txt`` (in any common Chinese
encoding), ``.docx``, ``.pdf`` and ``.html``/``.htm``; anything else, and anything that is
not a readable text document, is refused with :class:`~matcher.errors.BadInput` whose
message names the file, says what is wrong and what is accepted.

The text returned is not repaired or normalised: that is :mod:`matcher.text`'s job.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from . import limits
from .errors import BadInput

ACCEPTED = (".txt", ".docx", ".pdf", ".html", ".htm")
ACCEPTED_TEXT = "纯文本 .txt(UTF-8、GB18030/GBK、Big5、UTF-16 等编码均可)、Word .docx、PDF(含文字层)、网页 .html/.htm"

# Common Chinese characters, Simplified and Traditional forms both. Used only to tell a
# right decoding from a wrong one (a wrong one yields rare or garbled characters).
_COMMON = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律且究观越织装影算低持音众书布复容儿须际商非验连断深难近千周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称准精值号率族维划选标写存候亲快效院查江型按格养易置派层片始专状育厂京识适属包住调满县局照参红细引听该价严企营环境服创优"
    "這個們來時為說對會發動於過產種麼後當從業點現實體長無問關機開將國與頭邊較條義變結題數員總處還見計別運農區強決專職區務營環創優質們讓經濟資組織導設報確產權舉辦證稅費貸審許專項監辦廣場錢幣勞動醫療藥級縣園區補貼擔貸續聯網絡雲據圖書館標準規劃護儀"
)

_PUNCT = frozenset(",。、;:?!“”‘’()《》【】—…·")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TRIALS = ("utf-8", "gb18030", "big5")


def _refuse(path: Path, what: str) -> BadInput:
    return BadInput(f"无法导入文件 {path}:{what}。可接受的格式:{ACCEPTED_TEXT}。")


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
        raise BadInput(f"无法导入文件 {p}:文件太大({limits.mb(size)}),上限是 {limits.mb(limits.MAX_FILE_BYTES)}。"
                       f"一份政策文件通常不超过几 MB;请确认选对了文件,或把文件拆分后分别导入。")
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
    """Refuse a text longer than :data:`matcher.limits.MAX_CHARS` characters."""
    if len(text) > limits.MAX_CHARS:
        raise BadInput(f"无法导入文件 {p}:文字太多({len(text):,} 个字符),上限是 {limits.MAX_CHARS:,} 个字符。"
                       f"一份政策文件通常只有几万字;请确认选对了文件,或把文件拆分后分别导入。")


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
            raise BadInput(f"无法导入文件 {p}:Word 文件中的“{info.filename}”解压后有 {limits.mb(info.file_size)}"
                           f"(压缩比 {ratio:.0f}:1),超过上限 {limits.mb(limits.MAX_PART_BYTES)},"
                           f"可能是恶意构造的压缩文件,未读取。")
    if total > limits.MAX_UNPACKED_BYTES:
        raise BadInput(f"无法导入文件 {p}:Word 文件解压后共 {limits.mb(total)},超过上限 "
                       f"{limits.mb(limits.MAX_UNPACKED_BYTES)},可能是恶意构造的压缩文件,未读取。")


# ---------------------------------------------------------------- plain text


def _score(text: str) -> tuple[int, int]:
    """(common Chinese characters, all CJK ideographs) in ``text``."""
    common = cjk = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            cjk += 1
            if ch in _COMMON:
                common += 1
    return common, cjk


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\x7f")
    return bad / len(text)


def decode_text(data: bytes, path: Path | str = "<文本>") -> str:
    """Decode the bytes of a text file, detecting its encoding.

    BOMs first; then strict trials of UTF-8, GB18030 and Big5, keeping the one with the
    most common Chinese characters (ties go to the earlier one); then charset-normalizer.
    Binary content is refused.
    """
    p = Path(path)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError:
                raise _refuse(p, f"文件开头标明是 {enc.upper()} 编码,但内容无法按此编码读取(文件可能已损坏)") from None
            return _check_text(text, p)
    if b"\x00" in data:
        raise _refuse(p, "这不是文本文件(含有二进制数据),可能是程序、图片或压缩包")
    best: tuple[tuple[int, int], int, str] | None = None
    for rank, enc in enumerate(_TRIALS):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        key = (_score(text), -rank, text)
        if best is None or key[:2] > best[:2]:
            best = key
        if enc == "utf-8" and key[0][1] == 0:
            # valid UTF-8 without any CJK (ASCII/Latin): nothing else can do better
            break
    if best is not None:
        return _check_text(best[2], p)
    text = _charset_normalizer_guess(data)
    if text is None:
        raise _refuse(p, "无法识别文件的文字编码(内容可能已损坏,或不是文本文件)")
    return _check_text(text, p)


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    match = from_bytes(data).best()
    if match is None:
        return None
    if match.chaos > 0.2:
        return None
    text = str(match)
    return text if _plausible(text) else None


def _plausible(text: str) -> bool:
    """Does a guessed decoding look like writing (common characters, ASCII, punctuation)?"""
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return False
    good = sum(1 for ch in chars if ch in _COMMON or (ch.isascii() and ch.isprintable()) or ch in _PUNCT)
    return good / len(chars) >= 0.5


def _check_text(text: str, p: Path) -> str:
    if _control_ratio(text) > 0.01:
        raise _refuse(p, "这不是文本文件(含有大量控制字符),可能是程序、图片或压缩包")
    return text


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
            from pypdf import PdfReader   # pypdf caps each decompressed stream (75 MB) itself

            reader = PdfReader(str(p))
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except Exception:
                    ok = 0
                if not ok:
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
        raise _refuse(
            p,
            "PDF 中没有可提取的文字(可能是扫描件或图片),请先做文字识别(OCR),或改用 .docx/.txt 版本",
        )
    return text


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "button", "form")
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "header", "footer", "main", "aside", "blockquote", "pre", "dd",
    "dt", "dl", "hr", "title", "center", "figure", "figcaption", "address",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _decode_html(data: bytes, p: Path) -> str:
    if not any(data.startswith(bom) for bom, _ in _BOMS):
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
