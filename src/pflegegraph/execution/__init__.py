"""Running queries with a hard deadline, a row cap and a streamed answer.

- ``QueryRequest`` is what the service asks: the query text, the dataset, the format, the cap.
- ``answer(store, request)`` runs one request on a store and yields the messages of the answer
  (a head, then chunks of the body). It is the same code in a worker process and in-thread.
- ``WorkerPool`` keeps worker processes that hold the embedded store; a query that overruns its
  deadline is stopped by killing its worker, which is replaced at once; when every worker is
  busy, extra ones are forked up to a cap (see pool.py; the processes themselves: zygote.py).
- ``InlineRunner`` runs in the calling thread; it is for stores that enforce their own
  deadline, such as a remote endpoint reached with a socket timeout.
- ``CachingRunner`` wraps a ``WorkerPool`` with an in-process cache of complete answers, bounded
  by bytes (the embedded store does not change while the service runs; see cache.py).
"""

from __future__ import annotations

from pflegegraph.execution.cache import CachingRunner
from pflegegraph.execution.core import (
    Answer,
    InlineRunner,
    QueryCrashed,
    QueryRequest,
    QueryTimeout,
    ServiceBusy,
    answer,
)
from pflegegraph.execution.pool import WorkerPool

__all__ = ["Answer", "CachingRunner", "InlineRunner", "QueryCrashed", "QueryRequest", "QueryTimeout",
           "ServiceBusy", "WorkerPool", "answer"]
