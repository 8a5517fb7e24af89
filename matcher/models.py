"""Plain pydantic records shared by every stage. No logic beyond small helpers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

OfficeSource = Literal["stated", "inferred", "none"]


class Spot(BaseModel):
    """A place in a document the repairer could not fix."""

    line: int
    snippet: str
    why: str


class RepairReport(BaseModel):
    """Output of :func:`matcher.text.repair`."""

    text: str
    repairs: dict[str, int] = Field(default_factory=dict)
    unrepaired: list[Spot] = Field(default_factory=list)


class RawMeasure(BaseModel):
    """A measure as the parser sees it, before enrichment."""

    path: list[str]            # clause labels from the top, e.g. ["二", "(一)", "12", "(4)"]
    clause: str                # display label, e.g. "12.(4)", "(七)2.", "5、", "十、(一)"
    heading: str = ""          # the item's own heading (or its topic's, when it has none)
    parents: list[str] = Field(default_factory=list)  # headings of the enclosing chapters/topics
    text: str                  # full cleaned text of the item (heading sentence included)
    sentences: list[str] = Field(default_factory=list)
    star: bool = False
    section: Literal["task", "safeguard"] = "task"   # 保障措施/组织保障 chapters are "safeguard"
    office_note: str = ""      # the trailing "(牵头责任部门:…)" as written, removed from text
    line: int = 0              # 1-based line in the repaired text where the item starts


class ParsedDocument(BaseModel):
    district: str | None = None
    title: str | None = None
    issued: str | None = None  # YYYY-MM-DD, or YYYY when only the year is known
    measures: list[RawMeasure] = Field(default_factory=list)
    clause_tree: list[dict] = Field(default_factory=list)  # nested {"label","heading","children"}


class Measure(BaseModel):
    """An enriched measure, as stored in the knowledge base and shown to users."""

    measure_id: str            # "<doc_id>/<clause path joined by .>", stable across rebuilds
    doc_id: str
    district: str
    document: str
    issued: str | None = None
    clause: str
    path: list[str] = Field(default_factory=list)
    title: str = ""            # short heading shown in lists
    parents: list[str] = Field(default_factory=list)
    text: str
    sentences: list[str] = Field(default_factory=list)
    offices: list[str] = Field(default_factory=list)          # what is shown: stated, else inferred
    office_source: OfficeSource = "none"
    offices_lead: list[str] = Field(default_factory=list)     # stated lead offices (normalised)
    offices_support: list[str] = Field(default_factory=list)  # stated supporting offices
    offices_inferred: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    areas: list[str] = Field(default_factory=list)
    star: bool = False
    internal: bool = False
    enterprise_facing: bool = True
    evidence: dict[str, dict[str, str]] = Field(default_factory=dict)
    # evidence[kind][tag] = the words in the text that triggered the tag, e.g.
    # evidence["audiences"]["专精特新企业"] = "专精特新企业"; kinds: audiences, categories,
    # industries, areas, offices_inferred, internal
    order: int = 0             # position in the document
    source: Literal["seed", "user"] = "seed"


class Document(BaseModel):
    doc_id: str                # slug, e.g. "hongkou-2023"
    district: str
    title: str
    issued: str | None = None
    source_file: str
    sha256: str
    source: Literal["seed", "user"] = "seed"
    repairs: dict[str, int] = Field(default_factory=dict)
    unrepaired: list[Spot] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)


class Reason(BaseModel):
    """Why a result matched, in plain Chinese, quoting the measure's words."""

    kind: Literal["district", "audience", "need", "industry", "area", "keyword", "general"]
    text: str                  # e.g. 面向专精特新企业:原文“为重点企业和专精特新企业提供”
    quote: str = ""            # the words of the measure that triggered it
    category: str = ""         # for a need: the benefit category that serves it


class Result(BaseModel):
    """One line of a match answer (see DESIGN.md, the CLI contract)."""

    rank: int
    measure: Measure
    score: float
    status: Literal["applies", "near"]
    missing: list[str] = Field(default_factory=list)   # conditions that would make it apply
    reasons: list[Reason] = Field(default_factory=list)
    matched_sentences: list[str] = Field(default_factory=list)
    matched_terms: list[str] = Field(default_factory=list)  # words to highlight in the text


class MatchResponse(BaseModel):
    profile: dict
    kb: dict                   # {"documents": N, "measures": N, "version": "..."}
    results: list[Result] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)   # e.g. 关键词“xx”在任何措施中都未找到
