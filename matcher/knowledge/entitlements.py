"""What a measure gives and how to get it, where the document states it.

* :func:`amounts` — money a measure grants (最高…万元, 按…%给予, 每…元, …元/千瓦时), each with
  the sentence it comes from;
* :func:`window` — when to apply (申报时间, 截止, 即日起至…, …前提交);
* :func:`validity` — the document's 有效期 end (有效期至…, 自…起施行,有效期为N年, 试行期N年);
* :func:`document_entitlements` — the sections of a 申报指南 that serve every measure of
  the document: 申报材料, how to apply (一网通办 item, 受理部门, address, e-mail), contacts.

Structural rules only: a figure counts as an amount when its clause (the words between
two commas) grants something (给予, 补贴, 奖励 …) and the figure is not a threshold
(…以上, 不低于 …); a date counts as a deadline when its sentence is about applying
(申报, 申请, 受理, 提交 …). What the text does not state stays absent.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from functools import lru_cache

from matcher.common.text import normalize as _normalize


@lru_cache(maxsize=8192)
def normalize(s: str) -> str:
    """:func:`matcher.common.text.normalize`, remembered: the extractors read each sentence several times."""
    return _normalize(s)

# ── numbers ──────────────────────────────────────────────────────────────────

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9, "十": 10}


def cn_number(s: str) -> int | None:
    """一 … 九十九 → int (and plain digits)."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in _CN_DIGITS for c in s):
        return None
    a, ten, b = s.partition("十")
    if not ten:
        return _CN_DIGITS[s] if len(s) == 1 else None
    if len(a) > 1 or len(b) > 1 or "十" in (a + b):
        return None                          # not a number a policy writes (三十三十 …)
    return (_CN_DIGITS[a] if a else 1) * 10 + (_CN_DIGITS[b] if b else 0)


_NUM = r"\d+(?:\.\d+)?"
# a sum of money: 500万元, 1.5亿元, 300元, 5-10万元, 1000万元~2000万元; per unit: 0.3元/千瓦时
_MONEY = re.compile(
    rf"(?P<a>{_NUM})(?:\s*(?P<ua>亿元|万元|亿|万|元)?\s*[-~～—至到]\s*(?P<b>{_NUM}))?\s*"
    r"(?P<u>亿元|万元|元|亿(?![人吨千平])|万(?!人|平|吨|千瓦|户|家|个|套|辆|名|次|张|件|台|元))"
    r"(?:\s*/\s*(?P<per>千瓦时|千瓦|kWh|kW|吨标准煤|吨二氧化碳|吨|平方米|㎡|辆|人|户|家|年|个|次|台))?")
_PCT = re.compile(rf"(?P<a>{_NUM})\s*%")
_PER_BEFORE = re.compile(r"每(?P<per>[^\d,;。]{1,8}?)(?:最高|最多)?(?:补贴|奖励|资助|给予|补助|支持)?$")
_GRANT = re.compile(r"给予|补贴|补助|奖励|资助|扶持|贴息|奖补|支持金额|支持资金|一次性|资金支持|予以支持|予以扶持|予以补贴|予以奖励|给予支持|发放")
_CAP = re.compile(r"最高|不超过|不高于|最多|上限|封顶|以内")
_THRESHOLD_AFTER = re.compile(r"^\s*(?:\(含\)|(含))?\s*(?:及)?以上|^\s*\(含\)\s*以上|^\s*(?:\(含[^)]*\))?\s*以上")
_THRESHOLD_BEFORE = re.compile(r"(?:不低于|不少于|达到|(?<!不)超过|(?<!不)大于|(?<!不)高于|满|≥)\s*$")
_NOT_GRANT_SUBJECT = re.compile(r"(?:贷款|借款|融资)(?:额度|金额|规模)|注册资本|营业收入|营收|销售收入|纳税|投资额|总投资|规模的")
_CLAUSE_SPLIT = re.compile(r"[,;:,;:。!?]")


def _to_wan(value: float, unit: str) -> float | None:
    if unit in ("亿元", "亿"):
        return value * 10000
    if unit in ("万元", "万"):
        return value
    if unit == "元":
        return value / 10000
    return None


def _clauses(sentence: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        out.append((start, sentence[start:m.start()]))
        start = m.end()
    out.append((start, sentence[start:]))
    return out


def amounts(sentences: list[str]) -> list[dict[str, Any]]:
    """Money the sentences grant, in order: ``{"text", "kind", "value", "unit", "wan", "quote"}``.

    ``kind``: ``cap`` (最高/不超过 …), ``range`` (5-10万元), ``fixed``, ``rate`` (a %),
    ``per_unit`` (0.3元/千瓦时, 每平方米300元). ``wan`` is the sum in 万元 (the upper end of
    a range), None for rates and per-unit sums."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for sent in sentences:
        s = normalize(sent)
        for _off, clause in _clauses(s):
            if not _GRANT.search(clause) and not _CAP.search(clause):
                continue
            grants = bool(_GRANT.search(clause))
            for m in _MONEY.finditer(clause):
                before, after = clause[:m.start()], clause[m.end():]
                if _THRESHOLD_AFTER.match(after) or _THRESHOLD_BEFORE.search(before):
                    continue
                # the subject of the figure: the words just before it
                if _NOT_GRANT_SUBJECT.search(before[-12:]):
                    continue
                if re.search(r"(?:获得|取得|达到|收到)[^,;。]*$", before) and re.match(r"\s*的", after):
                    continue        # 获得市级奖励10万元至20万元的: what the company already has
                if not grants and not re.search(r"补贴|奖励|资助|扶持|补助|支持", clause):
                    continue
                cap = bool(_CAP.search(before[-10:]))
                a = float(m.group("a"))
                b = float(m.group("b")) if m.group("b") else None
                unit = m.group("u")
                if unit in ("亿", "万"):
                    unit += "元"
                ua = m.group("ua")
                per = m.group("per")
                pb = _PER_BEFORE.search(before[-10:])
                if per:
                    kind, wan, unit_s = "per_unit", None, f"{unit}/{per}"
                elif pb and unit == "元":
                    kind, wan, unit_s = "per_unit", None, f"元/{pb.group('per')}"
                else:
                    hi = b if b is not None else a
                    lo_unit = (ua + "元") if ua else unit
                    wan = _to_wan(hi, unit)
                    kind = "range" if b is not None else ("cap" if cap else "fixed")
                    unit_s = unit
                    if b is not None and lo_unit != unit:
                        pass
                lead = "最高" if kind == "cap" and "最高" in before[-10:] else (
                    "不超过" if kind == "cap" else "")
                text = (lead + m.group(0).strip()) if lead else m.group(0).strip()
                if kind == "per_unit" and pb and not per:
                    unit_word = re.sub(r"(?:最高|最多|可享受|可|补贴|奖励|给予|资助|支持|分别)+$", "", pb.group("per"))
                    unit_s = f"元/{unit_word}"
                    text = f"每{unit_word}{'最高' if cap else ''}{m.group(0).strip()}"
                key = (text, s)
                if key in seen:
                    continue
                seen.add(key)
                out.append({"text": text, "kind": kind, "value": b if b is not None else a,
                            "unit": unit_s, "wan": wan, "quote": sent.strip()})
            if not grants:
                continue
            for m in _PCT.finditer(clause):
                before, after = clause[:m.start()], clause[m.end():]
                if _THRESHOLD_AFTER.match(after) or _THRESHOLD_BEFORE.search(before):
                    continue
                # a rate someone is paid: 按…的30%, 30%的补贴, 给予…30%
                if not (re.search(r"按|给予|的$|予以", before) or re.match(r"\s*(?:的)?(?:补贴|奖励|资助|扶持|贴息|补助|给予|予以)", after)):
                    continue
                if re.search(r"(?:下降|降低|提高|增长|节能率|占比|比例|比重)\s*(?:达到)?\s*$", before):
                    continue
                if re.search(r"(?:扶持|补贴|奖励|资助|支持)(?:总额|资金)的?\s*$", before):
                    continue        # 第一笔资金按扶持总额的20%拨付: a payment schedule
                text = m.group(0).replace(" ", "")
                lead = "最高" if "最高" in before[-12:] else ("不超过" if _CAP.search(before[-12:]) else "")
                key = (lead + text, s)
                if key in seen:
                    continue
                seen.add(key)
                out.append({"text": lead + text, "kind": "rate", "value": float(m.group("a")),
                            "unit": "%", "wan": None, "quote": sent.strip()})
    return out


def top_amount(items: list[dict[str, Any]]) -> float | None:
    """The largest sum in 万元 among ``amounts`` (for sorting), None when none is a sum."""
    vals = [a["wan"] for a in items if a.get("wan") is not None]
    return max(vals) if vals else None


# ── dates ────────────────────────────────────────────────────────────────────

_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日|(?P<end>底|末))")
_YEAR_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:底|年底|末)")
_APPLY = re.compile(r"申报|申请|受理|提交|报送|递交|登录|截止|截至|集中申报|网上填报|填报")
_APPLY_DATE_CUE = re.compile(r"截止|截至|止|前|以前|之前|即日起至|起至|至")


def _iso(y: int, m: int, d: int | None) -> str | None:
    try:
        if d is None:
            nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
            return (nxt - _dt.timedelta(days=1)).isoformat()
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _dates(s: str, year: int | None) -> list[tuple[int, int, str, bool]]:
    """(start, end, ISO date, year_written) of each date in ``s``; a date with no year takes
    the year of the date before it in the sentence, else ``year``."""
    out = []
    last_year = None
    for m in _DATE.finditer(s):
        if not m.group("y") and last_year is None:
            ys = re.findall(r"((?:19|20)\d{2})\s*年", s[:m.start()])
            last_year = int(ys[-1]) if ys else None
        y = int(m.group("y")) if m.group("y") else (last_year or year)
        if m.group("y"):
            last_year = int(m.group("y"))
        if y is None:
            continue
        d = int(m.group("d")) if m.group("d") else None
        iso = _iso(y, int(m.group("m")), d)
        if iso:
            out.append((m.start(), m.end(), iso, bool(m.group("y"))))
    return out


def window(sentences: list[str], year: int | None = None, source: str = "measure") -> dict[str, Any]:
    """The application window the sentences state: ``{"text", "start"?, "end"?, "quote",
    "source"}``; {} when none. Only a sentence about applying counts (申报, 受理, 提交 …);
    a target date of government work (2023年底前完成) is not a window."""
    for sent in sentences:
        s = normalize(sent)
        if not _APPLY.search(s):
            continue
        if re.search(r"获得|取得|认定|并网|竣工|投产|建成|完成|发生|实施", s) and not re.search(
                r"申报(?:时间|截止|期)|截止|即日起|前(?:将|登录|提交|报送|向)|提交材料时间|受理截止", s):
            continue
        if re.search(r"每年|每季度|每月", s):
            out_r: dict[str, Any] = {"text": _trim(s), "quote": sent.strip(), "source": source,
                                     "recurring": True}
            if re.search(r"申报|提交|报送", s) and re.search(r"底前|以前|之前|前", s):
                return out_r
            continue
        ds = _dates(s, year)
        if not ds:
            continue
        start = end = None
        text = ""
        # 即日起至 D / 自 D1 起 … D2 截止 / D 前 / 截止(时间)为 D
        for a, b, iso, _yw in ds:
            tail = s[b:b + 16]
            head = s[max(0, a - 8):a]
            if re.search(r"自\s*$", head) or re.match(r"\s*(?:\([^)]*\))?\s*起", tail):
                if not re.match(r"\s*(?:\([^)]*\))?\s*起至", tail):
                    start = iso
                    continue
            if re.search(r"至\s*$|截止|截至|止$", head) or re.match(
                    r"\s*(?:\([^)]*\))?\s*(?:\d{1,2}:\d{2})?\s*(?:\([^)]*\))?\s*(?:前|以前|之前|止|截止|申报截止)", tail):
                end = iso
                text = next((c for o, c in _clauses(s) if o <= a < o + len(c) + 1), s)
        if end is None and start is None:
            continue
        if end is None and not re.search(r"即日起|开通|开始|起", s):
            continue
        out: dict[str, Any] = {"text": _trim(text or s), "quote": sent.strip(), "source": source}
        if start:
            out["start"] = start
        if end:
            out["end"] = end
        return out
    return {}


def _trim(s: str, width: int = 40) -> str:
    s = s.strip(" ,;,。;")
    return s if len(s) <= width else s[:width] + "…"


_VALID_UNTIL = re.compile(r"有效期(?:至|到|截至|截止)(?:到)?\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
_FROM = re.compile(r"自\s*(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起(?:施行|执行|实施|生效)")
_SPAN = re.compile(r"(?:有效期|试行期)(?:为|是)?\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*年")


def validity(text: str, issued: str | None = None) -> str | None:
    """The last day the document is in force, where it says so: 有效期至 D; or 自 D 起施行
    (else the issue date, for 自印发之日起) plus 有效期/试行期 N 年. None when not stated."""
    # only sentences about the document itself (本办法…自…起施行), not a licence's 有效期
    own = [x for x in re.split(r"(?<=[。;;\n])", normalize(text))
           if re.search(r"本(?:办法|政策|措施|方案|实施方案|意见|实施意见|细则|规定|通知|指南|若干)|《[^》]{1,12}》自|施行|生效", x)]
    s = "".join(own)
    m = _VALID_UNTIL.search(s)
    if m:
        ds = _dates(m.group("date"), None)
        return ds[0][2] if ds else None
    span = _SPAN.search(s)
    if not span:
        return None
    n = cn_number(span.group("n"))
    if not n or n > 20:
        return None
    f = _FROM.search(s)
    start = None
    if f:
        ds = _dates(f.group("date"), None)
        start = ds[0][2] if ds else None
    elif re.search(r"自(?:印发|发布)之日起", s) and issued and len(issued) == 10:
        start = issued
    if not start:
        return None
    d = _dt.date.fromisoformat(start)
    try:
        end = d.replace(year=d.year + n)
    except ValueError:            # 29 February
        end = d.replace(year=d.year + n, day=28)
    return (end - _dt.timedelta(days=1)).isoformat()


def is_expired(valid_until: str | None, win: dict[str, Any] | None, as_of: _dt.date) -> str:
    """Why the measure is no longer open on ``as_of`` ("" when it is)."""
    if valid_until:
        try:
            if _dt.date.fromisoformat(valid_until) < as_of:
                return f"文件有效期至{valid_until},已过期"
        except ValueError:
            pass
    end = (win or {}).get("end")
    if end:
        try:
            if _dt.date.fromisoformat(end) < as_of:
                return f"申报截止{end},已过期"
        except ValueError:
            pass
    return ""


# ── document-level sections of a 申报指南 ──────────────────────────────────────

_TOP_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|第[一二三四五六七八九十百]+[条章])")
_SUB_HEAD = re.compile(r"^\s*\(\s*[一二三四五六七八九十]+\s*\)")
_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.、)](?!\d)|\(\s*\d{1,2}\s*\)|[①-⑳]|\d{1,2}\s*\.(?=\d{4}年))\s*")
_MAT_HEAD = re.compile(r"(?:申报|申请|提交|报送|所需|需提供的?)材料|材料清单|申报资料")
_PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}-)?\d{8}(?:-\d{1,5})?(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CONTACT_LINE = re.compile(r"联\s*系\s*人|联系电话|联系方式|咨询电话|政策咨询|咨询受理|申报受理|咨询")
_OFFICE_PHONE = re.compile(r"^(?:[^::]{0,6}[::])?\s*(?P<o>(?:区|市)[\u4e00-\u9fff]{1,12}?(?:委员会|委|局|办公室|办|中心))\s*"
                           r"(?:电话|联系电话)?[::]?\s*(?P<p>(?:0\d{2,3}-)?\d{8}(?:-\d{1,5})?)\s*$")
_PERSON = re.compile(r"联\s*系\s*人\s*[::]\s*(?P<p>[^\d,;;,。:]{1,20})")


@lru_cache(maxsize=8)
def _lines_of(text: str) -> tuple[str, ...]:
    return tuple(x for x in (normalize(ln).strip() for ln in text.splitlines()) if x)


def _lines(text: str) -> list[str]:
    """The non-empty lines of a document, normalised (read once per document)."""
    return list(_lines_of(text))


def materials(text: str) -> list[str]:
    """The items of the document's 申报材料 section(s), as written (numbering removed)."""
    lines = _lines(text)
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        head = _TOP_HEAD.match(ln) or _SUB_HEAD.match(ln)
        if head and _MAT_HEAD.search(ln) and len(ln) <= 30:
            level_top = bool(_TOP_HEAD.match(ln))
            j = i + 1
            while j < len(lines):
                nxt = lines[j]
                if _TOP_HEAD.match(nxt) or (not level_top and _SUB_HEAD.match(nxt)):
                    break
                if re.match(r"^附件", nxt):
                    break
                im = _ITEM.match(nxt)
                if im:
                    item = nxt[im.end():].strip().rstrip(";;。")
                    named = re.findall(r"《[^》]{2,40}》", item)
                    for it in (named if len(item) > 80 and named else [item]):
                        if it and it not in out:
                            out.append(it)
                j += 1
            i = j
            continue
        i += 1
    if not out:
        # 第N条 (申报材料) 应提交项目申请表、项目立项文件 … 等材料; or 应提交《A》《B》
        for ln in lines:
            for it in _inline_materials(ln):
                if it not in out:
                    out.append(it)
    return out[:40]


_INLINE_MAT = re.compile(r"(?:应|需|须)(?:当)?(?:提交|提供|报送)(?:以下|下列|如下)?(?:申报|申请)?(?:材料)?[::]?(?P<list>[^。;;]{4,300})")


def _inline_materials(line: str) -> list[str]:
    """Materials listed inside a sentence: 《A》《B》, or A、B、C等材料."""
    if not re.search(r"申报|申请|提交", line):
        return []
    out: list[str] = []
    for m in _INLINE_MAT.finditer(line):
        lst = m.group("list")
        named = re.findall(r"《[^》]{2,40}》", lst)
        if named:
            out += named
            continue
        if not re.search(r"等?(?:材料|资料|文件)$", lst.strip()):
            continue
        flat = re.sub(r"\([^)]*\)", "", lst)
        flat = re.sub(r"等?(?:相关)?(?:材料|资料)$", "", flat.strip())
        items = [x.strip() for x in re.split(r"[、,]", flat) if 2 <= len(x.strip()) <= 30]
        if len(items) >= 2:
            out += items
    return out


def contact(text: str) -> dict[str, Any]:
    """People, phone numbers and e-mail addresses stated for enquiries or submission."""
    lines = _lines(text)
    people: list[str] = []
    phones: list[str] = []
    emails: list[str] = []
    quotes: list[str] = []
    by_office: list[dict[str, str]] = []
    in_block = False
    for ln in lines:
        heading = bool(_TOP_HEAD.match(ln)) or (len(ln) <= 12 and ln.endswith((":", ":")))
        if _TOP_HEAD.match(ln):
            in_block = bool(re.search(r"联系|咨询", ln))
        cue = bool(_CONTACT_LINE.search(ln))
        if not (cue or in_block):
            continue
        if re.search(r"举报", ln):
            continue
        got = False
        for m in _PERSON.finditer(ln):
            p = m.group("p").strip()
            for name in re.split(r"[、,/]", p):
                name = name.strip()
                if name and name not in people:
                    people.append(name)
                    got = True
        for ph in _PHONE.findall(ln):
            if ph not in phones and not re.fullmatch(r"(?:19|20)\d{6}", ph):
                phones.append(ph)
                got = True
        # "区商务委 64178603": an office and its number on one line
        om = _OFFICE_PHONE.match(ln)
        if om and {"office": om.group("o"), "phone": om.group("p")} not in by_office:
            by_office.append({"office": om.group("o"), "phone": om.group("p")})
        for e in _EMAIL.findall(ln):
            if e not in emails:
                emails.append(e)
                got = True
        if got and not heading:
            quotes.append(ln)
    if not (people or phones or emails):
        return {}
    out: dict[str, Any] = {}
    if people:
        out["people"] = people
    if phones:
        out["phones"] = phones
    if emails:
        out["email"] = emails
    if by_office:
        out["offices"] = by_office
    out["quote"] = ";".join(quotes[:6])
    return out


# a sentence telling the applicant what to do (not a reform that mentions 申报 or 受理)
_APPLICANT_ACTION = re.compile(
    r"登录|在线申报|网上申报|线上申请|进行(?:线上|网上|在线)?申请|网上填写|发送至|发送到|送至|报送至|提交至"
    r"|向[^,;。]{2,14}(?:申报|提交|申请)|通过[^,;。]{2,30}(?:申报|申请|提交)|申报(?:方式|渠道|地址|地点)|受理(?:地点|地址|部门)")
_PLATFORM = re.compile(r"“(?P<n>[^”]{2,24})”\s*(?:平台|系统|APP|app|小程序)|(?P<y>一网通办|随申办|随申兑|新能源云平台)")
_ITEM_NAME = re.compile(r"(?:选择|点击|进入|搜索)\s*“(?P<n>[^”]{2,30})”")
_TO_OFFICE = re.compile(r"(?:向|报送至|报送|提交至|送至|交至)\s*(?P<o>(?:区|市)[\u4e00-\u9fff]{1,12}?(?:委员会|委|局|办公室|办|中心|政府))(?:申报|提交|报送|受理|进行|审核|初审|,|。|;)")
_WHO_TO_OFFICE = re.compile(r"(?:^|[,;,;]|其中)(?P<who>[^,;,;。]{2,20}?)向(?P<o>(?:区|市)[\u4e00-\u9fff]{1,12}?(?:委员会|委|局|办公室|办|中心))申报")
_ADDRESS = re.compile(r"(?:地址|地点|送至|寄至)\s*[::]?\s*(?P<a>[\u4e00-\u9fff]{2,8}(?:区|市)[\u4e00-\u9fff\d号楼室层弄-]{4,40})")


def how_to_apply(text: str) -> dict[str, Any]:
    """Where and how the document says to apply: online platforms and item names,
    receiving offices, addresses, submission e-mail addresses."""
    online: list[str] = []
    offices: list[str] = []
    address: list[str] = []
    email: list[str] = []
    quotes: list[str] = []
    by_applicant: list[dict[str, str]] = []
    for ln in _lines(text):
        for sent in re.split(r"(?<=[。;;])", ln):
            if not _APPLICANT_ACTION.search(sent):
                continue
            if re.search(r"举报|不予受理的情况", sent):
                continue
            got = False
            for m in _PLATFORM.finditer(sent):
                n = m.group("n") or m.group("y")
                if n and n not in online:
                    online.append(n)
                    got = True
            for m in _ITEM_NAME.finditer(sent):
                n = m.group("n")
                if n not in online:
                    online.append(n)
                    got = True
            for m in _TO_OFFICE.finditer(sent):
                o = m.group("o")
                if o not in offices:
                    offices.append(o)
                    got = True
            # 工业企业向区科经委申报: which applicant goes to which office
            for m in _WHO_TO_OFFICE.finditer(sent):
                pair = {"who": re.sub(r"^(?:其中|并且|并|且|对于|对)", "", m.group("who").strip()), "office": m.group("o")}
                if pair not in by_applicant:
                    by_applicant.append(pair)
            for m in _ADDRESS.finditer(sent):
                a = m.group("a")
                if a not in address:
                    address.append(a)
                    got = True
            if re.search(r"发送至|发送到|邮箱|e-?mail", sent, re.I):
                for e in _EMAIL.findall(sent):
                    if e not in email:
                        email.append(e)
                        got = True
            if got:
                quotes.append(sent.strip())
    out: dict[str, Any] = {}
    for k, v in (("online", online), ("offices", offices), ("by_applicant", by_applicant),
                 ("address", address), ("email", email)):
        if v:
            out[k] = v
    if out:
        out["quote"] = ";".join(quotes[:5])
    return out


def document_entitlements(text: str, issued: str | None = None) -> dict[str, Any]:
    """What a document states once for all its measures (a 申报指南's sections)."""
    year = int(issued[:4]) if issued and issued[:4].isdigit() else None
    sents = [s for ln in _lines(text) for s in re.split(r"(?<=[。;;])", ln) if s.strip()]
    return {
        "window": window(sents, year, source="document"),
        "materials": materials(text),
        "how_to_apply": how_to_apply(text),
        "contact": contact(text),
        "valid_until": validity(text, issued),
    }
