"""Building the knowledge base is deterministic: the same documents give the same measures,
evidence quotes included, whatever Python's hash seed (set iteration order must never leak
into the output — the packaged app's answers are compared byte for byte with the source's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
import hashlib, json, sys
from pathlib import Path
from matcher.reading.pipeline import build_document, build_seed_documents
docs = build_seed_documents()
for name in sys.argv[1:]:
    p = Path(name)
    docs.append(build_document(p.read_text(encoding="utf-8"), source_file=p.name, source="user"))
blob = json.dumps([d.model_dump() for d in docs], ensure_ascii=False, sort_keys=True)
print(hashlib.sha256(blob.encode()).hexdigest())
"""


def _digest(seed: str, files: list[str]) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *files], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_build_does_not_depend_on_hash_seed():
    """Seeds plus two corpus documents (one that states offices, one that does not) built
    under two hash seeds give byte-identical documents."""
    files = [
        str(ROOT / "tests/corpus/jingan_jieneng_jiantan_shenbao_zhinan_2026.txt"),
        str(ROOT / "tests/corpus/changning_chanye_tixi_shishi_yijian_2024.txt"),
    ]
    assert _digest("1", files) == _digest("2", files)
