"""The open files of one knowledge base, shared by the parts that read and write it.

:class:`~matcher.store.kb.KnowledgeBase` opens a :class:`Connections` and hands it to each
of its parts — the corrections (:mod:`matcher.store.corrections`), the reader
(:mod:`matcher.store.reader`), the history (:mod:`matcher.store.history`), the import run
(:mod:`matcher.store.importfolder`, :mod:`matcher.store.imports`) — so that none of them
needs the KnowledgeBase itself: they get the seed and user SQLite files, where the
user's files live, the lock that lets one thread at a time use them, the data folder's
writer lock, the notices for the user, and a way to say that the content changed
(:meth:`Connections.changed`: every part that keeps something read from the files
forgets it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from matcher.errors import KBError
from matcher.store import kbfile, kbstore


class Connections:
    """The seed KB (always), the user KB (once opened: :meth:`open_user`), and what guards them.

    Attributes:
        seed_path, seed: the seed KB file and its connection.
        seed_meta: the seed KB's ``meta`` table as it was at open.
        user_path, user: the user KB file and its connection, or None (a KB opened read-only).
        imports_dir: ``<data>/imports``, or None (no user data folder).
        lock: held by whoever uses the connections (re-entrant).
        writer: the data folder's :class:`~matcher.store.kbfile.WriterLock`.
        notices: messages for the user, in Chinese (the KnowledgeBase shows the same list).
    """

    def __init__(self, seed_path: Path, *, imports_dir: Path | None = None, notices: list[str] | None = None):
        self.seed_path = Path(seed_path)
        self.imports_dir = Path(imports_dir) if imports_dir else None
        self.notices: list[str] = notices if notices is not None else []
        self.lock = threading.RLock()
        self.writer = kbfile.WriterLock(self.imports_dir.parent if self.imports_dir else Path("."))
        self.user_path: Path | None = None
        self.user: Database | None = None
        self._listeners: list[Callable[[], None]] = []
        try:
            self.seed = kbstore.connect(self.seed_path)
            self.seed_meta = kbstore.get_meta(self.seed)
        except sqlite3.Error as e:
            raise kbfile.kb_error("打开知识库", self.seed_path, e) from None

    def open_user(self, path: Path) -> Database:
        """Connect to the user KB at ``path`` (it becomes :attr:`user`)."""
        self.user = kbstore.connect(path)
        self.user_path = path
        return self.user

    def dbs(self) -> list[Database]:
        """The open files, seed first: where both hold a row, the user's is read last and wins."""
        return [db for db in (self.seed, self.user) if db is not None]

    @property
    def data_dir(self) -> Path | None:
        """The user data folder (``imports/``' parent), or None."""
        return self.imports_dir.parent if self.imports_dir is not None else None

    def writable(self, what: str) -> tuple[Database, Path]:
        """The user KB and the imports folder, for a write; a read-only KB refuses plainly
        (``what``: what could not be done, e.g. ``导入文件``)."""
        if self.user is None or self.imports_dir is None:
            raise KBError(f"这个知识库是只读打开的,不能{what}。")
        return self.user, self.imports_dir

    def write_error(self, action: str, e: BaseException) -> KBError:
        """An OSError or sqlite3.Error of a write to the user KB, in plain Chinese."""
        return kbfile.kb_error(action, self.user_path or Path("user_kb"), e)

    def read_error(self, e: BaseException) -> KBError:
        """A sqlite3.Error of a read, in plain Chinese."""
        return kbfile.kb_error("读取知识库", self.seed_path, e)

    def on_change(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` whenever the content changes (a part's cache of what it read)."""
        self._listeners.append(forget)

    def changed(self) -> None:
        """The documents, measures or corrections changed: every cache is forgotten."""
        for forget in self._listeners:
            forget()

    def close(self) -> None:
        with self.lock:
            for db in (self.seed, self.user):
                if db is not None:
                    db.close()
