"""Every measure of a profile's district with what it is for the company (``match --all``).

Read off the profile's :class:`~matcher.matching.pages.Cut`: a candidate's tier code says
its status; the rows that need words (what is missing, the question to ask, the condition
failed, the date passed) are decided in full; a record that is no candidate is aimed at
audiences the company is not in, or is the government's own work.
"""

from __future__ import annotations

import numpy as np

from matcher.matching.pages import Cut
from matcher.matching.records import _AUD, _DISTRICT, _IDX, _INTERNAL, _ISSUED, _MID, _ORDER, _POS
from matcher.matching.stored_index import _neg_date
from matcher.matching.tierclass import EXPIRED, FAILS, GENERAL, NEAR, TARGETED, UNKNOWN


def overview(cut: Cut) -> list[dict]:
    """One row per measure of the district and the city, in document order (newest document
    first, own district before the city's): ``status`` ``applies`` (with its rank in the
    whole answer and its tier), ``near`` (with the missing condition), ``unknown`` (with the
    question to ask), ``fails`` (a stated condition it does not meet, or neither for this
    company nor for every company), ``pending`` (not in force yet on the day judged: its start
    date), ``expired``, ``other``
    (aimed at an audience the company is not in, named) or ``internal`` (government work,
    never offered)."""
    reader, p, codes = cut.reader, cut.p, cut.codes
    at = {int(q): k for k, q in enumerate(cut.cand.tolist())}  # record → candidate
    main = (codes == TARGETED) | (codes == GENERAL)
    rank = np.cumsum(main)  # a targeted or general one's rank in the whole answer
    worded = np.flatnonzero(~main).tolist()
    decided = dict(zip(worded, cut.decided(worded)))
    recs = [reader.record(int(q)) for q in np.flatnonzero(reader.scope(p.district))]
    recs.sort(key=lambda r: (r[_DISTRICT] != p.district, r[_IDX]))  # own district first, as given
    recs.sort(key=lambda r: (_neg_date(r[_ISSUED]), r[_MID].split("/")[0], r[_ORDER]))
    out = []
    for r in recs:
        k = at.get(r[_POS])
        row = {"measure_id": r[_MID], "internal": r[_INTERNAL], "rank": None, "why": "", "tier": None}
        code = int(codes[k]) if k is not None else None
        if r[_INTERNAL]:
            row.update(status="internal", why="政府内部工作,不面向企业")
        elif k is None:
            names = reader.names("aud", r[_AUD])
            row.update(status="other", why="只面向" + "、".join(names) if names else "不适用")
        elif code in (TARGETED, GENERAL):
            row.update(status="applies", rank=int(rank[k]), tier="targeted" if code == TARGETED else "general")
        elif code == UNKNOWN:
            res, _d = decided[k]
            row.update(status="unknown", tier="unknown", why="待确认:" + ";".join(res.questions))
        elif code == NEAR:
            res, _d = decided[k]
            row.update(status="near", tier="near", why="还差:" + "、".join(res.missing))
        elif code == FAILS:
            d = decided[k][1]
            row.update(status="pending" if d.pending else "fails", why=d.why)
        else:
            assert code == EXPIRED
            row.update(status="expired", why=decided[k][1].expired)
        out.append(row)
    return out
