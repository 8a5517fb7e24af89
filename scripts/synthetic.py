"""Synthetic knowledge bases for the benchmark (issue 13): scripts/benchmark.py and its smoke
test use it; the product does not.

:func:`sentence_pool` gathers the real sentences, measure titles and stated offices of the
seeds and the development corpus; :func:`document_texts` recombines them into new policy
documents (plain text in the Yangpu / Xuhui outline: 一、 chapters, (一) sections, 1. items,
each item a title and two to five real sentences from different measures, half of them with
a 牵头责任部门 note) spread over the 16 districts and the city level. The texts are meant to
be imported the way a user imports files (``Engine.ingest``); :func:`build_documents`
parses them with the same pipeline (what ``ingest`` does per file).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import KBError
from matcher.models import Document

CITY = "上海市"
GENERATOR_VERSION = "5"  # bump when the texts generated change
CN_NUM = "一二三四五六七八九十"
# sentences that carry a document's dates (deadlines, validity, target dates) are left out:
# recombined into other documents they would date every measure there (expired or not yet open)
DATED = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d|截止|截至|有效期|施行|申报时间|受理时间|"
    r"申报期|之日起|届满|[二〇○一]{4}年"
)
# nor sentences about the document itself (its scope, its applicants): recombined, they would
# narrow every measure of the new document to one audience
DOC_LEVEL = re.compile(
    r"适用于|适用范围|适用对象|支持对象|申报对象|申报主体|申报条件|申请条件|扶持对象|"
    r"本(?:办法|措施|细则|指南|通知|意见|方案|政策|规定|实施)"
)


def _cn(n: int) -> str:
    """1..99 as Chinese numerals (一, 十, 十一, 二十三)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


@dataclass
class Pool:
    sentences: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)


def _strip_districts(text: str, names: Sequence[str]) -> str:
    for d in names:
        text = text.replace(d, "本区").replace(d[:-1] + "区", "本区") if d.endswith("区") else text
    return text


def sentence_pool(corpus_dir: str | Path | None = None) -> Pool:
    """Real sentences of the seeds and of the corpus documents in ``corpus_dir``."""
    from matcher.reading.pipeline import build_document, build_seed_documents
    from matcher.rules.profile_rules import load_profile_rules

    districts = list(load_profile_rules().district_names())
    docs = list(build_seed_documents())
    if corpus_dir:
        for f in sorted(Path(corpus_dir).glob("*.txt")):
            if f.name.upper().startswith(("README", "MANIFEST")):
                continue
            try:
                docs.append(build_document(f.read_text(encoding="utf-8"), source_file=f.name, source="user"))
            except Exception:  # a corpus file the parser refuses is simply not used
                continue
    pool = Pool(districts=districts)
    seen: set[str] = set()
    for d in docs:
        for m in d.measures:
            if m.title and 2 <= len(m.title) <= 20 and not re.search(r"\d", m.title):
                pool.titles.append(m.title)
            for s in m.sentences:
                s = _strip_districts(re.sub(r"[((]牵头责任部门[^))]*[))]", "", s).strip(), districts)
                if (
                    12 <= len(s) <= 160
                    and s not in seen
                    and not DATED.search(s)
                    and not DOC_LEVEL.search(s)
                    and not re.match(r"^[((]?[一二三四五六七八九十\d]", s)
                ):
                    seen.add(s)
                    pool.sentences.append(s if s[-1] in "。;;!" else s + "。")
            for o in m.offices:
                if 2 <= len(o) <= 20:
                    pool.offices.append(o)
            for h in m.parents:
                h = re.sub(r"^[((]?[一二三四五六七八九十\d]+[))、.]?", "", h)
                if 4 <= len(h) <= 30:
                    pool.headings.append(h)
    pool.titles = sorted(set(pool.titles))
    pool.headings = sorted({h for h in pool.headings if len(h) >= 4})
    pool.offices = sorted(set(pool.offices))
    if not pool.sentences:
        raise KBError("生成测试知识库需要至少一条真实句子。")
    return pool


def _district_office(office: str, district: str) -> str:
    short = district[:-1] if district.endswith("区") else "市"
    return re.sub(r"^区", short if district != CITY else "市", office)


def document_texts(pool: Pool, n_measures: int, n_docs: int, *, seed: int = 0) -> Iterator[tuple[str, str, str]]:
    """Yield ``(district, file name, text)`` for ``n_docs`` documents holding about
    ``n_measures`` numbered items in all; one document in 17 is city level (上海市)."""
    rng = random.Random(seed)
    targets = pool.districts + [CITY]
    per_doc = max(1, -(-n_measures // n_docs))
    made = 0
    for k in range(n_docs):
        if made >= n_measures:
            break
        district = targets[k % len(targets)]
        want = min(per_doc, n_measures - made)
        year = 2019 + rng.randrange(8)
        topic = rng.choice(pool.headings or pool.titles)
        title = f"{district}关于{topic}的若干措施({k + 1:03d})"
        # preamble and 总体要求 are neutral: a recombined sentence there could read as the
        # whole document's scope (适用于…企业) and narrow every measure of it
        where = "本市" if district == CITY else "本区"
        lines = [
            title,
            "",
            f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "",
            f"为进一步优化{where}营商环境,结合{where}实际,制定本措施。",
            "",
            "一、总体要求",
            "",
            "坚持问题导向和目标导向,聚焦企业关切,推动各项措施落地见效。",
            "",
            "二、主要措施",
            "",
        ]
        n_sec = max(1, -(-want // 40))
        per_sec = -(-want // n_sec)
        item = 0
        for s in range(n_sec):
            if item >= want:
                break
            lines += [f"({_cn(s % 99 + 1)}){rng.choice(pool.headings or pool.titles)}", ""]
            for i in range(min(per_sec, want - item)):
                body = "".join(rng.sample(pool.sentences, rng.randint(2, 5)))
                note = ""
                if pool.offices and rng.random() < 0.5:
                    offs = {_district_office(o, district) for o in rng.sample(pool.offices, rng.randint(1, 3))}
                    note = f"(牵头责任部门:{'、'.join(sorted(offs))})"
                lines += [f"{i + 1}.{rng.choice(pool.titles)}。{body}{note}", ""]
                item += 1
        lines += ["三、保障措施", "", rng.choice(pool.sentences), ""]
        made += item
        yield district, f"syn{k:04d}.txt", "\n".join(lines)


def write_texts(
    folder: str | Path, pool: Pool, n_measures: int, n_docs: int, *, seed: int = 0
) -> list[tuple[str, Path]]:
    """Write the documents of :func:`document_texts` to ``folder``; ``[(district, path)]``."""
    out = []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for district, name, text in document_texts(pool, n_measures, n_docs, seed=seed):
        p = folder / name
        p.write_text(text, encoding="utf-8")
        out.append((district, p))
    return out


def build_documents(files: Sequence[tuple[str, Path]]) -> list[Document]:
    """Parse written documents with the import pipeline (what ``ingest`` does per file)."""
    from matcher.reading.pipeline import build_document

    docs = []
    for district, p in files:
        data = p.read_bytes()
        docs.append(
            build_document(
                data.decode("utf-8"),
                source_file=p.name,
                district=district,
                sha256=hashlib.sha256(data).hexdigest(),
                source="user",
            )
        )
    return docs
