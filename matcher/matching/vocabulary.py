"""The match rules and lexicons as a match reads a profile with them (:class:`Vocabulary`).

What a profile's audiences, industry, area, needs and keywords stand for: which audience
rules it meets and which it can still join, the industry tags and words to look for, every
form of its area, the categories and words of each need, and the ways a document may write
a keyword (its synonyms). Ranking (:mod:`matcher.matching.scoring`), tiers
(:mod:`matcher.matching.pages`), explanations (:mod:`matcher.matching.explain`) and search
(:mod:`matcher.matching.search`) all read the rules through it; it knows nothing of the
index.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from matcher.common.text import normalize
from matcher.profile.company import Profile
from matcher.rules.lexicon import load_lexicons
from matcher.rules.match_rules import AudienceRule, load_match_rules


class Vocabulary:
    """The rules (``resources/match_rules.toml``) and lexicons one matcher reads."""

    def __init__(self) -> None:
        self.rules = load_match_rules()
        self.lex = load_lexicons()
        self.weights = self.rules.weights
        #: audience name → its rule (who is in it, whether a company can still join it)
        self.audiences: dict[str, AudienceRule] = {r.name: r for r in self.rules.audience}
        #: need → the categories that serve it, its own category first
        self.need_categories: dict[str, list[str]] = dict(self.lex.categories.needs)
        #: category → its terms, normalised
        self.category_terms = {c.name: [normalize(t) for t in c.terms] for c in self.lex.categories.category}
        self._built_memo: dict[str, list[re.Pattern[str]]] = {}
        #: word → the other words of its synonym groups, normalised
        self.synonyms: dict[str, list[str]] = {}
        for g in self.rules.synonyms:
            terms = [normalize(t) for t in g.terms]
            for t in terms:
                self.synonyms.setdefault(t, [])
                self.synonyms[t] += [x for x in terms if x != t and x not in self.synonyms[t]]

    # ── audiences ──

    @staticmethod
    def in_audience(p: Profile, rule: AudienceRule) -> bool:
        if p.size and p.size in rule.sizes:
            return True
        if any(f in p.flags for f in rule.flags):
            return True
        if rule.zjtx_min is not None and p.zjtx_level >= rule.zjtx_min:
            return True
        return any(n in p.needs for n in rule.needs)

    def audience_test(self, p: Profile) -> Callable[[str], bool | None]:
        """``name → whether the profile is in that audience`` (None: an audience the rules do
        not know), as :func:`matcher.matching.tiers.decide` asks it."""

        def ok(name: str) -> bool | None:
            rule = self.audiences.get(name)
            return self.in_audience(p, rule) if rule is not None else None

        return ok

    def reach(self, name: str) -> str:
        """What a company does to join audience ``name`` ("" when it cannot)."""
        rule = self.audiences.get(name)
        return rule.missing if rule is not None and rule.changeable else ""

    # ── industry and area ──

    def industry_tags(self, p: Profile) -> tuple[list[str], list[str]]:
        """(lexicon industry tags for the profile, words to look for in the text)."""
        tags: list[str] = []
        words: list[str] = []
        spec = normalize(p.specialisation or "")
        if spec:
            tags = self.lex.industries_for(spec)
            by_name = {i.name: i for i in self.lex.industries.industry}
            for t in tags:
                words += [x for x in by_name[t].terms if len(x) >= 2]
            if not tags:
                words.append(spec)  # free text such as 船舶代理: look for it as written
        elif p.industry:
            tags = self.lex.industries_for_section(p.industry)
        return tags, list(dict.fromkeys(words))

    def area_served(self, text: str, names: list[str]) -> str:
        """The first of the area's ``names`` in ``text`` that is named as a place where firms
        are served, "" when every mention is the place the government develops or builds
        (``evidence.area_built`` of the match rules: 北外滩开发建设, 构建北外滩…集聚区)."""
        for nm in names:
            start = text.find(nm)
            while start >= 0:
                if not any(rx.search(text, max(0, start - 8), start + len(nm) + 12) for rx in self._built(nm)):
                    return nm
                start = text.find(nm, start + len(nm))
        return ""

    def _built(self, name: str) -> list[re.Pattern[str]]:
        got = self._built_memo.get(name)
        if got is None:
            esc = re.escape(name)
            got = self._built_memo[name] = [
                re.compile(p.replace("{area}", f"(?:{esc})")) for p in self.rules.evidence.area_built
            ]
        return got

    def area_names(self, p: Profile) -> list[str]:
        """The profile's area and every form of it (殷行 ↔ 殷行街道), longest first."""
        if not p.area:
            return []
        area = normalize(p.area)
        names = {area}
        for info in self.lex.areas_for(p.district):
            forms = [info.name, *info.aliases]
            if area in forms:
                names.update(forms)
        return sorted(names, key=len, reverse=True)

    # ── keywords ──

    def expand(self, term: str) -> list[str]:
        """A keyword and the ways a document may write it: its synonyms, and for a compound
        holding a known word ("专利质押") the compound with that word's synonyms in its place
        ("知识产权质押")."""
        t = normalize(term)
        syn = self.synonyms
        forms = [t, *syn.get(t, [])]
        if t not in syn:
            for part in sorted(syn, key=len, reverse=True):
                if len(part) >= 2 and part in t and part != t:
                    # not a synonym holding the part itself (贷 → 贷款 in 信贷…), and not a
                    # form that doubles what the term did not (融资担保 → 担保担保)
                    forms += [
                        f
                        for f in (t.replace(part, s) for s in syn[part] if len(s) >= 2 and part not in s)
                        if not _new_double(f, t)
                    ]
        return list(dict.fromkeys(forms))


def _new_double(form: str, term: str) -> bool:
    """Whether ``form`` holds a doubled substring (担保担保, 贷贷) that ``term`` does not."""
    n = len(form)
    for k in range(1, n // 2 + 1):
        for i in range(n - 2 * k + 1):
            if form[i : i + k] == form[i + k : i + 2 * k] and form[i : i + 2 * k] not in term:
                return True
    return False
