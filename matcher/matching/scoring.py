"""One profile's scoring of the measures in its scope: vectorised over the stored index's
arrays (:meth:`Scoring.vector`), and one record at a time to explain a result shown
(:meth:`Scoring.judge`). Both add the same weights in the same order, so a record's
vectorised score is exactly its judged one (tests/matcher/test_vector_match.py).

What depends only on a record's tags is decided once per distinct tag set (audiences,
(categories, main categories), industries, areas, mentions) and gathered by code; word
hits come from the posting lists (:mod:`matcher.matching.postings`).
"""

from __future__ import annotations

import numpy as np

from matcher.common import fuzzy
from matcher.common.text import normalize
from matcher.matching.reader import IndexReader
from matcher.matching.records import _AREA, _AUD, _CAT, _IND, _MENT, _PCAT, _POS, _STAR, _TEXT, _TLEN
from matcher.matching.vocabulary import Vocabulary
from matcher.profile.company import Profile


class Scoring:
    """The profile-dependent part of one match (see the module doc)."""

    def __init__(self, reader: IndexReader, vocab: Vocabulary, p: Profile):
        self.reader = reader
        self.vocab = vocab
        self.p = p
        ix = reader.ix
        self.ix = ix
        self.scope = reader.scope(p.district)
        self.w = vocab.weights
        cats = vocab.need_categories
        self.need_cats = {n: reader.known("cat", cats.get(n, [n])) for n in p.needs}
        self.need_main = {n: reader.known("cat", cats.get(n, [n])[:1]) for n in p.needs}
        self.ind_tags, self.ind_words = vocab.industry_tags(p)
        self.ind_mask = reader.known("ind", self.ind_tags)
        self.area_names = vocab.area_names(p)
        self.area_mask = reader.known("area", self.area_names)
        self.terms = p.keyword_terms
        self.term_forms = {t: vocab.expand(t) for t in self.terms}
        self.profile_aud = reader.known("aud", (n for n, rule in vocab.audiences.items() if vocab.in_audience(p, rule)))
        self.need_terms = {n: [t for c in cats.get(n, [n]) for t in vocab.category_terms.get(c, [])] for n in p.needs}
        self._aud_memo: dict[int, tuple[bool, list[str], list[str]]] = {}
        self._need_memo: dict[tuple[int, int], tuple[list[str], float, list[str]]] = {}
        self._ment_memo: dict[int, list[str]] = {}
        self._dense_memo: dict[tuple[str, ...], list[str]] = {}
        self._scratch: np.ndarray | None = None
        # keyword hits: per term, (form, record positions) — exact forms first; fuzzy only
        # for terms found nowhere exactly; then a compound's known parts
        self.kw_hits: dict[str, list[tuple[str, np.ndarray]]] = {}
        self.unfound: list[str] = []
        any_rec = bool(self.scope.any())
        for t, forms in self.term_forms.items():
            hits = self._form_hits(forms)
            nt = normalize(t)
            if not hits and len(nt) >= fuzzy.MIN_FUZZY_LEN:
                fz: dict[str, list[int]] = {}
                for q in ix.text.may_align(nt, fuzzy.TERM_CUTOFF, self.scope):
                    text = ix.text_of(int(q))
                    found = fuzzy.find_in_text(nt, text)
                    if found:
                        a, b, _s = found[0]
                        fz.setdefault(text[a:b], []).append(int(q))
                hits = [(f, np.array(ps, dtype=np.int64)) for f, ps in fz.items()]
            if not hits:
                parts = [x for x in vocab.synonyms if len(x) >= 2 and x in nt and x != nt]
                hits = self._form_hits(parts)
            self.kw_hits[t] = hits
            if any_rec and not hits:
                self.unfound.append(t)
        self.kw_any = any(self.kw_hits.values())
        self._kw_maps: dict[str, list[tuple[str, np.ndarray]]] | None = None

    # ── word hits ──

    def holds(self, word: str, at: np.ndarray) -> np.ndarray:
        """Per record position of ``at``: its text (within scope) holds ``word`` — marked
        on one scratch array, not a new array over all records per word."""
        return self._marked(self.reader.containing(word, self.p.district, self.scope), at)

    def _marked(self, pos: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Per position of ``at``: it is one of ``pos``."""
        s = self._scratch
        if s is None:
            s = self._scratch = np.zeros(self.ix.n, dtype=bool)
        s[pos] = True
        out = s[at]
        s[pos] = False
        return out

    def _form_hits(self, forms: list[str]) -> list[tuple[str, np.ndarray]]:
        """(form, positions) for the first of ``forms`` each record in scope holds."""
        out: list[tuple[str, np.ndarray]] = []
        left = self.scope.copy()
        for f in forms:
            if not f or not left.any():
                continue
            found = self.ix.text.containing(f, left)
            if len(found):
                out.append((f, found.astype(np.int64)))
                left[found] = False
        return out

    def kw_form(self, t: str, pos: int) -> str | None:
        """The form of term ``t`` record ``pos`` holds (each record is in one form's hits at
        most), or None."""
        if self._kw_maps is None:
            self._kw_maps = {k: [(f, np.sort(ps)) for f, ps in hs] for k, hs in self.kw_hits.items()}
        for f, ps in self._kw_maps[t]:
            i = int(ps.searchsorted(ps.dtype.type(pos)))  # typed: no conversion of ps
            if i < len(ps) and int(ps[i]) == pos:
                return f
        return None

    # ── decisions per distinct tag set ──

    def aud(self, mask: int) -> tuple[bool, list[str], list[str]]:
        """(not offered, what is missing, audiences named) for a record's audience set: not
        offered when the profile is in none of them and can join none; near (the first one
        it can join named as missing) when it can join one."""
        a = self._aud_memo.get(mask)
        if a is None:
            rules, p = self.vocab.audiences, self.p
            names = self.reader.names("aud", mask)
            ok = [n for n in names if n in rules and self.vocab.in_audience(p, rules[n])]
            unknown = [n for n in names if n not in rules]
            if not ok and not unknown:
                reachable = [rules[n] for n in names if rules[n].changeable]
                a = (not reachable, [reachable[0].missing] if reachable else [], [])
            else:
                a = (False, [], ok or unknown)
            self._aud_memo[mask] = a
        return a

    def need(self, cat: int, pcat: int) -> tuple[list[str], float, list[str]]:
        """(needs served, their weight, the needs' words to count) for a category set."""
        nm = self._need_memo.get((cat, pcat))
        if nm is None:
            w = self.w
            served = [n for n, mk in self.need_cats.items() if cat & mk]
            inc = 0.0
            dense_terms: list[str] = []
            if served:
                main = any(pcat & self.need_cats[n] for n in served)
                direct = any(cat & self.need_main[n] for n in served)  # the need's own category
                first = w.need_first * (1.0 if main else 0.6) * (1.0 if direct else 0.75)
                inc = first + w.need_more * (len(served) - 1)
                key = tuple(served)
                dense_terms = self._dense_memo.get(key)  # type: ignore[assignment]
                if dense_terms is None:
                    dense_terms = self._dense_memo[key] = list(
                        dict.fromkeys(t for n in served for t in self.need_terms[n])
                    )
            nm = self._need_memo[(cat, pcat)] = (served, inc, dense_terms)
        return nm

    # ── one record (to explain it) ──

    def judge(self, r: tuple, explain: bool) -> tuple[float, list[str], list, list[str]] | None:
        """(score, missing, reasons, words) for one record, or None when it is not offered;
        ``reasons`` (kind, label, word) and ``words`` only when ``explain``."""
        w, p = self.w, self.p
        reasons: list[tuple[str, str, str]] = []
        words: list[str] = []
        missing: list[str] = []
        text = r[_TEXT]
        if r[_AUD]:
            skip, missing, named = self.aud(r[_AUD])
            if skip:
                return None
            if explain:
                for n in named:
                    reasons.append(("audience", n, n))
        score = w.base
        served, inc, dense_terms = self.need(r[_CAT], r[_PCAT])
        if served:
            score += inc
            dense = 0  # distinct need words in the text, at most 3
            for t in dense_terms:
                if t in text:
                    dense += 1
                    if dense == 3:
                        break
            score += w.need_density * dense
            if explain:
                for n in served:
                    reasons.append(("need", n, ""))
        ind_word = ""
        if self.ind_mask and r[_IND] & self.ind_mask:
            ind_word = "tag"
        for iw in self.ind_words:
            if iw in text:
                ind_word = iw
                break
        if ind_word:
            score += w.industry
            if explain:
                reasons.append(("industry", p.specialisation or p.industry or "", ind_word))
        if self.area_names:
            aw = next((a for a in self.area_names if a in text), "")
            if aw or (self.area_mask and r[_AREA] & self.area_mask):
                score += w.area
                place = self.vocab.area_served(text, self.area_names)
                if explain and place:  # the place its firms are served: evidence (issue 19)
                    reasons.append(("area", p.area, place))
        if self.kw_any:
            kws = [(t, f) for t in self.terms if (f := self.kw_form(t, r[_POS])) is not None]
            if kws:
                score += w.keyword_first + w.keyword_more * (len(kws) - 1)
                if any(text.find(f, 0, r[_TLEN]) >= 0 for _t, f in kws):  # in the title
                    score += w.keyword_in_title
                if explain:
                    for t, f in kws:
                        reasons.append(("keyword", t, f))
                        words.append(f)
        if r[_AUD] and not missing:
            score += w.audience
        elif r[_MENT] & self.profile_aud:
            score += w.mention
            if explain:
                both = r[_MENT] & self.profile_aud
                mentioned = self._ment_memo.get(both)
                if mentioned is None:
                    mentioned = self._ment_memo[both] = self.reader.names("aud", both)
                for n in mentioned:
                    reasons.append(("mention", n, n))
        if r[_STAR]:
            score += w.star
        return min(score, 1.0), missing, reasons, words

    # ── every record in scope at once ──

    def vector(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions offered, their scores, near flags): every record in scope that is not
        internal and not filtered out by its audiences, scored as :meth:`judge` scores it."""
        ix, w = self.ix, self.w
        a = ix.arrays
        cand = np.flatnonzero(self.scope & (a["internal"] == 0))
        amasks = ix.masks["aud"]
        aud_ids = a["aud"][cand]
        skip_t = np.zeros(len(amasks), dtype=bool)
        miss_t = np.zeros(len(amasks), dtype=bool)
        bonus_t = np.zeros(len(amasks), dtype=bool)
        for sid in _distinct(aud_ids)[0].tolist():
            mask = amasks[sid]
            if mask:
                skip, missing, _named = self.aud(mask)
                skip_t[sid], miss_t[sid], bonus_t[sid] = skip, bool(missing), not missing
        keep = ~skip_t[aud_ids]
        cand, aud_ids = cand[keep], aud_ids[keep]
        score = np.full(len(cand), w.base, dtype=np.float64)
        if not len(cand):
            self.area_hits = self.titled = self.asked = self.worded = np.zeros(0, dtype=bool)
            return cand, score, np.zeros(0, dtype=bool)
        self.asked = np.zeros(len(cand), dtype=bool)  # serves a stated need or holds a stated word
        self.worded = np.zeros(len(cand), dtype=bool)  # holds a stated word (its keywords)
        # needs: which a category set serves (and whether directly), decided once per
        # distinct set; whether the measure is mainly about one, per distinct main set
        if self.need_cats:
            needs = list(self.need_cats)
            table_of = self.reader.mask_table
            cat_ids, pcat_ids = a["cat"][cand], a["pcat"][cand]
            bits = np.zeros(len(ix.masks["cat"]), dtype=np.int64)  # per category set: needs it serves
            direct_t = np.zeros(len(ix.masks["cat"]), dtype=bool)  # per set: a need's own category
            for i, n in enumerate(needs):
                tab = table_of("cat", self.need_cats[n]).astype(np.int64) << i
                bits |= tab
                direct_t |= table_of("cat", self.need_main[n])  # (the own category is one of the need's)
            served_bits = bits[cat_ids]
            self.asked |= served_bits != 0
            nserved = np.zeros(len(cand), dtype=np.int64)
            for i in range(len(needs)):
                nserved += (served_bits >> i) & 1
            main = (served_bits & bits[pcat_ids]) != 0  # mainly about one it serves
            direct = direct_t[cat_ids]
            table = np.zeros((len(needs) + 1, 2, 2), dtype=np.float64)
            for k in range(1, len(needs) + 1):
                for mn in (0, 1):
                    for dr in (0, 1):
                        first = w.need_first * (1.0 if mn else 0.6) * (1.0 if dr else 0.75)
                        table[k, mn, dr] = first + w.need_more * (k - 1)
            score += table[nserved, main.astype(np.int64), direct.astype(np.int64)]
            groups: dict[tuple[str, ...], int] = {}
            gid = np.full(len(cand), -1, dtype=np.int64)
            for sb in _distinct(served_bits)[0].tolist():
                served = [n for i, n in enumerate(needs) if sb >> i & 1]
                dense_terms = tuple(dict.fromkeys(t for n in served for t in self.need_terms[n]))
                if dense_terms:
                    gid[served_bits == sb] = groups.setdefault(dense_terms, len(groups))
            for terms, g in groups.items():
                rows = np.flatnonzero(gid == g)
                at = cand[rows]
                dense = np.zeros(len(rows), dtype=np.int64)
                for t in terms:
                    dense += self.holds(t, at)
                np.minimum(dense, 3, out=dense)
                score[rows] += w.need_density * dense
        # industry: a tag or a word
        hit = np.zeros(len(cand), dtype=bool)
        if self.ind_mask:
            hit |= self.reader.mask_table("ind", self.ind_mask)[a["ind"][cand]]
        for iw in self.ind_words:
            hit |= self.holds(iw, cand)
        score += np.where(hit, w.industry, 0.0)
        # area: a name in the text or a tag; evidence for the tiers where a name is in the
        # text as the place its firms are served (Vocabulary.area_served)
        self.area_hits = np.zeros(len(cand), dtype=bool)
        self.titled = np.zeros(len(cand), dtype=bool)
        if self.area_names:
            hit = np.zeros(len(cand), dtype=bool)
            named = np.zeros(len(cand), dtype=bool)
            for nm in self.area_names:
                named |= self.holds(nm, cand)
            hit |= named
            if self.area_mask:
                hit |= self.reader.mask_table("area", self.area_mask)[a["area"][cand]]
            score += np.where(hit, w.area, 0.0)
            for k in np.flatnonzero(named).tolist():
                text = self.reader.record(int(cand[k]))[_TEXT]
                self.area_hits[k] = bool(self.vocab.area_served(text, self.area_names))
        # keywords: how many terms hit, and whether a hit form is in the title
        if self.kw_any:
            nk = np.zeros(len(cand), dtype=np.int64)
            in_title = np.zeros(len(cand), dtype=bool)
            for t in self.terms:
                for f, ps in self.kw_hits[t]:
                    nk += self._marked(ps, cand)
                    at = np.zeros(ix.n, dtype=bool)
                    at[ps] = True
                    in_title |= self._marked(ix.title.containing(f, at), cand)
            vals = np.array(
                [0.0] + [w.keyword_first + w.keyword_more * (k - 1) for k in range(1, len(self.terms) + 1)],
                dtype=np.float64,
            )
            score += vals[nk]
            self.asked |= nk > 0
            self.worded = nk > 0
            score += np.where(in_title & (nk > 0), w.keyword_in_title, 0.0)
            # a word the firm itself stated names what the measure is (its title): evidence
            # for the tiers when the measure names who receives it (issue 19)
            self.titled = in_title & (nk > 0)
        # a named audience the company is in, else one it is mentioned in
        aud_bonus = bonus_t[aud_ids]
        ment = self.reader.mask_table("aud", self.profile_aud)[a["ment"][cand]]
        score += np.where(aud_bonus, w.audience, 0.0)
        score += np.where(~aud_bonus & ment, w.mention, 0.0)
        score += np.where(a["star"][cand] != 0, w.star, 0.0)
        np.minimum(score, 1.0, out=score)
        self._scratch = None  # an array over all records: only the vector reads it
        return cand, score, miss_t[aud_ids]


def _distinct(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, index of each value of ``a`` among them); np.unique would
    import numpy.ma on first use, a tenth of a second of a command's start."""
    s = np.sort(a)
    if len(s):
        keep = np.empty(len(s), dtype=bool)
        keep[0] = True
        np.not_equal(s[1:], s[:-1], out=keep[1:])
        s = s[keep]
    return s, np.searchsorted(s, a)
