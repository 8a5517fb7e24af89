"""Signed policy packs: Ed25519 keys, the signature a pack carries, and the keys a counter trusts.

A maintainer makes a key pair once (``policydesk pack keygen KEY``): ``KEY`` is the private
key (PKCS#8 PEM, mode 0600, never leaves the maintainer's PC) and ``KEY.pub`` the public key,
one line::

    policydesk-ed25519 <base64 of the 32-byte key> <name>

Each counter trusts the public keys it was given (``policydesk pack trust KEY.pub``): they
are kept in ``trusted_keys.json`` in the data folder (:func:`trusted_keys`). Nothing is
trusted by default, and the window never offers to trust a key: trust comes from the
maintainer's public key file, carried by hand, never from the pack being imported.

**The signature covers every byte of the pack.** A pack is a zip archive; its zip comment
(the last bytes of the file, after the end-of-central-directory record) is the signature
block, fixed length, ASCII::

    PolicyDesk-Signature/1 ed25519 <base64 public key> <base64 signature>

The signed message is ``policydesk-pack-signature/1\\0`` followed by the SHA-256 of every
byte of the file before the comment (so the comment's length field is covered, and so is
anything appended or cut). :func:`verify_copy` hashes the file in chunks while copying it
to a private temporary file, so the bytes later read are the bytes verified (a file on a
shared drive may change meanwhile) and memory stays small whatever the pack's size.

The cryptography is the ``cryptography`` package's (Ed25519, SHA-256); nothing here is
hand-written beyond the framing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from matcher.common.paths import os_reason
from matcher.errors import BadInput
from matcher.models import KeyInfo, SigningKey, TrustedKey

KEY_TAG = "policydesk-ed25519"
SIG_TAG = b"PolicyDesk-Signature/1 ed25519 "
DOMAIN = b"policydesk-pack-signature/1\0"
#: Length of the signature block (the zip comment): tag, 44 + 1 + 88 base64 characters.
BLOCK_LEN = len(SIG_TAG) + 44 + 1 + 88
TRUST_FILE = "trusted_keys.json"
TRUST_FORMAT = "policydesk-trusted-keys"
_CHUNK = 1024 * 1024
_NAME_OK = re.compile(r"[^\s\x00-\x1f\x7f]{1,60}")


@dataclass(frozen=True)
class PublicKey:
    raw: bytes  # the 32 bytes of an Ed25519 public key
    name: str = ""

    @property
    def key_id(self) -> str:
        """A short fingerprint to name the key by: 16 hex digits of its SHA-256, in fours."""
        h = hashlib.sha256(self.raw).hexdigest()[:16]
        return "-".join(h[i : i + 4] for i in range(0, 16, 4))

    def line(self) -> str:
        return f"{KEY_TAG} {base64.b64encode(self.raw).decode('ascii')}" + (f" {self.name}" if self.name else "")


# ---------------------------------------------------------------- keys


def _ed25519():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


def generate(path: str | Path, name: str = "") -> tuple[Path, Path, PublicKey]:
    """Write a new private key to ``path`` (0600, refused if it exists) and its public key to
    ``path.pub``; returns (private path, public path, public key)."""
    from cryptography.hazmat.primitives import serialization

    p = Path(path)
    pub_path = p.with_name(p.name + ".pub")
    name = check_name(name or p.stem)
    for f in (p, pub_path):
        if f.exists():
            raise BadInput(f"{f} 已存在;为免覆盖已分发的密钥,请换一个文件名,或先移走旧文件。")
    if not p.parent.is_dir():
        raise BadInput(f"文件夹 {p.parent} 不存在;请先建立它,或换一个位置。")
    key = _ed25519().Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pub = PublicKey(raw, name)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        pub_path.write_text(pub.line() + "\n", encoding="utf-8")
    except OSError as e:
        raise BadInput(f"无法写入密钥文件 {p}:{os_reason(e)}。") from None
    return p, pub_path, pub


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME_OK.fullmatch(name):
        raise BadInput("密钥名称应是 1–60 个字符,不含空格和控制字符(例如 静安区维护人员)。")
    return name


def load_private(path: str | Path):
    """The Ed25519 private key in ``path`` (what ``pack keygen`` wrote)."""
    from cryptography.hazmat.primitives import serialization

    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"找不到私钥文件 {p}。请给出 policydesk pack keygen 生成的私钥文件(不是 .pub 公钥)。") from None
    except OSError as e:
        raise BadInput(f"无法读取私钥文件 {p}:{os_reason(e)}。") from None
    if len(data) > 64 * 1024:
        raise BadInput(f"{p} 不是私钥文件(太大)。请给出 policydesk pack keygen 生成的私钥文件。")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        hint = "这是公钥文件;签名要用私钥(同名、不带 .pub 的文件)。" if data.startswith(KEY_TAG.encode()) else ""
        raise BadInput(f"{p} 不是可用的私钥文件。{hint}请给出 policydesk pack keygen 生成的私钥文件。") from None
    if not isinstance(key, _ed25519().Ed25519PrivateKey):
        raise BadInput(f"{p} 不是 Ed25519 私钥。请用 policydesk pack keygen 生成密钥。")
    return key


def public_of(private_key) -> PublicKey:
    from cryptography.hazmat.primitives import serialization

    return PublicKey(private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def parse_public(text: str, where: str = "公钥") -> PublicKey:
    """A public key line (``policydesk-ed25519 <base64> [name]``)."""
    parts = text.strip().split(None, 2)
    bad = BadInput(
        f"{where} 不是 PolicyDesk 公钥。公钥文件是 policydesk pack keygen 生成的 .pub 文件,"
        f"内容为一行:{KEY_TAG} <密钥> <名称>。"
    )
    if len(parts) < 2 or parts[0] != KEY_TAG:
        raise bad
    try:
        raw = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(raw) != 32:
        raise bad
    name = parts[2].strip() if len(parts) > 2 else ""
    return PublicKey(raw, check_name(name) if name else "")


def read_public(arg: str) -> PublicKey:
    """A public key given as a ``.pub`` file or as its line of text."""
    if arg.strip().startswith(KEY_TAG):
        return parse_public(arg)
    p = Path(arg)
    try:
        if p.stat().st_size > 64 * 1024:
            raise BadInput(f"{p} 不是公钥文件(太大)。")
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"找不到公钥文件 {p}。请给出维护人员提供的 .pub 文件。") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(
            f"无法读取公钥文件 {p}:{os_reason(e) if isinstance(e, OSError) else '文字编码无法识别'}。"
        ) from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if len(lines) != 1:
        raise BadInput(f"{p} 不是 PolicyDesk 公钥文件(应只有一行 {KEY_TAG} …)。")
    return parse_public(lines[0], where=str(p))


# ---------------------------------------------------------------- signing a pack file


def placeholder() -> bytes:
    """A comment of the signature block's length, for a zip about to be signed."""
    return SIG_TAG + b"-" * (BLOCK_LEN - len(SIG_TAG))


def _message(digest: bytes) -> bytes:
    return DOMAIN + digest


def sign_file(path: str | Path, private_key) -> PublicKey:
    """Sign a zip written with :func:`placeholder` as its comment (or re-sign a signed one):
    the block at its end is replaced by the signature of everything before it."""
    p = Path(path)
    size = p.stat().st_size
    with open(p, "r+b") as fh:
        fh.seek(size - BLOCK_LEN)
        if not fh.read(BLOCK_LEN).startswith(SIG_TAG):
            raise ValueError(f"{p} has no signature block to fill")
        fh.seek(0)
        digest = _hash_prefix(fh, size - BLOCK_LEN, None)
        sig = private_key.sign(_message(digest))
        pub = public_of(private_key)
        block = SIG_TAG + base64.b64encode(pub.raw) + b" " + base64.b64encode(sig)
        assert len(block) == BLOCK_LEN
        fh.seek(size - BLOCK_LEN)
        fh.write(block)
        fh.flush()
        os.fsync(fh.fileno())
    return pub


def _hash_prefix(src: IO[bytes], n: int, copy: IO[bytes] | None) -> bytes:
    h = hashlib.sha256()
    left = n
    while left > 0:
        chunk = src.read(min(_CHUNK, left))
        if not chunk:
            raise EOFError
        h.update(chunk)
        if copy is not None:
            copy.write(chunk)
        left -= len(chunk)
    return h.digest()


def verify_copy(path: Path, refuse, max_bytes: int) -> tuple[Path, PublicKey]:
    """Verify the pack at ``path`` against the trusted keys while copying it to a private
    temporary file; returns (the copy, the key that signed it). The caller removes the copy
    (:func:`discard`). ``refuse(why)`` makes the exception raised when it is refused:
    unsigned, signed by a key this counter does not trust, or altered after signing."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise BadInput(f"无法读取政策包 {path}:{os_reason(e)}。") from None
    if size > max_bytes:
        from matcher.common.limits import mb

        raise refuse(f"有 {mb(size)},超过上限 {mb(max_bytes)}。")
    if size < BLOCK_LEN + 22:
        raise refuse("已损坏或不完整(可能复制时被截断),不是有效的政策包:请重新复制或向维护人员重新索取。")
    keys = {k.raw: k for k in trusted_keys()}
    try:
        with open(path, "rb") as src:
            src.seek(size - BLOCK_LEN)
            pub, sig = _parse_block(src.read(BLOCK_LEN), refuse, path)
    except OSError as e:
        raise BadInput(f"无法读取政策包 {path}:{os_reason(e)}。") from None
    key = keys.get(pub.raw)
    if key is None:  # said before the pack is read any further
        raise refuse(
            f"的签名密钥({pub.key_id})不在本机信任的密钥中:可能不是维护人员导出的,或维护人员换了密钥。"
            f"如确是维护人员的新密钥,请先用 policydesk pack trust 添加维护人员提供的公钥文件(.pub)。"
        )
    fd, tmp_name = tempfile.mkstemp(prefix="policydesk-pack-", suffix=".pdpack")
    tmp = Path(tmp_name)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            digest = _hash_prefix(src, size - BLOCK_LEN, dst)
            block = src.read(BLOCK_LEN + 1)
            dst.write(block[:BLOCK_LEN])
        if _parse_block(block, refuse, path) != (pub, sig):
            raise EOFError  # changed while it was read
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(key.raw).verify(sig, _message(digest))
        except InvalidSignature:
            raise refuse(
                f"签名不符(签名密钥 {key.key_id}{' ' + key.name if key.name else ''}):"
                f"文件在签名后被改动过或已损坏。请向维护人员重新索取。"
            ) from None
        return tmp, key
    except EOFError:
        discard(tmp)
        raise refuse("在读取时发生了变化(可能正在被复制或被截断),请稍后重试。") from None
    except OSError as e:
        discard(tmp)
        raise BadInput(f"无法读取政策包 {path}:{os_reason(e)}。") from None
    except BaseException:
        discard(tmp)
        raise


def _parse_block(block: bytes, refuse, path: Path | None = None) -> tuple[PublicKey, bytes]:
    if len(block) != BLOCK_LEN or not block.startswith(SIG_TAG):
        import zipfile

        if path is not None and not zipfile.is_zipfile(path):
            raise refuse("已损坏或不完整(可能复制时被截断),不是有效的政策包:请重新复制或向维护人员重新索取。")
        raise refuse(
            "没有签名,不是维护人员签名导出的政策包(或签名已被去掉)。为防伪造,本程序只导入由本机信任的密钥签名的政策包;"
            "请向维护人员索取用 policydesk pack export --sign 导出的政策包。"
        )
    try:
        pub_b64, sig_b64 = block[len(SIG_TAG) :].split(b" ")
        raw = base64.b64decode(pub_b64, validate=True)
        sig = base64.b64decode(sig_b64, validate=True)
    except (ValueError, binascii.Error):
        raise refuse("的签名已损坏,内容被改动过或已损坏。请向维护人员重新索取。") from None
    # Canonical encoding only: the last character of each base64 field carries bits the decoder
    # ignores, so without this check a changed byte of the block could still verify.
    if len(raw) != 32 or len(sig) != 64 or base64.b64encode(raw) != pub_b64 or base64.b64encode(sig) != sig_b64:
        raise refuse("的签名已损坏,内容被改动过或已损坏。请向维护人员重新索取。")
    return PublicKey(raw), sig


def discard(tmp: Path) -> None:
    try:
        tmp.unlink()
    except OSError:
        pass


def signer_of(path: str | Path) -> PublicKey | None:
    """The public key a pack's signature block names (nothing verified), or None."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size < BLOCK_LEN:
                return None
            fh.seek(size - BLOCK_LEN)
            return _parse_block(fh.read(BLOCK_LEN), BadInput)[0]
    except (OSError, BadInput):
        return None


# ---------------------------------------------------------------- the keys a counter trusts


def _trust_path() -> Path:
    from matcher.common.paths import data_dir

    return data_dir() / TRUST_FILE


def trusted_keys() -> list[PublicKey]:
    """The public keys this counter trusts (``trusted_keys.json`` in the data folder)."""
    p = _trust_path()
    if not p.is_file():
        return []
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        rows = data["keys"] if isinstance(data, dict) and data.get("format") == TRUST_FORMAT else None
        if not isinstance(rows, list):
            raise ValueError
        return [parse_public(f"{KEY_TAG} {r['key']} {r.get('name', '')}") for r in rows]
    except (OSError, ValueError, KeyError, TypeError, BadInput):
        raise BadInput(
            f"信任的密钥列表 {p} 已损坏,无法确认政策包的签名,未导入。请删除该文件后用 policydesk pack trust "
            f"重新添加维护人员的公钥。"
        ) from None


def _save(keys: list[tuple[PublicKey, str]]) -> None:
    from matcher.store.userdata import write_private

    rows = [
        {"id": k.key_id, "key": base64.b64encode(k.raw).decode("ascii"), "name": k.name, "added_at": at}
        for k, at in keys
    ]
    p = _trust_path()
    try:
        write_private(p, json.dumps({"format": TRUST_FORMAT, "version": 1, "keys": rows}, ensure_ascii=False, indent=1))
    except OSError as e:
        from matcher.store.kbfile import plain_reason

        raise BadInput(f"无法写入信任的密钥列表 {p}:{plain_reason(e)}。") from None


def _added_at() -> dict[bytes, str]:
    p = _trust_path()
    try:
        return {
            base64.b64decode(r["key"]): str(r.get("added_at", "")) for r in json.loads(p.read_text("utf-8"))["keys"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def trust(key: PublicKey) -> bool:
    """Trust ``key``; False when it was trusted already (its name is updated if given)."""
    keys = trusted_keys()
    at = _added_at()
    now = _dt.datetime.now().isoformat(timespec="seconds")
    found = any(k.raw == key.raw for k in keys)
    merged = [(key if (k.raw == key.raw and key.name) else k, at.get(k.raw, "")) for k in keys]
    if not found:
        merged.append((key, now))
    _save(merged)
    return not found


def untrust(key_id: str) -> PublicKey:
    """Stop trusting the key named by its id (as listed) or its name; returns it."""
    keys = trusted_keys()
    want = key_id.strip().lower()
    hits = [
        k for k in keys if k.key_id == want or k.key_id.replace("-", "") == want.replace("-", "") or k.name == key_id
    ]
    if len(hits) != 1:
        listed = "、".join(f"{k.key_id}({k.name})" if k.name else k.key_id for k in keys) or "(没有)"
        raise BadInput(f"信任的密钥中没有“{key_id}”。信任的密钥:{listed}。")
    at = _added_at()
    _save([(k, at.get(k.raw, "")) for k in keys if k.raw != hits[0].raw])
    return hits[0]


def trusted_rows() -> list[TrustedKey]:
    """The public keys this counter trusts, as ``pack trust --list`` shows them."""
    at = _added_at()
    return [{"id": k.key_id, "name": k.name, "added_at": at.get(k.raw, ""), "key": k.line()} for k in trusted_keys()]


def make_key(path: str | Path, name: str = "") -> SigningKey:
    """A new pack-signing key pair (:func:`generate`), as ``pack keygen`` reports it."""
    priv, pub_path, pub = generate(path, name)
    return {"id": pub.key_id, "name": pub.name, "private": str(priv), "public": str(pub_path)}


def trust_key(key: str, name: str | None = None) -> tuple[TrustedKey, bool]:
    """Trust a maintainer's public key (a ``.pub`` file, or its line of text): packs it
    signed can be imported. Returns the key and whether it was new."""
    pub = read_public(key)
    if name:
        pub = PublicKey(pub.raw, check_name(name))
    added = trust(pub)
    return next(r for r in trusted_rows() if r["id"] == pub.key_id), added


def untrust_key(key_id: str) -> KeyInfo:
    """Stop trusting a key (its id or name as listed)."""
    pub = untrust(key_id)
    return {"id": pub.key_id, "name": pub.name}
