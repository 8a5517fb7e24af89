"""The handout an owner acts on (issue 21), built by the engine on real clients: the eight
hand-judged dev profiles (eval/dev_judged.json) over the seeds and the 20 real documents of
tests/corpus. 下一步 soonest first with what to bring, one 申兑指南 card per targeted measure,
no artefacts of the source text, every phone with whose it is, the 政策月历 and its .ics —
and one 判断日期 everywhere: a measure expired on it is available in no handout, search or
export."""

from __future__ import annotations

import csv
import datetime as _dt
import json
import re
import shutil
import time
from pathlib import Path

import match_baseline
import pytest

from matcher.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
DEV = json.loads((ROOT / "eval" / "dev_judged.json").read_text(encoding="utf-8"))
# the clients as judged (not the same ones on other days or with an area added)
CLIENTS = {k: p["profile"] for p in DEV["profiles"] if not set("@+") & set(k := p["name"].split(" ")[0])}
JUDGED = DEV["as_of"]
# artefacts of a window text cut from its sentence: a closing bracket first, an hour cut off
# after 日 ("2023年7月27日17", "…24"), a date in brackets after a number, 含材料清单)
ARTEFACT = re.compile(r"^[))】》”]|日\d{1,2}$|\d\(\d{4}-\d\d-\d\d\)|含材料清单\)|\)\s*原则上")


@pytest.fixture(scope="module")
def engine(_seed_kb_template, tmp_path_factory):
    home = tmp_path_factory.mktemp("handout-corpus")
    (home / "cache").mkdir()
    shutil.copyfile(_seed_kb_template, home / "cache" / "seed_kb.sqlite")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICYDESK_HOME", str(home))
        e = Engine.open()
        e.ingest(match_baseline.corpus_files())
    yield e
    e.close()


def _texts(card) -> list[str]:
    return [*card.audience, *card.conditions, *card.gets, *card.how, *card.address, *card.when]


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_handout_of_a_real_client(engine, name):
    """Every targeted measure has its card; 下一步 names each office once, soonest deadline
    first, with the materials its measures state; the dates are the 判断日期's."""
    profile = CLIENTS[name]
    h = engine.handout(profile, as_of=JUDGED)
    counts = engine.tier_counts(profile, as_of=JUDGED)
    assert h.as_of == JUDGED
    assert len(h.cards) == counts["targeted"]
    assert len({c.measure_id for c in h.cards}) == len(h.cards)
    # 下一步: every card under exactly one office, offices soonest deadline first (undated last)
    in_steps = [mid for s in h.steps for mid in s.measure_ids]
    assert sorted(in_steps) == sorted(c.measure_id for c in h.cards)
    keys = [(s.by is None, s.by or "") for s in h.steps]
    assert keys == sorted(keys)
    by_id = {c.measure_id: c for c in h.cards}
    for s in h.steps:
        cards = [by_id[m] for m in s.measure_ids]
        dated = [c.deadline for c in cards if c.deadline]
        assert s.by == (min(dated) if dated else None)
        assert set(s.bring) <= {x for c in cards for x in c.materials} | {x for x in s.bring if x.startswith("……")}
        assert all(c.office == s.office or (not c.office and s.office.startswith("(")) for c in cards)
    for c in [*h.cards, *h.ask, *h.near]:
        for line in _texts(c):
            assert not ARTEFACT.search(line), (c.measure_id, line)
        for p in c.phones:
            assert p.whose.strip() and p.number.strip(), c.measure_id
        assert c.deadline is None or c.deadline >= JUDGED
    assert all(c.questions for c in h.ask)  # 待确认 with the question to ask
    assert h.calendar == sorted(h.calendar, key=lambda e: e.date) and all(e.date >= JUDGED for e in h.calendar)
    assert (h.general_count == 0) == (not h.general)


def test_the_cards_read_their_documents_cleanly(engine):
    """The source's clipped window texts and contacts, read by general rules: the date with
    the time written after it, a text cut inside a bracket starting after it, each phone
    with the person or role written before it."""
    day = _dt.date(2023, 5, 1)
    found = {mid: Engine.guide_card(_result(engine, mid), day) for mid in _WITH_DATES}
    # "本批次申报受理截止时间为2026年7月10日(周五)24:00" (the window text stops at "24")
    assert found["putuo-2026/1"].when[0] == "2026年7月10日 24:00前申报"
    # "自2023年4月27日起开通在线申报,2023年7月27日17:30申报截止"
    assert found["shanghai-2023/1"].when[0] == "2023年7月27日 17:30前申报"
    # "…附件(1份,含材料清单)原则上于4月3日(周五)前将申报材料报送至相关受理部门"
    assert found["jingan-2026-3/二.一"].when[0] == "2026年4月3日前申报"
    phones = {p.number: p.whose for p in found["shanghai-2023/1"].phones}
    # "联 系 人:郑老师;联系方式:23115335,18917702329;技术支持:史老师;联系方式:13964053882"
    assert phones == {"23115335": "联系人郑老师", "18917702329": "联系人郑老师", "13964053882": "技术支持(史老师)"}
    assert {p.whose for p in found["putuo-2026/1"].phones} == {"联系人王芊芊、俞冰清"}
    assert {p.whose for p in found["jingan-2026-3/二.一"].phones} >= {"区商务委", "区发展改革委"}


_WITH_DATES = ("putuo-2026/1", "shanghai-2023/1", "jingan-2026-3/二.一")


def _result(engine, mid):
    from matcher.models import Result

    return Result(rank=1, measure=engine.measure(mid), score=1.0, status="applies", tier="targeted")


def test_the_office_directory_gives_address_and_whose_phone(engine):
    """受理地址 and 咨询电话 of the lead office come from the hall's directory, the phone
    named as that office's window; the document's own phone stays beside it."""
    from matcher.engine import Contact, OfficeDirectory

    bare = Engine.guide_card(_result(engine, "yangpu-2026/1"), "2026-07-01", directory=OfficeDirectory())
    assert bare.office and bare.address == ["杨浦区江浦路627号2号楼405室"]  # as the notice states it
    d = OfficeDirectory()
    d.set(bare.district, bare.office, Contact(address="控江路1029号", window="3号窗口", phone="021-65000000"))
    card = Engine.guide_card(_result(engine, "yangpu-2026/1"), "2026-07-01", directory=d)
    assert any("控江路1029号" in a and a.startswith(card.office) for a in card.address)
    assert any(p.number == "021-65000000" and p.whose == f"{card.office}窗口" for p in card.phones)
    assert any(p.number == "65690561" for p in card.phones)


def test_calendar_ics_parses_and_holds_every_date(engine, tmp_path):
    """The .ics is RFC 5545 as a calendar reads it: one all-day event per date of the 政策月历,
    each with a UID, a stamp and a reminder; lines folded at 75 octets."""
    from icalendar import Calendar

    h = engine.handout(CLIENTS["p1_songjiang_mfg"], as_of=JUDGED)
    assert h.calendar
    path = Engine.write_calendar(h, tmp_path / "月历.ics")
    raw = path.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = Calendar.from_ical(raw)
    events = cal.walk("VEVENT")
    assert len(events) == len(h.calendar)
    for ev, e in zip(events, h.calendar):
        assert ev.decoded("dtstart") == _dt.date.fromisoformat(e.date)
        assert str(ev["uid"]).endswith("@policydesk") and ev.get("dtstamp") is not None
        assert e.kind in str(ev["summary"])
        assert ev.walk("VALARM")
    assert len({str(ev["uid"]) for ev in events}) == len(events)
    with pytest.raises(Exception, match="扩展名"):
        Engine.write_calendar(h, tmp_path / "月历.txt")


def test_a_measure_expired_on_the_judging_day_is_available_nowhere(engine, tmp_path):
    """杨浦's 2026 工程总承包 notice closes on 2026-07-31: on that day it is for P5 in the
    results, the handout, the calendar, search and the exports; the day after it is in none
    of them as available — search and the exports say 已过期."""
    mid = "yangpu-2026/1"
    profile = CLIENTS["p5_yangpu_construction"]
    for day, open_ in (("2026-07-31", True), ("2026-08-01", False)):
        h = engine.handout(profile, as_of=day)
        in_handout = {c.measure_id for c in [*h.cards, *h.ask, *h.near]}
        in_calendar = {m for e in h.calendar for m in e.measure_ids}
        assert (mid in in_handout) is open_ and (mid in in_calendar) is open_
        found = [
            r for r in engine.search("工程总承包", profile=profile, as_of=day, top=50) if r.measure.measure_id == mid
        ]
        assert found and (found[0].tier == "expired") is (not open_)
        alone = [r for r in engine.search("工程总承包", as_of=day, top=50) if r.measure.measure_id == mid]
        assert alone and (alone[0].tier == "expired") is (not open_)
        resp = engine.match(profile, top=None, as_of=day, include_expired=True)
        for kind in ("json", "csv", "xlsx"):
            out = Engine.export(resp, tmp_path / f"x-{day}.{kind}")
            if kind == "json":
                rows = [r for r in json.loads(out.read_text(encoding="utf-8"))["results"] if r["measure_id"] == mid]
                assert [r["tier"] == "expired" for r in rows] == [not open_]
            elif kind == "xlsx":
                from openpyxl import load_workbook

                cells = [[str(c or "") for c in r] for r in load_workbook(out).active.iter_rows(values_only=True)]
                assert any(f"判断日期:{day}" in c for c in cells[1])
                row = next(r for r in cells if mid in r)
                assert ("已过期" in row) is (not open_)
            else:
                lines = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
                assert f"判断日期 {day}" in lines[0]
                row = next(r for r in lines if mid in r)
                assert ("已过期" in row) is (not open_)
        plain = engine.match(profile, top=None, as_of=day)
        assert (mid in {r.measure.measure_id for r in plain.results}) is open_


def test_search_gives_the_tier_the_results_give(engine):
    """A measure found by search is in the tier the client's answer has it in (not 普惠服务
    for a 2023 notice that is for this client, nor for one aimed at others)."""
    for name in ("p6_hongkou_shipping", "p1_songjiang_mfg"):
        profile = CLIENTS[name]
        whole = engine.match(profile, top=None, as_of=JUDGED, include_expired=True)
        tiers = {r.measure.measure_id: r.tier for r in whole.results}
        for text in ("航运", "融资", "节能"):
            for r in engine.search(text, profile=profile, as_of=JUDGED, top=40):
                want = tiers.get(r.measure.measure_id)
                if want is not None:
                    assert r.tier == want, (name, text, r.measure.measure_id)
                else:
                    assert r.tier in ("other", "expired"), (name, text, r.measure.measure_id, r.tier)


def test_unticked_measures_leave_the_handout(engine):
    profile = CLIENTS["p8_baoshan_mfg"]
    h = engine.handout(profile, as_of=JUDGED)
    drop = [c.measure_id for c in h.cards[:3]]
    h2 = engine.handout(profile, as_of=JUDGED, exclude=drop)
    assert {c.measure_id for c in h2.cards} == {c.measure_id for c in h.cards} - set(drop)
    assert not set(drop) & {m for s in h2.steps for m in s.measure_ids}


def test_clipped_texts_are_cleaned_by_general_rules():
    """The rules that clean a window text are about brackets and cut times, not any
    document's words: any text cut inside a bracket starts after it, an unclosed bracket at
    the end is cut, a time cut after its hour is dropped."""
    from matcher.clients.guide import balanced, when_lines
    from matcher.models import Measure

    assert balanced("含材料清单)原则上于4月3日(周五)前报送") == "原则上于4月3日(周五)前报送"
    assert balanced("附件2]每季度末前提交") == "每季度末前提交"
    assert balanced("每年6月底前(以当年通知为准") == "每年6月底前"
    assert balanced("《申报指南》发布后30日内") == "《申报指南》发布后30日内"

    def measure(window, valid_until=None):
        return Measure(
            measure_id="x/1",
            doc_id="x",
            district="虹口区",
            document="d",
            clause="1",
            text="t",
            window=window,
            valid_until=valid_until,
        )

    lines, due, kind = when_lines(measure({"text": "(3)每年9月30日17", "recurring": True}), _dt.date(2026, 1, 1))
    assert lines == ["每年9月30日"] and due is None and kind == ""
    lines, due, kind = when_lines(
        measure({"text": "…截至2026年3月5日18", "end": "2026-03-05", "quote": "截至2026年3月5日18:00止"}, "2027-12-31"),
        _dt.date(2026, 1, 1),
    )
    assert lines == ["2026年3月5日 18:00前申报", "政策有效期至2027年12月31日"]
    assert (due, kind) == ("2026-03-05", "申报截止")
    # after the window closed, the document's 有效期 is the date still coming
    _lines, due, kind = when_lines(measure({"end": "2026-03-05", "text": "x"}, "2027-12-31"), _dt.date(2026, 4, 1))
    assert (due, kind) == ("2027-12-31", "政策到期")


def test_every_phone_is_someones():
    from matcher.clients.guide import stated_phones
    from matcher.models import Measure

    m = Measure(
        measure_id="x/1",
        doc_id="x",
        district="虹口区",
        document="d",
        clause="1",
        text="t",
        contact={
            "people": ["李老师"],
            "phones": ["66001234", "13800000000", "66009999"],
            "quote": "联系人:李老师,66001234;系统操作咨询:13800000000;咨询电话:66009999",
        },
    )
    assert [(p.whose, p.number) for p in stated_phones(m)] == [
        ("联系人李老师", "66001234"),
        ("系统操作", "13800000000"),
        ("咨询电话", "66009999"),
    ]


def test_client_changes_are_judged_on_the_judging_day(engine):
    """客户变化 (after an import, and for every saved client) judges on the 判断日期 the
    results use: 杨浦's 工程总承包 measure is newly for P5 on 2026-07-31, the day it closes,
    and on 2026-08-01 it is listed nowhere as available — even though the client was last
    reviewed after both days (the KB then is judged on the 判断日期 too)."""
    mid = "yangpu-2026/1"
    profile = CLIENTS["p5_yangpu_construction"]
    # times are kept to the second: save in the second after the fixture's import, so the
    # import is not also "since" the save (it failed once when both fell in one second)
    time.sleep(1.01 - time.time() % 1)
    Engine.save_profile("杨浦建筑", profile)
    for day, open_ in (("2026-07-31", True), ("2026-08-01", False)):
        targeted = {r.measure.measure_id for r in engine.match(profile, top=None, as_of=day).results}
        assert (mid in targeted) is open_
        after_import = engine.clients_changed_by([mid.split("/")[0]], as_of=day)
        assert all(c["diff"]["today"] == day for c in after_import)
        new = {r["measure_id"] for c in after_import for r in c["diff"]["newly_targeted"]}
        changed = {r["measure_id"] for c in after_import for r in c["diff"]["changed"]}
        assert (mid in new) is open_ and mid not in changed
        [saved] = engine.saved_clients_changes(as_of=day)  # since just saved: after the 判断日期
        assert saved["diff"]["today"] == day and saved["since"][:10] > day
        assert mid not in {r["measure_id"] for r in saved["diff"]["newly_targeted"]}
