"""The result cache of the embedded store: the same bytes again without a worker, only complete
answers kept, bounded by bytes in LRU order, bypassed by ``Cache-Control: no-cache``."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from pflegegraph.errors import QuerySyntaxError
from pflegegraph.execution import CachingRunner, QueryRequest, QueryTimeout, WorkerPool

SELECT = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> } ORDER BY ?f"
ASK = "ASK { ?f a <https://w3id.org/pflegegraph/def#ActionField> }"
# more than one chunk of 500 rows
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 1200"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PLAN = "https://w3id.org/pflegegraph/graph/braunschweig/plan"
JSON_TYPE = "application/sparql-results+json"
MB = 1024 * 1024


class Counting:
    """A runner that counts the requests that reach it, then hands them to ``inner``."""

    def __init__(self, inner):
        self.inner = inner
        self.runs = 0

    def run(self, request):
        self.runs += 1
        return self.inner.run(request)

    def start(self):
        self.inner.start()

    def stop(self):
        self.inner.stop()


def read(answer) -> bytes:
    try:
        return b"".join(answer.chunks)
    finally:
        answer.close()


def wait_dead(pid: int, timeout: float = 5.0) -> None:
    """Wait until the process has ended (it is a zombie until the pool reaps it)."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state in {"Z", "X"}:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not end")


def bindings(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


@pytest.fixture(scope="module")
def pool(store):
    pool = WorkerPool(store, size=1, timeout=10.0)
    pool.start()
    yield pool
    pool.stop()


@pytest.fixture()
def counting(pool):
    return Counting(pool)


def test_a_repeated_request_gets_the_same_bytes_without_a_worker(pool, counting):
    cache = CachingRunner(counting, MB)
    request = QueryRequest(SELECT, fmt="json")
    first = cache.run(request)
    body = read(first)
    assert not first.cached and counting.runs == 1
    pids = pool.pids()
    for pid in pids:  # no worker is left to answer
        os.kill(pid, signal.SIGKILL)
        wait_dead(pid)
    second = cache.run(request)
    assert second.cached and counting.runs == 1
    assert read(second) == body
    assert len(bindings(body)) == 14
    assert (second.kind, second.fmt, second.truncated, second.rows, second.seconds) == \
           (first.kind, first.fmt, first.truncated, first.rows, first.seconds)
    assert pool.pids() == pids  # the pool was not asked: it has not even noticed the dead workers
    assert len(bindings(read(cache.run(QueryRequest(SELECT, fmt="json", row_limit=5))))) == 5  # replaced
    assert cache.hits == 1 and cache.misses == 2


def test_other_format_accept_graphs_or_row_limit_is_another_answer(counting):
    cache = CachingRunner(counting, MB)
    base = QueryRequest(SELECT, fmt="json")
    body = read(cache.run(base))
    variants = [QueryRequest(SELECT, fmt="csv"), QueryRequest(SELECT, accept=("csv", "json")),
                QueryRequest(SELECT, fmt="json", default_graphs=(PLAN,)),
                QueryRequest(SELECT, fmt="json", default_graphs=(PLAN,), named_graphs=(PLAN,)),
                QueryRequest(SELECT, fmt="json", row_limit=3),
                QueryRequest(SELECT + " ", fmt="json")]
    bodies = []
    for number, request in enumerate(variants, start=2):
        answer = cache.run(request)
        bodies.append(read(answer))
        assert not answer.cached and counting.runs == number
    assert bodies[0].startswith(b"f\r\n") and bodies[1] == bodies[0]  # csv, asked two ways
    assert len(bindings(bodies[4])) == 3
    again = cache.run(base)
    assert again.cached and read(again) == body and counting.runs == len(variants) + 1


def _cost(counting, request: QueryRequest) -> int:
    cache = CachingRunner(counting, MB, max_entry_bytes=MB)
    read(cache.run(request))
    return cache.bytes


def test_the_least_recently_used_answers_go_first_when_the_bytes_run_out(counting):
    a, b, c = (QueryRequest(SELECT, fmt=fmt) for fmt in ("json", "xml", "csv"))
    costs = {r: _cost(counting, r) for r in (a, b, c)}
    assert all(cost > 0 for cost in costs.values())
    limit = sum(costs.values()) - 1  # any two fit, all three do not
    cache = CachingRunner(counting, limit, max_entry_bytes=limit)
    read(cache.run(a))
    read(cache.run(b))
    assert cache.bytes == costs[a] + costs[b]
    assert cache.run(a).cached  # a is now used more recently than b
    read(cache.run(c))
    assert cache.holds(a) and cache.holds(c) and not cache.holds(b)
    assert cache.bytes == costs[a] + costs[c] <= limit and cache.entries == 2
    runs = counting.runs
    assert not cache.run(b).cached and counting.runs == runs + 1  # b runs again


def test_an_answer_over_the_entry_limit_is_streamed_whole_but_not_kept(pool, counting):
    whole = read(pool.run(QueryRequest(MANY, fmt="json")))
    assert len(bindings(whole)) == 1200
    cache = CachingRunner(counting, MB, max_entry_bytes=len(whole) // 3)
    request = QueryRequest(MANY, fmt="json")
    assert read(cache.run(request)) == whole
    assert not cache.holds(request) and cache.bytes == 0
    assert read(cache.run(request)) == whole and counting.runs == 2
    small = QueryRequest(SELECT, fmt="json")
    read(cache.run(small))
    assert cache.holds(small)  # the limit is per entry: small answers are kept


def test_the_entry_limit_defaults_to_an_eighth_of_the_cache(counting):
    assert CachingRunner(counting, 8000).max_entry_bytes == 1000


def test_an_answer_closed_midway_is_not_kept(counting):
    cache = CachingRunner(counting, MB, max_entry_bytes=MB)
    request = QueryRequest(MANY, fmt="json")
    answer = cache.run(request)
    first = next(answer.chunks)
    assert first.startswith(b"{")
    answer.close()  # the client went away
    assert list(answer.chunks) == []  # nothing more comes, and what came is not kept
    assert not cache.holds(request) and cache.entries == 0
    again = cache.run(request)
    assert not again.cached and counting.runs == 2
    assert len(bindings(read(again))) == 1200
    assert cache.holds(request)


def test_an_answer_whose_worker_dies_midway_is_not_kept(store):
    pool = WorkerPool(store, size=1, timeout=10.0, max_size=1)
    pool.start()
    counting = Counting(pool)
    cache = CachingRunner(counting, 64 * MB, max_entry_bytes=64 * MB)
    # some 4 MB of JSON: far more than the socket to the worker holds, so it is still writing
    request = QueryRequest("SELECT ?s ?p ?o WHERE { ?s ?p ?o VALUES ?n { 1 2 3 4 5 } }", fmt="json")
    try:
        answer = cache.run(request)
        got = [next(answer.chunks)]
        (pid,) = pool.pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(QueryTimeout, match="the query worker stopped before the answer was complete"):
            got.extend(answer.chunks)
        answer.close()
        assert not cache.holds(request) and cache.entries == 0
        assert len(bindings(read(cache.run(request)))) == 5 * len(store.store) and counting.runs == 2
        assert cache.holds(request)
    finally:
        pool.stop()


def test_an_answer_never_read_is_not_kept(counting):
    cache = CachingRunner(counting, MB)
    request = QueryRequest(SELECT, fmt="json")
    cache.run(request).close()
    assert not cache.holds(request)


def test_a_query_stopped_at_its_deadline_is_not_kept_and_runs_again(store):
    pool = WorkerPool(store, size=1, timeout=0.5)
    pool.start()
    counting = Counting(pool)
    cache = CachingRunner(counting, MB)
    try:
        for runs in (1, 2):
            with pytest.raises(QueryTimeout, match="longer than the limit of 0.5 s"):
                cache.run(QueryRequest(RUNAWAY, fmt="json"))
            assert counting.runs == runs and cache.entries == 0
        assert pool.killed == 2
    finally:
        pool.stop()


def test_errors_are_not_kept(counting):
    cache = CachingRunner(counting, MB)
    for runs in (1, 2):
        with pytest.raises(QuerySyntaxError):
            cache.run(QueryRequest("SELECT WHERE {", fmt="json"))
        assert counting.runs == runs
    assert cache.entries == 0


def test_fresh_runs_again_and_keeps_the_new_answer(counting):
    cache = CachingRunner(counting, MB)
    request = QueryRequest(ASK, fmt="json")
    read(cache.run(request))
    fresh = cache.run(request, fresh=True)
    assert not fresh.cached and counting.runs == 2
    assert json.loads(read(fresh)) == {"head": {}, "boolean": True}
    assert cache.run(request).cached and counting.runs == 2


def test_queries_whose_answer_changes_from_run_to_run_are_not_kept(counting):
    cache = CachingRunner(counting, MB)
    request = QueryRequest("SELECT (RAND() AS ?r) (STRUUID() AS ?u) WHERE { }", fmt="json")
    first, second = read(cache.run(request)), read(cache.run(request))
    assert first != second and counting.runs == 2 and cache.entries == 0


def test_threads_share_the_cache(counting):
    cache = CachingRunner(counting, MB)
    requests = [QueryRequest(SELECT, fmt=fmt) for fmt in ("json", "xml", "csv", "tsv")]
    expected = {r: read(counting.inner.run(r)) for r in requests}
    seen: list[tuple[QueryRequest, bytes]] = []
    lock = threading.Lock()

    def client():
        for _ in range(10):
            for request in requests:
                body = read(cache.run(request))
                with lock:
                    seen.append((request, body))

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 240 and all(body == expected[r] for r, body in seen)
    assert cache.entries == 4 and cache.hits + cache.misses == 240 and cache.hits >= 200


def test_the_runner_interface_reaches_the_pool(pool):
    cache = CachingRunner(pool, MB)
    assert (cache.size, cache.max_size, cache.killed) == (pool.size, pool.max_size, pool.killed)
    assert cache.pids() == pool.pids()
    cache.timeout = 9.0  # meant for the pool
    try:
        assert pool.timeout == 9.0 and "timeout" not in vars(cache)
    finally:
        pool.timeout = 10.0


# --- through the app -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cached_app(settings, store):
    from pflegegraph.web import create_app

    application = create_app(settings.replace(result_cache_mb=1, query_workers=1), store=store)
    application.config.update(TESTING=True)
    runner = application.extensions["pflegegraph.runner"]
    runner.inner = Counting(runner.inner)
    yield application
    runner.stop()


@pytest.fixture(scope="module")
def uncached_app(settings, store):
    from pflegegraph.web import create_app

    application = create_app(settings.replace(result_cache_mb=0, query_workers=1), store=store)
    application.config.update(TESTING=True)
    yield application
    application.extensions["pflegegraph.runner"].stop()


def _get(app, query: str, accept: str = JSON_TYPE, **headers: str):
    """The response, read to its end (as a client that waits for the whole answer)."""
    response = app.test_client().get("/sparql", query_string={"query": query},
                                     headers={"Accept": accept, **headers})
    response.get_data()
    return response


def test_the_second_request_is_a_hit_with_the_same_answer(cached_app):
    runs = cached_app.extensions["pflegegraph.runner"].inner
    query = SELECT + " # hit"
    first = _get(cached_app, query)
    before = runs.runs
    second = _get(cached_app, query)
    assert first.status_code == second.status_code == 200
    assert first.headers["Pflegegraph-Cache"] == "miss" and second.headers["Pflegegraph-Cache"] == "hit"
    assert second.data == first.data and len(bindings(second.data)) == 14
    assert runs.runs == before  # no worker was asked
    assert second.mimetype == JSON_TYPE and second.headers["Vary"] == "Accept"
    assert 'cache;desc="hit"' not in first.headers["Server-Timing"]
    engine = first.headers["Server-Timing"]
    assert second.headers["Server-Timing"] == engine + ', cache;desc="hit"'
    assert "Pflegegraph-Cache" in second.headers["Access-Control-Expose-Headers"]


def test_another_accept_or_graph_is_a_miss(cached_app):
    query = SELECT + " # variants"
    _get(cached_app, query)
    csv = _get(cached_app, query, accept="text/csv")
    assert csv.headers["Pflegegraph-Cache"] == "miss" and csv.data.startswith(b"f\r\n")
    graph = cached_app.test_client().get("/sparql", headers={"Accept": JSON_TYPE}, query_string={
        "query": query, "default-graph-uri": PLAN})
    assert graph.headers["Pflegegraph-Cache"] == "miss" and graph.status_code == 200, graph.data
    assert _get(cached_app, query, accept="text/csv").headers["Pflegegraph-Cache"] == "hit"


@pytest.mark.parametrize("headers", [{"Cache-Control": "no-cache"}, {"Cache-Control": "max-age=0, no-store"},
                                     {"Pragma": "no-cache"}])
def test_no_cache_runs_the_query_again(cached_app, headers):
    runs = cached_app.extensions["pflegegraph.runner"].inner
    query = ASK + " # fresh " + ",".join(headers.values())
    first = _get(cached_app, query)
    before = runs.runs
    fresh = _get(cached_app, query, **headers)
    assert fresh.status_code == 200 and fresh.headers["Pflegegraph-Cache"] == "miss"
    assert 'cache;desc="hit"' not in fresh.headers["Server-Timing"]
    assert runs.runs == before + 1 and fresh.data == first.data
    assert _get(cached_app, query).headers["Pflegegraph-Cache"] == "hit"


def test_errors_through_the_app_are_not_cached(cached_app):
    runs = cached_app.extensions["pflegegraph.runner"].inner
    before = runs.runs
    for _ in range(2):
        response = _get(cached_app, "SELECT ?x WHERE { ?x ?y }")
        assert response.status_code == 400 and "Pflegegraph-Cache" not in response.headers
    assert runs.runs == before + 2


def test_preflight_allows_the_cache_headers(cached_app):
    response = cached_app.test_client().options("/sparql")
    allowed = response.headers["Access-Control-Allow-Headers"]
    assert "Cache-Control" in allowed and "Pragma" in allowed


def test_with_the_cache_off_there_is_no_cache_header(uncached_app):
    assert isinstance(uncached_app.extensions["pflegegraph.runner"], WorkerPool)
    for _ in range(2):
        response = _get(uncached_app, SELECT)
        assert response.status_code == 200 and len(bindings(response.data)) == 14
        assert "Pflegegraph-Cache" not in response.headers
        assert "cache;" not in response.headers["Server-Timing"]


def test_health_asks_a_worker_past_the_cache_and_reports_the_cache(cached_app):
    runs = cached_app.extensions["pflegegraph.runner"].inner
    client = cached_app.test_client()
    _get(cached_app, ASK + " # health")
    for _ in range(2):  # each check reaches a query worker, though ASK {} was answered before
        before = runs.runs
        doc = client.get("/health").get_json()
        assert doc["status"] == "ok" and runs.runs == before + 1
    cache = doc["result_cache"]
    assert cache["answers"] >= 1 and cache["bytes"] > 0 and cache["misses"] >= 1
