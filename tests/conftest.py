"""Shared fixtures: every test runs with its own POLICYDESK_HOME (cache and data folders)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(autouse=True)
def policydesk_home(tmp_path, monkeypatch):
    """Redirect PolicyDesk's cache and data folders into this test's tmp_path."""
    home = tmp_path / "pdhome"
    home.mkdir()
    monkeypatch.setenv("POLICYDESK_HOME", str(home))
    monkeypatch.delenv("POLICYDESK_DEBUG", raising=False)
    return home


# ----------------------------------------------------------------------------------------
# A stand-in for matcher.pipeline, used ONLY while the real build_document /
# build_seed_documents have not landed. It numbers lines that start like a clause. Tests
# written against it assert only what the real pipeline must also satisfy.

_DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
              "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
_CLAUSE = re.compile(r"^[\s?]*(?:[一二三四五六七八九十]+、|\d{1,2}[.、.]|[((]\d{1,2}★?[))]|[((][一二三四五六七八九十]+[))])\s*\S")


def _fake_build_document(raw_text, *, source_file, sha256, doc_id=None, district=None, title=None,
                         issued=None, source="seed"):
    from matcher.errors import BadInput
    from matcher.models import Document, Measure

    text = raw_text.replace("區", "区").replace("匯", "汇")
    if district is None:
        found = [d for d in _DISTRICTS if d in text[:3000]]
        if not found:
            raise BadInput(f"{source_file}:无法确定所属区,请用 --district 指定。")
        district = found[0]
    lines = [ln.strip() for ln in text.splitlines() if _CLAUSE.match(ln)]
    if not lines:
        raise BadInput(f"{source_file}:没有找到编号的措施条目,这似乎不是政策文件。")
    title = title or next((ln.strip() for ln in text.splitlines() if "方案" in ln), source_file)[:60]
    doc_id = doc_id or "doc-" + sha256[:8]
    ms = [Measure(measure_id=f"{doc_id}/{i + 1}", doc_id=doc_id, district=district, document=title,
                  issued=issued, clause=str(i + 1), title=ln[:12], text=ln, sentences=[ln], order=i,
                  source=source, internal=("保障" in ln), office_source="stated" if "牵头" in ln else "none")
          for i, ln in enumerate(lines)]
    return Document(doc_id=doc_id, district=district, title=title, issued=issued, source_file=source_file,
                    sha256=sha256, source=source, measures=ms)


def _fake_build_seed_documents():
    from matcher.readers import read_document

    return [_fake_build_document(read_document(p), source_file=p.name,
                                 sha256=hashlib.sha256(p.read_bytes()).hexdigest(), doc_id=f"seed{i}")
            for i, p in enumerate(SEEDS)]


@pytest.fixture(autouse=True)
def _pipeline_or_fake(monkeypatch):
    """Use the real pipeline when it exists; otherwise a temporary fake (tests only)."""
    import matcher.pipeline as pipeline

    if not hasattr(pipeline, "build_document"):
        monkeypatch.setattr(pipeline, "build_document", _fake_build_document, raising=False)
    if not hasattr(pipeline, "build_seed_documents"):
        monkeypatch.setattr(pipeline, "build_seed_documents", _fake_build_seed_documents, raising=False)
    return pipeline
