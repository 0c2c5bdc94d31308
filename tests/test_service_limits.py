"""Hard limits of the running service: the deadline, the row cap, the body limit, and the
SERVICE/FROM policy, seen from a client over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from pflegegraph.guard import RefusedQuery, TooDeep, UpdateRefused, check_query
from servers import pflegegraph_service
from test_sparql_protocol import http, q

TIMEOUT = 2.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> }"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    options = ("--timeout", str(TIMEOUT), "--row-limit", "100", "--workers", "2", "--threads", "4",
               "--query-workers", "2")
    from servers import clean_env

    # no result cache: the repeated simple queries must reach the query workers
    env = clean_env(PFLEGEGRAPH_MAX_BODY_BYTES="4000", PFLEGEGRAPH_RESULT_CACHE_MB="0")
    with pflegegraph_service(tmp_path_factory.mktemp("limits"), *options, env=env) as url:
        yield url


def test_runaway_query_is_stopped_while_simple_queries_are_answered(service):
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["answer"] = http(service + "/sparql?" + q({"query": RUNAWAY}))
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        status, _, body = http(service + "/sparql?" + q({"query": SIMPLE, "format": "json"}))
        latencies.append(time.monotonic() - started)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 14
    thread.join()
    status, headers, body = outcome["answer"]
    assert status == 503
    assert f"longer than the limit of {TIMEOUT:g} s and was stopped" in body
    assert "Retry-After" in headers
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 2
    assert len(latencies) > 5 and max(latencies) < 1.0, latencies
    # the killed worker was replaced: the service still answers, in every worker
    for _ in range(8):
        assert http(service + "/sparql?" + q({"query": "ASK {}"}))[0] == 200


def test_runaways_on_every_query_worker_do_not_hold_up_simple_queries(service):
    # 3 runaways on 2 gunicorn workers x 2 query workers: one gunicorn worker has all its
    # standing query workers busy; a simple query routed there gets an extra one at once
    outcomes = []

    def runaway():
        outcomes.append(http(service + "/sparql?" + q({"query": RUNAWAY})))

    threads = [threading.Thread(target=runaway) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    latencies = []
    while any(thread.is_alive() for thread in threads):
        started = time.monotonic()
        status, _, body = http(service + "/sparql?" + q({"query": SIMPLE, "format": "json"}))
        latencies.append(time.monotonic() - started)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 14, body
    for thread in threads:
        thread.join()
    assert [status for status, _, _ in outcomes] == [503] * 3
    assert all(f"longer than the limit of {TIMEOUT:g} s and was stopped" in body for _, _, body in outcomes)
    # before the extra workers, a simple query waited for a runaway's deadline (up to 1.7 s here)
    assert len(latencies) > 5 and max(latencies) < 1.0, latencies


def test_killing_every_query_worker_again_and_again_leaves_a_working_service(service):
    # bug 8: a worker killed mid-query was never replaced, so the pool shrank with each kill
    port = int(service.rsplit(":", 1)[1])
    kills = 0
    for _ in range(3):  # each round kills every live query worker, one of them mid-query
        outcome = {}

        def runaway(outcome=outcome):
            outcome["answer"] = http(service + "/sparql?" + q({"query": RUNAWAY}))

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        workers = query_worker_pids(port)  # a worker killed while idle is replaced when next used
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        kills += len(workers)
        thread.join()
        status, _, body = outcome["answer"]
        assert status == 503 and body == "Stopped: the query worker stopped before the answer was complete.\n"
    assert kills > 4  # more than the 2 x 2 query workers the service has
    for _ in range(8):  # both gunicorn workers answer, each pool back at full strength
        status, _, body = http(service + "/sparql?" + q({"query": SIMPLE, "format": "json"}))
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 14, body


def query_worker_pids(port: int) -> list[int]:
    """The query workers of the service on ``port``: serve -> gunicorn worker -> zygote -> worker."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if b"serve" in cmdline and str(port).encode() in cmdline:
            parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    level = {pid for pid, ppid in parent.items() if ppid not in parent}
    for _ in range(3):
        level = {pid for pid, ppid in parent.items() if ppid in level}
    return sorted(level)


def test_row_cap_is_marked_in_a_header(service):
    client = SPARQLWrapper(service + "/sparql")
    client.setQuery("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    result = client.query()
    rows = result.convert()["results"]["bindings"]
    assert len(rows) == 100
    assert result.info()["pflegegraph-result-truncated"].startswith("true; the result was cut at 100 rows")
    assert result.info()["pflegegraph-row-limit"] == "100"


def test_result_under_the_cap_is_not_marked(service):
    status, headers, body = http(service + "/sparql?" + q({"query": SIMPLE, "format": "csv"}))
    assert status == 200 and len(body.splitlines()) == 15
    assert "Pflegegraph-Result-Truncated" not in headers


def test_body_over_the_limit_is_413(service):
    big = "ASK { }" + " " * 5000
    status, _, body = http(service + "/sparql", method="POST", data=big.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and "larger than the limit of 4000 bytes" in body


def test_service_call_is_refused_and_makes_no_connection(service):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    try:
        for target in (f"<http://127.0.0.1:{port}/sparql>", f"SILENT <http://127.0.0.1:{port}/>",
                       "ex:sparql"):
            query = (f"PREFIX ex: <http://127.0.0.1:{port}/>\n"
                     f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}")
            status, _, body = http(service + "/sparql?" + q({"query": query}))
            assert status == 403, body
            assert "not on this service's allow-list" in body
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_from_outside_the_loaded_graphs_is_refused(service):
    query = "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }"
    status, _, body = http(service + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 403 and "FROM <http://127.0.0.1:9/data.ttl> is not a graph loaded here" in body


def test_health_answers_for_monitoring(service):
    status, headers, body = http(service + "/health")
    doc = json.loads(body)
    assert status == 200 and doc["status"] == "ok"
    assert doc["backend"] == "local" and doc["triples"] > 1000 and doc["query_timeout"] == TIMEOUT


# --- the policy itself, without a server ------------------------------------------------------

GRAPHS = {"https://w3id.org/pflegegraph/graph/braunschweig/plan"}


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX e: <http://example.org/>\nSELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "BASE <http://example.org/>\nSELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x <urn:p> ?e . SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } } } }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }",
    'DEFINE get:soft "replace" SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }',
])
def test_policy_refuses(query):
    with pytest.raises(RefusedQuery):
        check_query(query, GRAPHS)


@pytest.mark.parametrize("query", [
    "# SERVICE <http://example.org/> in a comment\nSELECT * WHERE { ?s ?p ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/> { }" }',
    "SELECT * FROM <https://w3id.org/pflegegraph/graph/braunschweig/plan> WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:SERVICE ?o }",
])
def test_policy_lets_pass(query):
    check_query(query, GRAPHS)


def test_allow_list_opens_a_service():
    check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", GRAPHS,
                ["http://example.org/sparql"])


def test_updates_are_recognised():
    with pytest.raises(UpdateRefused):
        check_query("PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }", GRAPHS)


# --- the query worker pool itself, in this process --------------------------------------------


def _run(pool, query: str):
    from pflegegraph.execution import QueryRequest

    answer = pool.run(QueryRequest(query, fmt="json"))
    return json.loads(b"".join(answer.chunks))


def _runaways(pool, n: int) -> tuple[list[threading.Thread], list[str]]:
    """``n`` runaway queries on threads; each leaves the message of the error it got."""
    messages: list[str] = []

    def runaway():
        try:
            _run(pool, RUNAWAY)
        except Exception as exc:  # noqa: BLE001 - the message is what the test looks at
            messages.append(str(exc))

    threads = [threading.Thread(target=runaway) for _ in range(n)]
    for thread in threads:
        thread.start()
    until = time.monotonic() + 3
    while pool.live < n and time.monotonic() < until:  # each runaway holds a worker
        time.sleep(0.02)
    return threads, messages


def test_extra_workers_answer_while_runaways_hold_every_standing_worker(store):
    from pflegegraph.execution import WorkerPool

    pool = WorkerPool(store, size=2, timeout=5.0, idle_grace=0.0)
    pool.start()
    try:
        threads, messages = _runaways(pool, 3)  # one more than the pool's standing workers
        started = time.monotonic()
        rows = _run(pool, SIMPLE)["results"]["bindings"]
        took = time.monotonic() - started
        assert len(rows) == 14 and took < 2.5, took  # well before the runaways' deadline of 5 s
        for thread in threads:
            thread.join()
        assert messages == ["the query ran longer than the limit of 5 s and was stopped; narrow it "
                            "down (LIMIT, more specific patterns) and try again"] * 3
        assert pool.live == 2 and pool.idle == 2  # the extra workers were stopped afterwards
    finally:
        pool.stop()


def test_extra_workers_stay_for_a_steady_load_and_go_after_the_grace(store):
    from concurrent.futures import ThreadPoolExecutor

    from pflegegraph.execution import WorkerPool

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"  # some 100 ms on the shipped graph
    n = store.query(slow).rows[0]["n"].value  # every triple times every typed node: over a million
    pool = WorkerPool(store, size=1, timeout=10.0, max_size=3, idle_grace=2.0)
    pool.start()

    def count(_):
        return _run(pool, slow)["results"]["bindings"][0]["n"]["value"]

    try:
        with ThreadPoolExecutor(3) as clients:  # three at a time, one standing worker
            assert list(clients.map(count, range(3))) == [n] * 3
            forked = pool.overflowed
            assert forked == 2 and pool.live == 3  # two extra workers for the other two
            for _ in range(3):
                assert list(clients.map(count, range(3))) == [n] * 3
            assert pool.overflowed == forked  # they were kept and used again, not forked anew
        time.sleep(2.2)
        assert len(_run(pool, SIMPLE)["results"]["bindings"]) == 14
        assert pool.live == 1 and pool.idle == 1  # past the grace they were stopped
    finally:
        pool.stop()


def test_past_the_cap_a_request_waits_and_is_told_the_service_is_busy(store):
    from pflegegraph.execution import ServiceBusy, WorkerPool

    pool = WorkerPool(store, size=1, timeout=3.0, max_size=2)
    pool.start()
    try:
        threads, _ = _runaways(pool, 2)
        pool.timeout = 1.0  # the simple query gives up waiting while the runaways still run
        with pytest.raises(ServiceBusy, match=r"^all 2 query workers stayed busy for 1 s; try again later$"):
            _run(pool, SIMPLE)
        for thread in threads:
            thread.join()
        assert len(_run(pool, SIMPLE)["results"]["bindings"]) == 14
        assert pool.live == 1
    finally:
        pool.stop()


def test_a_pool_survives_more_worker_deaths_than_it_has_workers(store):
    from pflegegraph.execution import QueryTimeout, WorkerPool

    pool = WorkerPool(store, size=2, timeout=5.0)
    pool.start()
    try:
        for _ in range(3):  # killed from outside mid-query: all workers, busy and idle
            threads, messages = _runaways(pool, 1)
            time.sleep(0.2)
            for pid in pool.pids():
                os.kill(pid, signal.SIGKILL)
            threads[0].join()
            assert messages == ["the query worker stopped before the answer was complete"]
        for _ in range(2):  # killed while idle: noticed before use
            for pid in pool.pids():
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
            assert len(_run(pool, SIMPLE)["results"]["bindings"]) == 14
        with pytest.raises(QueryTimeout):  # a runaway is still stopped at its deadline
            pool.timeout = 0.5
            _run(pool, RUNAWAY)
        assert pool.live == 2 and len(set(pool.pids())) == 2
        assert _run(pool, "ASK {}")["boolean"] is True
    finally:
        pool.stop()


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "' + "{(" * 300 + '" }',  # in a string
    "# " + "{" * 300 + "\nSELECT * WHERE { ?s ?p ?o }",  # in a comment
    "SELECT * WHERE { ?s ?p ?o } " + "}" * 300,  # closers alone nest nothing
    "ASK " + "{ " * 100 + "}" * 100,  # at the limit
])
def test_nesting_limit_ignores_strings_and_comments(query):
    check_query(query, GRAPHS)


@pytest.mark.parametrize(("query", "levels"), [
    ("ASK " + "{ " * 101 + "}" * 101, 101),
    ("ASK { FILTER(" + "(" * 150 + "1" + ")" * 150 + ") }", 152),
    ("ASK { ?s ?p " + "[ ?p " * 120 + "1" + " ]" * 120 + " }", 121),
    ("ASK { FILTER(" + "!" * 200 + "true) }", 202),
    ("ASK " + "{ " * 3000, 3000),  # unbalanced: refused all the same
])
def test_nesting_limit_refuses_with_the_depth_and_the_limit(query, levels):
    with pytest.raises(TooDeep) as caught:
        check_query(query, GRAPHS)
    assert caught.value.message == (f"the query is nested {levels} levels deep (braces, parentheses, "
                                    "brackets or repeated !); at most 100 levels are accepted")
    check_query(query, GRAPHS, max_nesting=levels)  # a higher limit lets it through


def test_an_unexpected_error_in_a_worker_is_a_plain_error_and_the_worker_serves_on(store):
    from pflegegraph.execution import QueryCrashed, QueryRequest, WorkerPool

    pool = WorkerPool(store, size=1, timeout=5.0)
    pool.start()
    try:
        pids = pool.pids()
        with pytest.raises(QueryCrashed) as caught:  # not an IRI: pyoxigraph raises ValueError
            pool.run(QueryRequest("ASK {}", fmt="json", default_graphs=("not an IRI",)))
        assert caught.value.message == ("the query engine could not run this query: it failed on it "
                                        "(ValueError); the service itself is fine; write the query "
                                        "differently and try again")
        assert _run(pool, "ASK {}")["boolean"] is True and pool.pids() == pids  # the same worker
    finally:
        pool.stop()


def _nice(pid: int) -> int:
    """The nice value of a process (field 19 of /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


def test_a_long_query_runs_on_at_a_lower_priority_and_its_worker_is_replaced(store):
    from pflegegraph.execution import WorkerPool

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"  # some 100 ms on the shipped graph
    n = store.query(slow).rows[0]["n"].value
    pool = WorkerPool(store, size=1, timeout=2.0, max_size=2)
    pool.demote_after = 0.01
    pool.start()
    try:
        first = pool.pids()
        assert [_nice(pid) for pid in first] == [0]
        threads, messages = _runaways(pool, 1)
        time.sleep(0.3)
        assert [_nice(pid) for pid in pool.pids()] == [10]  # the runaway, past 10 ms
        for thread in threads:
            thread.join(15)
        assert pool.demoted == 1 and messages == ["the query ran longer than the limit of 2 s and was "
                                                  "stopped; narrow it down (LIMIT, more specific "
                                                  "patterns) and try again"]
        # a long query that ends: the right answer, and a fresh worker at normal priority after it
        assert _run(pool, slow)["results"]["bindings"][0]["n"]["value"] == n
        assert pool.demoted == 2
        assert pool.live == 1 and pool.pids() != first
        assert [_nice(pid) for pid in pool.pids()] == [0]
        pool.demote_after = 60.0
        assert _run(pool, SIMPLE)["results"]["bindings"] and pool.demoted == 2  # short: untouched
    finally:
        pool.stop()


def _chunked_post(base: str, body: bytes, piece: int = 1000) -> tuple[int, str]:
    """POST /sparql with the body in chunks (Transfer-Encoding: chunked, no Content-Length)."""
    parts = urllib.parse.urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n"
                     b"Connection: close\r\n\r\n")
        for start in range(0, len(body), piece):
            chunk = body[start:start + piece]
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sock.sendall(b"0\r\n\r\n")
        answer = b""
        while part := sock.recv(65536):
            answer += part
    head, _, text = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), text.decode("utf-8", "replace")


def test_a_chunked_body_over_the_limit_is_413_not_cut_off(service):
    """Without a Content-Length the limit is checked on what arrives: a body past it is refused,
    never cut at the limit and run (here the cut query would be a valid ASK)."""
    status, body = _chunked_post(service, b"ASK { } #" + b"x" * 4100)
    assert status == 413 and "larger than the limit of 4000 bytes" in body
    status, body = _chunked_post(service, b"ASK { } #" + b"x" * 3900)
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


def test_a_chunked_body_within_the_limit_is_read_whole(service):
    query = SIMPLE.encode() + b" #" + b"y" * 3000
    status, body = _chunked_post(service, query, piece=7)
    assert status == 200, body
    assert len(json.loads(body)["results"]["bindings"]) == 14
