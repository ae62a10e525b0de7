"""Ctrl-C and SIGTERM (how CI cancels a job), handled so that cleanup never misses a file.

An interruption that lands while a request is under way waits for its answer: an upload the
server stored but whose answer was never read could not be found and deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Interruption:
    received = False
    _in_flight = 0
    _pending = False

    @classmethod
    def handle(cls, signum: int, frame: object) -> None:
        cls.received = True
        if cls._in_flight:
            cls._pending = True
            return
        raise KeyboardInterrupt

    @classmethod
    def record(cls, signum: int, frame: object) -> None:
        # During the final cleanup: finish deleting first, then exit as interrupted.
        cls.received = True

    @classmethod
    @contextmanager
    def deferred(cls) -> Iterator[None]:
        """Holds an interruption back until the request inside has been answered and read."""
        cls._in_flight += 1
        try:
            yield
        finally:
            cls._in_flight -= 1
            if not cls._in_flight and cls._pending:
                cls._pending = False
                raise KeyboardInterrupt
