"""Repaired document text → metadata (district, title, issue date) + clause tree → measures.

Pure functions. The clause tree is built from numbering markers, whatever their order in
a given document family::

    一、          chapter            (Chinese numeral + 、)
    (一)          section            (Chinese numeral in brackets)
    1. / 1、      topic / paragraph  (Arabic numeral + . or 、)
    (1) (2★)      item               (Arabic numeral in brackets, optional ★)

Nesting follows the order in which marker kinds first appear in the body, so a document
that goes 一、→(一)→1. and one that goes 一、→(一) both parse. Every numbered node
without numbered children is one measure; unnumbered paragraphs belong to the node
above them. The opening part (总体要求, 指导思想, 主要目标 …) is the purpose of the
document, not a measure; 保障措施 / 组织保障 chapters are kept and marked "safeguard".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import ParsedDocument, RawMeasure
from .offices import split_note

CN_NUM = "一二三四五六七八九十百零〇"

_MARKERS = [
    # kind, regex (label group 1, rest group 2)
    ("cn_dun", re.compile(rf"^([{CN_NUM}]{{1,3}})、\s*(.*)$")),
    ("cn_paren", re.compile(rf"^\(([{CN_NUM}]{{1,3}})\)\s*(.*)$")),
    ("ar_paren", re.compile(r"^\((\d{1,3})(★?)\)\s*(.*)$")),
    ("ar_dot", re.compile(r"^(\d{1,3})([.、](?!\d)|\s)\s*(.*)$")),
]

OPENING_RE = re.compile(r"总体要求|指导思想|主要目标|基本原则|工作目标|总体目标|目标任务$")
SAFEGUARD_RE = re.compile(r"保障措施|组织保障|保障机制|工作要求|组织实施|实施保障")
DATE_RES = [
    re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(20\d\d)-(\d{1,2})-(\d{1,2})(?!\d)"),
]
TITLE_RE = re.compile(r"(行动方案|实施方案|工作方案|方案|若干措施|措施|实施意见|意见|办法|规定|行动计划|计划|通知)$")


@dataclass
class Node:
    kind: str
    label: str
    heading: str = ""
    body: list[str] = field(default_factory=list)   # paragraphs (first = heading line rest)
    children: list["Node"] = field(default_factory=list)
    star: bool = False
    dun: bool = False           # "5、" rather than "5."
    line: int = 0
    parent: "Node | None" = None

    def display(self) -> str:
        star = "★" if self.star else ""
        return {
            "cn_dun": f"{self.label}、",
            "cn_paren": f"({self.label})",
            "ar_dot": f"{self.label}、" if self.dun else f"{self.label}.",
            "ar_paren": f"({self.label}{star})",
        }.get(self.kind, self.label)


def _marker(line: str):
    for kind, rx in _MARKERS:
        m = rx.match(line)
        if not m:
            continue
        if kind == "ar_paren":
            return kind, m.group(1), m.group(3), m.group(2) == "★"
        if kind == "ar_dot":
            rest = m.group(3)
            # "2023年…" or a bare number is not a clause marker
            if not rest or re.match(r"^[年月日%万亿个项]", rest):
                return None
            return kind, m.group(1), rest, m.group(2).strip() == "、"
        return kind, m.group(1), m.group(2), False
    return None


def split_heading(rest: str) -> tuple[str, str]:
    """``实施透明规范的市场准入。探索…`` → (``实施透明规范的市场准入``, whole text)."""
    m = re.match(r"^([^。;!?]{2,40}?)[。;]", rest)
    if m and len(m.group(1)) <= 30 and "," not in m.group(1):
        return m.group(1), rest
    if "。" not in rest and len(rest) <= 40:
        return rest.rstrip("。"), rest
    return "", rest


SENT_RE = re.compile(r"[^。;!?]+[。;!?]?")


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
        m = re.search(r"《([^》]{6,80})》", line)
        if m and TITLE_RE.search(m.group(1)):
            quoted = m.group(1)
            break
    for i, line in enumerate(head):
        if quoted and line == quoted:
            return line
        if (TITLE_RE.search(line) and "《" not in line and not line.endswith(":")
                and len(line) <= 80 and "。" not in line and "," not in line):
            # a title broken over two lines: join the short line above it
            if i > 0 and head[i - 1] and len(head[i - 1]) <= 24 and not re.search(r"[。,:;]", head[i - 1]) \
                    and not TITLE_RE.search(head[i - 1]) and not _find_date([head[i - 1]]):
                return f"{head[i - 1]} {line}"
            return line
    return quoted


def find_district(text: str, districts: list[tuple[str, list[str]]]) -> str | None:
    """The district a text is about: full names first, then short forms, by first position."""
    best = None
    for name, shorts in districts:
        for form in [name, *shorts]:
            i = text.find(form)
            if i != -1 and (best is None or i < best[0]):
                best = (i, name)
    return best[1] if best else None


def parse_document(text: str, districts: list[tuple[str, list[str]]] | None = None) -> ParsedDocument:
    """Parse repaired text. ``districts``: (name, short forms) pairs used to name the district."""
    lines = text.split("\n")
    root = Node("root", "")
    stack: list[Node] = [root]
    order: list[str] = []       # marker kinds in order of first appearance (depth order)
    head: list[str] = []        # lines before the first chapter marker
    started = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if started and re.match(r"^(附件|附表)\s*\d*\s*[::]", line):
            break                    # attachments list: the body of the document is over
        mk = _marker(line)
        if mk is None:
            if not started:
                head.append(line)
            else:
                stack[-1].body.append(line)
            continue
        kind, label, rest, star = mk
        if not started:
            if kind != "cn_dun" and not (kind == "cn_paren" and not any(_marker(x) for x in head)):
                # numbered lines before any chapter belong to the preamble
                if kind in ("ar_dot", "ar_paren"):
                    head.append(line)
                    continue
            started = True
        if kind not in order:
            order.append(kind)
        depth = order.index(kind)
        # pop to the parent of this depth
        while len(stack) > 1 and order.index(stack[-1].kind) >= depth:
            stack.pop()
        node = Node(kind, label, star=star and kind == "ar_paren", dun=star and kind == "ar_dot",
                    line=lineno, parent=stack[-1])
        heading, _full = split_heading(rest)
        node.heading = heading
        node.body.append(rest)
        stack[-1].children.append(node)
        stack.append(node)

    district = find_district("\n".join(head[:12]) + "\n" + text[:3000], districts or [])
    title = _find_title(head)
    issued = _find_date(head) or _find_date(lines[-12:])
    measures: list[RawMeasure] = []
    tree = []

    def walk(node: Node, path: list[Node], opening: bool, safeguard: bool, out_tree: list):
        for child in node.children:
            ch_path = path + [child]
            title_text = child.heading or child.body[0][:30]
            is_opening = opening or (child.kind == "cn_dun" and bool(OPENING_RE.search(child.body[0][:20])))
            is_safe = safeguard or (child.kind == "cn_dun" and bool(SAFEGUARD_RE.search(child.body[0][:20])))
            entry = {"label": child.display(), "heading": title_text, "children": []}
            out_tree.append(entry)
            if child.children:
                walk(child, ch_path, is_opening, is_safe, entry["children"])
                continue
            if is_opening:
                entry["opening"] = True
                continue
            if child.kind == "cn_dun":
                # a chapter without numbered items: its paragraphs are the measure
                pass
            measures.append(_to_measure(ch_path, is_safe))

    walk(root, [], False, False, tree)
    return ParsedDocument(district=district, title=title, issued=issued, measures=measures, clause_tree=tree)


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


def _to_measure(path: list[Node], safeguard: bool) -> RawMeasure:
    leaf = path[-1]
    body = [b for b in leaf.body if b]
    if len(body) > 1 and body[0] == leaf.heading:
        body = body[1:]                  # a heading line on its own, kept as the heading
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
        heading = path[-2].heading          # Hongkou items take their topic's heading
    parents = [n.heading or n.body[0][:30] for n in path[:-1]]
    star = leaf.star or text.startswith("★")
    return RawMeasure(
        path=[n.label for n in path],
        clause=clause_label(path),
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
