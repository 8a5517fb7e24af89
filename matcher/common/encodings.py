"""Text encodings: the bytes of a text file → its text, the encoding detected (BOMs, strict
trials of UTF-8 / GB18030 / Big5 scored by common Chinese characters, then
charset-normalizer). Binary content is refused with a message naming the file and what
is accepted. Used by :mod:`matcher.reading.readers` (documents) and
:mod:`matcher.common.jsonfile` (profiles, sessions)."""

from __future__ import annotations

import codecs
from pathlib import Path

from matcher.errors import BadInput

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


def refusal(path: Path, what: str) -> BadInput:
    return BadInput(f"无法导入文件 {path}:{what}。可接受的格式:{ACCEPTED_TEXT}。")


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
                text = data[len(bom) :].decode(enc)
            except UnicodeDecodeError:
                raise refusal(p, f"文件开头标明是 {enc.upper()} 编码,但内容无法按此编码读取(文件可能已损坏)") from None
            return check_text(text, p)
    if b"\x00" in data:
        utf16 = utf16_without_bom(data)
        if utf16 is None:
            raise refusal(p, "这不是文本文件(含有二进制数据),可能是程序、图片或压缩包")
        return check_text(utf16, p)
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
        return check_text(best[2], p)
    damaged = _with_few_bad_bytes(data)
    if damaged is not None:
        return check_text(damaged, p)
    guess = _charset_normalizer_guess(data)
    if guess is None:
        raise refusal(p, "无法识别文件的文字编码(内容可能已损坏,或不是文本文件)")
    return check_text(guess, p)


def utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark, or None. Its ASCII characters (line ends,
    digits, spaces) put a zero byte at every other position — the odd ones little-endian,
    the even ones big-endian — while binary data has zeros at both; the decoding must be
    strict and read as writing."""
    if len(data) < 4 or len(data) % 2:
        return None
    units = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    for enc, here, there in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if here >= max(2, units // 200) and there * 3 <= here:  # "一" (U+4E00) puts zeros on the other side
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _control_ratio(text) <= 0.01 and _plausible(text):
                return text
    return None


#: At most this many bytes, and this share of them, may be undecodable in a text that is
#: otherwise valid in one encoding: each becomes U+FFFD, reported by line as an unrepaired spot.
MAX_BAD_BYTES = 50
MAX_BAD_SHARE = 0.002


def _with_few_bad_bytes(data: bytes) -> str | None:
    """The text in the encoding (UTF-8, GB18030, Big5) that leaves the fewest undecodable
    bytes, when they are few (a byte damaged in copying): each replaced by U+FFFD."""
    best: tuple[int, tuple[int, int], str] | None = None
    for enc in _TRIALS:
        bad = [0]

        def resync(err: UnicodeError) -> tuple[str, int]:
            # one character lost: go on from the next byte or the one after (a damaged lead
            # byte takes its trail byte with it), whichever reads on further, and better
            assert isinstance(err, UnicodeDecodeError)
            bad[0] += 1
            raw = err.object
            best_at, best_key = err.start + 1, (-1, -1)
            for at in (err.start + 1, err.start + 2):
                window = bytes(raw[at : at + 96])
                try:
                    ok, n = window.decode(enc), len(window)
                except UnicodeDecodeError as e:
                    ok, n = window[: e.start].decode(enc, "ignore"), e.start
                key = (n, _score(ok)[0])
                if key > best_key:
                    best_at, best_key = at, key
            return "\ufffd", best_at

        codecs.register_error("policydesk-resync", resync)
        text = data.decode(enc, errors="policydesk-resync")
        if bad[0] > MAX_BAD_BYTES or bad[0] > len(data) * MAX_BAD_SHARE:
            continue
        key = (bad[0], (-_score(text)[0], -_score(text)[1]), text)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best is not None else None


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


def check_text(text: str, p: Path) -> str:
    if _control_ratio(text) > 0.01:
        raise refusal(p, "这不是文本文件(含有大量控制字符),可能是程序、图片或压缩包")
    return text


def has_bom(data: bytes) -> bool:
    """Does ``data`` start with a Unicode byte-order mark (UTF-8, -16 or -32)?"""
    return any(data.startswith(bom) for bom, _ in _BOMS)
