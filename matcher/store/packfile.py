"""The policy pack file (``.pdpack``): what a maintainer exports and counters import.

A pack is a zip archive holding:

* ``manifest.json`` — :class:`PackManifest`::

    {"format": "policydesk-pack", "format_version": 1,
     "created": "2026-12-01T09:30:00", "producer": {"app": "PolicyDesk", "version": "0.1.0"},
     "districts": ["虹口区"],            # the export's --district filter; [] = every district
     "documents": [{"doc_id", "title", "district", "level", "issued", "valid_until",
                    "sha256", "measures", "file", "path", "options"}],
     "corrections": [{"measure_id", "kind", "field", "value", "note", "created_at"}],
     "hidden": ["<measure_id>", …],      # measures hidden by those corrections (informative)
     "office_directory": [{"district", "office", "address", "window", "phone", "hours"}],
     "content_sha256": "<hex>"}

* ``documents/<sha16>/<file>`` — each imported document's source file, byte for byte
  (``path`` in its manifest entry; ``sha256`` is the hash of those bytes).

``content_sha256`` is the SHA-256 of the manifest itself without that key (JSON with sorted
keys, no spaces, UTF-8); since the manifest lists every file's SHA-256, it covers the whole
pack. The producer never names the machine or the user.

The zip comment is the pack's **signature** (:mod:`matcher.store.signing`): Ed25519 over
every byte before it, by the maintainer's private key (``pack export --sign KEY``).

Reading (:func:`read_pack`) first checks the signature against the keys this counter
trusts — an unsigned pack, one signed by another key, or one altered in any byte is refused
before it is unpacked — while copying the file to a private temporary file, which is then
what is read. Then, behind the signature: member names (only ``manifest.json`` and
``documents/<sha16>/<file>``), sizes (:mod:`matcher.common.limits`; the declared ones
first, then every member read through a counting stream that stops at its limit whatever
the zip declares, :mod:`matcher.common.zipread`), the manifest's schema, ``format_version``
(a newer one is refused: 请升级 PolicyDesk), the content hash and every file's hash. Every
refusal, a decompression error included, is a :class:`BadInput` naming the pack and the
cause (exit code 2); nothing is changed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
import time
import weakref
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher import __version__
from matcher.common import limits, zipread
from matcher.common.cleantext import clean_field, strip_controls
from matcher.errors import BadInput
from matcher.store import signing

FORMAT = "policydesk-pack"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUFFIX = ".pdpack"
#: Most files a pack may hold, and the largest total size it may declare (decompressed).
MAX_MEMBERS = 2_000
MAX_PACK_UNPACKED = 1024 * 1024 * 1024
#: The only member names a pack holds besides the manifest.
_MEMBER = re.compile(r"documents/[0-9a-f]{16}/[^/\\\x00-\x1f:]{1,255}")


class PackDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(min_length=1, max_length=200, pattern=r"^[\w.\-]+$")
    title: str
    district: str
    level: str = "区级"
    issued: str | None = None
    valid_until: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    measures: int = Field(ge=0)
    file: str = Field(min_length=1, max_length=255)
    path: str = Field(min_length=1, max_length=400)
    options: dict[str, str | None] = Field(default_factory=dict)  # district/title/issued given at import

    @field_validator("file")
    @classmethod
    def _plain_name(cls, v: str) -> str:
        if v in (".", "..") or any(c in v for c in "/\\\0:"):
            raise ValueError("应是不含路径的文件名")
        return v

    @field_validator("options")
    @classmethod
    def _known_options(cls, v: dict[str, str | None]) -> dict[str, str | None]:
        extra = set(v) - {"district", "title", "issued"}
        if extra:
            raise ValueError(f"无法识别的选项 {sorted(extra)[0]}(可用:district、title、issued)")
        return v


class PackCorrection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure_id: str = Field(min_length=1)
    kind: str
    field: str | None = None
    value: Any = None
    note: str | None = ""
    created_at: str = ""

    @model_validator(mode="after")
    def _valid_kind(self) -> PackCorrection:
        from matcher.store.corrections import CORRECTION_KINDS
        from matcher.store.kbstore import TAG_FIELDS

        if self.kind not in CORRECTION_KINDS:
            raise ValueError(f"更正类型 {self.kind!r} 无法识别(可用:{'、'.join(CORRECTION_KINDS)})")
        v = self.value
        ok = {
            "offices": isinstance(v, list) and bool(v) and all(isinstance(x, str) and x.strip() for x in v),
            "add_tag": self.field in TAG_FIELDS and isinstance(v, str) and bool(v.strip()),
            "remove_tag": self.field in TAG_FIELDS and isinstance(v, str) and bool(v.strip()),
            "internal": isinstance(v, bool),
        }.get(self.kind, v is None)
        if not ok:
            raise ValueError(f"更正 {self.kind} 的值或字段无效")
        return self


class Producer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app: str = "PolicyDesk"
    version: str


class PackManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["policydesk-pack"]
    format_version: int
    created: str
    producer: Producer
    districts: list[str] = Field(default_factory=list)
    documents: list[PackDocument] = Field(default_factory=list)
    corrections: list[PackCorrection] = Field(default_factory=list)
    hidden: list[str] = Field(default_factory=list)
    office_directory: list[dict[str, str]] = Field(default_factory=list)
    content_sha256: str = ""


class Pack:
    """A pack read and verified: its manifest, and its files read when asked for (from the
    private copy the signature was verified on, each checked against its hash again), so a
    pack of a whole library is never all in memory (issue 24). The copy is removed when the
    pack is (or on :meth:`close`)."""

    def __init__(self, path: Path, manifest: PackManifest, copy: Path | None, signer: signing.PublicKey | None = None):
        self.path = path
        self.manifest = manifest
        self.signer = signer  # the trusted key that signed it
        self._copy = copy
        self._discard = weakref.finalize(self, signing.discard, copy) if copy is not None else None

    def source(self, doc: PackDocument) -> bytes:
        if self._copy is None:
            raise BadInput(f"政策包 {self.path.name} 已关闭,请重新导入。")
        try:
            zf = zipfile.ZipFile(self._copy)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError):
            raise _refuse(self.path, "的临时副本无法读取,请重新导入。") from None
        with zf:
            try:
                info = zf.getinfo(doc.path)
            except KeyError:
                raise _refuse(self.path, f"缺少文件 {doc.path}(《{doc.title}》)。") from None
            data = _read_member(zf, self.path, info, limits.MAX_FILE_BYTES, [MAX_PACK_UNPACKED])
        if hashlib.sha256(data).hexdigest() != doc.sha256:
            raise _refuse(self.path, f"中的文件 {doc.file}(《{doc.title}》)校验值不符,内容被改动过或已损坏。")
        return data

    def close(self) -> None:
        """Remove the private copy now (nothing can be read from the pack after)."""
        if self._discard is not None:
            self._discard()
        self._copy = None


def content_hash(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "content_sha256"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


# ---------------------------------------------------------------- writing


def write_pack(out: Path, manifest: dict[str, Any], files: Mapping[str, bytes | Callable[[], bytes]], key: Any) -> Path:
    """Write a pack signed with the private ``key`` (:mod:`matcher.store.signing`),
    atomically (a temporary file renamed into place): ``manifest`` gets its format fields
    and content hash here. A file given as a function is read when it is written (one at a
    time in memory); whatever it raises leaves no pack behind."""
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": now(),
        "producer": {"app": "PolicyDesk", "version": __version__},
        **manifest,
    }
    PackManifest.model_validate(manifest)  # never write what we would refuse to read
    manifest["content_sha256"] = content_hash(manifest)
    out = pack_path(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            for name in sorted(files):
                got = files[name]
                zf.writestr(name, got() if callable(got) else got)
            zf.comment = signing.placeholder()
        signing.sign_file(tmp, key)
        os.replace(tmp, out)
    except BaseException as e:
        if not isinstance(e, OSError):
            tmp.unlink(missing_ok=True)
            raise
        try:
            tmp.unlink()
        except OSError:
            pass
        from matcher.store.kbfile import plain_reason

        raise BadInput(f"无法写入政策包 {out}:{plain_reason(e)}。") from None
    return out


# ---------------------------------------------------------------- reading


def pack_path(out: str | Path) -> Path:
    """Where ``pack export OUT`` writes: ``OUT`` with ``.pdpack`` added if it lacks it. A
    folder (or a name ending in a separator) and a missing parent folder are refused."""
    raw = str(out)
    p = Path(out)
    if raw.endswith(("/", os.sep)) or p.is_dir():
        raise BadInput(f"{raw} 是一个文件夹;请给出政策包的文件名,例如 {p / ('政策包' + SUFFIX)}。")
    if p.suffix.lower() != SUFFIX:
        p = p.with_name(p.name + SUFFIX)
    if not p.parent.is_dir():
        raise BadInput(f"文件夹 {p.parent} 不存在;请先建立它,或换一个位置。")
    return p


def check_export(out: str | Path, key: str | Path | None) -> None:
    """Refuse at once an export without a private key, or into a folder or a folder that
    does not exist (BadInput saying what to give)."""
    if not key:
        raise BadInput(
            "导出政策包需要签名:请用 --sign 给出维护人员的私钥文件(第一次请先运行 policydesk pack keygen 私钥文件 "
            "生成密钥,并把生成的 .pub 公钥文件交给各窗口用 policydesk pack trust 添加)。"
        )
    signing.load_private(key)
    pack_path(out)


def _refuse(path: Path, why: str) -> BadInput:
    return BadInput(f"政策包 {path.name} {why}未做任何更改。")


def read_pack(path: str | Path) -> Pack:
    """Read and verify a pack (see the module docstring); BadInput when it is refused."""
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"找不到政策包文件 {p}。请给出维护人员导出的 {SUFFIX} 文件。")
    sweep_stale_copies(Path(tempfile.gettempdir()))
    copy, signer = signing.verify_copy(p, lambda why: _refuse(p, why), MAX_PACK_UNPACKED)
    try:
        return _read_verified(p, copy, signer)  # the pack keeps the copy to read its files from
    except BaseException:
        signing.discard(copy)
        raise


STALE_COPY_SECONDS = 24 * 3600  # an import never lasts a day: an older copy is a killed one's


def sweep_stale_copies(folder: Path, now: float | None = None) -> int:
    """Remove the private copies (``policydesk-pack-*.pdpack``) of packs whose import was
    killed before it could remove them (a pack keeps its copy while it is imported); only
    those older than :data:`STALE_COPY_SECONDS`, so a running import's copy is never touched.
    Returns how many were removed."""
    from matcher.common.paths import remove_older_than

    when = time.time() if now is None else now
    return remove_older_than(folder, "policydesk-pack-*.pdpack", STALE_COPY_SECONDS, when)


def _plain_member(name: str) -> bool:
    return name == MANIFEST or _MEMBER.fullmatch(name) is not None


def _read_verified(p: Path, copy: Path, signer: signing.PublicKey) -> Pack:
    """The checks behind the signature (a trusted key may still sign a pack our tool did not
    write): the zip, its names, its sizes as read, the manifest, every file's hash."""
    declared = zipread.directory_size(copy)
    if declared is not None and (declared[0] > MAX_MEMBERS or declared[1] > limits.MAX_ZIP_DIRECTORY_BYTES):
        raise _refuse(p, f"的目录声明有 {declared[0]:,} 个文件({limits.mb(declared[1])}),超过上限 {MAX_MEMBERS} 个。")
    try:
        zf = zipfile.ZipFile(copy)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        raise _refuse(p, "已损坏或不完整(可能复制时被截断),不是有效的政策包:请重新复制或向维护人员重新索取。") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _refuse(p, f"包含 {len(infos)} 个文件,超过上限 {MAX_MEMBERS}。")
        bad = zipread.check_names([i.filename for i in infos], _plain_member)
        if bad is not None:
            raise _refuse(
                p,
                f"中有不是本程序写出的文件名“{clean_field(bad, 80)}”(政策包中只有 {MANIFEST} 和 documents/…/文件名),可能被改动过。",
            )
        total = sum(i.file_size for i in infos)
        if total > MAX_PACK_UNPACKED:
            raise _refuse(p, f"解压后共 {limits.mb(total)},超过上限 {limits.mb(MAX_PACK_UNPACKED)}。")
        by_name = {i.filename: i for i in infos}
        if len(by_name) != len(infos):
            raise _refuse(p, "中有重名的文件,可能被改动过。")
        mi = by_name.get(MANIFEST)
        if mi is None:
            raise _refuse(p, f"中没有 {MANIFEST},不是惠企政策直通车导出的政策包。")
        if mi.file_size > limits.MAX_JSON_BYTES:
            raise _refuse(p, f"的清单 {limits.mb(mi.file_size)},超过上限 {limits.mb(limits.MAX_JSON_BYTES)}。")
        budget = [MAX_PACK_UNPACKED]
        raw = _read_member(zf, p, mi, limits.MAX_JSON_BYTES, budget)
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise _refuse(p, "的清单不是 UTF-8 编码的 JSON。") from None
        except json.JSONDecodeError as e:
            raise _refuse(p, f"的清单不是有效的 JSON(第 {e.lineno} 行第 {e.colno} 列)。") from None
        except RecursionError:
            raise _refuse(p, "的清单不是有效的 JSON(嵌套过深)。") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _refuse(p, f"不是惠企政策直通车的政策包(清单中 format 应为 {FORMAT})。")
        ver = data.get("format_version")
        if isinstance(ver, int) and not isinstance(ver, bool) and ver > FORMAT_VERSION:
            raise _refuse(
                p, f"是更新版本的格式(第 {ver} 版),本程序只能读取第 {FORMAT_VERSION} 版:请升级 PolicyDesk 后再导入。"
            )
        try:
            manifest = PackManifest.model_validate(_clean_strings(data))  # shown and printed: no escapes, no bidi
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(x) for x in err.get("loc", ())) or "(整体)"
            raise _refuse(p, f"的清单字段 {where} 无效({clean_field(str(err.get('msg')), 200)})。") from None
        if manifest.format_version != FORMAT_VERSION:
            raise _refuse(p, f"的格式版本 {manifest.format_version} 无法识别(应为 {FORMAT_VERSION})。")
        if content_hash(data) != manifest.content_sha256:
            raise _refuse(p, "的清单校验值(content_sha256)不符,内容被改动过或已损坏。")
        listed = {d.path for d in manifest.documents}
        extra = sorted(set(by_name) - listed - {MANIFEST})
        if extra:
            raise _refuse(p, f"中有清单未列出的文件 {extra[0]},可能被改动过。")
        ids = [d.doc_id for d in manifest.documents]
        if len(set(ids)) != len(ids) or len(listed) != len(ids):
            raise _refuse(p, "的清单中有重复的文件编号或路径。")
        for d in manifest.documents:
            if d.path != f"documents/{d.sha256[:16]}/{d.file}":
                raise _refuse(p, f"的清单中文件 {d.file} 的位置 {d.path} 不是本程序写出的,可能被改动过。")
            info = by_name.get(d.path)
            if info is None:
                raise _refuse(p, f"缺少文件 {d.path}(《{d.title}》)。")
            if info.file_size > limits.MAX_FILE_BYTES:
                raise _refuse(
                    p,
                    f"中的文件 {d.path} 有 {limits.mb(info.file_size)},超过单个文件上限 "
                    f"{limits.mb(limits.MAX_FILE_BYTES)}。",
                )
            data_bytes = _read_member(zf, p, info, limits.MAX_FILE_BYTES, budget)
            if hashlib.sha256(data_bytes).hexdigest() != d.sha256:
                raise _refuse(p, f"中的文件 {d.file}(《{d.title}》)校验值不符,内容被改动过或已损坏。")
            del data_bytes  # checked; read again when it is imported (one file in memory at a time)
    return Pack(p, manifest, copy, signer)


def peek_content_hash(path: str | Path) -> str | None:
    """The ``content_sha256`` a pack's manifest declares (nothing verified), or None: enough
    to tell that a shared library has not changed since it was last applied."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(MANIFEST)
            if info.file_size > limits.MAX_JSON_BYTES:
                return None
            value = json.loads(zf.read(info).decode("utf-8")).get("content_sha256")
            return value if isinstance(value, str) else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError, AttributeError, RuntimeError):
        return None


def _clean_strings(value: Any) -> Any:
    """``value`` with every string in it stripped of terminal escapes and control characters
    (the content hash is checked on the manifest as written)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_clean_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_strings(v) for k, v in value.items()}
    return value


def _read_member(zf: zipfile.ZipFile, p: Path, info: zipfile.ZipInfo, limit: int, budget: list[int]) -> bytes:
    """A member read through a counting stream (:func:`matcher.common.zipread.read_member`):
    whatever its directory entry declares, it stops at ``limit``; any error is a refusal."""
    try:
        data = zipread.read_member(zf, info, limit, budget=budget)
    except zipread.TooBig as e:
        why = {
            "size": f"超过上限 {limits.mb(limit)}",
            "ratio": f"压缩比超过 {limits.MAX_PART_RATIO}:1",
            "total": f"政策包解压后超过上限 {limits.mb(MAX_PACK_UNPACKED)}",
        }[e.why]
        raise _refuse(
            p, f"中的 {info.filename} 解压时已超过 {limits.mb(e.size)}({why}),与声明的大小不符,可能是恶意构造的文件。"
        ) from None
    except zipread.Damaged as e:
        raise _refuse(
            p, f"中的 {info.filename} 已损坏或不完整({zipread.damage_in_words(e)}):请重新复制或向维护人员重新索取。"
        ) from None
    if len(data) != info.file_size:
        raise _refuse(p, f"中的 {info.filename} 长度与声明不符,已损坏。")
    return data
