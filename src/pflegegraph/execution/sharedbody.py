"""A memory region shared by the server and one query worker, for the bodies of whole answers.

An answer of some hundred kilobytes sent through the worker's socket is pickled, written in
pieces no larger than the socket's buffer (each one a wake-up of the reader and of the writer),
gathered and unpickled again: about 0.45 ms for 373 KB on two cores, measured. Written into
memory both processes map, it costs one copy on each side (0.2 ms), and the socket carries
only the head.

The region is a ``memfd`` the server creates for each worker it starts and hands to the zygote
with the worker's socket. The worker writes a body there only after the server asked it a
query, and the server copies the body out before the worker is asked the next one, so the two
never touch the region at the same time. A body larger than the region goes through the socket
as before. Where ``os.memfd_create`` does not exist (not Linux), there is no region and every
body goes through the socket.
"""

from __future__ import annotations

import mmap
import os

# Bodies up to this size are passed in the region (pages are only used once written).
SIZE = 4 << 20


class SharedBody:
    """One side's mapping of the region in the memfd ``fd`` (all of it)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.size = os.fstat(fd).st_size
        self._map = mmap.mmap(fd, self.size)

    @classmethod
    def create(cls, size: int | None = None) -> SharedBody | None:
        """A new region of ``size`` bytes (default SIZE), or None where the system has no
        ``memfd``."""
        size = SIZE if size is None else size
        if not hasattr(os, "memfd_create"):
            return None
        try:
            fd = os.memfd_create("pflegegraph-answer", os.MFD_CLOEXEC)
            os.ftruncate(fd, size)
            return cls(fd)
        except OSError:
            return None

    def fits(self, body: bytes) -> bool:
        return len(body) <= self.size

    def put(self, body: bytes) -> int:
        """Write ``body`` at the start of the region (the worker's side); its length."""
        self._map[:len(body)] = body
        return len(body)

    def take(self, length: int) -> bytes:
        """The first ``length`` bytes of the region (the server's side), copied out."""
        if not 0 <= length <= self.size:
            raise ValueError(f"a shared body of {length} bytes does not fit a region of {self.size}")
        return self._map[:length]

    def close(self) -> None:
        self._map.close()
        try:
            os.close(self.fd)
        except OSError:
            pass
