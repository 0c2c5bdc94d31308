"""Warming the service before it takes requests: the label and search indexes are built, and
every page that needs no parameter is opened once, so its queries' answers are in the result
cache.

Under gunicorn this runs in the master process before the server workers are forked, so every
worker starts with the indexes and the cache (shared copy-on-write) instead of each building
them while its first visitors wait; on a large graph the whole-graph queries of the views take
a good part of a second each. What it built is then frozen out of the garbage collector's scans
(``gc.freeze``). The query processes started for it are stopped again before the fork (each
worker starts its own).

The start must not wait long on a graph whose pages are slow: during the warm-up each query is
stopped after ``QUERY_SECONDS`` (or ``query_timeout``, if shorter), a page whose query is stopped
is simply not cached, and once ``BUDGET_SECONDS`` have passed the remaining pages are left to
their first visitors.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from flask import Flask

from pflegegraph.store import GraphStore

VIEWS = ("/", "/views/action-fields", "/views/isek", "/views/isek.csv", "/views/timeline",
         "/views/target-groups", "/queries", "/search?q=Pflege")


BUDGET_SECONDS = 60.0
QUERY_SECONDS = 10.0


@dataclass
class Warmed:
    pages: int  # pages opened
    failed: list[str]  # opened, but not with 200 (their query stopped, say): "URL (status)"
    skipped: list[str]  # not opened: the time budget was spent
    seconds: float


def page_urls(app: Flask) -> list[str]:
    """The views and every named-query page whose parameters all have defaults."""
    from pflegegraph.namedqueries import QueryCatalog

    catalog = QueryCatalog(app.config["PFLEGEGRAPH_SETTINGS"].queries)
    named = [f"/queries/{q.name}" for q in catalog
             if not any(p.required and p.default is None for p in q.params)]
    return [*VIEWS, *named]


def warm(app: Flask) -> Warmed | None:
    """Open the pages once (embedded store only; None otherwise, or when ``warm_pages`` is off)."""
    settings = app.config["PFLEGEGRAPH_SETTINGS"]
    if not settings.warm_pages or not isinstance(app.extensions["pflegegraph.store"], GraphStore):
        return None
    started = time.perf_counter()
    client = app.test_client()
    runner = app.extensions["pflegegraph.runner"]
    failed: list[str] = []
    urls = page_urls(app)
    opened = 0
    runner.timeout = min(settings.query_timeout, QUERY_SECONDS)
    try:
        for url in urls:
            if time.perf_counter() - started > BUDGET_SECONDS:
                break
            response = client.get(url, environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if response.status_code != 200:
                failed.append(f"{url} ({response.status_code})")
            response.close()
            opened += 1
    finally:
        runner.timeout = settings.query_timeout
    # The indexes and the cached answers live as long as the process: keep the garbage
    # collector from walking them (millions of objects at 1M triples) in every full collection,
    # which otherwise stalls a request now and then for a tenth of a second. In the forked
    # workers this also keeps their pages shared.
    gc.collect()
    gc.freeze()
    return Warmed(opened, failed, urls[opened:], time.perf_counter() - started)


def hand_over(app: Flask) -> None:
    """Stop the query processes the warm-up started and keep the cached answers: call it in the
    master before the server workers are forked (each starts its own query processes)."""
    runner = app.extensions["pflegegraph.runner"]
    getattr(runner, "stop_workers", runner.stop)()
