"""The zygote and the query worker processes it forks.

The zygote is forked once, while the server process is still single-threaded, and holds the
loaded store. It answers two requests over a Unix socket, one at a time:

- ``spawn`` (with one end of a fresh socket pair, sent by ``socket.send_fds``, and the memfd of
  its shared answer region where there is one, see sharedbody.py): fork a worker that serves
  queries over that socket; the reply is the worker's pid;
- ``reap PID``: wait for that worker to end (the caller has killed it, or seen it go) and reply
  with its wait status, so the caller learns whether it was killed or crashed (SIGSEGV, ...).

The zygote reaps a worker only when asked, so a pid the server kills always still belongs to
its worker (a zombie at worst), never to an unrelated process that reused the number. When the
server process goes away, the zygote and the workers see end-of-file on their sockets and exit.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import socket
import stat
import struct
import sys
import threading
from multiprocessing.connection import Connection

from pflegegraph.execution.core import answer
from pflegegraph.execution.sharedbody import SharedBody

_REQUEST = struct.Struct("!8sq")  # opcode, pid: every request is exactly 16 bytes
_REPLY = struct.Struct("!q")
_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCHLD",
                  "SIGTTIN", "SIGTTOU")


class ZygoteGone(OSError):
    """The zygote process has gone away; no new worker can be started."""


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


def _serve(conn: Connection, store, shared: SharedBody | None = None) -> None:  # the worker's life
    """Answer requests until the server closes the socket. An unexpected exception before the
    head is sent back as an engine failure; after it, the worker ends (the server sees the
    stream break off and replaces the worker). A crash (SIGSEGV) is reported by the server,
    which logs the query; an inherited faulthandler would only add a useless C-level dump."""
    faulthandler.disable()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        started = False
        try:
            for message in answer(store, request, shared):
                started = started or message[0] in {"head", "whole", "shared"}
                conn.send(message)
        except (BrokenPipeError, OSError):
            return
        except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException is a BaseException
            if started or isinstance(exc, (SystemExit, KeyboardInterrupt)):
                return
            print(f"pflegegraph: the query engine failed on a query: {type(exc).__name__}: {exc}",
                  file=sys.stderr, flush=True)
            conn.send(("error", "crash", type(exc).__name__, None, None))


def _read_exact(sock: socket.socket, n: int, data: bytes = b"") -> bytes:
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            raise ZygoteGone("the query worker zygote has gone away")
        data += part
    return data


def _zygote_main(sock: socket.socket, store) -> None:
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, _REQUEST.size, 2)
            if not msg:
                return
            opcode, pid = _REQUEST.unpack(_read_exact(sock, _REQUEST.size, msg))
        except OSError:
            return
        if opcode.rstrip(b"\0") == b"reap":
            for fd in fds:
                os.close(fd)
            try:
                _, status = os.waitpid(pid, 0)
            except ChildProcessError:
                status = -1
            sock.sendall(_REPLY.pack(status))
            continue
        if not fds:
            sock.sendall(_REPLY.pack(-1))
            continue
        child = os.fork()
        if child == 0:
            sock.close()
            try:
                shared = SharedBody(fds[1]) if len(fds) > 1 else None
                _serve(Connection(fds[0]), store, shared)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        sock.sendall(_REPLY.pack(child))


class Zygote:
    """The server's side of the zygote: start it, have it fork or reap workers, stop it."""

    def __init__(self, store):
        self.store = store
        self.pid: int | None = None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Fork the zygote. Call while the process is single-threaded."""
        self._lock = threading.Lock()
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
        self._sock, self.pid = ours, pid

    def _ask(self, opcode: bytes, pid: int = 0, fds: list[int] | None = None) -> int:
        if self._sock is None:
            raise ZygoteGone("the query worker zygote is not running")
        socket.send_fds(self._sock, [_REQUEST.pack(opcode, pid)], fds or [])
        return _REPLY.unpack(_read_exact(self._sock, _REPLY.size))[0]

    def spawn(self) -> tuple[int, Connection, SharedBody | None]:
        """A new worker: its pid, the connection to it and its shared answer region (None where
        the system has none)."""
        shared = SharedBody.create()
        with self._lock:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            fds = [theirs.fileno()] + ([shared.fd] if shared else [])
            try:
                pid = self._ask(b"spawn", 0, fds)
            except OSError as exc:
                ours.close()
                if shared:
                    shared.close()
                raise ZygoteGone(f"the query worker zygote has gone away ({exc})") from None
            finally:
                theirs.close()
        if pid <= 0:
            ours.close()
            if shared:
                shared.close()
            raise ZygoteGone("the query worker zygote could not start a worker")
        return pid, Connection(ours.detach()), shared

    def reap(self, pid: int) -> int | None:
        """Kill the worker (if it still runs) and return its wait status; None if unknown."""
        try:
            os.kill(pid, signal.SIGKILL)  # a zombie until reaped: the pid is still its own
        except ProcessLookupError:
            pass
        with self._lock:
            try:
                status = self._ask(b"reap", pid)
            except OSError:
                return None
        return None if status < 0 else status

    def stop(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None
