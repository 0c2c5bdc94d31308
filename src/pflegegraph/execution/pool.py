"""Worker processes that run queries and are killed when a query overruns its deadline.

No Python SPARQL engine can be interrupted from inside, so each query runs in a worker
process (forked by the zygote, see zygote.py). The server process sends it the request, waits
for the answer's head until the deadline, and on overrun kills the worker with SIGKILL.

The pool keeps ``size`` standing workers. When none is idle for ``overflow_wait`` seconds, it
forks an extra one, up to ``max_size`` workers in all, so a few runaway queries that hold the
standing workers until their deadline do not make simple queries wait. A worker whose query
ends goes back to the idle ones only while fewer than ``size`` are idle, else it is stopped:
while runaways hold the standing workers the extra one serves query after query (no fork for
each), and once they are gone the pool shrinks back to ``size``. Only when ``max_size`` workers
are busy does a request wait, and get ServiceBusy after ``timeout`` seconds.

A query that has no answer yet after ``DEMOTE_AFTER`` seconds goes on at a lower CPU priority
(nice +10): runaways waiting for their deadline then leave the cores to short queries instead of
sharing them equally. Its worker is replaced when the query ends.

Every way a worker can be lost ends the same way: it is killed and reaped, and if fewer than
``size`` workers remain, a fresh one takes its place. That covers the deadline, a client that
stops reading, a worker killed from outside (OOM killer, an operator), and a worker that
crashes in the engine; a worker that died while idle is noticed before it is used.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from pflegegraph.execution.core import (
    Answer,
    QueryCrashed,
    QueryRequest,
    QueryTimeout,
    ServiceBusy,
    head_answer,
)
from pflegegraph.execution.sharedbody import SharedBody
from pflegegraph.execution.zygote import Zygote, ZygoteGone

# Signals with which the engine itself ends a process (a crash); SIGKILL is ours or the OOM killer's.
CRASH_SIGNALS = {getattr(signal, name) for name in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT")
                 if hasattr(signal, name)}
STOPPED = "the query worker stopped before the answer was complete"
log = logging.getLogger("pflegegraph.execution")


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    gone: bool = False  # killed and reaped; nothing more to do with it
    query: str = ""  # the query it runs, for the log when it dies on it
    idle_since: float = 0.0  # when it last came back idle (time.monotonic)
    demoted: bool = False  # given a lower CPU priority (a long query); not reused afterwards
    shared: SharedBody | None = None  # the region its whole answers come in (sharedbody.py)

    def close(self) -> None:
        """Close the server's ends: the socket and the shared region."""
        self.conn.close()
        if self.shared:
            self.shared.close()


def default_max_size(size: int) -> int:
    """The cap when none is set: four times the standing workers plus two."""
    return 4 * size + 2


# A query still without its first answer after this many seconds runs on at a lower CPU
# priority (nice +10), so that it no longer competes on equal terms with short queries. A
# process may not raise its priority again, so such a worker is replaced once its query ends.
DEMOTE_AFTER = 1.0
DEMOTED_NICE = 10


def crash_message(status: int | None) -> str | None:
    """The message for a worker that ended with ``status`` if that was an engine crash."""
    if status is None or not os.WIFSIGNALED(status) or os.WTERMSIG(status) not in CRASH_SIGNALS:
        return None
    name = signal.Signals(os.WTERMSIG(status)).name
    return (f"the query engine could not run this query: it crashed on it ({name}); the service "
            "itself is fine; write the query with less nesting or fewer terms and try again")


class WorkerPool:
    """``size`` standing worker processes over ``store`` (up to ``max_size`` when busy), each
    query limited to ``timeout`` seconds."""

    def __init__(self, store, size: int = 2, timeout: float = 30.0, max_size: int = 0,
                 overflow_wait: float = 0.005, idle_grace: float = 10.0):
        self.store = store
        self.size = max(1, size)
        self.max_size = max(self.size, max_size or default_max_size(self.size))
        self.timeout = timeout
        self.overflow_wait = overflow_wait
        self.idle_grace = idle_grace  # seconds an idle worker beyond ``size`` is kept
        self.prefixes = getattr(store, "prefixes", None)
        self.killed = 0  # queries stopped by the service (deadline, client gone)
        self.lost = 0  # workers that died on their own (crash, killed from outside)
        self.overflowed = 0  # extra workers started because every worker was busy
        self.demoted = 0  # queries moved to a lower CPU priority because they ran long
        self.demote_after = DEMOTE_AFTER
        self._owner: int | None = None
        self._start_lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._zygote = Zygote(self.store)
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()  # every live worker, idle or busy
        self._starting = 0  # workers being forked (counted against max_size)
        self._closing = False

    # --- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        """Fork the zygote and the workers. Call while the process is single-threaded.

        Idempotent in one process; in a forked child (a server worker) it starts a new pool.
        """
        if self._owner == os.getpid():
            return
        with self._start_lock:
            if self._owner == os.getpid():
                return
            self._reset()
            self._zygote.start()
            self._owner = os.getpid()
            for _ in range(self.size):
                self._checkin(self._spawn())

    def stop(self) -> None:
        if self._owner != os.getpid():
            return
        with self._cond:
            self._closing = True
            workers = list(self._workers)
        for worker in workers:
            self._discard(worker)
        self._zygote.stop()
        self._owner = None

    @property
    def live(self) -> int:
        """Workers alive now, idle or busy."""
        return len(self._workers)

    @property
    def idle(self) -> int:
        return len(self._idle)

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._cond:
            return sorted(worker.pid for worker in self._workers)

    # --- workers ------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        pid, conn, shared = self._zygote.spawn()
        worker = _Worker(pid, conn, shared=shared)
        with self._cond:
            self._workers.add(worker)
        return worker

    def _checkin(self, worker: _Worker) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker) -> int | None:
        """Kill and reap the worker; top the pool up to ``size``. Its wait status, or None."""
        with self._cond:
            if worker.gone:
                return None
            worker.gone = True
        status = self._zygote.reap(worker.pid)
        worker.close()
        with self._cond:
            self._workers.discard(worker)
            if worker in self._idle:
                self._idle.remove(worker)
            missing = 0 if self._closing else self.size - len(self._workers) - self._starting
            self._starting += max(0, missing)
            self._cond.notify_all()
        for _ in range(max(0, missing)):
            try:
                fresh = self._spawn()
            except ZygoteGone:
                continue  # the next request tries again, and says so if it cannot
            finally:
                with self._cond:
                    self._starting -= 1
            self._checkin(fresh)
        return status

    def _acquire(self, deadline: float) -> _Worker:
        """An idle worker; an extra one if none frees up within ``overflow_wait`` and the cap
        allows; ServiceBusy past the deadline."""
        overflow_at = time.monotonic() + self.overflow_wait
        with self._cond:
            while True:
                if self._idle:
                    return self._idle.pop()
                now = time.monotonic()
                below_cap = len(self._workers) + self._starting < self.max_size
                if below_cap and now >= overflow_at:
                    self._starting += 1
                    break
                if now >= deadline:
                    raise ServiceBusy(f"all {self.max_size} query workers stayed busy for "
                                      f"{self.timeout:g} s; try again later")
                self._cond.wait((overflow_at if below_cap else deadline) - now)
        try:
            worker = self._spawn()
        except ZygoteGone as exc:
            raise ServiceBusy(f"no query worker could be started ({exc})") from None
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify_all()
        self.overflowed += 1
        return worker

    def _send(self, request: QueryRequest, deadline: float) -> _Worker:
        """Hand the request to a live worker. A worker that died while idle (readable before it
        was asked anything: end-of-file) or refuses the request is replaced, and the next one tried."""
        for _ in range(self.max_size + 2):
            worker = self._acquire(deadline)
            try:
                if not worker.conn.poll(0):
                    worker.conn.send(request)
                    worker.query = request.text
                    return worker
            except OSError:
                pass
            self.lost += 1
            self._discard(worker)
        raise ServiceBusy("the query workers keep failing; try again later")

    def _lost(self, worker: _Worker) -> QueryCrashed | QueryTimeout:
        """The error for a worker that went away on its own (the stream ended early)."""
        self.lost += 1
        status = self._discard(worker)
        message = crash_message(status)
        how = (signal.Signals(os.WTERMSIG(status)).name if status is not None and os.WIFSIGNALED(status)
               else f"status {status}")
        log.warning("query worker %d died (%s) on the query %.300r", worker.pid, how, worker.query)
        return QueryCrashed(message) if message else QueryTimeout(STOPPED)

    # --- running ------------------------------------------------------------------

    def run(self, request: QueryRequest, fresh: bool = False) -> Answer:
        """Run one request; raise QueryTimeout past the deadline, ServiceBusy if all workers stay
        busy, QueryCrashed if the engine crashes on it. (``fresh``: every answer here is fresh.)"""
        self.start()
        deadline = time.monotonic() + self.timeout
        worker = self._send(request, deadline)
        try:
            ready = worker.conn.poll(max(0.0, min(deadline - time.monotonic(), self.demote_after)))
            if not ready and time.monotonic() < deadline:
                self._demote(worker)
                ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
        except OSError:
            raise self._lost(worker) from None
        if not ready:
            self.killed += 1
            self._discard(worker)
            raise QueryTimeout(f"the query ran longer than the limit of {self.timeout:g} s and was "
                               "stopped; narrow it down (LIMIT, more specific patterns) and try again")
        return head_answer(self._messages(worker), lambda finished: self._release(worker, finished),
                           worker.shared)

    def _messages(self, worker: _Worker):
        ready = True  # run() has seen the first message arrive
        while True:
            try:
                ready = ready or worker.conn.poll(self.timeout)
                message = worker.conn.recv() if ready else None
                ready = False
            except (EOFError, OSError):
                raise self._lost(worker) from None
            if message is None:
                raise QueryTimeout(f"writing the result took longer than {self.timeout:g} s")
            yield message
            if message[0] in {"end", "error", "whole", "shared"}:
                return

    def _demote(self, worker: _Worker) -> None:
        """Lower the CPU priority of a worker whose query runs long."""
        try:
            os.setpriority(os.PRIO_PROCESS, worker.pid, DEMOTED_NICE)
        except OSError:  # gone already: the next read says so
            return
        worker.demoted = True
        self.demoted += 1

    def _release(self, worker: _Worker, finished: bool) -> None:
        if worker.gone:
            return
        if not finished:  # the client stopped reading, or the body timed out: stop the query
            self.killed += 1
            self._discard(worker)
            return
        if worker.demoted:  # it cannot get its priority back: a fresh worker takes its place
            self._discard(worker)
            return
        with self._cond:
            worker.idle_since = time.monotonic()
            self._idle.append(worker)
            retired = self._retire()
            self._cond.notify_all()
        for old in retired:
            self._zygote.reap(old.pid)
            old.close()

    def _retire(self) -> list[_Worker]:
        """Idle workers beyond ``size`` that have waited longer than ``idle_grace``, taken out of
        the pool (call with the lock held): the pool shrinks back once a rush is over, but a
        steady load that needs extra workers keeps them instead of forking one per request."""
        limit = time.monotonic() - self.idle_grace
        retired = []
        # _idle is used last in, first out: the longest idle are at the front
        while len(self._idle) > self.size and self._idle[0].idle_since <= limit:
            old = self._idle.pop(0)
            old.gone = True
            self._workers.discard(old)
            retired.append(old)
        return retired
