"""Load data files from resources/ into validated pydantic models.

A bad file is refused with a :class:`RuleFileError` naming the file, the line (when it
can be found), the entry and the field, and what was expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from matcher.common.paths import os_reason, resources_dir
from matcher.errors import RuleFileError

M = TypeVar("M", bound=BaseModel)


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle and needle in line:
            return i
    return None


def load_toml(name: str | Path, model: type[M], base: Path | None = None) -> M:
    """Read ``resources/<name>`` (TOML) and validate it as ``model``."""
    path = Path(name) if Path(name).is_absolute() else (base or resources_dir()) / name
    try:
        raw_text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleFileError(f"规则文件 {path} 无法读取:{os_reason(e)}") from None
    try:
        data = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as e:
        raise RuleFileError(f"规则文件 {path} 不是有效的 TOML:{e}") from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        msgs = []
        for err in e.errors():
            loc = ".".join(str(x) for x in err["loc"])
            # try to point at a line: the last string key in the location
            keys = [str(x) for x in err["loc"] if isinstance(x, str)]
            line = None
            for k in reversed(keys):
                line = _line_of(raw_text, k)
                if line:
                    break
            where = f"第 {line} 行附近," if line else ""
            msgs.append(f"{where}字段 {loc}:{err['msg']}(实际值:{err.get('input')!r})")
        raise RuleFileError(f"规则文件 {path} 有误:\n  " + "\n  ".join(msgs)) from None
