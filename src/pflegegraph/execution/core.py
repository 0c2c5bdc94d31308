"""The request, the answer and the in-thread runner shared by every way of running a query."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from pflegegraph.errors import (
    PflegegraphError,
    QuerySyntaxError,
    RemoteFailure,
    ServiceCallFailed,
    UserError,
)
from pflegegraph.nativeresults import Written, write_solutions
from pflegegraph.resultstream import stream
from pflegegraph.store import GraphStore


class QueryTimeout(PflegegraphError):
    """The query ran past its deadline and was stopped (status 503)."""


class ServiceBusy(PflegegraphError):
    """No worker became free before the deadline (status 503)."""


class QueryCrashed(UserError):
    """The engine crashed on this query (its worker died of SIGSEGV, or the engine raised
    something unexpected); the worker was replaced (status 400: the same query fails again)."""


@dataclass(frozen=True)
class QueryRequest:
    """One query as the service runs it. Graph lists of None mean 'as the query says'."""

    text: str
    fmt: str | None = None  # None: the runner picks with ``choose`` once the kind is known
    accept: tuple[str, ...] = ()  # formats in the client's order of preference
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    row_limit: int | None = None


@dataclass
class Answer:
    """The head of an answer and an iterator over its body chunks."""

    kind: str
    fmt: str
    truncated: bool
    rows: int | None  # None: not counted (JSON the engine wrote directly, within the cap)
    seconds: float
    chunks: Iterator[bytes] = field(default_factory=lambda: iter(()))
    cached: bool = False  # the body came from the result cache (``seconds``: the original run's)
    length: int | None = None  # bytes in the body, where known before it is sent

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close:
            close()


class NotAcceptable(UserError):
    """None of the formats the client accepts fits the kind of result (status 406)."""

    def __init__(self, kind: str, offered: tuple[str, ...]):
        self.kind = kind
        self.offered = offered
        super().__init__(f"no acceptable format for a {kind} result")


def choose(kind: str, request: QueryRequest) -> str:
    from pflegegraph.resultstream import formats_for

    fits = formats_for(kind)
    if request.fmt:
        if request.fmt not in fits:
            raise NotAcceptable(kind, fits)
        return request.fmt
    for fmt in request.accept:
        if fmt in fits:
            return fmt
    raise NotAcceptable(kind, fits)


def _nodes(iris: tuple[str, ...] | None) -> list[ox.NamedNode] | None:
    return None if iris is None else [ox.NamedNode(i) for i in iris]


# A body written by the engine up to this size goes back with its head in one message.
WHOLE_MAX = 4 << 20
PIECE = 1 << 20  # larger bodies go in pieces of this size


def _evaluate(store, request: QueryRequest):
    """The request run on the store: a QueryResult, or for SELECT on the embedded store the
    solutions already written out by the engine (nativeresults.Written)."""
    kwargs = {"default_graphs": _nodes(request.default_graphs),
              "named_graphs": _nodes(request.named_graphs), "limit": request.row_limit}
    if isinstance(store, GraphStore):
        def write(solutions, cap, direct=True):
            return write_solutions(solutions, choose("select", request), cap, direct)

        result = store.query(request.text, write=write, **kwargs)
        if result is None:  # JSON that may be over the cap: again, with the cap applied exactly
            result = store.query(request.text, write=functools.partial(write, direct=False), **kwargs)
        return result
    return store.query(request.text, **kwargs)


def answer(store, request: QueryRequest, shared=None) -> Iterator[tuple]:
    """The messages of one answer: ("head", kind, fmt, truncated, rows, seconds), ("chunk",
    bytes)..., ("end",); or ("whole", kind, fmt, truncated, rows, seconds, bytes) for a head and
    its whole body at once; or ("shared", kind, fmt, truncated, rows, seconds, length) for a head
    whose body was written into ``shared`` (a sharedbody.SharedBody); or one ("error", kind,
    text, line, column) message."""
    started = time.perf_counter()
    try:
        result = _evaluate(store, request)
        fmt = result.fmt if isinstance(result, Written) else choose(result.kind, request)
    except NotAcceptable as exc:
        yield ("error", "not-acceptable", exc.kind, None, ",".join(exc.offered))
        return
    except QuerySyntaxError as exc:
        yield ("error", "syntax", exc.message, exc.line, exc.column)
        return
    except QueryTimeout as exc:
        yield ("error", "timeout", exc.message, None, None)
        return
    except RemoteFailure as exc:
        kind = "service" if isinstance(exc, ServiceCallFailed) else "remote"
        yield ("error", kind, exc.message, None, None)
        return
    except PflegegraphError as exc:
        yield ("error", "user", exc.message, None, None)
        return
    if isinstance(result, Written):
        head = (result.kind, fmt, result.truncated, result.rows, time.perf_counter() - started)
        yield from _body_messages(head, result.body, shared)
        return
    # ASK, CONSTRUCT and DESCRIBE, and every answer of a remote store: the rows or triples are
    # in memory already; written out, a body of up to WHOLE_MAX goes back in one message (with
    # its length: no chunked transfer), a larger one in its pieces as they are written.
    rows = len(result.triples) if result.kind == "graph" else len(result.rows)
    pieces = stream(result, fmt, getattr(store, "prefixes", None))
    body, size = [], 0
    for piece in pieces:
        body.append(piece)
        size += len(piece)
        if size > WHOLE_MAX:
            break
    else:
        head = (result.kind, fmt, result.truncated, rows, time.perf_counter() - started)
        yield from _body_messages(head, b"".join(body), shared)
        return
    yield ("head", result.kind, fmt, result.truncated, rows, time.perf_counter() - started)
    for piece in body:
        yield ("chunk", piece)
    for piece in pieces:
        yield ("chunk", piece)
    yield ("end",)


def _body_messages(head: tuple, body: bytes, shared) -> Iterator[tuple]:
    """A head and its whole body: in the shared region where it fits, else in one message up to
    WHOLE_MAX, else in pieces of PIECE."""
    if shared is not None and shared.fits(body):
        yield ("shared", *head, shared.put(body))
    elif len(body) <= WHOLE_MAX:
        yield ("whole", *head, body)
    else:
        yield ("head", *head)
        for start in range(0, len(body), PIECE):
            yield ("chunk", body[start:start + PIECE])
        yield ("end",)


def raise_error(message: tuple) -> None:
    """Turn an ("error", ...) message back into the exception it stands for."""
    _, kind, text, line, column = message
    if kind == "syntax":
        error = QuerySyntaxError.__new__(QuerySyntaxError)
        PflegegraphError.__init__(error, text)
        error.detail, error.line, error.column = text, line, column
        raise error
    if kind == "not-acceptable":
        raise NotAcceptable(text, tuple(column.split(",")))
    if kind == "crash":
        raise QueryCrashed(f"the query engine could not run this query: it failed on it ({text}); "
                           "the service itself is fine; write the query differently and try again")
    raise {"timeout": QueryTimeout, "remote": RemoteFailure,
           "service": ServiceCallFailed}.get(kind, UserError)(text)


def head_answer(messages: Iterator[tuple], on_close=None, shared=None) -> Answer:
    """The answer whose head is the first message. ``on_close(finished)`` is called exactly once:
    with True when the answer was read to its end (or came whole, or was an error message), with
    False when it was not (the body was left unread, or reading the head failed: the worker must
    be replaced). A body in ``shared`` is copied out before ``on_close``, which lets the worker
    write the next one."""
    try:
        first = next(messages)
        if first[0] == "shared":
            first = (*first[:-1], shared.take(first[-1]))
    except BaseException:
        if on_close:
            on_close(False)
        raise
    if first[0] in {"error", "whole", "shared"}:
        if on_close:
            on_close(True)
        if first[0] == "error":
            raise_error(first)
        _, kind, fmt, truncated, rows, seconds, body = first
        return Answer(kind, fmt, truncated, rows, seconds, iter([body]), length=len(body))
    _, kind, fmt, truncated, rows, seconds = first

    return Answer(kind, fmt, truncated, rows, seconds, _Body(messages, on_close))


class _Body:
    """The body chunks; ``close`` hands the worker back, or has it replaced if unfinished.

    A class, not a generator: a generator that was never started runs no ``finally`` on close.
    """

    def __init__(self, messages: Iterator[tuple], on_close):
        self._messages = messages
        self._on_close = on_close
        self._finished = False
        self._closed = False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self._finished or self._closed:
            raise StopIteration
        try:
            message = next(self._messages)
        except BaseException:
            self.close()
            raise
        if message[0] == "end":
            self._finished = True
            self.close()
            raise StopIteration
        return message[1]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._on_close:
                self._on_close(self._finished)


class InlineRunner:
    """Runs each query in the calling thread (remote stores: the socket timeout is the deadline)."""

    def __init__(self, store):
        self.store = store

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def run(self, request: QueryRequest, fresh: bool = False) -> Answer:
        """Run one request (``fresh``: every answer here is fresh)."""
        return head_answer(answer(self.store, request))
