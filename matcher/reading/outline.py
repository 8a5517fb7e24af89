"""The whole outline of a document: numbered nodes, segments (a covering notice, its
attachments), closing matter, and what each numbered node is.

Numbering follows the standard hierarchy of Chinese official documents::

    第X章 > 第X条 > 一、 > (一) > 1. / 1、 / 1． > (1) / 1) > ①

A node of a given rank closes every open node of the same or a lower rank, so a
sub-heading (二) after item 3. is a sibling of (一), never a child of 3. Unnumbered
paragraphs belong to the open node. A signature (issuing bodies above a date line), 抄送,
特此通知, footnotes (注:…) and a document's closing words (本措施自…起施行) end the open
node: the last measure never swallows them.

A document is read as segments: the text up to a plan's own title (a covering notice), then
each attachment (``附件`` / ``附件2`` on its own line, or the plan's title repeated after the
notice's signature). A line ``附件:名称`` followed by numbered names is a list of
attachments, not a plan.

Every numbered node is then a measure or a :class:`~matcher.models.Skipped` entry, with a
kind and a why (resources/outline.toml), never dropped in silence. Numbering gaps and
restarts are reported in plain Chinese, not guessed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.models import Skipped
from matcher.reading.meta import DATE_ONLY_RE, ORG_RE, TITLE_RE, outline_rules

CN_NUM = "一二三四五六七八九十百零〇"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
RANK = {"zhang": 0, "jie": 1, "tiao": 2, "cn_dun": 3, "cn_paren": 4, "ar_dot": 5, "ar_paren": 6, "circled": 7}
HIGH = ("zhang", "jie", "tiao", "cn_dun", "cn_paren")

_MARKERS = [
    ("zhang", re.compile(rf"^第([{CN_NUM}\d]{{1,4}})(章|部分)\s*(.*)$")),
    ("jie", re.compile(rf"^第([{CN_NUM}\d]{{1,4}})节\s*(.*)$")),
    ("tiao", re.compile(rf"^第([{CN_NUM}\d]{{1,4}})条(?=[\s(\u4e00-\u9fff]|$)\s*(.*)$")),
    ("cn_dun", re.compile(rf"^([{CN_NUM}]{{1,3}})(?:、|\.(?!\d))\s*(.*)$")),
    ("cn_paren", re.compile(rf"^\(([{CN_NUM}]{{1,3}})\)\s*(.*)$")),
    ("ar_paren", re.compile(r"^\((\d{1,3})(★?)\)\s*(.*)$")),
    ("ar_rparen", re.compile(r"^(\d{1,2})\)\s*(.*)$")),
    ("circled", re.compile(rf"^([{CIRCLED}])\s*(.*)$")),
    ("ar_dot", re.compile(r"^(\d{1,3})([.、](?!\d)|\.(?=(?:19|20)\d\d年)|\s)\s*(.*)$")),
]

_SUFFIX_LINE = re.compile(r"^\((?:试行|暂行|修订|征求意见稿|[^()]{0,12}年|第[一二三四五六七八九十\d]+批)\)$")
_ATTACH_ALONE = re.compile(r"^附件\s*(\d{0,2})\s*[::]?\s*$")
_ATTACH_LIST = re.compile(r"^附件\s*(\d{0,2})\s*[::]\s*(.+)$")
_CLOSE_LINE = re.compile(
    r"^(?:抄送|主送|印发|抄报)\s*[::]|^特此(?:通知|公告|函告)|"
    r"^(?:联\s*系\s*人|联系电话|咨询电话|技术支持|联系地址)\s*[::]"
)
_CONTACT_LINE = re.compile(r"^(?:联\s*系\s*人|联系电话|咨询电话|技术支持|联系地址)\s*[::]")
_FOOTNOTE = re.compile(r"^(?:注\s*[::\d]|注释\s*[::]|备注\s*[::]|\*)")
_CLOSING_PARA = re.compile(
    r"^(?:本|《[^》]{1,40}》)(?:方案|措施|意见|办法|政策|细则|规定|通知|指南|计划|若干措施|实施意见|实施方案|行动方案|实施细则|若干政策|《[^》]{1,40}》)"
    r"[^。]{0,30}(?:自\s*(?:\d{4}年|印发|发布)[^。]{0,20}(?:施行|执行|实施|生效)|有效期|负责解释)"
)


def cn_value(label: str) -> int | None:
    if label in CIRCLED:
        return CIRCLED.index(label) + 1
    if label.isascii() and label.isdigit():
        return int(label)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    if label == "十":
        return 10
    total, cur = 0, 0
    for c in label:
        if c in digits:
            cur = digits[c]
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        elif c == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


@dataclass
class Node:
    kind: str
    label: str
    heading: str = ""
    body: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    star: bool = False
    dun: bool = False  # "5、" rather than "5."
    style: str = ""  # ar_paren written "1)" rather than "(1)"
    line: int = 0
    parent: Node | None = None
    segment: int = 0

    rank_of: dict | None = None  # the document's own ranks where it deviates

    @property
    def rank(self) -> float:
        return (self.rank_of or RANK).get(self.kind, -1)

    def display(self) -> str:
        star = "★" if self.star else ""
        if self.kind == "ar_paren" and self.style == ")":
            return f"{self.label})"
        return {
            "zhang": f"第{self.label}{self.style or '章'}",
            "jie": f"第{self.label}节",
            "tiao": f"第{self.label}条",
            "cn_dun": f"{self.label}、",
            "cn_paren": f"({self.label})",
            "ar_dot": f"{self.label}、" if self.dun else f"{self.label}.",
            "ar_paren": f"({self.label}{star})",
            "circled": self.label,
        }.get(self.kind, self.label)

    def text(self) -> str:
        return "\n".join(b for b in self.body if b)


def marker(line: str):
    """(kind, label, rest, star, dun, style) of a numbered line, else None."""
    for kind, rx in _MARKERS:
        m = rx.match(line)
        if not m:
            continue
        if kind == "ar_paren":
            return "ar_paren", m.group(1), m.group(3), m.group(2) == "★", False, ""
        if kind == "ar_rparen":
            return "ar_paren", m.group(1), m.group(2), False, False, ")"
        if kind == "ar_dot":
            rest = m.group(3)
            if not rest or (not m.group(2).strip() and re.match(r"^[年月日%万亿个项元]", rest)):
                return None  # "2023年…" or a bare number is not a clause marker
            return "ar_dot", m.group(1), rest, False, m.group(2).strip() == "、", ""
        if kind == "zhang":
            return kind, m.group(1), m.group(3), False, False, "部分" if m.group(2) == "部分" else ""
        if kind == "tiao" and not m.group(2):
            return kind, m.group(1), "", False, False, ""
        return kind, m.group(1), m.group(2), False, False, ""
    return None


@dataclass
class Segment:
    root: Node
    index: int
    label: str = ""  # "" for the main text, "附件", "附件2" …
    head: list[str] = field(default_factory=list)  # unnumbered lines before the outline
    title: str | None = None  # the plan's own title, when the segment starts with it


@dataclass
class Outline:
    segments: list[Segment]
    skipped: list[Skipped] = field(default_factory=list)  # outside any node (attachments, footnotes …)
    tail: list[str] = field(default_factory=list)  # signature, closing lines


def _norm_title(s: str) -> str:
    s = re.sub(r"\s+", "", s)
    return re.sub(r"\((?:试行|暂行)\)$", "", s)


def build(text: str, expect_titles: list[str]) -> Outline:
    """Read ``text`` (repaired) into segments of numbered nodes."""
    lines = text.split("\n")
    titles = {_norm_title(t): t for t in expect_titles if t and len(_norm_title(t)) >= 6}
    ranks = own_ranks(lines)
    present = {mk[0] for raw in lines if (mk := marker(raw.strip()))}
    # chapter-like kinds; numbered lines of lower kinds before the first of them are the opening
    highs = {k for k in present if ranks[k] <= RANK["cn_paren"]} or (
        {min(present, key=lambda k: ranks[k])} if present else set()
    )
    first_high = next((i for i, raw in enumerate(lines) if (mk := marker(raw.strip())) and mk[0] in highs), len(lines))
    why = outline_rules().why
    seg = Segment(Node("root", ""), 0)
    out = Outline([seg])
    stack: list[Node] = [seg.root]
    closed = False  # after a signature / closing words: lines go to the tail
    in_attach_list = False
    in_footnotes = False  # after 注:…, numbered lines are further footnotes
    skip_next = -1
    skip_after = -1
    soft_closed = False  # closed by closing words inside the outline (本意见由…负责解释), not a signature

    def new_segment(label: str, title: str | None = None):
        nonlocal seg, stack, closed
        seg = Segment(Node("root", ""), len(out.segments), label=label, title=title)
        out.segments.append(seg)
        stack = [seg.root]
        closed = False

    def close():
        nonlocal stack, closed, soft_closed
        stack = [seg.root]
        closed = True
        soft_closed = False

    for i, raw in enumerate(lines):
        if i == skip_next:
            continue
        lineno = i + 1
        line = raw.strip()
        if not line:
            continue
        mk = marker(line)
        if in_footnotes:
            if mk is None or mk[0] not in HIGH:
                if mk is not None:
                    out.skipped.append(
                        Skipped(label="注", snippet=line[:40], why=why["footnote"], kind="footnote", line=lineno)
                    )
                else:
                    out.tail.append(line)
                continue
            in_footnotes = False
        if in_attach_list:
            if mk and mk[0] == "ar_dot" and "。" not in line and len(line) <= 90 or line.startswith("《"):
                label = f"附件{mk[1]}" if mk and mk[0] == "ar_dot" else "附件"  # 附件:1.… 2.…: 附件2
                out.skipped.append(
                    Skipped(label=label, snippet=line[:40], why=why["attachment"], kind="attachment", line=lineno)
                )
                continue
            in_attach_list = False
        # a plan's own title: a new segment (after the notice), or the title of the first one
        if mk is None and titles:
            nxt = next((j for j in range(i + 1, min(len(lines), i + 3)) if lines[j].strip()), None)
            joined = _norm_title(line + (lines[nxt].strip() if nxt is not None else ""))
            if _norm_title(line) in titles or (
                nxt is not None and joined in titles and marker(lines[nxt].strip()) is None
            ):
                two = _norm_title(line) not in titles
                title = titles[joined if two else _norm_title(line)]
                last = nxt if two and nxt is not None else i  # the title's last line
                # "(试行)" / "(2024-2026年)" on a line of its own under the title belongs to it
                after = next((j for j in range(last + 1, min(len(lines), i + 5)) if lines[j].strip()), None)
                if after is not None and _SUFFIX_LINE.match(lines[after].strip()):
                    if not title.endswith(lines[after].strip()):
                        title += lines[after].strip()
                    skip_after = after
                if seg.label and not seg.root.children and seg.title is None:
                    seg.title = title  # 附件 … signature … the plan's title: its text starts
                    stack, closed = [seg.root], False
                elif seg.root.children or closed:
                    new_segment("附件", title)
                elif seg.title is None:
                    seg.title = title
                if two:
                    skip_next = last
                continue
        if i == skip_after:
            continue
        m = _ATTACH_ALONE.match(line)
        if m:
            nxt_line = next((lines[j].strip() for j in range(i + 1, min(len(lines), i + 4)) if lines[j].strip()), "")
            nmk = marker(nxt_line)
            if (
                nmk
                and nmk[0] == "ar_dot"
                and "。" not in nxt_line
                and len(nxt_line) <= 60
                and not nxt_line.endswith(":")
            ):
                in_attach_list = True  # "附件:" then "1.名称" "2.名称": names, not a plan
                continue
            new_segment(f"附件{m.group(1)}")
            continue
        m = _ATTACH_LIST.match(line)
        if m:
            nxt_line = next((lines[j].strip() for j in range(i + 1, min(len(lines), i + 4)) if lines[j].strip()), "")
            nmk = marker(nxt_line)
            if (nmk and nmk[0] in HIGH) or (nmk is None and TITLE_RE.search(nxt_line) and not ORG_RE.search(nxt_line)):
                # "附件1:实施细则" heading the attachment's own text: a plan, not a list of names
                name = m.group(2).strip()
                new_segment(f"附件{m.group(1)}", None if nmk is None else name)
                continue
            first = marker(m.group(2).strip())
            number = m.group(1) or (first[1] if first and first[0] == "ar_dot" else "")
            out.skipped.append(
                Skipped(
                    label=f"附件{number}",
                    snippet=m.group(2)[:40],
                    why=why["attachment"],
                    kind="attachment",
                    line=lineno,
                )
            )
            in_attach_list = True
            continue
        if DATE_ONLY_RE.match(line) and _is_signature_date(lines, i, bool(seg.root.children)):
            # a signature: the issuing bodies above the date are not the last node's words
            node = stack[-1]
            while (
                node.body
                and len(node.body) > 1
                and all(ORG_RE.search(p) and len(p) <= 30 for p in node.body[-1].split())
            ):
                out.tail.insert(0, node.body.pop())
            while (
                seg.head
                and ORG_RE.search(seg.head[-1])
                and len(seg.head[-1]) <= 40
                and not closed
                and not seg.root.children
            ):
                out.tail.insert(0, seg.head.pop())
            out.tail.append(line)
            close()
            continue
        if mk is None:
            if _FOOTNOTE.match(line) and (seg.root.children or closed):
                out.skipped.append(
                    Skipped(label="注", snippet=line[:40], why=why["footnote"], kind="footnote", line=lineno)
                )
                close()
                in_footnotes = True
                continue
            if _CLOSE_LINE.match(line):
                if _CONTACT_LINE.match(line) and len(stack) > 1 and _in_section(stack, "contact"):
                    stack[-1].body.append(line)  # "5.联系方式" then "联系人:…": the item's own lines
                    continue
                out.tail.append(line)
                close()
                continue
            if _CLOSING_PARA.match(line) and len(stack) > 1 and not _in_closing(stack):
                out.skipped.append(
                    Skipped(label="结尾", snippet=line[:40], why=why["closing"], kind="closing", line=lineno)
                )
                close()
                soft_closed = True
                continue
            if closed or len(stack) == 1:
                (out.tail if closed else seg.head).append(line)
            else:
                stack[-1].body.append(line)
            continue
        kind, label, rest, star, dun, style = mk
        if i < first_high and kind not in highs and not seg.label:
            seg.head.append(line)  # numbered lines before any chapter: the opening
            out.skipped.append(
                Skipped(label=label, snippet=rest[:40], why=why["preamble"], kind="preamble", line=lineno)
            )
            continue
        if closed and soft_closed and _continues(seg.root, kind, label):
            closed = False  # 六、解释 …负责解释。 then 七、施行日期: the same outline goes on
        elif closed:
            new_segment(seg.label or "附件")
        soft_closed = False
        node = Node(kind, label, star=star, dun=dun, style=style, line=lineno, segment=seg.index, rank_of=ranks)
        while len(stack) > 1 and stack[-1].rank >= node.rank:
            stack.pop()
        node.parent = stack[-1]
        node.body.append(rest)
        stack[-1].children.append(node)
        stack.append(node)
    for seg in out.segments:
        _closing_tail(seg, out)
    return out


_VALIDITY = re.compile(r"起(?:正式)?(?:施行|执行|实施|生效)|有效期(?:至|到|为|暂定)|试行期|负责解释")


def _closing_tail(seg: Segment, out: Outline) -> None:
    """The last paragraphs of a segment's last node that say when the document is in force
    (本意见自…起施行,有效期至…) are the document's closing words, not the last measure's."""
    node = seg.root
    while node.children:
        node = node.children[-1]
    if node is seg.root or section_of_chain(node) == "closing":
        return
    why = outline_rules().why
    while len(node.body) > 1 and _VALIDITY.search(node.body[-1]):
        para = node.body.pop()
        out.skipped.append(
            Skipped(
                label="结尾", snippet=para[:40], why=why["closing"], kind="closing", line=node.line + len(node.body)
            )
        )


def section_of_chain(node: Node) -> str | None:
    n: Node | None = node
    while n is not None and n.kind != "root":
        k = section_of(n)
        if k:
            return k
        n = n.parent
    return None


def _is_signature_date(lines: list[str], i: int, in_outline: bool) -> bool:
    """A date line under an issuing body's name, or near the end of the text."""
    prev = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
    if ORG_RE.search(prev) and len(prev) <= 40:
        return True
    return in_outline and sum(1 for x in lines[i + 1 :] if x.strip()) <= 4


def own_ranks(lines: list[str]) -> dict[str, float]:
    """The standard ranks, except where the document consistently deviates: a kind that
    ranks higher by default (e.g. (一)) but always starts again at its first value right
    after a marker of a lower kind (1.) is nested under that kind in this document."""
    seq = [(mk[0], cn_value(mk[1])) for raw in lines if (mk := marker(raw.strip()))]
    ranks: dict[str, float] = dict(RANK)
    first: dict[str, int] = {}
    for i, (k, _v) in enumerate(seq):
        first.setdefault(k, i)
    for y in first:
        for x in first:
            if RANK[x] <= RANK[y] or first[x] > first[y]:
                continue
            starts = [i for i, (k, v) in enumerate(seq) if k == y and v == 1]
            if len(starts) < 2 or not all(i > 0 and seq[i - 1][0] == x for i in starts):
                continue

            def continues(i: int) -> bool:
                # the x numbering goes on after the y run (1. (一)(二) 2.), not restarting
                # under it (3. (一) 1. 2.): then y is nested in x
                before = seq[i - 1][1]
                nxt = next((v for k, v in seq[i:] if k == x), None)
                return nxt is None or (before is not None and nxt == before + 1)

            if all(continues(i) for i in starts):
                ranks[y] = RANK[x] + 0.5
    return ranks


def _continues(root: Node, kind: str, label: str) -> bool:
    """Does a numbered line (kind, label) continue the top level of ``root`` (七 after 六)?"""
    last = root.children[-1] if root.children else None
    if last is None or last.kind != kind:
        return False
    a, b = cn_value(last.label), cn_value(label)
    return a is not None and b == a + 1


def _in_closing(stack: list[Node]) -> bool:
    return _in_section(stack, "closing")


def _in_section(stack: list[Node], kind: str) -> bool:
    return any(section_of(n) == kind for n in stack[1:])


def heading_words(node: Node) -> str:
    rest = node.body[0] if node.body else ""
    m = re.match(r"^\(([^)]{2,20})\)", rest)
    if m:
        return m.group(1)
    head = re.split(r"[。;:,!?？]", rest, maxsplit=1)[0]
    return head[: outline_rules().heading_chars]


def section_of(node: Node, words: str | None = None) -> str | None:
    """The section kind a node's own heading names (task, safeguard, preamble …), or None."""
    words = heading_words(node) if words is None else words
    secs = outline_rules().sections
    for kind in ("task", "safeguard", *[k for k in secs if k not in ("task", "safeguard")]):
        if any(w in words for w in secs.get(kind, [])):
            return kind
    return None


def numbering_problems(seg: Segment) -> list[str]:
    """Gaps and restarts among siblings of the same kind, in plain Chinese."""
    probs: list[str] = []
    last_of_kind: dict[str, int] = {}

    def where(node: Node) -> str:
        parts = []
        n: Node | None = node
        while n is not None and n.kind != "root":
            parts.append(n.display())
            n = n.parent
        prefix = f"{seg.label} " if seg.label else ""
        return prefix + ("".join(reversed(parts)) or "正文")

    def walk(node: Node):
        by_kind: dict[str, list[Node]] = {}
        for c in node.children:
            by_kind.setdefault(c.kind + c.style, []).append(c)
        for k, kids in by_kind.items():
            vals = [cn_value(c.label) for c in kids]
            first = vals[0]
            prev_last = last_of_kind.get(k)
            if first is not None and first != 1 and (prev_last is None or first != prev_last + 1):
                if prev_last is not None and first > prev_last + 1:
                    probs.append(
                        f"{where(node)}下的编号接上文从第 {prev_last} 项跳到第 {first} 项,缺 {first - prev_last - 1} 项"
                    )
                else:
                    probs.append(f"{where(node)}下的编号从 {kids[0].display()} 开始,前面缺 {first - 1} 项")
            for a, b, cb in zip(vals, vals[1:], kids[1:]):
                if a is None or b is None or b == a + 1:
                    continue
                if b <= a:
                    probs.append(f"{where(node)}下的编号在 {cb.display()} 处重新开始(上一项是第 {a} 项)")
                else:
                    probs.append(f"{where(node)}下的编号从第 {a} 项跳到第 {b} 项,缺 {b - a - 1} 项")
            if vals[-1] is not None:
                last_of_kind[k] = vals[-1]
        for c in node.children:
            walk(c)

    walk(seg.root)
    return probs
