"""An in-process cache of complete answers, in front of the worker pool of the embedded store.

The embedded store does not change while the service runs, so a complete answer to the same
request is the same bytes every time: the cache keeps the body of each complete answer, keyed by
the whole ``QueryRequest`` (query text, dataset, format, accepted formats, row cap), and gives it
back without asking a worker. It is bounded by bytes and drops the least recently used answers
first. Only answers that were read to their end are kept: an error, a query stopped at its
deadline, a worker that died midway or a client that went away leaves nothing behind. Queries
whose answer may differ from one run to the next (``RAND()``, ``NOW()``, ``UUID()``,
``STRUUID()``, or a ``SERVICE`` call to another endpoint) are never kept.

A remote store may change at any time; its runner is never wrapped in this cache.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from pflegegraph.execution.core import Answer, QueryRequest

# Words that make an answer differ from run to run (or depend on another endpoint). Matched
# loosely: a hit inside a string or a comment only means that query is not cached.
VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID)\s*\(|\bSERVICE\b", re.IGNORECASE)
# What one entry costs beyond its body and query text (the key, the entry, the dict slot).
ENTRY_OVERHEAD = 200


def volatile(text: str) -> bool:
    """True when the query's answer may change between two runs on the same store."""
    return VOLATILE.search(text) is not None


@dataclass(frozen=True)
class _Entry:
    kind: str
    fmt: str
    truncated: bool
    rows: int
    seconds: float
    body: bytes
    cost: int


class CachingRunner:
    """Wraps a runner (a ``WorkerPool``) with a cache of at most ``max_bytes`` of answers; one
    answer larger than ``max_entry_bytes`` (default ``max_bytes // 8``) is streamed but not kept.

    ``run``, ``start`` and ``stop`` are the runner's; every other attribute (``size``,
    ``killed``, ``pids()``...) is the wrapped runner's.
    """

    def __init__(self, inner, max_bytes: int, max_entry_bytes: int | None = None):
        if max_bytes <= 0:
            raise ValueError("a result cache needs more than 0 bytes")
        own = self.__dict__
        own["inner"] = inner
        own["max_bytes"] = max_bytes
        own["max_entry_bytes"] = min(max_bytes, max_bytes // 8 if max_entry_bytes is None
                                     else max_entry_bytes)
        own["hits"] = 0
        own["misses"] = 0
        own["stored"] = 0
        self._reset()

    def _reset(self) -> None:
        own = self.__dict__
        own["_lock"] = threading.Lock()
        own["_entries"] = OrderedDict()
        own["_bytes"] = 0
        own["_pid"] = os.getpid()

    # --- the runner's interface -----------------------------------------------------

    def __getattr__(self, name: str):
        try:
            inner = self.__dict__["inner"]
        except KeyError:
            raise AttributeError(name) from None
        return getattr(inner, name)

    def __setattr__(self, name: str, value) -> None:
        if name in self.__dict__:
            self.__dict__[name] = value
        else:  # e.g. ``runner.timeout = 1.0`` is meant for the pool
            setattr(self.inner, name, value)

    def start(self) -> None:
        """Start the wrapped runner. A forked child (a server worker) keeps the answers the
        parent had (the warm-up before the fork, see web/warmup.py) under a lock of its own."""
        if self._pid != os.getpid():
            self.__dict__["_lock"] = threading.Lock()
            self.__dict__["_pid"] = os.getpid()
        self.inner.start()

    def stop(self) -> None:
        self.inner.stop()
        self.clear()

    def stop_workers(self) -> None:
        """Stop the wrapped runner but keep the answers (before forking the server workers)."""
        self.inner.stop()

    def run(self, request: QueryRequest, fresh: bool = False) -> Answer:
        """The answer from the cache, or from the wrapped runner (kept once read to its end).
        ``fresh``: do not look in the cache, but keep the new answer."""
        if not fresh:
            entry = self._lookup(request)
            if entry is not None:
                return Answer(entry.kind, entry.fmt, entry.truncated, entry.rows, entry.seconds,
                              iter((entry.body,) if entry.body else ()), cached=True,
                              length=len(entry.body))
        with self._lock:
            self.__dict__["misses"] += 1
        answer = self.inner.run(request)
        if volatile(request.text):
            return answer
        return dataclasses.replace(answer, chunks=_Tee(self, request, answer), cached=False)

    # --- the cache itself --------------------------------------------------------------

    @property
    def bytes(self) -> int:
        """What the kept answers cost now (bodies, query texts and a fixed amount per entry)."""
        return self._bytes

    @property
    def entries(self) -> int:
        """How many answers are kept now."""
        return len(self._entries)

    def holds(self, request: QueryRequest) -> bool:
        """True when the answer to ``request`` is kept now."""
        return request in self._entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.__dict__["_bytes"] = 0

    def _lookup(self, request: QueryRequest) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(request)
            if entry is not None:
                self._entries.move_to_end(request)
                self.__dict__["hits"] += 1
            return entry

    def _keep(self, request: QueryRequest, answer: Answer, body: bytes) -> None:
        cost = len(body) + len(request.text) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        entry = _Entry(answer.kind, answer.fmt, answer.truncated, answer.rows, answer.seconds,
                       body, cost)
        own = self.__dict__
        with self._lock:
            old = self._entries.pop(request, None)
            if old is not None:
                own["_bytes"] -= old.cost
            self._entries[request] = entry
            own["_bytes"] += cost
            own["stored"] += 1
            while own["_bytes"] > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                own["_bytes"] -= dropped.cost


class _Tee:
    """The answer's chunks, passed on as they come and copied aside; the copy is kept when the
    last chunk has been read without an error. A class, not a generator, so that ``close`` on
    an answer that was never read reaches the wrapped chunks (a worker is freed or replaced)."""

    def __init__(self, cache: CachingRunner, request: QueryRequest, answer: Answer):
        self._cache = cache
        self._request = request
        self._answer = answer
        self._chunks: Iterator[bytes] = answer.chunks
        self._parts: list[bytes] | None = []  # None: not kept (too large, failed or closed)
        self._size = 0
        self._done = False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._done = True
            if self._parts is not None:
                self._cache._keep(self._request, self._answer, b"".join(self._parts))
                self._parts = None
            raise
        except BaseException:
            self._done = True
            self._parts = None
            raise
        if self._parts is not None:
            self._size += len(chunk)
            if self._size > self._cache.max_entry_bytes:
                self._parts = None  # too large to keep: stream the rest without a copy
            else:
                self._parts.append(chunk)
        return chunk

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._parts = None
        close = getattr(self._chunks, "close", None)
        if close:
            close()
