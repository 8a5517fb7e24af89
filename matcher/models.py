"""Plain pydantic records shared by every stage. No logic beyond small helpers."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypedDict

from pydantic import BaseModel, Field

OfficeSource = Literal["stated", "inferred", "none"]
Level = Literal["区级", "市级"]
CITY = "上海市"  # the district value of a city-level (市级) document


class Spot(BaseModel):
    """A place in a document the repairer could not fix."""

    line: int
    snippet: str
    why: str


class RepairReport(BaseModel):
    """Output of :func:`matcher.common.text.repair`."""

    text: str
    repairs: dict[str, int] = Field(default_factory=dict)
    unrepaired: list[Spot] = Field(default_factory=list)


class RawMeasure(BaseModel):
    """A measure as the parser sees it, before enrichment."""

    path: list[str]  # clause labels from the top, e.g. ["二", "(一)", "12", "(4)"]
    clause: str  # display label, e.g. "12.(4)", "(七)2.", "5、", "十、(一)"
    heading: str = ""  # the item's own heading (or its topic's, when it has none)
    parents: list[str] = Field(default_factory=list)  # headings of the enclosing chapters/topics
    text: str  # full cleaned text of the item (heading sentence included)
    sentences: list[str] = Field(default_factory=list)
    star: bool = False
    section: Literal["task", "safeguard"] = "task"  # 保障措施/组织保障 chapters are "safeguard"
    office_note: str = ""  # the trailing "(牵头责任部门:…)" as written, removed from text
    line: int = 0  # 1-based line in the repaired text where the item starts
    support: bool = False  # a support item of a programme (a notice's 支持范围 / 申报项目 item)


class Skipped(BaseModel):
    """A numbered node of a document that is not a measure, and why (never dropped in silence)."""

    label: str  # the node's clause label, e.g. "四、(二)" or "附件2"
    snippet: str  # its first words
    why: str  # plain Chinese: 章节标题 / 总体要求 / 申报材料清单 / 附则 …
    kind: str = ""  # heading | preamble | scope | procedure | materials | contact | closing | footnote | other
    line: int = 0
    role: str = ""  # what the node is (matcher.knowledge.roles): heading, condition, material, procedure …


class ParsedDocument(BaseModel):
    district: str | None = None  # a district name, or CITY for 市级
    level: Level | None = None  # None: the text does not say
    districts: list[str] = Field(default_factory=list)  # a zone's districts (临港新片区 …)
    title: str | None = None
    issued: str | None = None  # YYYY-MM-DD, or YYYY when only the year is known
    issuer: str | None = None  # 发布单位 / the issuing body
    doc_number: str | None = None  # 文号, e.g. 松发改规〔2025〕5号
    valid_from: str | None = None  # 自…起施行
    valid_until: str | None = None  # 有效期至… (YYYY-MM-DD)
    skipped: list[Skipped] = Field(default_factory=list)
    numbering: list[str] = Field(default_factory=list)  # numbering gaps / restarts, reported
    measures: list[RawMeasure] = Field(default_factory=list)
    clause_tree: list[dict] = Field(default_factory=list)  # nested {"label","heading","children"}


class Measure(BaseModel):
    """An enriched measure, as stored in the knowledge base and shown to users."""

    measure_id: str  # "<doc_id>/<clause path joined by .>", stable across rebuilds
    doc_id: str
    district: str  # a district, or CITY ("上海市") for a city-level document
    level: Level = "区级"
    document: str
    issued: str | None = None
    clause: str
    path: list[str] = Field(default_factory=list)
    title: str = ""  # short heading shown in lists
    parents: list[str] = Field(default_factory=list)
    text: str
    sentences: list[str] = Field(default_factory=list)
    offices: list[str] = Field(default_factory=list)  # shown: stated as written, else inferred
    office_source: OfficeSource = "none"
    # the recognised office of each of `offices` in this district (区科经委 → 区科技经济委 in
    # 静安区), duplicates dropped; what grouping by office uses (matcher.knowledge.offices.group_office)
    offices_canonical: list[str] = Field(default_factory=list)
    offices_lead: list[str] = Field(default_factory=list)  # stated lead offices, as written
    offices_support: list[str] = Field(default_factory=list)  # stated supporting offices, as written
    offices_inferred: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    areas: list[str] = Field(default_factory=list)
    star: bool = False
    internal: bool = False
    enterprise_facing: bool = True
    # what the item is for a firm (matcher.knowledge.roles): benefit | service (offered) |
    # obligation | penalty | condition | material | procedure | governance | internal | scope |
    # heading | other (context). "" in a knowledge base built before roles: read as offered
    # unless internal.
    role: str = ""
    # who receives it (matcher.knowledge.audience): {"who", "source": sentence|section|title|
    # scope|place, "quote", "activity"?: an activity the firm must have (a question when the
    # profile does not state it), "place"?: a zone or park it is limited to, "aliases"?}
    audience: dict[str, Any] = Field(default_factory=dict)
    evidence: dict[str, dict[str, str]] = Field(default_factory=dict)
    # evidence[kind][tag] = the words in the text that triggered the tag, e.g.
    # evidence["audiences"]["专精特新企业"] = "专精特新企业"; kinds: audiences, categories,
    # industries, areas, offices_inferred, internal
    order: int = 0  # position in the document
    source: Literal["seed", "user"] = "seed"
    # what the measure asks and gives (matcher.knowledge.conditions, matcher.knowledge.entitlements); empty
    # when the document does not state it — never invented
    conditions: list[dict] = Field(default_factory=list)
    # [{"kind": audience|size|ownership|stage|industry|area|age|threshold, "text", "quote",
    #   "field"?, "op"?, "value"?, "unit"?, "name"?}]; "met" is decided per profile
    amounts: list[dict] = Field(default_factory=list)
    # [{"text": "最高500万元", "kind": cap|fixed|range|rate|per_unit, "value", "unit", "wan", "quote"}]
    window: dict[str, Any] = Field(default_factory=dict)
    # {"text", "start"?, "end"? (YYYY-MM-DD), "quote", "source": measure|document}
    valid_until: str | None = None  # the document's 有效期 end (YYYY-MM-DD)
    materials: list[str] = Field(default_factory=list)  # 申报材料 items, as written
    how_to_apply: dict[str, Any] = Field(default_factory=dict)
    # {"online": [...], "offices": [...], "by_applicant": [{"who", "office"}], "address": [...], "email": [...], "quote"}
    contact: dict[str, Any] = Field(default_factory=dict)
    # {"people": [...], "phones": [...], "email": [...], "offices": [{"office", "phone"}], "quote"}


class Document(BaseModel):
    doc_id: str  # slug, e.g. "hongkou-2023"
    district: str  # a district, or CITY for 市级
    level: Level = "区级"
    title: str
    issued: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    skipped: list[Skipped] = Field(default_factory=list)
    numbering: list[str] = Field(default_factory=list)
    source_file: str
    sha256: str
    source: Literal["seed", "user"] = "seed"
    repairs: dict[str, int] = Field(default_factory=dict)
    unrepaired: list[Spot] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)


class Reason(BaseModel):
    """Why a result matched, in plain Chinese, quoting the measure's words."""

    kind: Literal["district", "audience", "need", "industry", "area", "keyword", "general", "amount", "condition"]
    text: str  # e.g. 面向专精特新企业:原文“为重点企业和专精特新企业提供”
    quote: str = ""  # the words of the measure that triggered it
    category: str = ""  # for a need: the benefit category that serves it
    word: str = ""  # for a keyword: the form of the firm's word found in the measure


class Result(BaseModel):
    """One line of a match answer (see docs/ARCHITECTURE.md, the CLI contract)."""

    rank: int
    measure: Measure
    score: float
    status: Literal["applies", "near"]
    tier: Literal["targeted", "general", "near", "unknown", "expired"] = "general"
    conditions: list[dict] = Field(default_factory=list)  # the measure's, each with "met"
    questions: list[str] = Field(default_factory=list)  # for `unknown`: what to ask the company
    expired: bool = False
    missing: list[str] = Field(default_factory=list)  # conditions that would make it apply
    reasons: list[Reason] = Field(default_factory=list)
    matched_sentences: list[str] = Field(default_factory=list)
    matched_terms: list[str] = Field(default_factory=list)  # words to highlight in the text


class MatchResponse(BaseModel):
    profile: dict
    kb: dict  # {"documents": N, "measures": N, "version": "..."}
    results: list[Result] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # e.g. 关键词“xx”在任何措施中都未找到
    as_of: str = ""  # the date expiry was judged against (YYYY-MM-DD)
    tiers: dict = Field(default_factory=dict)  # tier → how many candidates have it (fails too), whole


# ---------------------------------------------------------------- the engine's plain answers
# The shapes :class:`matcher.engine.Engine` returns besides the records above (what ``kb
# stats``, ``match --all``, ``match --since`` and the packs print as JSON): typed, so that a
# front end reads named fields, never ``Any``.

#: a value of a JSON document (what ``--format json`` prints)
JSONValue: TypeAlias = "str | int | float | bool | None | list[JSONValue] | dict[str, JSONValue]"
JSONObject: TypeAlias = "dict[str, JSONValue]"


class KBInfo(TypedDict):
    """The ``kb`` of a match answer: how many documents and measures, and the version."""

    documents: int
    measures: int
    version: str


class SpotDict(TypedDict):
    line: int
    snippet: str
    why: str


class SkippedDict(TypedDict):
    label: str
    snippet: str
    why: str


class DocumentFields(TypedDict):
    """What a document says about itself (``kb stats``, the import report)."""

    level: str
    issuer: str | None
    doc_number: str | None
    valid_from: str | None
    valid_until: str | None
    skipped: list[SkippedDict]
    numbering: list[str]


class DocumentStats(DocumentFields):
    """One document of ``kb stats --format json``."""

    id: str
    district: str
    title: str
    issued: str | None
    measures: int
    internal: int
    stated_offices: int
    repairs: dict[str, int]
    unrepaired: list[SpotDict]


class KBStats(TypedDict):
    """``kb stats --format json``."""

    measures: int
    documents: list[DocumentStats]


class OverviewRow(TypedDict):
    """One measure of ``match --all``: its status for the profile, and where it is."""

    measure_id: str
    internal: bool
    rank: int | None
    why: str
    tier: str | None
    status: str
    clause: str
    title: str
    document: str
    issued: str | None
    offices: list[str]
    office_source: str


class _ChangeRowBase(TypedDict):
    measure_id: str
    district: str
    document: str
    clause: str
    title: str
    offices: list[str]


class ChangeRow(_ChangeRowBase, total=False):
    """A measure that changed for a client: ``changes`` (field → before/after) for a changed
    one, ``valid_until`` for an expired one, ``why`` for one no longer targeted."""

    changes: dict[str, dict[str, JSONValue]]
    valid_until: str
    why: str


class ChangeDiff(TypedDict):
    """What changed for a profile since a moment (``match --since``)."""

    since: str
    today: str
    newly_targeted: list[ChangeRow]
    changed: list[ChangeRow]
    expired: list[ChangeRow]
    no_longer_targeted: list[ChangeRow]


class ClientChanges(TypedDict):
    """A saved client (its profile file's name), since when, and what changed."""

    name: str
    since: str
    diff: ChangeDiff


class Correction(TypedDict):
    """An officer's correction of a measure (kept apart from the documents, applied on read)."""

    id: int
    measure_id: str
    kind: str
    field: str | None
    value: JSONValue
    note: str
    created_at: str


class LibraryStatus(TypedDict, total=False):
    """The shared policy library last applied (``library_state.json``)."""

    library: str
    pack: str
    created: str
    content_sha256: str
    applied_at: str


class PackEntry(TypedDict):
    """A document of a policy pack as exported."""

    doc_id: str
    title: str
    district: str
    measures: int


class PackExport(TypedDict):
    """What ``pack export`` wrote: the file, what it holds, and the key that signed it."""

    path: str
    districts: list[str]
    documents: list[PackEntry]
    corrections: int
    office_directory: int
    signed_by: str  # the signing key's id


class KeyInfo(TypedDict):
    """A policy-pack signing key, as a person names it: its id (a fingerprint) and name."""

    id: str
    name: str


class SigningKey(KeyInfo):
    """A key pair ``pack keygen`` made: the private key's file and the public key's."""

    private: str
    public: str


class TrustedKey(KeyInfo):
    """A public key this counter trusts (``pack trust``): when it was added, and its line."""

    added_at: str
    key: str
