"""The user's corrections of measures (an office, a tag, a hidden or internal measure): kept
in the user KB apart from the documents, applied on read, mirrored to ``corrections.json``
so they survive a damaged user KB. A mixin of :class:`matcher.store.kb.KnowledgeBase`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from matcher.errors import BadInput, KBError
from matcher.models import Measure
from matcher.store.kbfile import atomic_write_text as _atomic_write_text
from matcher.store.kbfile import kb_error as _kb_error

_T_CORR = "corrections"
CORRECTIONS_FILE = "corrections.json"


def _now() -> str:
    import datetime as _dt

    return _dt.datetime.now().isoformat(timespec="seconds")


# correction kinds: what they take and what they do (applied in the order they were made)
CORRECTION_KINDS = {
    "offices": "把负责部门改为给定的部门列表",
    "add_tag": "给措施添加一个标签(受众、类别、行业或区域)",
    "remove_tag": "去掉措施的一个标签",
    "hide": "隐藏措施(不再推荐)",
    "unhide": "取消隐藏",
    "internal": "标记为内部工作措施(true)或面向企业的措施(false)",
}
TAG_FIELDS = ("audiences", "categories", "industries", "areas")


class CorrectionsMixin:
    """Corrections methods; the KnowledgeBase provides ``_user``, ``_lock``, ``user_path``,
    ``notices``, ``get_measure`` and ``_invalidate``."""

    def corrections(self, measure_id: str | None = None) -> list[dict[str, Any]]:
        """The user's corrections, oldest first: dicts with id, measure_id, kind, field, value, note, created_at."""
        if self._user is None:
            return []
        with self._lock:
            sql = f"SELECT * FROM {_T_CORR}"
            params: list[Any] = []
            if measure_id is not None:
                sql += " WHERE measure_id = ?"
                params.append(measure_id)
            rows = [dict(r) for r in self._user.query(sql + " ORDER BY id", params)]
            for r in rows:
                r["value"] = json.loads(r["value"]) if r["value"] is not None else None
            return rows

    def add_correction(
        self, measure_id: str, kind: str, value: Any = None, *, field: str | None = None, note: str = ""
    ) -> int:
        """Record a correction of one measure; returns its id.

        ``kind`` is one of :data:`CORRECTION_KINDS`:
        ``offices`` (value: list of office names), ``add_tag``/``remove_tag`` (field: one
        of :data:`TAG_FIELDS`, value: the tag), ``hide``/``unhide`` (no value),
        ``internal`` (value: bool). Corrections are kept apart from the documents and
        applied on read, so they survive rebuilds.
        """
        if self._user is None:
            raise KBError("这个知识库是只读打开的,不能保存更正。")
        if kind not in CORRECTION_KINDS:
            raise BadInput(f"未知的更正类型 {kind!r};可用:{'、'.join(CORRECTION_KINDS)}。")
        with self._lock:
            if self.get_measure(measure_id) is None:
                raise BadInput(f"知识库中没有编号为 {measure_id} 的措施。")
            if kind == "offices":
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
                    raise BadInput('更正负责部门时,请给出部门名称列表(如 ["区市场监管局"])。')
                value = [v.strip() for v in value]
            elif kind in ("add_tag", "remove_tag"):
                if field not in TAG_FIELDS:
                    raise BadInput(f"标签类别 {field!r} 无效;可用:{'、'.join(TAG_FIELDS)}。")
                if not isinstance(value, str) or not value.strip():
                    raise BadInput("请给出要添加或去掉的标签。")
                value = value.strip()
            elif kind == "internal":
                if not isinstance(value, bool):
                    raise BadInput("标记内部措施时请给出 true 或 false。")
            else:
                value = None
            row = {
                "measure_id": measure_id,
                "kind": kind,
                "field": field,
                "value": json.dumps(value, ensure_ascii=False),
                "note": note,
                "created_at": _now(),
            }
            try:
                with self._user.atomic():
                    cid = self._user[_T_CORR].insert(row).last_pk
            except sqlite3.Error as e:
                raise _kb_error("保存更正", self.user_path or Path("user_kb"), e) from None
            self._invalidate()
            self._mirror_corrections()
            return int(cid)

    def remove_correction(self, correction_id: int) -> None:
        """Undo one correction by its id."""
        if self._user is None:
            raise KBError("这个知识库是只读打开的,不能修改更正。")
        with self._lock:
            try:
                with self._user.atomic():
                    n = self._user.execute(f"DELETE FROM {_T_CORR} WHERE id = ?", [correction_id]).rowcount
            except sqlite3.Error as e:
                raise _kb_error("删除更正", self.user_path or Path("user_kb"), e) from None
            if not n:
                raise BadInput(f"没有编号为 {correction_id} 的更正。")
            self._invalidate()
            self._mirror_corrections()

    def _mirror_corrections(self) -> None:
        if self.user_path is None:
            return
        try:
            _atomic_write_text(
                self.user_path.with_name(CORRECTIONS_FILE), json.dumps(self.corrections(), ensure_ascii=False, indent=1)
            )
        except OSError:
            self.notices.append("更正已保存,但更正记录的备份文件无法写入。")

    def _restore_corrections(self) -> None:
        assert self._user is not None and self.user_path is not None
        mirror = self.user_path.with_name(CORRECTIONS_FILE)
        if not mirror.is_file():
            return
        try:
            rows = json.loads(mirror.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.notices.append(f"更正记录备份 {mirror} 无法读取,未能恢复更正。")
            return
        with self._user.atomic():
            self._user[_T_CORR].insert_all(
                ({**r, "value": json.dumps(r.get("value"), ensure_ascii=False)} for r in rows), pk="id"
            )


def _apply_corrections(m: Measure, cs: list[dict[str, Any]]) -> tuple[Measure, bool]:
    upd: dict[str, Any] = {}
    evidence = {k: dict(v) for k, v in m.evidence.items()}
    tags = {f: list(getattr(m, f)) for f in TAG_FIELDS}
    hidden = False
    for c in cs:
        kind, value, field = c["kind"], c["value"], c.get("field")
        if kind == "offices":
            upd["offices"] = list(value)
            upd["office_source"] = "stated"
            evidence.setdefault("corrections", {})["offices"] = c.get("note") or "人工更正"
        elif kind == "add_tag" and field in tags:
            if value not in tags[field]:
                tags[field].append(value)
            evidence.setdefault(field, {})[value] = "人工添加"
        elif kind == "remove_tag" and field in tags:
            tags[field] = [t for t in tags[field] if t != value]
            evidence.get(field, {}).pop(value, None)
        elif kind == "hide":
            hidden = True
        elif kind == "unhide":
            hidden = False
        elif kind == "internal":
            upd["internal"] = bool(value)
            upd["enterprise_facing"] = not bool(value)
    for f, v in tags.items():
        if v != getattr(m, f):
            upd[f] = v
    upd["evidence"] = evidence
    return m.model_copy(update=upd), hidden
