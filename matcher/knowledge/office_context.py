"""What a whole document says about who runs what, for inferring a measure's office.

A document that states no office per measure often says it elsewhere:

* a routing sentence — ``商业企业…向区商务委申报,工业企业向区科经委申报`` (field → office);
* a division of duties — ``市交通委:统筹协调…`` / ``市公安局:负责…信息审核`` (an office at the
  head of a paragraph with its duties), ``区发展改革委、区经委、区财政局分别负责…``;
* the receiving office a fund's rules or a notice names — ``由区发改委受理``,
  ``区发展改革委负责项目受理和审核``, ``受理部门:…``, ``咨询部门:…`` (kind ``receiver``);
* its issuing body — the document's own 发布单位 (``issuer`` from its metadata), the
  ``关于印发`` line naming joint issuers, or the signature line. The issuer of a fund's rules,
  a notice or a guide runs what it sets out (kind ``issuer``); the issuer of a plan or
  若干措施 drafted it, and runs its measures only when it is a line department (区绿化市容局's
  垃圾分类 plan), not a coordinating one (区发展改革委, 区政府办公室) (kind ``plan_issuer``).

:func:`document_assignments` reads these once per document (the pipeline passes the result
to :func:`matcher.reading.enrich.enrich` as ``doc_context``); :func:`assigned_offices` picks, for one
measure, the offices whose field its words name, the receiving office and issuer of a
programme, and the document's other offices. Every assignment keeps the words it came from,
shown as the evidence of the inference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.knowledge.offices import _CLAUSE_HEAD, canonical_office, fits_level, names_re
from matcher.rules.lexicon import Lexicons, load_lexicons, normalise_office
from matcher.rules.office_register import load_register

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
    # fund management words: who budgets, pays or audits a fund is not who a firm goes to
    "专项资金",
    "扶持资金",
    "预算",
    "预算审核",
    "年度预算",
    "编制年度预算",
    "使用情况进行监督",
    "监督",
    "监管",
    "复审",
    "绩效",
    "绩效管理",
    "审计",
    "拨付",
    "资金拨付",
    "编制年度项目申报指南",
    "开展项目组织申报",
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
    kind: str = "route"  # route | duty | lead | receiver | issuer | plan_issuer


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
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
        return assigned_offices(scan, self, score_of)


# a document that sets out a programme: a fund's rules, an application notice or guide
PROGRAMME_TITLE = re.compile(r"申报|申请|指南|通知|资金|办法|细则|扶持政策|贴息|补贴|奖励|激励")
_PLAN_TITLE = re.compile(r"行动方案|实施方案|工作方案|行动计划|若干措施|若干政策|若干意见|规划")
# offices that coordinate a whole plan: its issuer drafted it, it does not run every measure
_COORDINATING = ("区发展改革委", "市发展改革委", "区政府办公室", "市政府办公厅")
_RECEIVE = r"(?:受理|审核|初审|审查|评审|申报|咨询|接收)"


def document_assignments(
    text: str, district: str | None, lex: Lexicons | None = None, issuer: str | None = None, title: str | None = None
) -> DocContext:
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
    head = title or "".join(paras[:3])
    programme = bool(PROGRAMME_TITLE.search(head)) and not _PLAN_TITLE.search(head)
    if programme or re.search(r"申报|指南|申请|受理", "".join(paras[:6])):
        out.extend(_receivers(paras, canon_ok, lst))
    programme = programme or bool(re.search(r"申报|指南|申请", head))
    # a document that is neither a programme nor a plan (a line department's 实施意见 or 规定 on
    # what it regulates: 黄浦 区城管执法局's 外摆位实施意见) is run by its issuer
    regulation = not programme and not _PLAN_TITLE.search(head)
    out.extend(_issuers(paras, district, lex, issuer, programme, regulation))
    return DocContext(out)


def _receivers(paras: list[str], canon_ok, lst: str) -> list[Assignment]:
    """The receiving office a programme names: ``由区发改委受理``, ``区发展改革委负责项目受理
    和审核``, ``向区发改委提交``, ``受理部门:区商务委``, ``咨询部门:…``."""
    out: list[Assignment] = []
    pats = [
        re.compile(rf"(?:由|向|经|至|到){lst}(?:负责|统一|进行|组织|集中)?(?:{_RECEIVE}|提交|报送|提出申请)"),
        re.compile(rf"(?:^|[,，;；。:：])\s*{lst}(?:负责|统一|组织)(?:[^,，;；。]{{0,12}}){_RECEIVE}"),
        re.compile(rf"(?:受理|审核|咨询|联系|主管)(?:部门|单位|机构)\s*(?:为|是|[:：])\s*{lst}"),
    ]
    for para in paras:
        found: list[str] = []
        for rx in pats:
            for m in rx.finditer(para):
                for x in re.split(r"[、,，和及与]", m.group(1)):
                    canon = canon_ok(x)
                    if canon and canon not in found:
                        found.append(canon)
        if len(set(re.findall(r"向([^,，;；。]{2,12}?)(?:申报|提交|报送)", para))) >= 2:
            continue  # a routing by sector (商业企业向区商务委申报,工业企业向区科经委申报): no one receiver
        for canon in found:
            if all(a.office != canon for a in out):
                out.append(Assignment(canon, (), para[:60], "receiver"))
    return out


_DATE_LINE = re.compile(r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年.{1,3}月.{1,3}日\s*$")


def _signatures(paras: list[str]) -> list[str]:
    """The signature block of a notice, wherever it stands (a joint 印发 notice signs before
    the plan it issues): the name-only lines just above a date line (上海市奉贤区经济委员会 /
    上海市奉贤区科学技术委员会 / … / 2024年5月22日)."""
    out: list[str] = []
    for k, p in enumerate(paras):
        if not _DATE_LINE.match(p):
            continue
        j = k
        while (
            j > 0
            and k - j < 12
            and len(paras[j - 1]) <= 60
            and not re.search(r"[,，。;；:：、\d《》()（）]", paras[j - 1])
        ):
            j -= 1
        out += paras[j:k]
    return out


def _issuers(
    paras: list[str],
    district: str | None,
    lex: Lexicons,
    issuer: str | None = None,
    programme: bool = False,
    regulation: bool = False,
) -> list[Assignment]:
    """The issuing body: the document's 发布单位 (``issuer``), the bodies a ``…关于印发`` line
    names, a front-matter ``发布单位:`` line, or a signature line at the end. The issuer of a
    programme runs it (kind ``issuer``); the issuer of a plan or 若干措施 drafted it and runs
    its measures only when it is a line department (kind ``plan_issuer``); a line
    department's own regulation (``regulation``: neither a programme nor a plan — 外摆位实施意见)
    is run by it (kind ``issuer``), a coordinating issuer's is not (市发展改革委's 绿电 实施意见)."""
    out: list[Assignment] = []
    cands = [issuer] if issuer else []
    for p in paras[:3]:
        m = re.match(r"^(.{4,60}?)(?:关于|印发|转发)", p)
        if m:
            cands.append(m.group(1))
    cands += [
        re.sub(r"^(?:发布单位|发文单位|发文机关|发布机构)\s*[:：]\s*", "", p)
        for p in paras[:12]
        if re.match(r"^(?:发布单位|发文单位|发文机关|发布机构)\s*[:：]", p)
    ]
    cands += [p for p in paras[-8:] if len(p) <= 30 and not re.search(r"[,，。;；:：\d]", p)]
    amap = lex.office_alias_map()
    reg = load_register()

    def bodies(c: str):
        for part in re.split(r"[、,，\s]+", c):
            name = normalise_office(part, lex)
            canon = canonical_office(part, district, lex)
            known = name in amap.values() or reg.has(canon, district)  # 区水务局: the register's
            if known and fits_level(name, district, lex):
                yield name, canon

    for c in cands:
        for name, canon in bodies(c):
            if not programme and (name in _COORDINATING or canon in _COORDINATING):
                continue  # a plan's drafter, not the office that runs its measures
            kind = "issuer" if programme or regulation else "plan_issuer"
            if all(a.office != canon for a in out):
                out.append(Assignment(canon, (), c, kind))
    # the other signatories of a joint notice: the document's offices, named where nothing
    # else points anywhere (they do not each run every measure)
    for c in _signatures(paras):
        for name, canon in bodies(c):
            if name in _COORDINATING or canon in _COORDINATING:
                continue
            if all(a.office != canon for a in out):
                out.append(Assignment(canon, (), c, "co_issuer"))
    return out


def assigned_offices(
    scan: str, ctx: list[Assignment], score_of: dict[str, float] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """For one measure: (the offices whose field its words name, in the order the words
    come; the programme's receiving office and issuer, which run every measure of it; the
    document's other offices — those it names as leading (统筹…) first, then the others
    ranked by the lexicon's score for this measure; the other signatories of a joint notice,
    in the order they sign), each with its evidence."""
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
    firsts: list[tuple[str, str]] = []
    for kind in ("receiver", "issuer"):
        for a in ctx:
            if a.kind == kind and a.office not in [x for x, _ in firsts]:
                firsts.append((a.office, f"文件另行写明:“{a.quote[:40]}”"))
    defaults: list[tuple[int, float, int, str, str]] = []
    for k, a in enumerate(ctx):
        if not a.terms and a.kind not in ("receiver", "issuer", "co_issuer"):
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
        if o not in [x for x, _ in out] and o not in [x for x, _ in firsts]:
            out.append((o, why))
    taken = {x for x, _ in [*firsts, *out]}
    signed = sorted(
        ((a.office, f"文件另行写明:“{a.quote[:40]}”") for a in ctx if a.kind == "co_issuer" and a.office not in taken),
        key=lambda x: -score_of.get(x[0], 0.0),
    )
    return fields, firsts, out, signed
