"""How many queries one client runs at once, counted across the service's worker processes.

A client that sends runaway queries holds a thread and a query process until the deadline stops
each of them. Without a bound per client, a handful of such requests takes every thread of a
server worker and everybody else waits. ``ClientGate`` lets one address run at most
``client_max_queries`` queries at a time, across all server worker processes; past that the client
gets 429 at once, and other clients keep their share.

The counts live in shared memory made before the server forks its workers: a table with a row per
worker process and a column per bucket of addresses. A process writes only its own row (under a
lock among its threads), and reads the sum of a column. No lock is shared between processes, so a
process killed in the middle leaves no lock held; the master clears a dead worker's row before the
slot is used again. Two requests from different workers that arrive in the same instant may both
pass at the limit: the bound is exact within a process and off by at most one per other process.

Addresses are grouped the way networks hand them out: an IPv4 address counts alone, an IPv6
address with the rest of its /64 (one host usually owns the whole /64). Buckets are hashed; two
clients sharing a bucket share a bound, which with 4096 buckets is rare.
"""

from __future__ import annotations

import ctypes
import ipaddress
import multiprocessing
import threading
import zlib
from dataclasses import dataclass

BUCKETS = 4096


class TooManyQueries(Exception):
    """The client already runs as many queries as one address may run at once (status 429)."""

    def __init__(self, client: str, running: int, limit: int):
        self.client = client
        self.running = running
        self.limit = limit
        super().__init__(f"{client} runs {running} queries; at most {limit}")

    @property
    def message(self) -> str:
        return (f"Too many queries at once from {self.client}: {self.running} are still running, and "
                f"one address may run at most {self.limit} at a time (setting client_max_queries). "
                "Wait for one to finish, then try again.")


def client_key(address: str | None) -> str:
    """What an address is counted as: itself for IPv4, its /64 for IPv6, the text otherwise."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "replace")) % BUCKETS


@dataclass
class Ticket:
    """One running query of a client; ``release`` gives its place back (once, however often called)."""

    gate: ClientGate
    column: int
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.gate._leave(self.column)


class ClientGate:
    """At most ``limit`` queries at once per client (0: no bound), over ``slots`` worker processes."""

    def __init__(self, limit: int, slots: int = 1):
        self.limit = limit
        self.slots = max(1, slots)
        self._counts = multiprocessing.RawArray(ctypes.c_int32, self.slots * BUCKETS)
        self._row = 0
        self._lock = threading.Lock()

    # -- the worker processes -------------------------------------------------------------------
    def use_slot(self, slot: int) -> None:
        """In a freshly forked worker: count this process's queries in row ``slot``."""
        self._row = slot % self.slots
        self._lock = threading.Lock()

    def enter(self, address: str | None) -> Ticket:
        """Count a query of ``address``; raises TooManyQueries when it already runs ``limit``."""
        key = client_key(address)
        column = bucket(key)
        if self.limit <= 0:
            return Ticket(self, column, released=True)
        with self._lock:
            running = self.running(column)
            if running >= self.limit:
                raise TooManyQueries(key, running, self.limit)
            self._counts[self._row * BUCKETS + column] += 1
        return Ticket(self, column)

    def running(self, column: int) -> int:
        return sum(self._counts[row * BUCKETS + column] for row in range(self.slots))

    def _leave(self, column: int) -> None:
        with self._lock:
            cell = self._row * BUCKETS + column
            if self._counts[cell] > 0:
                self._counts[cell] -= 1

    # -- the master process ---------------------------------------------------------------------
    def clear(self, slot: int) -> None:
        """Forget the counts of the worker that used row ``slot`` (it has exited)."""
        start = (slot % self.slots) * BUCKETS
        ctypes.memset(ctypes.addressof(self._counts) + start * ctypes.sizeof(ctypes.c_int32), 0,
                      BUCKETS * ctypes.sizeof(ctypes.c_int32))


class SlotBook:
    """The master's record of which worker uses which row (gunicorn's pre_fork and child_exit)."""

    def __init__(self, gate: ClientGate):
        self.gate = gate
        self._owner: dict[int, object] = {}

    def assign(self, worker) -> int:
        for slot in range(self.gate.slots):
            if slot not in self._owner:
                break
        else:  # more workers alive than rows (a long graceful restart): share row 0 as it is
            return 0
        self.gate.clear(slot)
        self._owner[slot] = worker
        return slot

    def release(self, worker) -> None:
        for slot, owner in list(self._owner.items()):
            if owner is worker:
                del self._owner[slot]
                self.gate.clear(slot)


def run_counted(gate: ClientGate, runner, address: str | None, request, **options):
    """``runner.run(request)`` as a query of ``address``. Its place is given back at once when the
    answer came whole (its length known: written in the query process, or from the cache), else
    when the body has been read to the end or closed (a WSGI server closes the body it was given,
    whether or not it was sent in full), or when the run fails."""
    ticket = gate.enter(address)
    try:
        answer = runner.run(request, **options)
    except BaseException:
        ticket.release()
        raise
    if answer.length is not None:  # the whole body is here already: the query is over
        ticket.release()
        return answer
    answer.chunks = CountedChunks(answer.chunks, ticket)
    return answer


class CountedChunks:
    """The chunks of an answer; the client's place is given back at their end or on close()."""

    def __init__(self, chunks, ticket: Ticket):
        self._chunks = iter(chunks)
        self._ticket = ticket

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self._ticket.release()
            raise

    def close(self) -> None:
        try:
            close = getattr(self._chunks, "close", None)
            if close:
                close()
        finally:
            self._ticket.release()
