"""Document text → repaired text → parsed clauses → enriched measures (a :class:`Document`).

The one place that strings the engine's first half together; the knowledge base, the
CLI's ``ingest`` and the GUI's import all call :func:`build_document`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path

from matcher.common import limits
from matcher.common.cleantext import clean_field, strip_controls
from matcher.common.ids import measure_id
from matcher.common.limits import MAX_MEASURES
from matcher.common.paths import seeds_dir
from matcher.common.text import normalize, repair
from matcher.errors import BadInput
from matcher.models import CITY, Document
from matcher.reading.meta import split_front_matter, strip_furniture
from matcher.reading.parse import clause_id, parse_document


def resolve_district(value: str) -> str:
    """A --district value → a district name or CITY (上海市/全市/市级), by the engine's one
    resolver (:func:`matcher.profile.resolver.resolve_district`); BadInput naming what is accepted."""
    from matcher.profile.resolver import resolve_district as resolve

    return resolve(value, field="--district", city=True)


@lru_cache(maxsize=1)
def district_forms() -> list[tuple[str, list[str]]]:
    """(district, short forms) pairs from resources/profile.toml."""
    from matcher.profile.company import load_profile_rules

    rules = load_profile_rules()
    out = []
    for d in rules.districts:
        out.append((d.name, list(getattr(d, "aliases", []) or [])))
    return out


def _slug(district: str, issued: str | None, title: str, sha: str) -> str:
    from matcher.profile.resolver import district_slug  # pinyin of the district, for document ids ("hongkou-2023")

    base = district_slug(district)
    year = (issued or "")[:4] or "nd"
    return f"{base}-{year}"


# a line that starts like a numbered item: 一、 (一) 1. 1、 (1) ①, full-width forms too
#: how to name a document's district when it cannot be told, on the command line; a front end
#: with its own way (the window's import report: DISTRICT_HINT_WINDOW) puts that in its place
DISTRICT_HINT = "请用 --district 指定(如 --district 虹口区;市级文件用 --district 上海市)。"
DISTRICT_HINT_WINDOW = "请在下方“所在区”中选择后重新导入(市级文件选“上海市”)。"

_NUMBERED = re.compile(
    r"^[ \t\u3000]*(?:[一二三四五六七八九十百]{1,4}[、.．]|[（(][一二三四五六七八九十百]{1,4}[)）]"
    r"|[0-9０-９]{1,5}[、.．)）]|[（(][0-9０-９]{1,5}[)）]|[\u2460-\u2473\u2776-\u277f])",
    re.M,
)


def count_numbered_lines(text: str) -> int:
    """How many lines start like a numbered item (one regex pass: milliseconds for the
    largest text accepted), to refuse a data table or many documents pasted together
    before the seconds of repair and parsing (:data:`limits.MAX_NUMBERED_LINES`)."""
    return sum(1 for _ in _NUMBERED.finditer(text))


def build_document(
    raw_text: str,
    *,
    source_file: str,
    sha256: str | None = None,
    doc_id: str | None = None,
    district: str | None = None,
    title: str | None = None,
    issued: str | None = None,
    source: str = "seed",
) -> Document:
    """Repair, parse and enrich one document. Raises :class:`BadInput` when the text is not
    a policy document with numbered measures, or its district cannot be told."""
    from matcher.reading.enrich import enrich
    from matcher.rules.lexicon import load_lexicons

    name = Path(source_file).name
    raw_text = strip_controls(raw_text)  # terminal escapes and bidi controls: never stored, printed or shown
    title = clean_field(title) if title else title
    if not raw_text or not raw_text.strip():
        raise BadInput(f"文件 {name} 是空的:没有可以读取的文字。请选择一份政策文件(.txt .docx .pdf .html)。")
    numbered = count_numbered_lines(raw_text)
    if numbered > limits.MAX_NUMBERED_LINES:  # said before the costly steps (repair, parse, enrich)
        raise BadInput(
            f"文件 {name} 中有 {numbered:,} 行以编号开头的条目,超过一份文件的上限 {limits.MAX_NUMBERED_LINES:,} 条,"
            "未解析。这不像一份政策文件(可能是多份文件合在一起,或是数据表);请拆分后分别导入。"
        )
    sha = sha256 or hashlib.sha256(raw_text.encode("utf-8")).hexdigest()
    fm, body = split_front_matter(raw_text)
    body, n_furniture, md_title = strip_furniture(body)
    report = repair(body)
    if n_furniture:
        report.repairs["furniture"] = report.repairs.get("furniture", 0) + n_furniture
    cjk = sum(1 for c in report.text if "\u4e00" <= c <= "\u9fff")
    if cjk < 30:
        raise BadInput(
            f"文件 {name} 不像一份政策文件:只有 {cjk} 个汉字。"
            "PolicyDesk 接受带编号措施的中文政策文件(如“一、…(一)…1.…”)。"
        )
    fm = {k: normalize(v) for k, v in fm.items()}
    parsed = parse_document(report.text, district_forms(), fm=fm, md_title=normalize(md_title) if md_title else None)
    if len(parsed.measures) > MAX_MEASURES:
        raise BadInput(
            f"文件 {name} 中有 {len(parsed.measures):,} 条编号条目,超过一份文件的上限 {MAX_MEASURES:,} 条。"
            "这不像一份政策文件(可能是多份文件合在一起,或是数据表);请拆分后分别导入。"
        )
    if not parsed.measures:
        raise BadInput(
            f"文件 {name} 中没有找到编号的措施条目。PolicyDesk 需要按“一、”“(一)”“1.”“(1)”"
            "等编号列出的措施;请确认这是一份政策文件,或先整理编号后再导入。"
        )
    # a zone's document (临港新片区) is filed under its first district; parsed.districts names
    # them all (Document has no field for the others yet)
    district = resolve_district(district) if district else parsed.district
    if not district:
        raise BadInput(
            f"无法从文件 {name} 的发布单位、标题或文件信息判断它是哪个区的文件,还是市级文件。" + DISTRICT_HINT
        )
    level = "市级" if district == CITY else "区级"
    title = title or parsed.title or Path(source_file).stem
    issued = issued or parsed.issued
    doc_id = doc_id or _slug(district, issued, title, sha)

    lex = load_lexicons()
    from matcher.knowledge.office_context import document_assignments

    # who runs what, doc-wide: assignments, the receiving office, the issuer of a programme
    doc_context = document_assignments(report.text, district, lex, issuer=parsed.issuer, title=title)
    measures = []
    ids = [clause_id(m.clause) for m in parsed.measures]
    counts = Counter(ids)
    dup = {i for i, n in counts.items() if n > 1}
    used: set[str] = set()
    for order, (raw, cid) in enumerate(zip(parsed.measures, ids)):
        m = enrich(
            raw,
            doc_id=doc_id,
            district=district,
            document=title,
            issued=issued,
            order=order,
            lex=lex,
            source=source,
            doc_context=doc_context,
        )
        if cid in dup or not cid:
            cid = ".".join(re.findall(r"\d+|[一二三四五六七八九十百零〇]+", "".join(f"{p}." for p in raw.path))) or str(
                order + 1
            )
        base, n = cid, 1
        while cid in used:  # the same numbering twice (a text pasted twice): never a clash
            n += 1
            cid = f"{base}-{n}"
        used.add(cid)
        measures.append(m.model_copy(update={"measure_id": measure_id(doc_id, cid), "level": level}))
    from matcher.knowledge.fill import fill_document  # valid_until, materials, contacts … (issue 10)

    measures = fill_document(measures, report.text, issued, getattr(parsed, "valid_until", None))
    return Document(
        doc_id=doc_id,
        district=district,
        level=level,
        title=title,
        issued=issued,
        issuer=parsed.issuer,
        doc_number=parsed.doc_number,
        valid_from=parsed.valid_from,
        valid_until=parsed.valid_until,
        skipped=parsed.skipped,
        numbering=parsed.numbering,
        source_file=name,
        sha256=sha,
        source=source,
        repairs=report.repairs,
        unrepaired=report.unrepaired,
        measures=measures,
    )


@lru_cache(maxsize=1)
def seed_manifest() -> dict[str, dict]:
    path = seeds_dir() / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {d["file"]: d for d in data.get("documents", [])}


def build_seed_documents() -> list[Document]:
    """The documents in seeds/, in file order."""
    docs = []
    manifest = seed_manifest()
    for path in sorted(seeds_dir().glob("*.txt")):
        data = path.read_bytes()
        hint = manifest.get(path.name, {})
        text = data.decode("utf-8-sig")
        doc = build_document(
            text,
            source_file=path.name,
            sha256=hashlib.sha256(data).hexdigest(),
            doc_id=hint.get("doc_id"),
            district=hint.get("district"),
            issued=None,
            source="seed",
        )
        if doc.issued is None and hint.get("issued"):
            doc = doc.model_copy(
                update={
                    "issued": hint["issued"],
                    "measures": [m.model_copy(update={"issued": hint["issued"]}) for m in doc.measures],
                }
            )
        docs.append(doc)
    return docs
