"""The user's corrections of measures (an office, a tag, a hidden or internal measure): kept
in the user KB's ``corrections`` table apart from the documents, applied on read
(:func:`apply_corrections`), mirrored to ``corrections.json`` so they survive a damaged
user KB. :class:`Corrections` is the part of a :class:`~matcher.store.kb.KnowledgeBase`
that owns the table."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from matcher.errors import BadInput, KBError
from matcher.models import Measure
from matcher.store import kbfile, kbstore
from matcher.store.connections import Connections
from matcher.store.kbstore import T_CORR, TAG_FIELDS

CORRECTIONS_FILE = "corrections.json"

# correction kinds: what they take and what they do (applied in the order they were made)
CORRECTION_KINDS = {
    "offices": "把负责部门改为给定的部门列表",
    "add_tag": "给措施添加一个标签(受众、类别、行业或区域)",
    "remove_tag": "去掉措施的一个标签",
    "hide": "隐藏措施(不再推荐)",
    "unhide": "取消隐藏",
    "internal": "标记为内部工作措施(true)或面向企业的措施(false)",
}

Correction = dict[str, Any]
"""A row of the table: id, measure_id, kind, field, value (decoded), note, created_at."""


class Corrections:
    """The corrections table of one KB's user file.

    ``exists(measure_id)`` tells whether the KB holds that measure (a correction of a
    measure that is not there is refused). Any change is announced on the connections
    (:meth:`Connections.changed`), so every reader of corrected measures forgets them.
    """

    def __init__(self, conns: Connections, exists: Callable[[str], bool]):
        self._c = conns
        self._exists = exists
        self._by_mid: dict[str, list[Correction]] | None = None
        conns.on_change(self.forget)

    def forget(self) -> None:
        self._by_mid = None

    # ------------------------------------------------------------ reading

    def rows(self, measure_id: str | None = None) -> list[Correction]:
        """The corrections, oldest first (all, or one measure's)."""
        user = self._c.user
        if user is None:
            return []
        with self._c.lock:
            sql = f"SELECT * FROM {T_CORR}"
            params: list[Any] = []
            if measure_id is not None:
                sql += " WHERE measure_id = ?"
                params.append(measure_id)
            rows = [dict(r) for r in user.query(sql + " ORDER BY id", params)]
            for r in rows:
                r["value"] = json.loads(r["value"]) if r["value"] is not None else None
            return rows

    def by_measure(self) -> dict[str, list[Correction]]:
        """measure_id → its corrections, oldest first (kept until the content changes)."""
        if self._by_mid is None:
            by_mid: dict[str, list[Correction]] = {}
            for c in self.rows():
                by_mid.setdefault(c["measure_id"], []).append(c)
            self._by_mid = by_mid
        return self._by_mid

    def hidden(self) -> set[str]:
        """Measures the user hid (the last of their hide/unhide corrections is a hide),
        whether or not the KB still holds them."""
        hidden: set[str] = set()
        for c in self.rows():
            if c["kind"] == "hide":
                hidden.add(c["measure_id"])
            elif c["kind"] == "unhide":
                hidden.discard(c["measure_id"])
        return hidden

    # ------------------------------------------------------------ writing

    def add(self, measure_id: str, kind: str, value: Any = None, *, field: str | None = None, note: str = "") -> int:
        """Record a correction of one measure; returns its id (see
        :meth:`matcher.store.kb.KnowledgeBase.add_correction`)."""
        user = self._c.user
        if user is None:
            raise KBError("这个知识库是只读打开的,不能保存更正。")
        if kind not in CORRECTION_KINDS:
            raise BadInput(f"未知的更正类型 {kind!r};可用:{'、'.join(CORRECTION_KINDS)}。")
        with self._c.lock:
            if not self._exists(measure_id):
                raise BadInput(f"知识库中没有编号为 {measure_id} 的措施。")
            value = _checked_value(kind, value, field)
            row = {
                "measure_id": measure_id,
                "kind": kind,
                "field": field,
                "value": json.dumps(value, ensure_ascii=False),
                "note": note,
                "created_at": kbstore.now(),
            }
            try:
                with user.atomic():
                    cid = user.table(T_CORR).insert(row).last_pk
            except sqlite3.Error as e:
                raise self._c.write_error("保存更正", e) from None
            assert cid is not None
            self._c.changed()
            self.mirror()
            return int(cid)

    def remove(self, correction_id: int) -> None:
        """Undo one correction by its id."""
        user = self._c.user
        if user is None:
            raise KBError("这个知识库是只读打开的,不能修改更正。")
        with self._c.lock:
            try:
                with user.atomic():
                    n = user.execute(f"DELETE FROM {T_CORR} WHERE id = ?", [correction_id]).rowcount
            except sqlite3.Error as e:
                raise self._c.write_error("删除更正", e) from None
            if not n:
                raise BadInput(f"没有编号为 {correction_id} 的更正。")
            self._c.changed()
            self.mirror()

    def insert(self, rows: Iterable[Correction], at: str) -> None:
        """Add corrections made elsewhere (a policy pack's), made ``at``: the caller holds
        the transaction and announces the change."""
        assert self._c.user is not None
        for c in rows:
            self._c.user.table(T_CORR).insert(
                {**c, "value": json.dumps(c["value"], ensure_ascii=False), "created_at": at}
            )

    def delete_for_measures_of(self, doc_id: str) -> None:
        """Delete the corrections of a document's stored measures (caller holds the transaction)."""
        assert self._c.user is not None
        self._c.user.execute(
            f"DELETE FROM {T_CORR} WHERE measure_id IN (SELECT measure_id FROM measures WHERE doc_id = ?)", [doc_id]
        )

    def delete_for_ids_under(self, doc_id: str) -> None:
        """Delete the corrections of every measure id under ``doc_id/`` (whether stored or
        not; caller holds the transaction)."""
        assert self._c.user is not None
        self._c.user.execute(
            f"DELETE FROM {T_CORR} WHERE measure_id LIKE ? ESCAPE '\\'",
            [doc_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"],
        )

    # ------------------------------------------------------------ the mirror

    def mirror(self) -> None:
        """Write every correction to ``corrections.json`` beside the user KB."""
        if self._c.user_path is None:
            return
        try:
            kbfile.atomic_write_text(
                self._c.user_path.with_name(CORRECTIONS_FILE), json.dumps(self.rows(), ensure_ascii=False, indent=1)
            )
        except OSError:
            self._c.notices.append("更正已保存,但更正记录的备份文件无法写入。")

    def restore(self) -> None:
        """Put the corrections of ``corrections.json`` back into a recreated user KB."""
        user, path = self._c.user, self._c.user_path
        assert user is not None and path is not None
        mirror = path.with_name(CORRECTIONS_FILE)
        if not mirror.is_file():
            return
        try:
            rows = json.loads(mirror.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._c.notices.append(f"更正记录备份 {mirror} 无法读取,未能恢复更正。")
            return
        with user.atomic():
            user.table(T_CORR).insert_all(
                ({**r, "value": json.dumps(r.get("value"), ensure_ascii=False)} for r in rows), pk="id"
            )


def _checked_value(kind: str, value: Any, field: str | None) -> Any:
    """The value a correction of ``kind`` stores, or a :class:`BadInput` saying what it takes."""
    if kind == "offices":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise BadInput('更正负责部门时,请给出部门名称列表(如 ["区市场监管局"])。')
        return [v.strip() for v in value]
    if kind in ("add_tag", "remove_tag"):
        if field not in TAG_FIELDS:
            raise BadInput(f"标签类别 {field!r} 无效;可用:{'、'.join(TAG_FIELDS)}。")
        if not isinstance(value, str) or not value.strip():
            raise BadInput("请给出要添加或去掉的标签。")
        return value.strip()
    if kind == "internal":
        if not isinstance(value, bool):
            raise BadInput("标记内部措施时请给出 true 或 false。")
        return value
    return None


def apply_corrections(m: Measure, cs: list[Correction]) -> tuple[Measure, bool]:
    """``m`` with corrections ``cs`` applied in order, and whether they leave it hidden."""
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
