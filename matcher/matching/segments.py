"""Several stored index segments seen as one index (:class:`MergedIndex`).

The knowledge base's index is kept as segments (:mod:`matcher.matching.index_state`): each
one the stored index (:mod:`matcher.matching.stored_index`) of a few documents, immutable
once written, with a *live* mask saying which of its records still count (a removed or
replaced document's, a measure an officer hid or corrected — the corrected one is in the
corrections segment — do not). :class:`MergedIndex` presents the live records of all the
segments as one :class:`~matcher.matching.stored_index.IndexData`, so the ranking, the
tier classification and search read it exactly as they read one index:

* the small per-record columns (district, tags, flags, order, tier features) are gathered
  into one set of arrays, their codes mapped to one set of tables;
* the record order is worked out here from keys stored with every record — the file, the
  document's rowid, the measure's order and rowid (the order :meth:`KnowledgeBase.index_rows`
  lists them in) and the document's date — so it does not depend on which segment a
  record is in or on what was imported or removed before: search order (enterprise-facing
  first, newest, document order), ``idx`` and ``mrank`` come out as one build of the same
  measures gives them;
* tag names get their bit positions in one canonical order (the lexicon's, then any other
  name in code-point order), not in the order they were first met, so the order reasons
  and audiences are listed in is the same whatever the history of the library;
* the posting lists and texts stay in their segments (:class:`MultiPostings` asks each one
  and maps its record numbers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.matching import postings
from matcher.matching.stored_index import FORMAT, SPACES, IndexData, _neg_date, lexicon_order
from matcher.matching.tierclass import TierFeatures

#: per-record sort keys a segment stores beside its records (see :func:`segment_keys`)
KEY_FILE, KEY_DOC, KEY_ROW = "key_file", "key_doc", "key_row"
#: per record: the number of its document in the segment's list of documents
SEG_DOC = "seg_doc"
_VIEW_SEG, _VIEW_LOC, _VIEW_GPOS = "view_seg", "view_loc", "view_gpos"
_COLUMNS = ("district", "issued", "aud", "cat", "pcat", "ment", "ind", "area", "tlen", "order", "internal", "star")
_SPACE_OF = {"aud": "aud", "ment": "aud", "cat": "cat", "pcat": "cat", "ind": "ind", "area": "area"}
_EMPTY = np.zeros(0, dtype=np.uint32)


def _ranks() -> dict[str, dict[str, int]]:
    return {k: {n: r for r, n in enumerate(v)} for k, v in lexicon_order().items()}


def _canonical(space: str, names: set[str], ranks: dict[str, dict[str, int]]) -> list[str]:
    known = ranks.get(space, {})
    return sorted(names, key=lambda n: (0, known[n], "") if n in known else (1, 0, n))


class MultiPostings(postings.Postings):
    """The posting lists of several segments as one: each segment asked, its record numbers
    mapped to the merged index's (records that no longer count dropped)."""

    def __init__(self, parts: Sequence[tuple[postings.Postings, np.ndarray]], n: int) -> None:
        self.n = n
        self._parts = list(parts)  # (a segment's postings, its record → merged record, -1: gone)

    def _gather(self, lists: list[np.ndarray], scope: np.ndarray | None = None) -> np.ndarray:
        """The records (sorted) of each segment's list, mapped, within ``scope`` if given. A long
        list (a common character) is marked in a mask over the records rather than sorted."""
        total = sum(len(loc) for loc in lists)
        if not total:
            return _EMPTY
        if total * 16 > self.n:
            mask = np.zeros(self.n + 1, dtype=bool)  # the last slot: records that are gone (-1)
            for (_p, g), loc in zip(self._parts, lists, strict=True):
                if len(loc):
                    mask[g[loc]] = True
            mask = mask[: self.n]
            if scope is not None:
                mask &= scope
            return np.flatnonzero(mask).astype(np.uint32)
        out = []
        for (_p, g), loc in zip(self._parts, lists, strict=True):
            if len(loc):
                x = g[loc]
                out.append(x[x >= 0])
        got = np.concatenate(out) if len(out) > 1 else out[0]
        got.sort()
        got = got.astype(np.uint32)
        return got[scope[got]] if scope is not None and len(got) else got

    def char(self, c: str) -> np.ndarray:
        return self._gather([p.char(c) for p, _g in self._parts])

    def pair(self, a: str, b: str) -> np.ndarray:
        return self._gather([p.pair(a, b) for p, _g in self._parts])

    def candidates(self, word: str, scope: np.ndarray | None = None) -> np.ndarray:
        return self._gather([p.candidates(word) for p, _g in self._parts], scope)

    def containing(self, word: str, scope: np.ndarray | None = None) -> np.ndarray:
        if not word:
            return np.flatnonzero(scope).astype(np.uint32) if scope is not None else np.arange(self.n, dtype=np.uint32)
        out = []
        for p, g in self._parts:
            loc = p.candidates(word)
            if not len(loc):
                continue
            x = g[loc]
            keep = x >= 0
            if scope is not None:
                keep[keep] = scope[x[keep]]
            loc = p.holding(word, loc[keep])
            if len(loc):
                out.append(g[loc])
        if not out:
            return _EMPTY
        got = np.concatenate(out)
        got.sort()
        return got.astype(np.uint32)


def _concat_tier(parts: list[tuple[TierFeatures, np.ndarray]], dest: np.ndarray | None = None) -> TierFeatures:
    """The tier features of each part's rows ``rows``, one after another, in one set of
    tables (condition sets and columns mapped by what they are, not by their codes).
    ``dest``: where each of those rows goes in the result (one after another when None),
    so that the features are laid out in their final order as they are gathered, without a
    second copy (issue 24: three copies of them made a 300,000-measure build peak at 440 MB)."""
    industries: dict[str, int] = {}
    categories: dict[str, int] = {}
    audiences: dict[str, int] = {}
    conds: dict[str, int] = {}
    cond_sets: list[Any] = []
    for tf, _rows in parts:
        for table, names in ((industries, tf.industries), (categories, tf.categories), (audiences, tf.audiences)):
            for name in names:
                table.setdefault(name, len(table))
    total = sum(len(rows) for _tf, rows in parts)

    def flags(cols: int) -> np.ndarray:
        return np.zeros((total, cols), dtype=bool)

    cond = np.zeros(total, dtype=np.int32)
    vu = np.zeros(total, dtype=np.int32)
    we = np.zeros(total, dtype=np.int32)
    amt = np.zeros(total, dtype=bool)
    starts = np.zeros(total, dtype=np.int32)
    aind_item, offer, everyone = (np.zeros(total, dtype=bool) for _ in range(3))
    ind, cat, head = flags(len(industries)), flags(len(categories)), flags(len(categories))
    aud, ment = flags(len(audiences)), flags(len(audiences))
    aind = flags(len(industries))
    at = 0
    for tf, rows in parts:
        k = len(rows)
        if not k:
            continue
        sl: slice | np.ndarray = slice(at, at + k) if dest is None else dest[at : at + k]
        cmap = np.zeros(max(1, len(tf.cond_sets)), dtype=np.int32)
        for j, cs in enumerate(tf.cond_sets):
            key = json.dumps(cs, ensure_ascii=False, sort_keys=True)
            code = conds.get(key)
            if code is None:
                code = conds[key] = len(cond_sets)
                cond_sets.append(cs)
            cmap[j] = code
        cond[sl] = cmap[tf.cond[rows]]
        vu[sl] = tf.valid_until[rows]
        we[sl] = tf.window_end[rows]
        amt[sl] = tf.has_amounts[rows]
        starts[sl] = tf.starts[rows]
        aind_item[sl] = tf.aind_item[rows]
        offer[sl] = tf.offer[rows]
        everyone[sl] = tf.everyone[rows]
        icol = [industries[n] for n in tf.industries]
        ccol = [categories[n] for n in tf.categories]
        acol = [audiences[n] for n in tf.audiences]
        r2 = sl if isinstance(sl, slice) else sl[:, None]  # rows × columns
        ind[r2, icol] = tf.ind[rows]
        cat[r2, ccol] = tf.cat[rows]
        head[r2, ccol] = tf.head[rows]
        aud[r2, acol] = tf.aud[rows]
        ment[r2, acol] = tf.ment[rows]
        aind[r2, icol] = tf.aind[rows]
        at += k
    return TierFeatures(
        cond=cond,
        valid_until=vu,
        window_end=we,
        has_amounts=amt,
        starts=starts,
        ind=ind,
        cat=cat,
        head=head,
        aud=aud,
        ment=ment,
        aind=aind,
        aind_item=aind_item,
        offer=offer,
        everyone=everyone,
        cond_sets=cond_sets,
        industries=list(industries),
        categories=list(categories),
        audiences=list(audiences),
    )


def _dense_rank(*keys: np.ndarray) -> np.ndarray:
    """Per row: the rank of its key tuple among the distinct key tuples (``keys`` most
    significant first)."""
    n = len(keys[0])
    if not n:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(tuple(reversed(keys)))
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for k in keys:
        s = k[order]
        new[1:] |= s[1:] != s[:-1]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    return rank


def _remap_sets(ix: IndexData, space: str, bit_at: dict[str, int], table: dict[int, int]) -> np.ndarray:
    """Per distinct tag set of one segment's ``space``: its code in the merged ``table``
    (the set's names given their merged bit positions; new sets added to ``table``)."""
    to_global = [1 << bit_at[name] for name in ix.header["bits"][space]]
    local = ix.masks[space]
    out = np.zeros(max(1, len(local)), dtype=np.uint32)
    if all(g == 1 << b for b, g in enumerate(to_global)):  # the same positions (lexicon names first)
        for j, m in enumerate(local):
            out[j] = table.setdefault(m, len(table))
        return out
    for j, m in enumerate(local):
        g = 0
        while m:
            low = m & -m
            g |= to_global[low.bit_length() - 1]
            m ^= low
        out[j] = table.setdefault(g, len(table))
    return out


class MergedIndex(IndexData):
    """The live records of several segments as one index (see the module's docstring).

    ``parts``: each segment's index and its live mask (None: every record), in any order;
    ``extra``: what the header says besides (documents, version, stamp)."""

    def __init__(self, parts: Sequence[tuple[IndexData, np.ndarray | None]], extra: dict[str, Any] | None = None):
        ranks = _ranks()
        segs = [ix for ix, _live in parts]
        lives = [np.flatnonzero(live) if live is not None else np.arange(ix.n) for ix, live in parts]
        # one set of tables
        bit_names = {k: set().union(*(ix.header["bits"][k] for ix in segs)) if segs else set() for k in SPACES}
        bits = {k: _canonical(k, bit_names[k], ranks) for k in SPACES}
        bit_at = {k: {name: b for b, name in enumerate(bits[k])} for k in SPACES}
        districts: dict[str, int] = {}
        issued: dict[str, int] = {}
        masks: dict[str, dict[int, int]] = {k: {} for k in SPACES}
        n = int(sum(len(x) for x in lives))
        cols: dict[str, list[np.ndarray]] = {c: [] for c in _COLUMNS}
        keys: dict[str, list[np.ndarray]] = {KEY_FILE: [], KEY_DOC: [], KEY_ROW: []}
        for ix, rows in zip(segs, lives, strict=True):
            a = ix.arrays
            dmap = np.array([districts.setdefault(d, len(districts)) for d in ix.districts] or [0], dtype=np.uint32)
            imap = np.array([issued.setdefault(d, len(issued)) for d in ix.issued_table] or [0], dtype=np.uint32)
            cols["district"].append(dmap[a["district"][rows]])
            cols["issued"].append(imap[a["issued"][rows]])
            smaps = {space: _remap_sets(ix, space, bit_at[space], masks[space]) for space in SPACES}
            for col, space in _SPACE_OF.items():
                cols[col].append(smaps[space][a[col][rows]])
            for col in ("tlen", "order", "internal", "star"):
                cols[col].append(np.asarray(a[col])[rows])
            if KEY_FILE in a:
                for k in keys:
                    keys[k].append(np.asarray(a[k], dtype=np.int64)[rows])
            else:  # an index built in memory: the order given
                keys[KEY_FILE].append(np.zeros(len(rows), dtype=np.int64))
                keys[KEY_DOC].append(np.zeros(len(rows), dtype=np.int64))
                keys[KEY_ROW].append(np.asarray(a["idx"], dtype=np.int64)[rows])
        dtypes = {"order": np.int64, "internal": np.uint8, "star": np.uint8}
        flat = {
            c: (np.concatenate(v) if v else np.zeros(0)).astype(dtypes.get(c, np.uint32), copy=False)
            for c, v in cols.items()
        }
        kf, kd, kr = (np.concatenate(keys[k]) if keys[k] else np.zeros(0, dtype=np.int64) for k in keys)
        # the order the KB lists its measures in, and the newest-first rank of (date, order)
        idx = _dense_rank(kf, kd, flat["order"], kr)
        nd_of = [_neg_date(d) for d in issued]
        nd_rank = np.zeros(max(1, len(nd_of)), dtype=np.int64)
        for r, j in enumerate(sorted(range(len(nd_of)), key=lambda j: nd_of[j])):
            nd_rank[j] = r
        mrank = _dense_rank(nd_rank[flat["issued"]] if n else np.zeros(0, dtype=np.int64), flat["order"])
        perm = np.lexsort((idx, mrank, flat["internal"])) if n else np.zeros(0, dtype=np.int64)
        arrays: dict[str, np.ndarray] = {}
        for c in list(flat):
            arrays[c] = flat.pop(c)[perm]
        arrays["idx"] = idx[perm].astype(np.uint32)
        arrays["mrank"] = mrank[perm].astype(np.uint32)
        del cols, idx, mrank, kf, kd, kr
        inv = np.empty(n, dtype=np.int64)
        inv[perm] = np.arange(n, dtype=np.int64)
        # the tier features gathered straight into the merged order
        tier = _concat_tier(
            [(TierFeatures.from_arrays(ix.arrays), rows) for ix, rows in zip(segs, lives, strict=True)], inv
        )
        arrays.update(tier.to_arrays())
        del tier
        # where each merged record lives: its segment and its number there
        none = np.zeros(0, dtype=np.int64)
        seg_of = np.concatenate([np.full(len(r), k, dtype=np.int64) for k, r in enumerate(lives)] or [none])
        loc_of = np.concatenate([np.asarray(r, dtype=np.int64) for r in lives] or [none])
        self._seg, self._loc = seg_of[perm], loc_of[perm]
        self._gpos: list[np.ndarray] = []
        start = 0
        for ix, rows in zip(segs, lives, strict=True):
            gp = np.full(ix.n, -1, dtype=np.int64)
            gp[rows] = inv[start : start + len(rows)]
            self._gpos.append(gp)
            start += len(rows)
        self._segs = segs
        self._view: IndexData | None = None
        self.header = {
            "n": n,
            "districts": list(districts),
            "issued": list(issued),
            "bits": bits,
            "masks": {k: list(masks[k]) for k in SPACES},
            **(extra or {}),
        }
        self.arrays = arrays
        self.n = n
        self.masks = {k: list(masks[k]) for k in SPACES}
        self.bits = bit_at
        self.districts = list(districts)
        self.issued_table = list(issued)
        self._keep = None
        self._text = self._title = None

    # ── the merged view stored: opening maps it instead of working it out again ──

    def view(self) -> IndexData:
        """The merged columns, tables and record map as an index of no text (to store with
        :func:`~matcher.matching.stored_index.write`; :meth:`from_view` reads it back)."""
        n = self.n
        arrays = dict(self.arrays)
        arrays[_VIEW_SEG] = np.asarray(self._seg, dtype=np.int64)
        arrays[_VIEW_LOC] = np.asarray(self._loc, dtype=np.int64)
        arrays[_VIEW_GPOS] = np.concatenate(self._gpos or [np.zeros(0, dtype=np.int64)])
        arrays["text_off"] = np.zeros(n + 1, dtype=np.int64)
        arrays["mid_off"] = np.zeros(n + 1, dtype=np.int64)
        arrays["tlen_b"] = np.zeros(n, dtype=np.uint32)
        header = dict(self.header, format=FORMAT, segment_sizes=[ix.n for ix in self._segs])
        return IndexData(header, arrays, b"", b"")

    @classmethod
    def from_view(cls, view: IndexData, segs: Sequence[IndexData], extra: dict[str, Any] | None = None) -> MergedIndex:
        """The merged index of ``segs`` as :meth:`view` stored it (ValueError: it is not theirs)."""
        h = view.header
        sizes = [ix.n for ix in segs]
        if h.get("segment_sizes") != sizes:
            raise ValueError("the stored view is of other segments")
        self = cls.__new__(cls)
        a = view.arrays
        self._seg, self._loc = a[_VIEW_SEG], a[_VIEW_LOC]
        gpos = a[_VIEW_GPOS]
        cuts = np.cumsum([0, *sizes])
        self._gpos = [gpos[int(cuts[k]) : int(cuts[k + 1])] for k in range(len(segs))]
        self._segs = list(segs)
        self._view = view
        self.header = dict(h, **(extra or {}))
        self.arrays = a
        self.n = int(h["n"])
        self.masks = view.masks
        self.bits = view.bits
        self.districts = list(h["districts"])
        self.issued_table = list(h["issued"])
        self._keep = None
        self._text = self._title = None
        return self

    @property
    def segments(self) -> list[IndexData]:
        return list(self._segs)

    @property
    def text(self) -> postings.Postings:
        if self._text is None:
            self._text = MultiPostings([(ix.text, g) for ix, g in zip(self._segs, self._gpos, strict=True)], self.n)
        return self._text

    @property
    def title(self) -> postings.Postings:
        if self._title is None:
            self._title = MultiPostings([(ix.title, g) for ix, g in zip(self._segs, self._gpos, strict=True)], self.n)
        return self._title

    def text_of(self, pos: int) -> str:
        return self._segs[int(self._seg[pos])].text_of(int(self._loc[pos]))

    def mid(self, pos: int) -> str:
        return self._segs[int(self._seg[pos])].mid(int(self._loc[pos]))

    def close(self) -> None:
        self._text = self._title = None
        for ix in self._segs:
            ix.close()
        if self._view is not None:
            self._view.close()
