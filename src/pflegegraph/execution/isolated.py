"""One piece of work in a forked child, so that a crash of the query engine (a SIGSEGV in
pyoxigraph) ends the child and the caller can say what happened.

``pflegegraph query`` runs its query this way: the store is loaded once in the command's own
process, the child (sharing it copy-on-write) runs the query and renders the result, and sends
back the text or the error. Where ``os.fork`` does not exist (Windows) the work runs in-process.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing import Pipe
from typing import TypeVar

from pflegegraph.errors import PflegegraphError
from pflegegraph.execution.core import QueryCrashed

T = TypeVar("T")
_FAILED = 70  # the child's exit code when it could not even send its outcome


def run_isolated(work: Callable[[], T], what: str = "the query") -> T:
    """``work()`` run in a forked child; its value, or the PflegegraphError it raised.

    QueryCrashed if the child dies of a signal (the engine crashed); RuntimeError if it fails in
    an unexpected way (reported by the CLI as an internal error)."""
    if not hasattr(os, "fork"):
        return work()
    sys.stdout.flush()
    sys.stderr.flush()
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            faulthandler.disable()  # a crash is reported by the parent, in one sentence
            reader.close()
            writer.send(_outcome(work))
        except BaseException:  # noqa: BLE001 - the parent reports a child that sent nothing
            code = _FAILED
        finally:
            os._exit(code)
    writer.close()
    try:
        try:
            outcome = reader.recv()
        except (EOFError, OSError):
            outcome = None
        _, status = os.waitpid(pid, 0)
    except BaseException:  # Ctrl-C while waiting: the child goes too
        _kill(pid)
        raise
    finally:
        reader.close()
    return _result(outcome, status, what)


def _outcome(work: Callable[[], T]) -> tuple:
    try:
        return ("ok", work())
    except PflegegraphError as exc:
        return ("error", type(exc), exc.message)
    except Exception as exc:  # noqa: BLE001 - sent to the parent, which reports it
        return ("failed", f"{type(exc).__name__}: {exc}")


def _result(outcome: tuple | None, status: int, what: str):
    if outcome is None:
        if os.WIFSIGNALED(status):
            name = signal.Signals(os.WTERMSIG(status)).name
            raise QueryCrashed(f"the query engine crashed on {what} ({name}); write it with less "
                               "nesting or fewer terms and try again")
        raise RuntimeError(f"the process running {what} ended without an answer "
                           f"(exit status {os.waitstatus_to_exitcode(status)})")
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "error":
        _, cls, message = outcome
        error = cls.__new__(cls)
        PflegegraphError.__init__(error, message)
        raise error
    raise RuntimeError(outcome[1])


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
