"""Worker processes that run queries and are killed when a query overruns its deadline.

No Python SPARQL engine can be interrupted from inside, so each query runs in a worker
process. The server process sends it the request, waits for the answer's head until the
deadline, and on overrun kills the worker with SIGKILL and puts a fresh one in its place.
Other requests go to other workers meanwhile.

Workers are forked from a *zygote*: a process forked once when the pool starts, while the
server process is still single-threaded, holding the loaded store. Replacements are forked
from the zygote (never from the multi-threaded server), and reach the server through a
socket pair whose one end travels over a Unix socket (``socket.send_fds``). Every worker shares
the zygote's store pages copy-on-write. When the server process goes away, the zygote and the
workers see end-of-file on their sockets and exit.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import stat
import struct
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from pflegegraph.execution.core import Answer, QueryRequest, QueryTimeout, ServiceBusy, answer, head_answer

_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCHLD",
                  "SIGTTIN", "SIGTTOU")


@dataclass
class _Worker:
    pid: int
    conn: Connection


def _close_other_sockets(keep: set[int]) -> None:
    """Close inherited sockets (the server's listening socket, client connections)."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return
    for name in names:
        fd = int(name)
        if fd in keep or fd < 3:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            continue


def _reset_signals() -> None:
    for name in _RESET_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _worker_main(conn: Connection, store) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            for message in answer(store, request):
                conn.send(message)
        except (BrokenPipeError, OSError):
            return


def _zygote_main(sock: socket.socket, store) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, 16, 1)
        except OSError:
            return
        if not msg:
            return
        pid = os.fork()
        if pid == 0:
            sock.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                _worker_main(Connection(fds[0]), store)
            finally:
                os._exit(0)
        os.close(fds[0])
        sock.sendall(struct.pack("!q", pid))


class WorkerPool:
    """``size`` worker processes over ``store``, each query limited to ``timeout`` seconds."""

    def __init__(self, store, size: int = 2, timeout: float = 30.0):
        self.store = store
        self.size = max(1, size)
        self.timeout = timeout
        self.prefixes = getattr(store, "prefixes", None)
        self._owner: int | None = None
        self._zygote: socket.socket | None = None
        self._zygote_pid: int | None = None
        self._spawn_lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self.killed = 0

    # --- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        """Fork the zygote and the workers. Call while the process is single-threaded.

        Idempotent in one process; in a forked child (a server worker) it starts a new pool.
        """
        if self._owner == os.getpid():
            return
        self._idle = queue.Queue()
        self._spawn_lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            ours.close()
            _reset_signals()
            _close_other_sockets({theirs.fileno()})
            try:
                _zygote_main(theirs, self.store)
            finally:
                os._exit(0)
        theirs.close()
        self._zygote, self._zygote_pid, self._owner = ours, pid, os.getpid()
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def stop(self) -> None:
        if self._owner != os.getpid():
            return
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._kill(worker)
        if self._zygote is not None:
            self._zygote.close()
            self._kill_pid(self._zygote_pid)
            try:
                os.waitpid(self._zygote_pid, 0)
            except ChildProcessError:
                pass
        self._owner = None

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                socket.send_fds(self._zygote, [b"spawn"], [theirs.fileno()])
                data = b""
                while len(data) < 8:
                    part = self._zygote.recv(8 - len(data))
                    if not part:
                        raise OSError("the query worker zygote has gone away")
                    data += part
            finally:
                theirs.close()
        return _Worker(struct.unpack("!q", data)[0], Connection(ours.detach()))

    @staticmethod
    def _kill_pid(pid: int | None) -> None:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _kill(self, worker: _Worker) -> None:
        self._kill_pid(worker.pid)
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        self.killed += 1
        self._idle.put(self._spawn())

    # --- running ------------------------------------------------------------------

    def run(self, request: QueryRequest) -> Answer:
        """Run one request; raise QueryTimeout past the deadline, ServiceBusy if all workers stay busy."""
        self.start()
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServiceBusy(f"all {self.size} query workers stayed busy for {self.timeout:g} s; "
                              "try again later") from None
        try:
            worker.conn.send(request)
        except OSError:
            self._replace(worker)
            raise
        if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
            self._replace(worker)
            raise QueryTimeout(f"the query ran longer than the limit of {self.timeout:g} s and was "
                               "stopped; narrow it down (LIMIT, more specific patterns) and try again")
        return head_answer(self._messages(worker), lambda finished: self._release(worker, finished))

    def _messages(self, worker: _Worker):
        while True:
            if not worker.conn.poll(self.timeout):
                raise QueryTimeout(f"writing the result took longer than {self.timeout:g} s")
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                raise QueryTimeout("the query worker stopped before the answer was complete") from None
            yield message
            if message[0] in {"end", "error"}:
                return

    def _release(self, worker: _Worker, finished: bool) -> None:
        if finished:
            self._idle.put(worker)
        else:
            self._replace(worker)
