"""The files this run created, so that cleanup deletes those and nothing else.

Names are appended to a file as soon as an upload answers, so the command can still clean up
after a worker crashed or the run was interrupted.
"""

from __future__ import annotations

import threading
from pathlib import Path


class Ledger:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._names: set[str] = set()
        self._ids: dict[int, str] = {}
        self._deleted: set[str] = set()

    def record_name(self, name: str) -> None:
        with self._lock:
            if name in self._names:
                return
            self._names.add(name)
            self._append("+" + name)

    def record_id(self, name: str, upload_id: int) -> None:
        """An id becomes deletable only once the list showed it under a name this run created."""
        # Names may come from other processes of the run, through the file.
        if name in self.names():
            with self._lock:
                self._ids[upload_id] = name

    def forget(self, name: str) -> None:
        with self._lock:
            self._deleted.add(name)
            self._append("-" + name)

    def _append(self, line: str) -> None:
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def owns_id(self, upload_id: int) -> bool:
        return upload_id in self._ids

    def deleted(self, upload_id: int) -> None:
        name = self._ids.get(upload_id)
        if name is not None:
            self.forget(name)

    def names(self) -> set[str]:
        with self._lock:
            created, deleted = set(self._names), set(self._deleted)
        if self.path is not None and self.path.is_file():
            # Other worker processes of the same run write to the same file.
            for line in self.path.read_text(encoding="utf-8").splitlines():
                (created if line.startswith("+") else deleted).add(line[1:])
        return created - deleted

    def owns_name(self, name: str) -> bool:
        return name in self.names()
