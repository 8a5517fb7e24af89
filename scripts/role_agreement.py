"""How well PolicyDesk reads corpus2: its roles and audiences against the hand labels.

    PYTHONPATH=. python scripts/role_agreement.py [--docs tests/corpus2] [--holdout] [-v] [--json]

``tests/corpus2/MANIFEST.md`` labels every numbered item of 16 documents with its number path,
its ROLE (first word is the main role; ``a/b`` = both apply) and its AUDIENCE. This script reads
each document with the product's own pipeline, finds every labelled item among the stored items
(measures and the skipped nodes, both of which carry a ``role``), and prints per document and
overall:

* items labelled / found (a label whose path the reader did not produce is "missing");
* role agreement: the stored role equals the label's main role, or any of its ``a/b`` roles
  (the label ``other`` — purpose, validity, contacts, legal basis — agrees with any role that is
  not offered: it is context either way);
* offered-vs-not agreement: the stored role is offered (benefit, service) exactly when the label's
  main role is;
* measures: stored measures that are offered vs the label's benefit/service items, and the
  range the MANIFEST's reading allows (from the items whose main role is surely offered to
  every item any of whose roles, ambiguous ones too, is offered): "within" when the stored
  count falls in it (the issue's "measure counts per document within the MANIFEST's reading");
  a notice read as one programme measure (it has no support items of its own) is counted
  apart (``+1 programme``), as the MANIFEST labels the notice's items, not the notice;
* audience: for labelled benefit/service items whose audience is not "—", whether a stored
  audience (measure.audience) was read.

``--holdout`` scores only the held-out documents (``HOLDOUT`` below), which no rule was tuned on;
without it, both the tuning set and the held-out set are printed apart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from matcher.knowledge.roles import OFFERED, ROLES  # noqa: E402  (the product's own list)

# documents kept out of tuning: read only at the end, reported apart
HOLDOUT = (
    "huangpu_jieneng_jiantan_zijin_banfa_2022.txt",
    "shi_hangyun_jishuyun_shenbao_2025.txt",
    "putuo_laji_fenlei_xingdong_2026.txt",
    "qingpu_yanglao_jigou_shuidianqi_zhinan_2025.txt",
)


def canon_path(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"\[[^\]]*\]", "", s)  # "[2nd]" disambiguators
    s = re.sub(r"第([^章条]{1,4})[章条]", r"\1", s)  # 第四条 → 四 (the reader's path drops 第…条)
    s = re.sub(r"[\s、.．。·/#()（）\-]", "", s)  # 三(一)1-2) is a 2) under 1.
    return s


def read_manifest(path: Path) -> dict[str, list[dict]]:
    """file name → its labelled items [{item, first, roles, main, audience}]."""
    out: dict[str, list[dict]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^### \d+ (\S+\.txt)", line)
        if m:
            current = m.group(1)
            out[current] = []
            continue
        if current is None or not line.startswith("| ") or line.startswith(("| item", "|---")):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4:
            continue
        item, first, role, audience = cells[0], cells[1], cells[2], cells[3]
        # "a/b" and "a + b" / "a (…) + b (…)" all mean both roles apply (the manifest uses each)
        words = [w.group(0) for part in re.split(r"\s\+\s", role) if (w := re.match(r"[a-z/?]+", part.strip()))]
        if not words:
            continue
        roles = [r.strip("?") for w in words for r in w.split("/") if r.strip("?")]
        roles = [r for r in roles if r in ROLES]
        if not roles:
            continue
        out[current].append(
            {"item": item, "first": first, "roles": roles, "main": roles[0], "audience": audience, "raw": role}
        )
    return out


def stored_items(doc) -> list[dict]:
    """Every stored item of a document with its role: measures and skipped nodes, each under
    the number-path keys it may be labelled with (with and without its chapter)."""
    items = []
    for m in doc.measures:
        parts = [canon_path(p) for p in m.path]
        keys = ["".join(parts), "".join(parts[1:]), canon_path(m.clause)]
        items.append(
            {
                "keys": [k for k in dict.fromkeys(keys) if k],
                "clause": m.clause,
                "role": m.role,
                "measure": True,
                "audience": m.audience,
                "text": m.text[:40],
            }
        )
    for s in doc.skipped:
        label = re.sub(r"^第[^章]{1,4}章(?=第)", "", s.label)
        keys = [canon_path(s.label), canon_path(label)]
        items.append(
            {
                "keys": [k for k in dict.fromkeys(keys) if k],
                "clause": s.label,
                "role": s.role,
                "measure": False,
                "audience": {},
                "text": s.snippet,
            }
        )
    return items


def _key_variants(label: str) -> list[str]:
    k = canon_path(label)
    out = [k]
    if "·" in label:  # 附件1·七(三) → the reader's 附件1/七(三) or 七(三)
        head, _, rest = label.partition("·")
        out += [canon_path(head + rest), canon_path(rest)]
    out.append(re.sub(r"^附件\d*", "", k))
    # paths the manifest disambiguates in words (五(五)降级1 / 五(五)否决1, 附件·表二(一)): the
    # numbers alone, told apart by the item's first characters
    bare = re.sub(r"(?<!附)(?!附件|附录)[^\W\d_一二三四五六七八九十百]{2,}|(?<=·)表", "", label)
    if bare != label:
        out.append(canon_path(bare))
    return list(dict.fromkeys(out))


def _match(label: dict, by_key: dict[str, list[dict]], used: set[int]) -> dict | None:
    first = canon_path(label["first"])[:4]
    cands: list[dict] = []
    for key in _key_variants(label["item"]):
        cands += [c for c in by_key.get(key, []) if id(c) not in used and c not in cands]
    if not cands:
        return None
    # the item's own full path first (三 is the heading 三, not the 三、(三) whose chapter was dropped)
    own = canon_path(label["item"])
    cands.sort(key=lambda c: 0 if c["keys"][0] == own else 1)
    best = next((c for c in cands if first and first in canon_path(c["text"])), cands[0])
    used.add(id(best))
    return best


def agrees(stored: str, label: dict) -> bool:
    if stored in label["roles"]:
        return True
    if label["main"] == "other" and stored not in OFFERED:
        return True
    return False


def score_document(name: str, raw: str, labels: list[dict]) -> dict:
    from matcher.reading.pipeline import build_document

    doc = build_document(raw, source_file=name)
    items = stored_items(doc)
    by_path: dict[str, list[dict]] = {}
    for it in items:
        for k in it["keys"]:
            by_path.setdefault(k, []).append(it)
    used: set[int] = set()
    rows = []
    for lab in labels:
        got = _match(lab, by_path, used)
        rows.append((lab, got))
    found = [(lab, got) for lab, got in rows if got]
    agree = sum(agrees(got["role"], lab) for lab, got in found)
    offered_ok = sum((got["role"] in OFFERED) == (lab["main"] in OFFERED) for lab, got in found)
    aud_lab = [(lab, got) for lab, got in found if lab["main"] in OFFERED and lab["audience"] not in ("—", "-", "")]
    aud_read = sum(bool(got.get("audience", {}).get("who")) for lab, got in aud_lab)
    offered_measures = sum(1 for it in items if it["measure"] and it["role"] in OFFERED)
    # a notice with no support items of its own is read as one programme measure (its path 通知):
    # the MANIFEST labels the notice's items, not the notice, so it is counted apart
    programmes = sum(1 for m in doc.measures if m.role in OFFERED and list(m.path) == ["通知"])
    labelled_offers = sum(1 for lab in labels if lab["main"] in OFFERED)
    # the reading's range: surely offered (main role, no "?") … possibly offered (any role, "?" too)
    offers_lo = sum(1 for lab in labels if lab["main"] in OFFERED and not _doubtful_main(lab["raw"]))
    offers_hi = sum(1 for lab in labels if set(lab["roles"]) & set(OFFERED))
    return {
        "doc": name,
        "labelled": len(labels),
        "found": len(found),
        "agree": agree,
        "offered_ok": offered_ok,
        "offers_stored": offered_measures,
        "offers_labelled": labelled_offers,
        "offers_lo": offers_lo,
        "offers_hi": offers_hi,
        "programmes": programmes,
        "within": offers_lo <= offered_measures - programmes <= offers_hi,
        "audience_labelled": len(aud_lab),
        "audience_read": aud_read,
        "rows": [
            {
                "item": lab["item"],
                "label": lab["raw"],
                "stored": got["role"] if got else None,
                "clause": got["clause"] if got else None,
                "ok": bool(got and agrees(got["role"], lab)),
            }
            for lab, got in rows
        ],
    }


def _doubtful_main(raw: str) -> bool:
    """The label's main role is itself in doubt: "benefit?" or "benefit/condition?"."""
    first = re.match(r"[a-z/?]+", raw.strip())
    return bool(first and "?" in first.group(0))


def _pct(a: int, b: int) -> str:
    return f"{a / b:.1%}" if b else "n/a"


def _table(results: list[dict], title: str) -> dict:
    print(f"\n## {title}\n")
    print(
        "| document | labelled | found | role agrees | offered/not agrees | offers stored | offers labelled "
        "| reading's range | within | audience read |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    tot = dict.fromkeys(
        (
            "labelled",
            "found",
            "agree",
            "offered_ok",
            "offers_stored",
            "offers_labelled",
            "offers_lo",
            "offers_hi",
            "programmes",
            "within",
            "audience_labelled",
            "audience_read",
        ),
        0,
    )
    for r in results:
        for k in tot:
            tot[k] += r[k]
        print(
            f"| {r['doc'].removesuffix('.txt')} | {r['labelled']} | {r['found']} | {r['agree']} ({_pct(r['agree'], r['found'])}) "
            f"| {_pct(r['offered_ok'], r['found'])} | {r['offers_stored']}"
            + (" (incl. 1 programme)" if r["programmes"] else "")
            + f" | {r['offers_labelled']} "
            f"| {r['offers_lo']}–{r['offers_hi']} | {'yes' if r['within'] else 'NO'} "
            f"| {r['audience_read']}/{r['audience_labelled']} |"
        )
    print(
        f"| **all** | {tot['labelled']} | {tot['found']} | {tot['agree']} ({_pct(tot['agree'], tot['found'])}) "
        f"| {_pct(tot['offered_ok'], tot['found'])} | {tot['offers_stored']} | {tot['offers_labelled']} "
        f"| {tot['offers_lo']}–{tot['offers_hi']} | {tot['within']}/{len(results)} docs "
        f"| {tot['audience_read']}/{tot['audience_labelled']} |"
    )
    return tot


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", default=str(ROOT / "tests" / "corpus2"))
    ap.add_argument("--holdout", action="store_true", help="score only the held-out documents")
    ap.add_argument("-v", action="store_true", help="list every disagreement")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    docs = Path(a.docs)
    labels = read_manifest(docs / "MANIFEST.md")
    results = []
    for name, labs in labels.items():
        if a.holdout and name not in HOLDOUT:
            continue
        raw = (docs / name).read_text(encoding="utf-8")
        results.append(score_document(name, raw, labs))
    if a.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    tune = [r for r in results if r["doc"] not in HOLDOUT]
    held = [r for r in results if r["doc"] in HOLDOUT]
    if tune:
        _table(tune, "tuning documents")
    if held:
        _table(held, "held-out documents (no rule tuned on them)")
    tot = _table(results, "all documents")
    if a.v:
        for r in results:
            bad = [x for x in r["rows"] if not x["ok"]]
            if bad:
                print(f"\n### {r['doc']}")
                for x in bad:
                    print(f"  {x['item']}: label {x['label']!r} stored {x['stored']} ({x['clause']})")
    print(
        f"\nroles_agree={_pct(tot['agree'], tot['found'])} found={tot['found']}/{tot['labelled']} "
        f"offered_agree={_pct(tot['offered_ok'], tot['found'])} audience_read={tot['audience_read']}/{tot['audience_labelled']} "
        f"measures_within_reading={tot['within']}/{len(results)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
