"""The test suite's maintainer key: made once per test run (Ed25519 keys are cheap), used to
sign the packs tests export (``pack export --sign``) and trusted by the counters that import
them, as a deployment does (``pack trust KEY.pub``)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

_KEY: tuple[Path, Path] | None = None


def test_key() -> tuple[Path, Path]:
    """(private key file, public key file) of the suite's maintainer key."""
    global _KEY
    if _KEY is None:
        from matcher.store import signing

        folder = Path(tempfile.mkdtemp(prefix="policydesk-testkey-"))
        atexit.register(shutil.rmtree, folder, True)
        priv, pub, _ = signing.generate(folder / "maintainer.key", "测试维护人员")
        _KEY = (priv, pub)
    return _KEY


test_key.__test__ = False  # type: ignore[attr-defined]  # not a test


def trust_test_key() -> None:
    """The current POLICYDESK_HOME (a counter) trusts the suite's maintainer key."""
    from matcher.store import signing

    signing.trust(signing.read_public(str(test_key()[1])))


def private_key():
    from matcher.store import signing

    return signing.load_private(test_key()[0])
