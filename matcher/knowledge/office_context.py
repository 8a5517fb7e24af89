"""What a whole document says about who runs what, for inferring a measure's office.

A document that states no office per measure often says it elsewhere:

* a routing sentence — ``商业企业…向区商务委申报,工业企业向区科经委申报`` (field → office);
* a division of duties — ``市交通委:统筹协调…`` / ``市公安局:负责…信息审核`` (an office at the
  head of a paragraph with its duties), ``区发展改革委、区经委、区财政局分别负责…``;
* its issuing body — ``发布单位: 上海市静安区发展和改革委员会`` or the signature line.

:func:`document_assignments` reads these once per document (the pipeline passes the result
to :func:`matcher.reading.enrich.enrich` as ``doc_context``); :func:`assigned_offices` picks, for one
measure, the offices whose field its words name, else the document's default offices.
Every assignment keeps the words it came from, shown as the evidence of the inference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.knowledge.offices import _CLAUSE_HEAD, canonical_office, fits_level, names_re
from matcher.rules.lexicon import Lexicons, load_lexicons, normalise_office

# words stripped from the edges of a field (其中商业企业 → 商业)
_FIELD_PREFIX = re.compile(
    r"^(?:其中|对于|对|凡|属于|属|含有|涉及|包括|负责|统筹|协调|组织|做好|推进|"
    r"本市|全市|本区|全区|相关|有关|纯)+"
)
_FIELD_SUFFIX = re.compile(r"(?:企业|单位|项目|类|领域|方面|工作|楼宇|信息审核|审核|等|部门|的)+$")
_STOP = {
    "企业",
    "项目",
    "工作",
    "单位",
    "资金",
    "申报",
    "材料",
    "相关",
    "部门",
    "信息",
    "本市",
    "各区",
    "政策",
    "管理",
    "服务",
    "职责",
    "职责范围内项目",
    "监督检查",
    "资金计划",
}
_SPLIT = re.compile(r"[、,，;；。:：“”\"《》()（）\s]|以及|和|及|与|或|的|并")
_ROUTE_VERBS = r"(?:申报|申请|提出申请|报送|提交|办理|咨询|备案)"
_DUTY_VERBS = r"(?:分别负责|负责|牵头|会同|统筹)"
_LEADING = ("统筹", "牵头", "会同", "总体")


@dataclass(frozen=True)
class Assignment:
    office: str  # canonical office (district-local name)
    terms: tuple[str, ...]  # the field's words; () = the document's default office
    quote: str  # the words it came from
    kind: str = "route"  # route | duty | issuer


def _field_terms(field: str) -> list[str]:
    out: list[str] = []
    # the departments an office works with (会同本市发改、公安等部门) are not its field
    field = re.sub(r"(?:会同|联合|协同|配合)[^,，;；。]*?(?:部门|单位|机构)", "", field)
    for chunk in _SPLIT.split(field):
        t = _FIELD_SUFFIX.sub("", _FIELD_PREFIX.sub("", chunk.strip()))
        if 2 <= len(t) <= 8 and t not in _STOP and not re.search(r"\d|^[区市]|[局委办]$|中心$|公司$|集团$", t):
            out.append(t)
    return list(dict.fromkeys(out))


def _names_list_re(lex: Lexicons) -> str:
    name = names_re(lex).pattern
    return rf"((?:{name})(?:[、,，和及与](?:{name}))*)"


class DocContext(list):
    """A document's assignments (a list of :class:`Assignment`) that answer for one measure
    (:meth:`assigned`), so that :mod:`matcher.knowledge.offices` reads them without importing this
    module (which imports it)."""

    def assigned(
        self, scan: str, score_of: dict[str, float] | None = None
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        return assigned_offices(scan, self, score_of)


def document_assignments(text: str, district: str | None, lex: Lexicons | None = None) -> DocContext:
    """Who runs what, as the whole document says it (see the module doc), in document order.

    Only recognised offices that fit the document's level are kept (a city document's 区…
    offices are not assigned). Field words found in more than a quarter of the document's
    paragraphs (the document's own topic) do not discriminate and are dropped from duties.
    """
    lex = lex or load_lexicons()
    names = names_re(lex)
    lst = _names_list_re(lex)
    paras = [p.strip() for p in text.splitlines() if p.strip()]
    n_paras = max(len(paras), 1)

    def canon_ok(name: str) -> str:
        canon = canonical_office(name, district, lex)
        return canon if fits_level(normalise_office(name, lex), district, lex) else ""

    def discriminating(terms: list[str]) -> tuple[str, ...]:
        return tuple(t for t in terms if sum(t in p for p in paras) <= max(2, n_paras // 4))

    out: list[Assignment] = []
    route = re.compile(rf"(?:向|由|到|至)({names.pattern})(?:{_ROUTE_VERBS}|受理)")
    duty_head = re.compile(rf"^\s*{_CLAUSE_HEAD}{lst}\s*(?:[:：]|(?={_DUTY_VERBS}))(.*)$")
    duty_mid = re.compile(rf"(?:^|[,，;；。])\s*{lst}(?:分别)?(?:负责|牵头|会同)")
    for para in paras:
        for clause in re.split(r"[,，;；。]", para):
            m = route.search(clause)
            if m:
                canon = canon_ok(m.group(1))
                words = _field_terms(clause[: m.start()])
                if canon and words:
                    out.append(Assignment(canon, tuple(words), clause.strip(), "route"))
        h = duty_head.match(para)
        found = []
        if h:
            offices = [canon_ok(x.group(0)) for x in names.finditer(h.group(1))]
            duties = h.group(2)
            single = len(offices) == 1
            terms = discriminating(_field_terms(duties)) if single else ()
            for canon in filter(None, offices):
                found.append(Assignment(canon, (), para[:60], "duty"))
                if terms:
                    found.append(Assignment(canon, terms, para[:60], "duty"))
            if single and offices[0] and any(w in duties[:12] for w in _LEADING):
                found.insert(0, Assignment(offices[0], (), para[:60], "lead"))
        else:
            for m in duty_mid.finditer(para):
                rest = para[m.end() : m.end() + 40].split("。")[0]
                if re.search(r"制定|起草|印发|研究制订|编制", rest):
                    continue  # who drafted the document does not run its measures
                for x in names.finditer(m.group(1)):
                    canon = canon_ok(x.group(0))
                    if canon:
                        found.append(Assignment(canon, (), para[:60], "duty"))
        out.extend(found)
    out.extend(_issuers(paras, district, lex))
    return DocContext(out)


def _issuers(paras: list[str], district: str | None, lex: Lexicons) -> list[Assignment]:
    """The issuing body of an application notice (申报/指南/申请 in its title lines): a
    front-matter ``发布单位:`` line, or a signature line at the end. The issuer of a plan or
    若干措施 drafted it; it does not run every measure, so it is not assigned then."""
    out: list[Assignment] = []
    if not re.search(r"申报|指南|申请|受理", "".join(paras[:6])):
        return out
    cands = [
        re.sub(r"^(?:发布单位|发文单位|发文机关|发布机构)\s*[:：]\s*", "", p)
        for p in paras[:12]
        if re.match(r"^(?:发布单位|发文单位|发文机关|发布机构)\s*[:：]", p)
    ]
    cands += [p for p in paras[-8:] if len(p) <= 30 and not re.search(r"[,，。;；:：\d]", p)]
    amap = lex.office_alias_map()
    for c in cands:
        for part in re.split(r"[、,，\s]+", c):
            name = normalise_office(part, lex)
            if name in amap.values() and fits_level(name, district, lex):
                canon = canonical_office(part, district, lex)
                if all(a.office != canon or a.kind != "issuer" for a in out):
                    out.append(Assignment(canon, (), c, "issuer"))
    return out


def assigned_offices(
    scan: str, ctx: list[Assignment], score_of: dict[str, float] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """For one measure: (the offices whose field its words name, in the order the words
    come; the document's default offices — those it names as leading (统筹…) first, then
    the others ranked by the lexicon's score for this measure), each with its evidence."""
    score_of = score_of or {}
    hits: list[tuple[int, int, str, str]] = []
    for k, a in enumerate(ctx):
        if not a.terms:
            continue
        pos = [(scan.find(t), t) for t in a.terms if t in scan]
        if pos:
            p, t = min(pos)
            hits.append((p, k, a.office, f"文件另行写明:“{a.quote[:40]}”(“{t}”)"))
    fields = list(dict.fromkeys((o, why) for _, _, o, why in sorted(hits)))
    defaults: list[tuple[int, float, int, str, str]] = []
    for k, a in enumerate(ctx):
        if not a.terms:
            defaults.append(
                (
                    0 if a.kind == "lead" else 1,
                    -score_of.get(a.office, 0.0),
                    k,
                    a.office,
                    f"文件另行写明:“{a.quote[:40]}”",
                )
            )
    out: list[tuple[str, str]] = []
    for *_, o, why in sorted(defaults):
        if o not in [x for x, _ in out]:
            out.append((o, why))
    return fields, out
