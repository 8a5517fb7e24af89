"""A fake engine for GUI tests that must not depend on the real matcher's behaviour
(a crashing task, a slow load). Built from real ``matcher.models`` records whose text is
copied from the Hongkou seed; its "matching" is deliberately trivial.
"""

from __future__ import annotations

import time
from pathlib import Path

from desktop.backend import ProfileOptions, Snapshot
from matcher.errors import BadInput
from matcher.models import Document, MatchResponse, Measure, Reason, Result, Spot

DOC = "虹口区加强集成创新持续优化营商环境行动方案"


def _m(clause, path, title, text, offices, categories, audiences=(), star=False, source="stated", order=0):
    return Measure(
        measure_id="hongkou-2023/" + ".".join(path),
        doc_id="hongkou-2023",
        district="虹口区",
        document=DOC,
        issued="2023-03-13",
        clause=clause,
        path=list(path),
        title=title,
        text=text,
        sentences=[s + "。" for s in text.rstrip("。").split("。")],
        offices=list(offices),
        office_source=source,
        categories=list(categories),
        audiences=list(audiences),
        star=star,
        order=order,
    )


MEASURES = [
    _m(
        "6.(1)",
        ["6", "1"],
        "大数据普惠金融应用",
        "加强公共信用信息平台、上海市地方征信平台建设,持续深化“信易贷”等大数据普惠金融应用。",
        ["区发展改革委"],
        ["融资信贷"],
        order=1,
    ),
    _m(
        "6.(2)",
        ["6", "2"],
        "三贷联动",
        "推出信易贷、虹企贷、科技履约贷“三贷联动”2.0版,联合相关商业银行、保险公司、投资机构,"
        "积极探索协同联动的虹口区普惠金融行动,尽最大可能解决中小微企业融资难题。",
        ["区发展改革委", "区财政局"],
        ["融资信贷"],
        ["中小微企业"],
        star=True,
        order=2,
    ),
    _m(
        "12.(4)",
        ["12", "4"],
        "企业帮办",
        "建立“代办专员”制度,为重点企业和专精特新企业提供更高效、更专业、更精准的全方位帮办服务。",
        ["区政府办公室"],
        ["帮办服务"],
        ["专精特新企业", "重点企业"],
        order=3,
    ),
    _m(
        "20.(2)",
        ["20", "2"],
        "知识产权质押融资",
        "积极开展知识产权质押融资银企对接会等入园惠企活动,大力推动知识产权质押融资。",
        ["区市场监管局"],
        ["知识产权", "融资信贷"],
        order=4,
    ),
    _m(
        "1.(1)",
        ["1", "1"],
        "全程电子化登记",
        "依托全市统一的企业登记数字化服务平台,拓展设立、变更、注销全程电子化登记覆盖范围。",
        ["区市场监管局"],
        ["证照审批"],
        order=0,
        source="inferred",
    ),
]

NEEDS_TO_CATEGORY = {"融资": "融资信贷", "知识产权": "知识产权", "证照审批": "证照审批"}


def _field(profile, name, default=None):
    if isinstance(profile, dict):
        return profile.get(name, default)
    return getattr(profile, name, default)


class FakeEngine:
    """Same interface as the parts of ``matcher.engine.Engine`` the window asks (match,
    tier_counts, tier_page, search, measure); trivial rules. ``calls`` records each
    question asked, so a test can see what the window asked for."""

    def __init__(self, measures, fail_on: str | None = None, delay: float = 0.0):
        self.measures = [m for m in measures if not m.internal]
        self.fail_on = fail_on
        self.delay = delay  # seconds each page waits (a slow knowledge base)
        self.calls: list[tuple] = []

    def _whole(self, profile) -> list[Result]:
        profile = {
            k: _field(profile, k)
            for k in ("district", "industry", "size", "zjtx", "flags", "needs", "area", "keywords")
        }
        profile = {k: v for k, v in profile.items() if v is not None}
        if self.fail_on and self.fail_on in (profile.get("keywords") or ""):
            raise RuntimeError("fake engine exploded")
        results = []
        wanted = {NEEDS_TO_CATEGORY.get(n, n) for n in profile.get("needs", [])} | set(profile.get("needs", []))
        for m in self.measures:
            if m.district != profile["district"]:
                continue
            if "专精特新企业" in m.audiences and profile.get("zjtx", "无") == "无":
                results.append(
                    Result(
                        rank=0,
                        measure=m,
                        score=0.3,
                        status="near",
                        tier="near",
                        missing=["专精特新企业"],
                        reasons=[Reason(kind="audience", text="面向专精特新企业", quote="专精特新企业")],
                    )
                )
                continue
            hit = wanted & set(m.categories)
            results.append(
                Result(
                    rank=0,
                    measure=m,
                    score=0.9 if hit else 0.5,
                    status="applies",
                    tier="targeted" if hit else "general",
                    reasons=[Reason(kind="district", text=f"本区({m.district})措施", quote="")]
                    + ([Reason(kind="need", text="对应需求:融资", quote="融资", category="融资信贷")] if hit else []),
                    matched_sentences=m.sentences[:1],
                    matched_terms=["融资"] if hit else [],
                )
            )
        results.sort(key=lambda r: (r.status != "applies", -r.score))
        for i, r in enumerate(results, 1):
            r.rank = i
        return results

    def _response(self, profile, results):
        return MatchResponse(
            profile=dict(profile) if isinstance(profile, dict) else {},
            kb={"documents": 1, "measures": len(self.measures), "version": "fake-1"},
            results=results,
            as_of="2026-01-01",
        )

    def match(self, profile, top=None, as_of=None, include_expired=False):
        self.calls.append(("match", top))
        whole = self._whole(profile)
        main = [r for r in whole if r.tier in ("targeted", "general")]
        lower = [r for r in whole if r.tier not in ("targeted", "general")]
        return self._response(profile, (main[:top] if top else main) + lower)

    def tier_counts(self, profile, as_of=None, include_expired=False):
        self.calls.append(("counts",))
        out = dict.fromkeys(("targeted", "general", "near", "unknown", "expired", "fails"), 0)
        for r in self._whole(profile):
            out[r.tier] += 1
        return out

    def tier_page(self, profile, tier, start=0, count=30, as_of=None, include_expired=False):
        self.calls.append(("page", tier, start, count))
        if self.delay:
            time.sleep(self.delay)
        mine = [r for r in self._whole(profile) if r.tier == tier][start : start + count]
        return [r.model_copy(update={"rank": start + k}) for k, r in enumerate(mine, 1)]

    def search(self, text, district=None, top=30, first=None):
        self.calls.append(("search", text, district, top))
        out = [
            Result(rank=i, measure=m, score=1.0, status="applies", matched_terms=[text])
            for i, m in enumerate((m for m in self.measures if text and text in m.text), 1)
        ]
        return out[:top]

    def measure(self, measure_id):
        self.calls.append(("measure", measure_id))
        return next((m for m in self.measures if m.measure_id == measure_id), None)


class FakeBackend:
    """Same shape as :class:`desktop.backend.Backend`."""

    def __init__(self, load_delay: float = 0.0, fail_on: str | None = None, measures=None):
        self.load_delay = load_delay
        self.fail_on = fail_on
        self.measures = list(measures or MEASURES)
        self.fake = FakeEngine(self.measures, fail_on=fail_on)

    def options(self):
        return ProfileOptions(
            districts=["黄浦区", "徐汇区", "虹口区", "杨浦区", "嘉定区"],
            industries=["制造业", "金融业", "交通运输、仓储和邮政业", "信息传输、软件和信息技术服务业"],
            key_industries=["集成电路", "航运"],
            industry_choices=[
                "制造业",
                "金融业",
                "交通运输、仓储和邮政业",
                "信息传输、软件和信息技术服务业",
                "集成电路",
                "航运",
            ],
            zjtx=["无", "创新型中小企业", "专精特新中小企业", "专精特新“小巨人”"],
            flags=["高新技术企业", "科技型中小企业", "民营企业"],
            needs=["融资", "人才", "知识产权", "证照审批"],
            areas={"虹口区": ["北外滩", "四川北路街道"], "杨浦区": ["五角场街道"]},
        )

    def _documents(self):
        return [
            Document(
                doc_id="hongkou-2023",
                district="虹口区",
                title=DOC,
                issued="2023-03-13",
                source_file="000.txt",
                sha256="0" * 64,
            )
        ]

    def engine(self, report=None):
        return self.fake

    def engine_for_match(self):
        return self.fake, None  # nothing changes a fake knowledge base behind its back

    def kb_changed(self):
        pass

    def close(self):
        pass

    def load(self, report=None):
        if self.load_delay:
            time.sleep(self.load_delay)
        return Snapshot(
            documents=self._documents(),
            version="fake-1",
            notices=[],
            options=self.options(),
            doc_counts={"hongkou-2023": (len(self.measures), sum(1 for m in self.measures if m.internal))},
        )

    def ingest(self, paths, district=None, title=None, issued=None, report=None):
        docs = []
        for i, p in enumerate(paths):
            if report:
                report(i, len(paths), Path(p).name)
            text = Path(p).read_text(encoding="utf-8", errors="replace")
            if not text.strip():
                raise BadInput(f"文件 {Path(p).name} 是空的,没有可导入的内容")
            docs.append(
                Document(
                    doc_id="user-1",
                    district=district or "虹口区",
                    title=title or Path(p).stem,
                    source_file=str(p),
                    sha256="1" * 64,
                    source="user",
                    repairs={"pinyin": 3},
                    unrepaired=[Spot(line=2, snippet="??", why="无法还原的乱码")],
                )
            )
        return docs, self.load()

    def make_profile(self, data):
        if not data.get("district"):
            raise BadInput("缺少字段 district(所在区)")
        if data["district"] not in self.options().districts:
            raise BadInput(f"district 的值“{data['district']}”不在可选范围内")
        return dict(data)

    def read_profile(self, path):
        import json

        return json.loads(Path(path).read_text(encoding="utf-8"))

    def write_profile(self, data, path):
        import json

        Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def classify(self, industry, employees=None, revenue=None, assets=None):
        from types import SimpleNamespace

        if employees is None:
            return SimpleNamespace(size=None, needs_data=["employees"], rule="需要从业人员数")
        size = "微型" if employees < 10 else "小型" if employees < 100 else "中型"
        return SimpleNamespace(size=size, needs_data=[], rule=f"从业人员 {employees} 人 → {size}")

    def suggest(self, text, choices, limit=12):
        return [c for c in choices if text and text in c][:limit]

    def export_xlsx(self, response, path):
        Path(path).write_bytes(b"PK fake")
