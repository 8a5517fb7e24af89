"""Synthetic knowledge bases for the benchmark: the real measures varied across the 16
districts (:func:`build_synthetic`)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from .errors import KBError
from .ids import measure_id
from .models import Document, Measure

def build_synthetic(path: str | Path, measures: Sequence[Measure], n_measures: int, *, seed: int = 0) -> Path:
    """Write a seed-format KB of ``n_measures`` measures made by varying real ones.

    Each synthetic document is a copy of the real measures moved to one of Shanghai's 16
    districts (district name in the text replaced too), with a little shuffling so
    documents differ. Open the result with :meth:`KnowledgeBase.open_path`.
    """
    from .kbstore import _build_file, _sha256
    from .profile_rules import load_profile_rules

    districts = load_profile_rules().district_names()

    if not measures:
        raise KBError("生成测试知识库需要至少一条真实措施。")
    rng = random.Random(seed)
    base = list(measures)
    docs: list[Document] = []
    made = 0
    copy = 0
    per_doc = max(1, min(len(base), 300, -(-n_measures // len(districts))))
    while made < n_measures:
        district = districts[copy % len(districts)]
        doc_id = f"syn{copy:05d}"
        pick = base[:]
        rng.shuffle(pick)
        pick = pick[: min(per_doc, n_measures - made)]
        title = f"{district}营商环境测试文件{copy + 1}"
        ms = []
        for i, m in enumerate(pick):
            text = m.text.replace(m.district, district) if m.district else m.text
            ms.append(m.model_copy(update={
                "measure_id": measure_id(doc_id, str(i + 1)), "doc_id": doc_id, "district": district,
                "document": title, "text": text, "order": i, "source": "seed",
                "sentences": [s.replace(m.district, district) for s in m.sentences] if m.district else m.sentences,
            }))
        docs.append(Document(doc_id=doc_id, district=district, title=title, issued="2024-01-01",
                             source_file=f"{doc_id}.txt", sha256=_sha256(doc_id.encode()), measures=ms))
        made += len(ms)
        copy += 1
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    _build_file(p, docs, {"fingerprint": f"synthetic-{n_measures}-{seed}", "synthetic": "1"})
    return p
