"""Document metadata: front matter, web furniture, title, issuing body, 文号, dates, validity,
level and district.

Pure functions over text. Two kinds of input:

* a scrape saved with a front-matter block (``---`` / ``标题: …`` / ``文号: …`` /
  ``发布单位: …`` / ``发布日期: …`` / ``层级: …`` / ``---``), ``>`` notice lines and a
  Markdown ``# 标题`` line — the block is read, then dropped from the text;
* a plain document, whose title, issuing body (the signature above the date), 文号, date and
  validity (有效期至…, 自…起施行, 有效期X年, 试行期X年) are read from the text.

Web-page furniture (navigation, ``打印本页 关闭窗口``, a site footer from ``主办:`` on, source
links) is dropped before repair, so it is never reported as damage. The patterns are data
(resources/outline.toml).

Level and district come from the front matter's 层级, the issuing body and the title — never
from a district the text merely mentions (a city plan that says 鼓励浦东新区先行先试 is 市级).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from pydantic import BaseModel, Field, field_validator

from matcher.models import CITY
from matcher.rules.loader import load_toml

CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


class Furniture(BaseModel):
    line: list[str] = Field(default_factory=list)
    footer: list[str] = Field(default_factory=list)

    @field_validator("line", "footer")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as e:
                raise ValueError(f"不是有效的正则表达式 {p!r}:{e}") from None
        return v


class OutlineRules(BaseModel):
    heading_chars: int = 20
    sections: dict[str, list[str]]
    why: dict[str, str]
    furniture: Furniture = Field(default_factory=Furniture)
    zones: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("why")
    @classmethod
    def _every_why(cls, v: dict[str, str]) -> dict[str, str]:
        need = {
            "heading",
            "preamble",
            "scope",
            "materials",
            "procedure",
            "contact",
            "closing",
            "footnote",
            "notice",
            "instruction",
            "attachment",
            "form",
            "other",
        }
        missing = need - set(v)
        if missing:
            raise ValueError(f"缺少这些类别的说明:{'、'.join(sorted(missing))}")
        return v

    @field_validator("sections")
    @classmethod
    def _known_kinds(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        known = {"task", "safeguard", "preamble", "scope", "materials", "procedure", "contact", "closing", "other"}
        for k in v:
            if k not in known:
                raise ValueError(f"未知的章节类别 {k!r},可选:{'、'.join(sorted(known))}")
        return v


@lru_cache(maxsize=1)
def outline_rules() -> OutlineRules:
    return load_toml("outline.toml", OutlineRules)


class Meta(BaseModel):
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    issued: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    level: str | None = None
    district: str | None = None
    districts: list[str] = Field(default_factory=list)
    status: str | None = None


# ----------------------------------------------------------------- front matter, furniture

_FM_KEYS = {
    "标题": "title",
    "文号": "doc_number",
    "发布单位": "issuer",
    "发布日期": "issued",
    "层级": "level",
    "状态": "status",
    "成文日期": "issued",
}


def split_front_matter(raw: str) -> tuple[dict[str, str], str]:
    """``---`` block at the very start → ({key: value}, rest of the text)."""
    text = raw.lstrip("\ufeff")
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        return {}, raw
    fm: dict[str, str] = {}
    for j in range(i + 1, min(len(lines), i + 40)):
        line = lines[j].strip()
        if line == "---":
            return fm, "\n".join(lines[j + 1 :])
        m = re.match(r"^([^:：]{1,8})\s*[:：]\s*(.*)$", line)
        if m:
            fm[m.group(1).strip()] = m.group(2).strip()
    return {}, raw


def out_has_text(out: list[str]) -> bool:
    """True once a line of the document's own text has been kept (not only blank lines)."""
    return any(x.strip() for x in out)


def strip_furniture(text: str) -> tuple[str, int, str | None]:
    """Drop web furniture. Returns (text, lines dropped, the Markdown ``# title`` if any)."""
    fr = outline_rules().furniture
    line_res = [re.compile(p) for p in fr.line]
    footer_res = [re.compile(p) for p in fr.footer]
    lines = text.split("\n")
    out: list[str] = []
    dropped = 0
    md_title = None
    start_footer = int(len(lines) * 2 / 3)
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            out.append(line)
            continue
        if i >= start_footer and any(r.match(s) for r in footer_res):
            dropped += sum(1 for x in lines[i:] if x.strip())
            break
        if re.match(r"^#{1,6}\s+\S", s):
            s = re.sub(r"^#{1,6}\s+", "", s)  # Markdown headings: their text stays
            if md_title is None and not out_has_text(out):
                md_title = s
                dropped += 1
                continue
            line = s
        if s.startswith(("**", "__")) and s.endswith(("**", "__")) and len(s) > 4:
            line = s = s[2:-2].strip()  # **一、总体要求**
        if any(r.match(s) for r in line_res):
            dropped += 1
            continue
        # a scrape's stray query-string tail after a link: "…)发布版本为准。&siteId=0082"
        cleaned = re.sub(r"(?<=[。)\]])&\w+=\w*$", "", line)
        out.append(cleaned)
    return "\n".join(out), dropped, md_title


# ----------------------------------------------------------------- fields from the text

DATE_RE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_ONLY_RE = re.compile(r"^\s*((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
DOCNO_RE = re.compile(r"([\u4e00-\u9fff]{1,12}[〔\[［(](?:19|20)\d\d[〕\]］)]\s*\d{1,4}\s*号)")
ORG_RE = re.compile(r"(委员会|人民政府|政府|办公室|办公厅|局|委|办|中心|联席会议|领导小组|公司|院)(\s*\(代章\))?$")
TITLE_KIND = (
    r"(行动方案|实施方案|工作方案|方案|若干措施|若干政策|政策措施|措施|实施意见|意见|实施细则|细则|"
    r"办法|规定|行动计划|计划|申报指南|指南|扶持政策|政策|通知)"
)
TITLE_RE = re.compile(TITLE_KIND + r"(\s*[((][^()]{1,16}[))])*$")  # (试行) (2024-2026年) (第一批)
# the document a covering notice issues: 现将《X》印发 / 关于印发《X》的通知 / 现制定了《X》
ISSUED_TITLE_RE = re.compile(r"(?:印发|转发|制定了?|现将|出台了?)\s*《([^》]{4,90})》")


def _iso(y: str | int, m: str | int, d: str | int) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _cn_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if len(s) == 1 and s in CN_DIGITS:
        return CN_DIGITS[s]
    if len(s) == 2 and s[0] == "十":
        return 10 + CN_DIGITS.get(s[1], 0)
    return None


def _add_years(iso: str, n: int) -> str | None:
    d = date.fromisoformat(iso)
    try:
        end = d.replace(year=d.year + n)
    except ValueError:  # 29 February
        end = d.replace(year=d.year + n, day=28)
    return (end - timedelta(days=1)).isoformat()


def signature(lines: list[str]) -> tuple[str | None, str | None, int]:
    """The first signature block: (issuer, date, index of the date line)."""
    for i, line in enumerate(lines):
        m = DATE_ONLY_RE.match(line)
        if not m:
            continue
        orgs: list[str] = []
        j = i - 1
        while j >= 0 and len(orgs) < 12:
            s = lines[j].strip()
            if not s:
                j -= 1
                continue
            parts = [p for p in re.split(r"\s{1,}", s) if p]
            if all(ORG_RE.search(p) and len(p) <= 30 and not re.search(r"[。,;:]", p) for p in parts):
                orgs[:0] = parts
                j -= 1
                continue
            break
        if orgs:
            return orgs[0], _iso(*m.groups()), i
    return None, None, -1


def validity(text: str, issued: str | None) -> tuple[str | None, str | None]:
    """(valid_from, valid_until) from the closing words of a document; None when not said."""
    vf = vu = None
    for m in re.finditer(
        r"自\s*((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起(?:正式)?(?:施行|执行|实施|生效)", text
    ):
        vf = _iso(*m.groups())
    if vf is None and re.search(r"自(?:印发|发布|公布)之日起(?:施行|执行|实施|生效)", text):
        vf = issued if issued and len(issued) == 10 else None
    for m in re.finditer(r"有效期(?:至|到)\s*((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text):
        vu = _iso(*m.groups())
    if vu is None:
        for m in re.finditer(
            r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?\s*至\s*"
            r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:止)?[,。;]?\s*(?:有效|执行|施行)?",
            text,
        ):
            ctx = text[max(0, m.start() - 12) : m.end() + 6]
            if "有效期" in ctx or "施行" in ctx or "执行" in ctx:
                vf = vf or _iso(*m.groups()[:3])
                vu = _iso(*m.groups()[3:])
    if vu is None and vf:
        term = re.search(r"(?:有效期|试行期)(?:为|暂定)?\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*年", text)
        if term and (n := _cn_int(term.group(1))):
            vu = _add_years(vf, n)
    return vf, vu


def inner_title(title: str) -> str:
    """``关于印发《X》的通知`` → ``X``; anything else unchanged."""
    m = re.search(r"(?:印发|转发|发布)\s*《([^》]{4,90})》(?:的)?(?:通知|公告)?$", title)
    return m.group(1).strip() if m else title.strip()


def find_docno(lines: list[str]) -> str | None:
    for line in lines:
        m = DOCNO_RE.fullmatch(line.strip())  # a 文号 stands on its own line
        if m:
            return (
                re.sub(r"\s+", "", m.group(1))
                .replace("[", "〔")
                .replace("]", "〕")
                .replace("［", "〔")
                .replace("］", "〕")
            )
    return None


# ----------------------------------------------------------------- level and district


def level_and_district(
    fm_level: str | None, issuer: str | None, title: str | None, districts: list[tuple[str, list[str]]]
) -> tuple[str | None, str | None, list[str]]:
    """(level, district, zone districts). District words only from issuer and title."""
    zones = outline_rules().zones
    if fm_level and "市" in fm_level and "区" not in fm_level:
        return "市级", CITY, []

    def district_in(s: str | None, short: bool) -> str | None:
        if not s:
            return None
        best = None
        for name, shorts in districts:
            for form in [name, *(shorts if short else [])]:
                if len(form) < 2:
                    continue
                i = s.find(form)
                if i != -1 and (best is None or i < best[0]):
                    best = (i, name)
        return best[1] if best else None

    for src in (issuer, title):
        for zone, ds in zones.items():
            if src and zone in src:
                return "区级", ds[0], list(ds)
    d = district_in(issuer, False) or district_in(title, True)
    if d:
        return "区级", d, []
    if issuer and (issuer.startswith("上海市") or re.match(r"^市[\u4e00-\u9fff]{1,12}(委|局|办|委员会|政府)$", issuer)):
        return "市级", CITY, []
    if title and re.search(r"上海市|本市|上海(?!市\S{1,4}区)", title):
        return "市级", CITY, []
    if fm_level and "区" in fm_level:
        return "区级", None, []
    return None, None, []


def read_meta(
    fm: dict[str, str],
    md_title: str | None,
    text: str,
    head: list[str],
    found_title: str | None,
    districts: list[tuple[str, list[str]]],
) -> Meta:
    """Everything the document says about itself. ``head``: lines before the outline;
    ``found_title``: the title the outline reader found in the text (a plan's own title)."""
    lines = text.split("\n")
    sig_issuer, sig_date, _ = signature(lines)
    title = None
    for t in (fm.get("标题"), md_title):
        if t and t not in ("-", ""):
            title = inner_title(t)
            break
    if title is None and found_title:
        title = inner_title(found_title)
    issuer = fm.get("发布单位") if fm.get("发布单位") not in (None, "", "-") else None
    if issuer is None and sig_issuer:
        issuer = re.sub(r"\s*\(代章\)$", "", sig_issuer)
    if issuer is None:
        for t in (fm.get("标题"), md_title, *head[:3]):
            m = re.match(
                r"^([^,。、:;\s]{2,30}?(?:委员会|人民政府|办公室|办公厅|局|委))(?:、[^,。:;\s]{2,30}?)?关于", t or ""
            )
            if m:
                issuer = m.group(1)
                break
    docno = fm.get("文号") if fm.get("文号") not in (None, "", "-") else None
    if "文号" not in fm:
        docno = find_docno(head[:20])
    issued = None
    fd = fm.get("发布日期") or fm.get("成文日期")
    if fd and re.match(r"^\d{4}-\d{2}-\d{2}$", fd):
        issued = fd
    issued = issued or sig_date
    if issued is None:
        for line in head:
            m = DATE_RE.search(line) if len(line) <= 24 else None  # a date line, not a date in a sentence
            if m:
                issued = _iso(*m.groups())
                break
    vf, vu = validity(text, sig_date or issued)
    level, district, zone = level_and_district(fm.get("层级"), issuer, title or found_title, districts)
    return Meta(
        title=title,
        issuer=issuer,
        doc_number=docno,
        issued=issued,
        valid_from=vf,
        valid_until=vu,
        level=level,
        district=district,
        districts=zone,
        status=fm.get("状态"),
    )


def document_fields(doc) -> dict:
    """What a document says about itself, for ``kb stats`` and the import report."""
    return {
        "level": doc.level,
        "issuer": doc.issuer,
        "doc_number": doc.doc_number,
        "valid_from": doc.valid_from,
        "valid_until": doc.valid_until,
        "skipped": [{"label": s.label, "snippet": s.snippet, "why": s.why} for s in doc.skipped],
        "numbering": list(doc.numbering),
    }
