"""How to get it, where the document states it: the sections of a 申报指南 that serve every
measure of the document (:func:`document_entitlements`): 申报材料 (:func:`materials`), how to
apply (:func:`how_to_apply`: 一网通办 item, 受理部门, address, e-mail) and contacts
(:func:`contact`). What a measure gives is :mod:`matcher.knowledge.amounts`; when, is
:mod:`matcher.knowledge.dates`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from matcher.knowledge.amounts import normalize
from matcher.knowledge.dates import validity, window

_TOP_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|第[一二三四五六七八九十百]+[条章])")
_SUB_HEAD = re.compile(r"^\s*\(\s*[一二三四五六七八九十]+\s*\)")
_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.、)](?!\d)|\(\s*\d{1,2}\s*\)|[①-⑳]|\d{1,2}\s*\.(?=\d{4}年))\s*")
_MAT_HEAD = re.compile(r"(?:申报|申请|提交|报送|所需|需提供的?)材料|材料清单|申报资料")
_MAT_INTRO = re.compile(r"(?:提交|准备|提供|报送)[^。;]{0,12}(?:下列|以下|如下)[^。;]{0,8}(?:材料|资料)[::]$")
_PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}-)?\d{8}(?:-\d{1,5})?(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CONTACT_LINE = re.compile(r"联\s*系\s*人|联系电话|联系方式|咨询电话|政策咨询|咨询受理|申报受理|咨询")
_OFFICE_PHONE = re.compile(
    r"^(?:[^::]{0,6}[::])?\s*(?P<o>(?:区|市)[\u4e00-\u9fff]{1,12}?(?:委员会|委|局|办公室|办|中心))\s*"
    r"(?:电话|联系电话)?[::]?\s*(?P<p>(?:0\d{2,3}-)?\d{8}(?:-\d{1,5})?)\s*$"
)
_PERSON = re.compile(r"联\s*系\s*人\s*[::]\s*(?P<p>[^\d,;;,。:]{1,20})")


@lru_cache(maxsize=8)
def _lines_of(text: str) -> tuple[str, ...]:
    return tuple(x for x in (normalize(ln).strip() for ln in text.splitlines()) if x)


def _lines(text: str) -> list[str]:
    """The non-empty lines of a document, normalised (read once per document)."""
    return list(_lines_of(text))


def _style(marker: str) -> str:
    """The numbering style of an item marker: 1. / 1、 → "dot", 1) → "rparen", (1) → "paren"."""
    m = marker.strip()
    return "paren" if m.startswith("(") else ("rparen" if m.endswith(")") else "dot")


def materials(text: str) -> list[str]:
    """The items of the document's 申报材料 section(s), as written (numbering removed)."""
    lines = _lines(text)
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        head = _TOP_HEAD.match(ln) or _SUB_HEAD.match(ln)
        intro = not head and _MAT_INTRO.search(ln)  # 申请单位准备下列相关材料: then the list
        if (head and _MAT_HEAD.search(ln) and len(ln) <= 30) or intro:
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
                    item = nxt[im.end() :].strip().rstrip(";;。")
                    after = _ITEM.match(lines[j + 1]) if j + 1 < len(lines) else None
                    if after and _style(after.group(0)) != _style(im.group(0)) and len(item) <= 12:
                        j += 1  # 1.建设补贴 over 1)… 2)…: a group's label, not a material
                        continue
                    named = re.findall(r"《[^》]{2,40}》", item)
                    for it in named if len(item) > 80 and named else [item]:
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


_INLINE_MAT = re.compile(
    r"(?:应|需|须)(?:当)?(?:提交|提供|报送)(?:以下|下列|如下)?(?:申报|申请)?(?:材料)?[::]?(?P<list>[^。;;]{4,300})"
)


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
    r"|向[^,;。]{2,14}(?:申报|提交|申请)|通过[^,;。]{2,30}(?:申报|申请|提交)|申报(?:方式|渠道|地址|地点)|受理(?:地点|地址|部门)"
)
_PLATFORM = re.compile(r"“(?P<n>[^”]{2,24})”\s*(?:平台|系统|APP|app|小程序)|(?P<y>一网通办|随申办|随申兑|新能源云平台)")
_ITEM_NAME = re.compile(r"(?:选择|点击|进入|搜索)\s*“(?P<n>[^”]{2,30})”")
_TO_OFFICE = re.compile(
    r"(?:向|报送至|报送|提交至|送至|交至)\s*(?P<o>(?:区|市)[\u4e00-\u9fff]{1,12}?(?:委员会|委|局|办公室|办|中心|政府))(?:申报|提交|报送|受理|进行|审核|初审|,|。|;)"
)
_WHO_TO_OFFICE = re.compile(
    r"(?:^|[,;,;]|其中)(?P<who>[^,;,;。]{2,20}?)向(?P<o>(?:区|市)[\u4e00-\u9fff]{1,12}?(?:委员会|委|局|办公室|办|中心))申报"
)
_ADDRESS = re.compile(
    r"(?:地址|地点|送至|寄至)\s*[::]?\s*(?P<a>[\u4e00-\u9fff]{2,8}(?:区|市)[\u4e00-\u9fff\d号楼室层弄-]{4,40})"
)


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
                pair = {
                    "who": re.sub(r"^(?:其中|并且|并|且|对于|对)", "", m.group("who").strip()),
                    "office": m.group("o"),
                }
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
    for k, v in (
        ("online", online),
        ("offices", offices),
        ("by_applicant", by_applicant),
        ("address", address),
        ("email", email),
    ):
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
