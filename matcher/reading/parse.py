"""Repaired document text → metadata + the whole outline → measures and skipped nodes.

Pure functions. :mod:`matcher.reading.outline` reads the numbered nodes (standard hierarchy of
Chinese official documents: 第X章 > 第X条 > 一、 > (一) > 1. > (1) > ①), a covering
notice and its attachments, and the closing matter; :mod:`matcher.reading.meta` reads the front
matter, title, issuing body, 文号, dates, validity, level and district.

Every numbered node without numbered children is one measure, unless its section says
otherwise: the opening (总体要求, 指导思想, 目标 …), scope (适用范围, 支持对象), materials,
procedure, contact and closing (附则) sections are skipped, each with why. Nodes with
numbered children are headings (skipped as such). 保障措施 / 组织保障 chapters are kept and
marked "safeguard" (internal). A notice with no support items of its own (a 申报通知 that
forwards a fund) becomes one programme measure, so the office, window and contact can be
shown; its numbered lists are skipped with why.
"""

from __future__ import annotations

import re
from typing import Any

from matcher.knowledge.offices import split_note
from matcher.knowledge.roles import heading_role, instruction_role, skipped_role
from matcher.models import ParsedDocument, RawMeasure, Skipped
from matcher.reading.meta import ISSUED_TITLE_RE, TITLE_RE, inner_title, outline_rules, read_meta
from matcher.reading.outline import CN_NUM, Node, build, heading_words, numbering_problems, section_of

DATE_RES = [
    re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(20\d\d)-(\d{1,2})-(\d{1,2})(?!\d)"),
]
# a notice that organises an application round, and the words of a benefit with an amount
APPLY_NOTICE_RE = re.compile(
    r"^(?:[^关《》]{2,30}?)?关于(?:组织)?(?:开展|做好|组织|启动)?[^《》]{0,60}(?:申报|申请)[^《》]{0,30}的通知$"
)
# the sections of a programme that hold what it supports (its measures), and the words of support
SUPPORT_SEC_RE = re.compile(
    r"支持范围|支持标准|支持重点|支持内容|支持方向|扶持范围|扶持标准|资助范围|资助标准|补贴标准|补贴范围|申报项目|奖励标准"
)
SUPPORT_RE = re.compile(r"补贴|奖励|资助|扶持|贴息|补助")
AMOUNT_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|%|‰)|最高(?:不超过)?\d|不超过\d")
# a notice that forwards a support programme: applying for a fund, a subsidy, a project
PROGRAMME_RE = re.compile(r"申报|申请|指南|专项资金|引导资金|扶持资金|补贴|奖励|资助")


def split_heading(rest: str) -> tuple[str, str]:
    """``实施透明规范的市场准入。探索…`` → (``实施透明规范的市场准入``, whole text)."""
    m = re.match(r"^([^。;!?？]{2,40}?)[。;]", rest)
    if m and len(m.group(1)) <= 30 and "," not in m.group(1):
        return m.group(1), rest
    if "。" not in rest and len(rest) <= 40:
        return rest.rstrip("。"), rest
    return "", rest


SENT_RE = re.compile(r"[^。;!?？]+[。;!?？]?")


def sentences(text: str) -> list[str]:
    out = []
    for para in text.split("\n"):
        for m in SENT_RE.finditer(para):
            s = m.group(0).strip()
            if len(s.strip("。;!? ")) >= 2:
                out.append(s)
    return out


def _find_date(lines: list[str]) -> str | None:
    for line in lines:
        for rx in DATE_RES:
            m = rx.search(line)
            if m:
                y, mo, d = (int(x) for x in m.groups())
                if 1 <= mo <= 12 and 1 <= d <= 31:
                    return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _find_title(head: list[str]) -> str | None:
    # a title written inside 《》 in a covering notice
    quoted = None
    for line in head:
        m = ISSUED_TITLE_RE.search(line)
        if m and TITLE_RE.search(m.group(1)):
            quoted = m.group(1)
            break
    for i, line in enumerate(head):
        if quoted and line == quoted:
            return line
        if (
            TITLE_RE.search(line)
            and "《" not in line
            and not line.endswith(":")
            and len(line) <= 80
            and "。" not in line
            and "," not in line
        ):
            # a title broken over two lines: join the short line above it
            if (
                i > 0
                and head[i - 1]
                and len(head[i - 1]) <= 24
                and not re.search(r"[。,:;]", head[i - 1])
                and not TITLE_RE.search(head[i - 1])
                and not _find_date([head[i - 1]])
            ):
                return f"{head[i - 1]} {line}"
            return line
    return quoted


def _expected_titles(fm: dict, md_title: str | None, lines: list[str]) -> list[str]:
    """Titles the plan may repeat as a line of its own: the front matter's, the Markdown
    title's, and the document a covering notice issues (现将《X》印发, 附件:《X》)."""
    out = []
    for t in (fm.get("标题"), md_title):
        if t and t != "-":
            out += [inner_title(t)]
    for line in lines[:40]:
        for m in ISSUED_TITLE_RE.finditer(line):
            if TITLE_RE.search(m.group(1)):
                out.append(m.group(1))
        named = re.match(r"^附件\s*\d*\s*[::]\s*《([^》]{4,90})》", line)
        if named:
            out.append(named.group(1))
    return out


def parse_document(
    text: str,
    districts: list[tuple[str, list[str]]] | None = None,
    fm: dict[str, str] | None = None,
    md_title: str | None = None,
) -> ParsedDocument:
    """Parse repaired text. ``districts``: (name, short forms) pairs used to name the district;
    ``fm``/``md_title``: the front matter and Markdown title read off before repair."""
    fm = fm or {}
    lines = text.split("\n")
    outline = build(text, _expected_titles(fm, md_title, lines))
    why = outline_rules().why
    skipped: list[Skipped] = list(outline.skipped)
    numbering: list[str] = []
    per_seg: list[tuple] = []  # (segment, measures, skipped, tree)
    displays: dict[int, list[str]] = {}  # id(measure) → the labels of its path
    # id(measure) → (its full label, its heading words nearest first, the text introducing it)
    places: dict[int, tuple[str, list[str], str]] = {}
    facts: list[tuple[str, str]] = []  # (kind, text) of skipped numbered leaves
    support: list[tuple[Skipped, RawMeasure]] = []  # scope leaves of a 支持范围 naming a benefit

    for seg in outline.segments:
        measures: list[RawMeasure] = []
        seg_skipped: list[Skipped] = []
        tree: list[dict] = []

        def walk(node: Node, path: list[Node], inherited: str | None, out_tree: list):
            for child in node.children:
                ch_path = path + [child]
                # a leaf is classified by its own short heading only (规范监管执法。… is not 适用范围)
                own = (
                    section_of(child)
                    if (child.children or node.kind == "root")
                    else (section_of(child, child.heading) if child.heading else None)
                )
                if own == "safeguard" and node.kind != "root":
                    own = None  # 保障措施 is a chapter; "…综合保障机制" inside a chapter is not
                kind = inherited if inherited not in (None, "task") else (own or inherited)
                if inherited == "safeguard" and own not in (None, "task", "safeguard"):
                    kind = own
                title_text = child.heading or child.body[0][:30]
                entry: dict[str, Any] = {"label": child.display(), "heading": title_text, "children": []}
                out_tree.append(entry)
                label = _full_label(ch_path, seg.label)
                words = [heading_words(n) for n in reversed(ch_path)]
                if child.children:
                    seg_skipped.append(
                        Skipped(
                            label=label,
                            snippet=_snip(child),
                            line=child.line,
                            why=why["heading"] if kind in (None, "task", "safeguard") else why[kind],
                            kind="heading" if kind in (None, "task", "safeguard") else kind,
                            role=heading_role(child.heading, [b for b in child.body if b and b != child.heading]),
                        )
                    )
                    if kind == "scope":
                        facts.append(("scope", child.body[0] if child.body else ""))
                    walk(child, ch_path, kind, entry["children"])
                    continue
                if kind in (None, "task", "safeguard"):
                    for part in _split_by_notes(child):
                        measures.append(_to_measure(ch_path, kind == "safeguard", part))
                        displays[id(measures[-1])] = [n.display() for n in ch_path]
                        intro = "\n".join(n.text() for n in ch_path[-2::-1][:2])
                        places[id(measures[-1])] = (label, words, intro)
                else:
                    entry[kind] = True
                    seg_skipped.append(
                        Skipped(
                            label=label,
                            snippet=_snip(child),
                            why=why[kind],
                            kind=kind,
                            line=child.line,
                            role=skipped_role(kind, child.text(), words)[0],
                        )
                    )
                    if kind == "scope" and SUPPORT_SEC_RE.search(" ".join(words)) and SUPPORT_RE.search(child.text()):
                        support.append(
                            (seg_skipped[-1], _to_measure(ch_path, False).model_copy(update={"support": True}))
                        )
                    # a condition list inside a procedure section is still a condition
                    cond = kind == "scope" or section_of(child) == "scope"
                    facts.append(("scope" if cond else kind, child.text()))

        for child in seg.root.children:
            child.heading = split_heading(child.body[0])[0] if child.body else ""
        _set_headings(seg.root)
        walk(seg.root, [], None, tree)
        numbering += numbering_problems(seg)
        per_seg.append((seg, measures, seg_skipped, tree))

    # an attachment whose numbered lines are a form's fields (申请表: 1.企业名称 …), not a plan;
    # so is an attachment that names itself a form (…申请书 / 申报表 / 承诺书 above its items)
    for seg, ms, sk, _tr in per_seg:
        if seg.label and ms and _is_form(seg):
            for x in sk:
                x.role = "material"
            sk += [
                Skipped(
                    label=f"{seg.label}/{places.get(id(m), (m.clause,))[0].removeprefix(seg.label + '/')}",
                    snippet=m.text[:40],
                    why=why["form"],
                    kind="attachment",
                    line=m.line,
                    role="material",
                )
                for m in ms
            ]
            ms.clear()
            continue
        if seg.label and ms and sum(len(m.text) for m in ms) / len(ms) < 20 and not seg.title:
            sk += [
                Skipped(
                    label=f"{seg.label}/{m.clause}",
                    snippet=m.text[:40],
                    why=why["form"],
                    kind="attachment",
                    line=m.line,
                )
                for m in ms
            ]
            ms.clear()
    # a covering notice's own items are not measures when an attachment holds the plan
    with_measures = [p for p in per_seg if p[1]]
    if (
        len(with_measures) > 1
        and with_measures[0][0].index == 0
        and not with_measures[0][0].label
        and _is_notice(with_measures[0], fm, md_title, with_measures[1])
    ):
        seg0 = with_measures[0]
        for m in seg0[1]:
            seg0[2].append(_instruction(m, places, why["notice"]))
        seg0[1].clear()
        with_measures = with_measures[1:]
    measures = []  # the document's measures, gathered from its segments
    tree = []
    for seg, ms, sk, tr in per_seg:
        if len(with_measures) > 1 and ms and seg is not with_measures[0][0]:
            for m in ms:
                m.clause = f"{seg.label}/{m.clause}"
                m.path = [seg.label, *m.path]
        if len(with_measures) <= 1 and seg.label and (not with_measures or seg is with_measures[0][0]):
            for x in sk:  # the document's one plan: its labels need no "附件/" prefix
                x.label = x.label.removeprefix(f"{seg.label}/")
        measures += ms
        skipped += sk
        tree += tr if not seg.label else [{"label": seg.label, "heading": seg.title or "", "children": tr}]
    _unique_clauses(measures, displays)

    main = with_measures[0][0] if with_measures else outline.segments[0]
    head = [h for s in outline.segments for h in s.head]
    found_title = main.title or outline.segments[0].title or _find_title(main.head) or _find_title(head)
    meta = read_meta(fm, md_title, text, head, found_title, districts or [])
    if (
        meta.title
        and main.title
        and len(main.title) > len(meta.title)
        and re.sub(r"\s", "", main.title).startswith(re.sub(r"\s", "", meta.title))
    ):
        meta.title = main.title  # the plan's own title line says more: (试行), (第一批)
    title = meta.title or found_title or ""
    if measures and APPLY_NOTICE_RE.search(title):
        # a notice organising an application round (关于开展/做好…申报工作的通知): its support
        # items (支持范围 / 补贴标准 … naming a benefit) are the measures; the rest are work
        # instructions, materials and steps (an item that grants a sum stays a measure)
        kept = [m for m in measures if _is_support(m, places) or AMOUNT_RE.search(m.text)]
        if kept or not any(AMOUNT_RE.search(m.text) for m in measures):
            for m in measures:
                if not any(m is k for k in kept):
                    skipped.append(_instruction(m, places, why["instruction"]))
                    facts.append(("notice", m.text))
            measures = [m.model_copy(update={"support": True}) for m in kept]
    if support and APPLY_NOTICE_RE.search(title):
        # the programme's support items were read as its scope (一、(一)支持范围 1. …可申请建设补贴)
        promoted = {id(x) for x, _ in support}
        skipped = [x for x in skipped if id(x) not in promoted]
        measures = sorted([*measures, *(m for _, m in support)], key=lambda m: m.line)
        _unique_clauses(measures, {})
    if not measures:
        prog = _programme(outline, title, skipped, facts)
        if prog is not None:
            measures = [prog]
    skipped.sort(key=lambda s: s.line)
    for x in skipped:
        if not x.role:
            x.role = skipped_role(x.kind, x.snippet, [x.snippet])[0]
    return ParsedDocument(
        district=meta.district,
        level=meta.level,
        districts=meta.districts,
        title=meta.title or found_title,
        issued=meta.issued
        or _find_date([h for h in head if len(h) <= 24])
        or _find_date([x for x in lines[-12:] if len(x) <= 24]),
        issuer=meta.issuer,
        doc_number=meta.doc_number,
        valid_from=meta.valid_from,
        valid_until=meta.valid_until,
        skipped=skipped,
        numbering=numbering,
        measures=measures,
        clause_tree=tree,
    )


_FORM_RE = re.compile(r"(?:申请|申报|登记|信息|汇总|备案)(?:书|表)|承诺书|示范文本|(?:填写|填报)(?:格式|说明|须知)")


def _is_form(seg) -> bool:
    """An attachment that is a form to fill in: its title or its opening lines (before any
    numbered item) name one — …专项扶持资金 申请书, 填写格式及说明 — and it is not a plan."""
    head = " ".join([seg.title or "", *seg.head[:8]])
    return bool(_FORM_RE.search(head)) and not TITLE_RE.search(seg.title or "")


def _is_support(m: RawMeasure, places: dict[int, tuple[str, list[str], str]]) -> bool:
    """A programme's support item: under a 支持范围 / 支持标准 … heading, naming a benefit."""
    words = places.get(id(m), ("", [m.heading, *m.parents], ""))[1]
    return bool(SUPPORT_SEC_RE.search(" ".join(words)) and SUPPORT_RE.search(m.text))


def _instruction(m: RawMeasure, places: dict[int, tuple[str, list[str], str]], why: str) -> Skipped:
    """A notice's own numbered item that is not a measure (a work instruction, a material, a
    step of the procedure): skipped under its full number path, with the role its words and
    the words that introduce it say (…需提交下列材料: then the list is materials)."""
    label, words, intro = places.get(id(m), (m.clause, [m.heading, *reversed(m.parents)], ""))
    role = instruction_role(m.text, words, intro)
    return Skipped(label=label, snippet=m.text[:40], why=why, kind="notice", line=m.line, role=role)


def _split_by_notes(node: Node) -> list[tuple[int, list[str]] | None]:
    """A numbered item whose unnumbered paragraphs each end with their own office note
    (``…(责任部门:区商务委)``) holds one measure per paragraph: [(k, paragraphs)…];
    otherwise [None] (the item is one measure)."""
    body = [b for b in node.body if b]
    paras = body[1:] if len(body) > 1 and split_heading(body[0])[0] == body[0].rstrip("。") else body
    if len(paras) < 2 or not all(split_note(p)[1] for p in paras):
        return [None]
    return [(k, [p]) for k, p in enumerate(paras, 1)]


def _is_notice(first: tuple, fm: dict, md_title: str | None, attached: tuple) -> bool:
    """Is the first segment a covering notice (关于印发…的通知, or a few items ahead of a
    longer attachment) rather than a plan of its own followed by another?"""
    seg, ms = first[0], first[1]
    words = " ".join([fm.get("标题", ""), md_title or "", seg.title or "", *seg.head[:3]])
    return bool(re.search(r"通知|印发|转发|通告|函", words)) or len(ms) < len(attached[1])


def _set_headings(node: Node) -> None:
    for c in node.children:
        c.heading = split_heading(c.body[0])[0] if c.body else ""
        _set_headings(c)


def _snip(node: Node) -> str:
    return (node.body[0] if node.body else "")[:40]


def _full_label(path: list[Node], seg_label: str) -> str:
    lab = "".join(n.display() for n in path)
    return f"{seg_label}/{lab}" if seg_label else lab


def _unique_clauses(measures: list[RawMeasure], displays: dict[int, list[str]]) -> None:
    """Where numbering restarts under different parents, lengthen clashing labels — for the
    whole sibling group — with the parents' labels (``(二)3.`` → ``三、(二)3.``) until every
    label is unique (ids that still clash are made unique by the pipeline, from the path)."""
    for _ in range(5):
        ids: dict[str, int] = {}
        for m in measures:
            ids[m.clause] = ids.get(m.clause, 0) + 1
        groups = {tuple(displays[id(m)][:-1]) for m in measures if ids[m.clause] > 1 and id(m) in displays}
        if not groups:
            break
        changed = False
        for m in measures:
            d = displays.get(id(m))
            if not d or tuple(d[:-1]) not in groups:
                continue
            pre, _, cur = m.clause.rpartition("/")
            tail = re.search(r"-\d+$", cur)  # a clause made unique before: 3-2
            suffix = tail.group(0) if tail else ""
            base = cur[: len(cur) - len(suffix)] if suffix else cur
            for k in range(len(d) - 1, -1, -1):
                cand = "".join(d[k:])
                if len(cand) > len(base):
                    m.clause = (pre + "/" if pre else "") + cand + suffix
                    changed = True
                    break
        if not changed:
            break
    seen: dict[str, int] = {}
    for m in measures:
        cid = m.clause
        if cid in seen:
            seen[cid] += 1
            m.clause = f"{m.clause}-{seen[cid]}"
        else:
            seen[cid] = 1


_FACT_RE = re.compile(
    r"截止|截至|即日起|申报时间|受理时间|申报期限|联系人|联\s*系\s*人|联系电话|联系方式|咨询电话|邮箱|电子邮件"
)


def _programme(outline, title: str | None, skipped: list[Skipped], facts: list[tuple[str, str]]) -> RawMeasure | None:
    """A notice with no support items of its own: one programme measure — its purpose, the
    conditions it sets (scope items), and the sentences that give the window and the contact,
    quoted — so the office, window and contact can be shown at the counter."""
    if not title or not PROGRAMME_RE.search(title):
        return None
    if not any(s.kind in ("scope", "procedure", "materials", "contact") for s in skipped):
        return None  # no application structure: not a programme notice
    paras = []
    for seg in outline.segments:
        for h in seg.head:
            if h.endswith(":") and len(h) < 40 and not re.search(r"如下|通知|规定", h):
                continue  # the salutation (各有关单位:), not 现将有关事项通知如下:
            if title and re.sub(r"\s", "", h) == re.sub(r"\s", "", title):
                continue
            paras.append(h)
    conds = [s for s in skipped if s.kind in ("scope",)]
    purpose = "\n".join(paras).strip()
    extra = [t for k, t in facts if k == "scope"]
    extra += [
        s for k, t in facts if k not in ("scope", "closing") for s in sentences(t) if _FACT_RE.search(s) and len(s) >= 8
    ]
    extra += [t for t in outline.tail if _FACT_RE.search(t)]
    text = "\n".join([purpose, *dict.fromkeys(x for x in extra if x)]).strip()
    if len(purpose) < 20:
        return None
    return RawMeasure(
        path=["通知"],
        clause="通知",
        heading=title[:40],
        parents=[],
        text=text,
        sentences=sentences(text),
        section="task",
        line=conds[0].line if conds else 1,
    )


def _numbering_is_global(node: Node) -> bool:
    """True when arabic paragraph numbers run on through the document (Jiading's 1、…24、)."""
    root = node
    while root.parent is not None:
        root = root.parent
    seen: set[str] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        for c in n.children:
            if c.kind == node.kind:
                if c.label in seen:
                    return False
                seen.add(c.label)
            stack.append(c)
    return True


def clause_label(path: list[Node]) -> str:
    """Display label of the smallest units: ``12.(4)``, ``(七)2.``, ``5、``, ``十、(一)``."""
    kinds = [n.kind for n in path]
    leaf = path[-1]
    if leaf.kind == "ar_dot" and _numbering_is_global(leaf):
        return leaf.display()
    if leaf.kind == "ar_paren" and len(path) >= 2 and path[-2].kind == "ar_dot":
        return f"{path[-2].label}.{leaf.display()}"
    if leaf.kind == "ar_dot" and len(path) >= 2 and path[-2].kind == "cn_paren":
        return f"{path[-2].display()}{leaf.display()}"
    if leaf.kind == "cn_paren" and len(path) >= 2 and path[-2].kind == "cn_dun":
        return f"{path[-2].display()}{leaf.display()}"
    if leaf.kind == "ar_dot" and "cn_paren" not in kinds and len(path) >= 2:
        return f"{path[-2].display()}{leaf.display()}"
    return leaf.display()


def _to_measure(path: list[Node], safeguard: bool, part: tuple[int, list[str]] | None = None) -> RawMeasure:
    leaf = path[-1]
    body = [b for b in leaf.body if b]
    if len(body) > 1 and body[0] == leaf.heading:
        body = body[1:]  # a heading line on its own, kept as the heading
    if part is not None:
        body = part[1]
    notes = []
    kept = []
    for para in body:
        para, note = split_note(para)
        if note:
            notes.append(note)
        kept.append(para)
    text = "\n".join(p for p in kept if p).strip()
    note = ";".join(notes)
    heading = leaf.heading
    if not heading and leaf.kind == "ar_paren" and len(path) >= 2:
        heading = path[-2].heading  # Hongkou items take their topic's heading
    parents = [n.heading or n.body[0][:30] for n in path[:-1]]
    star = leaf.star or text.startswith("★")
    clause = clause_label(path)
    labels = [n.label for n in path]
    if part is not None:
        clause = f"{clause}-{part[0]}"
        labels.append(str(part[0]))
        parents.append(leaf.heading or leaf.body[0][:30])
        heading = split_heading(text)[0] or heading
    return RawMeasure(
        path=labels,
        clause=clause,
        heading=heading,
        parents=parents,
        text=text,
        sentences=sentences(text),
        star=star,
        section="safeguard" if safeguard else "task",
        office_note=note,
        line=leaf.line,
    )


def clause_id(clause: str) -> str:
    """A stable id fragment from a clause label: ``12.(4★)`` → ``12.4``, ``十、(一)`` → ``十.一``."""
    parts = re.findall(rf"\d+|[{CN_NUM}]+", clause)
    return ".".join(parts)
