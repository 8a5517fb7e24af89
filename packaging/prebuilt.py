"""Build the knowledge base shipped inside the packaged app.

``python packaging/prebuilt.py OUT_DIR`` writes ``OUT_DIR/seed_kb.sqlite`` (the seed KB,
built from ``seeds/`` and ``resources/`` exactly as a first start would build it) and
``OUT_DIR/code_hash.txt`` (the hash of the ``matcher`` code it was built with; the
packaged app reads it through ``matcher.common.paths.bundled_code_hash()``). The spec bundles
the folder as ``prebuilt/``, where ``matcher.common.paths.prebuilt_kb()`` finds it, so the first
start of the app copies the KB instead of building it.

Runs in its own process with its own ``POLICYDESK_HOME``: the developer's folders are
never read or written.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_prebuilt(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="policydesk-prebuilt-") as home:
        os.environ["POLICYDESK_HOME"] = home
        sys.path.insert(0, str(ROOT))
        from matcher.common import paths
        from matcher.store import kb as kbmod
        from matcher.store.fingerprints import code_hash

        if paths.seeds_dir().resolve() != (ROOT / "seeds").resolve():
            raise SystemExit(f"prebuilt: seeds found at {paths.seeds_dir()}, expected {ROOT / 'seeds'}")
        kb = kbmod.KnowledgeBase.open_default()
        counts = kb.counts()
        kb.close()
        built = Path(home) / "cache" / kbmod.SEED_FILE
        target = out_dir / kbmod.SEED_FILE
        tmp = target.with_name(target.name + ".tmp")
        if tmp.exists():
            tmp.unlink()
        # a clean single file (no journal), compacted
        src = sqlite3.connect(f"file:{built.as_posix()}?mode=ro", uri=True)
        try:
            src.execute("VACUUM INTO ?", [str(tmp)])
        finally:
            src.close()
        os.replace(tmp, target)
        (out_dir / "code_hash.txt").write_text(code_hash() + "\n", encoding="ascii")
    print(
        f"prebuilt KB: {target} ({target.stat().st_size // 1024} KiB, "
        f"{counts['documents']} documents, {counts['measures']} measures)"
    )
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python packaging/prebuilt.py OUT_DIR")
    make_prebuilt(Path(sys.argv[1]))
