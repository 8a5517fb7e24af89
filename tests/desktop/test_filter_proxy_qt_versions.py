"""The result filter works on every PySide6 the dependency pin allows (issue 22).

``QSortFilterProxyModel.beginFilterChange`` arrived in Qt 6.9, ``endFilterChange`` only in
6.10; the pin allows 6.9. A proxy whose class hides the newer methods behaves as it would on
the older Qt: filtering and the per-group limit must still work and raise nothing. (The
Windows build under Wine runs the real PySide6 6.9.3 window: packaging/windows_build.py.)
"""

from __future__ import annotations

import pytest
from fake_backend import MEASURES

from desktop.itemmodels import ResultFilterProxy, ResultTreeModel
from matcher.models import Result

HIDDEN_BY_QT = {
    "6.10": {"endFilterChange"},  # PySide6 6.9.x: beginFilterChange only
    "6.9": {"endFilterChange", "beginFilterChange"},  # before 6.9: invalidateFilter only
}


def _proxy_as_on(older_than: str) -> ResultFilterProxy:
    hidden = HIDDEN_BY_QT[older_than]

    class OlderQtProxy(ResultFilterProxy):
        def __getattribute__(self, name):
            if name in hidden:
                raise AttributeError(name)
            return super().__getattribute__(name)

    return OlderQtProxy()


def _visible(proxy) -> list[str]:
    out = []
    for g in range(proxy.rowCount()):
        gi = proxy.index(g, 0)
        out += [proxy.index(r, 0, gi).data(0) for r in range(proxy.rowCount(gi))]
    return out


@pytest.mark.parametrize("older_than", sorted(HIDDEN_BY_QT))
def test_filters_and_limits_work_without_the_newer_qt_methods(qapp, older_than):
    model = ResultTreeModel()
    results = [Result(rank=i, measure=m, score=1.0, status="applies") for i, m in enumerate(MEASURES)]
    model.set_results(results, lambda r: ["全部"])
    proxy = _proxy_as_on(older_than)
    with pytest.raises(AttributeError):
        proxy.endFilterChange  # noqa: B018 - the simulation hides it
    proxy.setSourceModel(model)
    assert len(_visible(proxy)) == len(MEASURES)

    proxy.set_filters(office="区市场监管局")
    shown = _visible(proxy)
    want = [m for m in MEASURES if "区市场监管局" in m.offices]
    assert len(shown) == len(want) == 2

    proxy.set_filters()
    proxy.set_limit(3)
    assert len(_visible(proxy)) == 3
    proxy.set_limit(None)
    assert len(_visible(proxy)) == len(MEASURES)
