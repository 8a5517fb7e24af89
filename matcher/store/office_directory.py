"""The office directory a district hall fills in once: for each office, the address, the
window, the phone and the hours, printed on the handout under that office.

- Offices' names and aliases come from ``resources/offices.toml`` through
  :mod:`matcher.rules.lexicon` (never copied here); an office as a document writes it
  (``虹口区发改委``) is found under its canonical name (``区发展改革委``).
- The contacts are the hall's own data, kept per district in the user data folder
  (``office_directory.json`` in :func:`matcher.common.paths.data_dir`), and can be exported to a
  file and imported on another machine of the same hall.

File format (also the export format)::

    {"format": "policydesk-office-directory", "version": 1,
     "entries": [{"district": "虹口区", "office": "区市场监管局", "address": "…",
                  "window": "…", "phone": "…", "hours": "…"}]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from matcher.common.cleantext import clean_field
from matcher.common.paths import os_reason
from matcher.errors import BadInput

FORMAT = "policydesk-office-directory"
FILE_NAME = "office_directory.json"
FIELDS = ("address", "window", "phone", "hours")
FIELD_LABELS = {"address": "地址", "window": "窗口", "phone": "电话", "hours": "办公时间"}
MAX_LEN = 200


@dataclass
class Contact:
    address: str = ""
    window: str = ""
    phone: str = ""
    hours: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, f).strip() for f in FIELDS)

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) for the fields filled in, in print order."""
        return [(FIELD_LABELS[f], getattr(self, f).strip()) for f in FIELDS if getattr(self, f).strip()]


@dataclass(frozen=True)
class OfficeInfo:
    """An office as the lexicon knows it."""

    name: str
    aliases: tuple[str, ...]
    kind: str


def known_offices() -> list[OfficeInfo]:
    """Every office of ``resources/offices.toml`` a company may visit (the generic ones —
    各相关部门 … — are no address; city bodies 市… are not a district hall's), in the file's order."""
    from matcher.rules.lexicon import load_lexicons

    lex = load_lexicons()
    return [
        OfficeInfo(o.name, tuple(o.aliases), o.kind)
        for o in lex.offices.office
        if o.kind not in ("generic", "municipal")
    ]


def canonical(office: str, district: str | None = None) -> str:
    """The office's canonical name in ``district`` (aliases and district prefixes folded;
    静安区's 区科委 is its 区科技经济委), as measures are grouped (matcher.knowledge.offices)."""
    from matcher.knowledge.offices import canonical_office

    return canonical_office(office, district) if office else office


def default_path() -> Path:
    from matcher.common.paths import data_dir

    return data_dir() / FILE_NAME


class OfficeDirectory:
    """Contacts by (district, canonical office)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.entries: dict[tuple[str, str], Contact] = {}

    # -- reading ----------------------------------------------------------------------
    def get(self, district: str, office: str) -> Contact | None:
        c = self.entries.get((district, canonical(office, district)))
        return None if c is None or c.is_empty() else c

    def districts(self) -> list[str]:
        return sorted({d for d, _o in self.entries})

    def __len__(self) -> int:
        return sum(1 for c in self.entries.values() if not c.is_empty())

    # -- writing ----------------------------------------------------------------------
    def set(self, district: str, office: str, contact: Contact) -> None:
        key = (district, canonical(office, district))
        if contact.is_empty():
            self.entries.pop(key, None)
        else:
            self.entries[key] = Contact(**{f: getattr(contact, f).strip()[:MAX_LEN] for f in FIELDS})

    def to_json(self) -> dict:
        rows = [
            dict(district=d, office=o, **asdict(c)) for (d, o), c in sorted(self.entries.items()) if not c.is_empty()
        ]
        return {"format": FORMAT, "version": 1, "entries": rows}

    def save(self, path: Path | None = None) -> Path:
        target = Path(path) if path is not None else (self.path or default_path())
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(target)  # never a half-written directory
        return target

    def merge(self, other: OfficeDirectory) -> int:
        """Take every entry of ``other`` (an import); returns how many were taken."""
        for key, c in other.entries.items():
            self.entries[key] = c
        return len(other.entries)

    # -- files --------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> OfficeDirectory:
        """The hall's directory; an absent file is an empty directory."""
        p = Path(path) if path is not None else default_path()
        d = cls(p)
        if p.is_file():
            d.entries = read_file(p).entries
        return d


def read_file(path: Path) -> OfficeDirectory:
    """Read an office directory file; BadInput naming the file and what is wrong."""
    p = Path(path)
    where = f"部门通讯录文件 {p.name}"
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise BadInput(f"{where} 无法读取:{os_reason(e)}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadInput(f"{where} 不是有效的 JSON 文件({e})。应是惠企政策直通车导出的部门通讯录。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("entries"), list):
        raise BadInput(f'{where} 不是部门通讯录:应是 {{"format": "{FORMAT}", "entries": [...]}}。')
    out = OfficeDirectory(p)
    for i, row in enumerate(data["entries"], 1):
        if not isinstance(row, dict):
            raise BadInput(f"{where} 第 {i} 条不是对象。")
        extra = set(row) - {"district", "office", *FIELDS}
        if extra:
            raise BadInput(
                f"{where} 第 {i} 条有无法识别的字段“{sorted(extra)[0]}”。可用字段:district、office、{'、'.join(FIELDS)}"
            )
        for key in ("district", "office", *FIELDS):
            v = row.get(key, "")
            if not isinstance(v, str):
                raise BadInput(f"{where} 第 {i} 条的 {key} 应是文字,实际是“{v}”。")
        row = {k: clean_field(v) for k, v in row.items()}  # no escapes or bidi controls: printed on handouts
        if not row.get("district", "") or not row.get("office", ""):
            raise BadInput(f"{where} 第 {i} 条缺少 district(所在区)或 office(部门)。")
        out.set(row["district"], row["office"], Contact(**{f: row.get(f, "") for f in FIELDS}))
    return out
