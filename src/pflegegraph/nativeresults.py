"""SELECT results written by pyoxigraph itself, with the row cap applied while it writes.

Turning every solution into Python terms and writing them out again in Python costs a fifth of
the engine time on large results. Instead the engine writes the solutions as SPARQL TSV. In
TSV each solution is one line (pyoxigraph escapes tabs and line breaks inside terms), so the
rows are counted by counting line ends, and writing stops at the first row past the cap, which
the engine then never produces. The other formats are made from that TSV by pyoxigraph (read
and written in Rust), which gives the same text as writing them directly.

JSON, the format most clients ask for, is first written directly (which saves the conversion,
a few milliseconds on a result of some hundred kilobytes). Its solutions cannot be counted
exactly without reading the JSON, but every solution opens a ``{``, and each boundary between two
solutions is a ``},{``, so both counts are upper bounds of the rows (a literal may hold either
too). While the bound stays within the cap the direct text is the answer; once it passes the
cap, the writing stops and ``write_solutions`` returns None: the caller runs the query again
through TSV, where the cap is applied exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from pflegegraph.errors import UserError

FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass
class Written:
    """A SELECT result written out: its text in ``fmt``, how many rows it holds, and whether the
    row cap cut it short."""

    fmt: str
    body: bytes
    rows: int | None  # None: JSON written directly, within the cap but not counted exactly
    truncated: bool = False
    kind: str = "select"


class _CapReached(Exception):
    """Raised into the engine's writer to stop it at the first row past the cap."""


class _LineCounter:
    """A file-like target for ``QuerySolutions.serialize`` that keeps the TSV text up to the
    header line and ``cap`` rows, and stops the writing when there is more."""

    def __init__(self, cap: int | None):
        self.keep = None if cap is None else cap + 1  # the header line and ``cap`` rows
        self.lines = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        data = bytes(data)
        ends = data.count(b"\n")
        if self.keep is not None and self.lines + ends > self.keep:
            at = -1
            for _ in range(self.keep - self.lines):
                at = data.index(b"\n", at + 1)
            self.parts.append(data[:at + 1])
            self.lines = self.keep
            raise _CapReached
        self.parts.append(data)
        self.lines += ends
        return len(data)

    def flush(self) -> None:
        pass


class _BoundCounter:
    """A file-like target for JSON: keeps the text and stops the writing once the rows it may
    hold could be more than ``cap``.

    Two upper bounds of the rows, the cheaper first: every solution opens at least one ``{``, so
    while the text holds at most ``cap`` of them it holds at most ``cap`` rows (counting one byte
    is twice as fast as counting three). Past that, the number of ``},{`` plus one, which is
    tighter: from then on the boundaries are counted."""

    def __init__(self, cap: int):
        self.cap = cap
        self.braces = 0  # ``{`` seen so far
        self.bound: int | None = None  # rows at most, once boundaries are counted
        self.parts: list[bytes] = []
        self._tail = b""  # the last two bytes so far: a ``},{`` may be split between writes

    def write(self, data: bytes) -> int:
        if not isinstance(data, bytes):
            data = bytes(data)
        self.parts.append(data)
        if self.bound is None:
            self.braces += data.count(b"{")
            if self.braces > self.cap:  # the cheap bound no longer says enough: count boundaries
                text = b"".join(self.parts)
                self.bound = 1 + text.count(b"},{")
                self._tail = text[-2:]
        else:
            # the boundaries within this piece, and one that straddles the previous piece and this
            self.bound += data.count(b"},{") + (self._tail + data[:2]).count(b"},{")
            self._tail = data[-2:] if len(data) >= 2 else (self._tail + data)[-2:]
        if self.bound is not None and self.bound > self.cap:
            raise _CapReached
        return len(data)

    def flush(self) -> None:
        pass


def write_solutions(solutions: ox.QuerySolutions, fmt: str, cap: int | None = None,
                    direct: bool = True) -> Written | None:
    """The solutions in ``fmt`` (json, xml, csv or tsv), at most ``cap`` rows of them.

    With ``direct`` (the default) JSON is written directly while it surely holds at most ``cap``
    rows; None means it may hold more: run the query again with ``direct=False``."""
    if fmt not in FORMATS:
        raise ValueError(f"solutions cannot be written as {fmt}")
    if direct and fmt == "json":
        if cap is None:
            return Written(fmt, solutions.serialize(format=FORMATS[fmt]), None)
        target = _BoundCounter(cap)
        try:
            solutions.serialize(target, format=FORMATS[fmt])
        except _CapReached:
            return None
        return Written(fmt, b"".join(target.parts), None)
    target = _LineCounter(cap)
    truncated = False
    try:
        solutions.serialize(target, format=ox.QueryResultsFormat.TSV)
    except _CapReached:
        truncated = True
    tsv = b"".join(target.parts)
    rows = max(0, target.lines - 1)
    if fmt == "tsv":
        return Written(fmt, tsv, rows, truncated)
    try:
        body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=FORMATS[fmt])
    except (SyntaxError, ValueError) as exc:  # not the query's fault: never a "syntax error" for it
        raise UserError(f"the engine could not write its answer as {fmt} ({exc}); ask for "
                        "another format, such as text/tab-separated-values") from None
    return Written(fmt, body, rows, truncated)
