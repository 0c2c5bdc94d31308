"""One client may run at most ``client_max_queries`` queries at once: the 429 it gets past that,
the count across server worker processes, addresses behind a proxy, and runaways from one client
that leave the service to everybody else (a real ``pflegegraph serve``, clients on their own
loopback addresses)."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import threading
import time
import urllib.parse

import pytest

from pflegegraph.settings import Settings
from pflegegraph.web.clients import ClientGate, SlotBook, TooManyQueries, bucket, client_key
from servers import clean_env, pflegegraph_service

SELECT = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON_TYPE = "application/sparql-results+json"


# --- the gate ----------------------------------------------------------------------------------

def test_a_client_past_its_bound_is_refused_until_one_query_ends():
    gate = ClientGate(2)
    first, second = gate.enter("192.0.2.7"), gate.enter("192.0.2.7")
    with pytest.raises(TooManyQueries) as refused:
        gate.enter("192.0.2.7")
    assert refused.value.running == 2 and refused.value.limit == 2
    assert refused.value.message.startswith("Too many queries at once from 192.0.2.7: 2 are still running")
    other = gate.enter("192.0.2.8")  # another client is not held up
    first.release()
    first.release()  # a second release gives nothing back twice
    third = gate.enter("192.0.2.7")
    with pytest.raises(TooManyQueries):
        gate.enter("192.0.2.7")
    for ticket in (second, third, other):
        ticket.release()
    assert gate.running(bucket(client_key("192.0.2.7"))) == 0


def test_no_bound_when_the_setting_is_zero():
    gate = ClientGate(0)
    tickets = [gate.enter("192.0.2.7") for _ in range(50)]
    assert len(tickets) == 50


def test_an_ipv6_client_counts_with_its_64():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key(None) == "unknown"
    gate = ClientGate(1)
    gate.enter("2001:db8:1:2::1")
    with pytest.raises(TooManyQueries) as refused:
        gate.enter("2001:db8:1:2::99")
    assert refused.value.client == "2001:db8:1:2::/64"
    gate.enter("2001:db8:1:3::1")


def _hold(gate: ClientGate, slot: int, address: str, count: int, held, done) -> None:
    gate.use_slot(slot)
    for _ in range(count):
        gate.enter(address)
    held.set()
    done.wait(10)


def test_queries_in_another_worker_process_count_and_its_exit_clears_them():
    gate = ClientGate(3, slots=2)
    book = SlotBook(gate)
    parent_worker, child_worker = object(), object()
    assert book.assign(parent_worker) == 0 and book.assign(child_worker) == 1
    ctx = multiprocessing.get_context("fork")
    held, done = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold, args=(gate, 1, "198.51.100.1", 2, held, done))
    child.start()
    try:
        assert held.wait(10)
        gate.enter("198.51.100.1")  # the third of three
        with pytest.raises(TooManyQueries) as refused:
            gate.enter("198.51.100.1")
        assert refused.value.running == 3
    finally:
        done.set()
        child.join(10)
    book.release(child_worker)  # the master's child_exit: the dead worker's counts are gone
    gate.enter("198.51.100.1")
    gate.enter("198.51.100.1")
    with pytest.raises(TooManyQueries):
        gate.enter("198.51.100.1")


# --- the app: /sparql and the pages -------------------------------------------------------------

@pytest.fixture(scope="module")
def bounded_app(store):
    from pflegegraph.web import create_app

    settings = Settings.load({"client_max_queries": 1, "query_workers": 1}, environ={})
    application = create_app(settings, store=store)
    application.config.update(TESTING=True)
    yield application
    application.extensions["pflegegraph.runner"].stop()


def test_sparql_and_query_pages_answer_429_while_the_client_runs_its_bound(bounded_app):
    client = bounded_app.test_client()
    gate = bounded_app.extensions["pflegegraph.clients"]
    ticket = gate.enter("127.0.0.1")  # the test client's address, as if a query were running
    try:
        refused = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON_TYPE})
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "5"
        assert refused.get_data(as_text=True).startswith(
            "Too many queries at once from 127.0.0.1: 1 are still running, and one address may run "
            "at most 1 at a time")
        page = client.get("/queries/actors")
        assert page.status_code == 429 and page.headers["Retry-After"] == "5"
        assert ("Von Ihrer Adresse laufen schon 1 Abfragen; eine Adresse darf höchstens 1 "
                "gleichzeitig ausführen" in page.get_data(as_text=True))
        english = client.get("/views/action-fields", query_string={"lang": "en"})
        assert english.status_code == 429
        assert "Too many queries at once" in english.get_data(as_text=True)
        other = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON_TYPE},
                           environ_base={"REMOTE_ADDR": "192.0.2.50"})
        assert len(json.loads(other.data)["results"]["bindings"]) == 14
    finally:
        ticket.release()
    # a server closes each answer once it is sent, and that gives the client's place back
    with client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON_TYPE}) as again:
        assert len(json.loads(again.data)["results"]["bindings"]) == 14
    # the place of each answered query was given back: two in a row fit a bound of one
    assert client.get("/queries/actors").status_code == 200
    assert "Zu viele" not in client.get("/queries/actors").get_data(as_text=True)


def test_behind_a_proxy_the_forwarded_address_counts(store):
    from pflegegraph.web import create_app

    settings = Settings.load({"client_max_queries": 1, "query_workers": 1, "proxy_hops": 1},
                             environ={})
    application = create_app(settings, store=store)
    try:
        gate = application.extensions["pflegegraph.clients"]
        client = application.test_client()
        ticket = gate.enter("203.0.113.9")
        try:
            held = client.get("/sparql", query_string={"query": SELECT}, headers={
                "Accept": JSON_TYPE, "X-Forwarded-For": "203.0.113.9"})
            assert held.status_code == 429 and "from 203.0.113.9" in held.get_data(as_text=True)
            free = client.get("/sparql", query_string={"query": SELECT}, headers={
                "Accept": JSON_TYPE, "X-Forwarded-For": "203.0.113.10"})
            assert len(json.loads(free.data)["results"]["bindings"]) == 14
        finally:
            ticket.release()
    finally:
        application.extensions["pflegegraph.runner"].stop()


# --- a real service: one client's runaways, another client's simple queries ---------------------

TIMEOUT = 2.0


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    options = ("--timeout", str(TIMEOUT), "--workers", "2", "--threads", "4", "--query-workers", "2")
    # no result cache: the other client's simple queries must reach the query workers
    env = clean_env(PFLEGEGRAPH_CLIENT_MAX_QUERIES="2", PFLEGEGRAPH_RESULT_CACHE_MB="0")
    with pflegegraph_service(tmp_path_factory.mktemp("clients"), *options, env=env) as url:
        yield url


def get_from(source: str, base: str, query: str) -> tuple[int, str]:
    """GET /sparql from the loopback address ``source`` (all of 127/8 is loopback on Linux)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30,
                                            source_address=(source, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": JSON_TYPE})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_one_clients_runaways_leave_the_service_to_others(service):
    # four runaways from one address, with a bound of two and 2 server workers of 4 threads: before
    # the bound, all four could land on one worker and take every thread it has
    outcomes: list[tuple[int, str, float]] = []

    def runaway():
        started = time.monotonic()
        status, body = get_from("127.0.0.2", service, RUNAWAY)
        outcomes.append((status, body, time.monotonic() - started))

    threads = []
    for _ in range(4):
        threads.append(threading.Thread(target=runaway))
        threads[-1].start()
        time.sleep(0.15)  # one after the other, so each sees the others counted
    answered = 0
    while any(t.is_alive() for t in threads):
        status, body = get_from("127.0.0.3", service, SELECT)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 14, body
        answered += 1
    for t in threads:
        t.join()
    statuses = sorted(status for status, _, _ in outcomes)
    assert statuses == [429, 429, 503, 503], outcomes
    for status, body, seconds in outcomes:
        if status == 429:
            assert body.startswith("Too many queries at once from 127.0.0.2: 2 are still running")
            assert seconds < 1.0  # refused at once, not after waiting for a thread or the deadline
        else:
            assert f"longer than the limit of {TIMEOUT:g} s and was stopped" in body
    assert answered > 5
    # both places were given back, in whichever worker each runaway ran
    for _ in range(4):
        status, body = get_from("127.0.0.2", service, SELECT)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 14


def test_back_to_back_requests_are_never_refused(service):
    """A whole answer is sent with its length, so the client may have read all of it before the
    server thread finished: its place is given back before the answer goes out. Here a runaway
    holds one of the address's two places, and the same address sends query after query, each on
    a new connection (so to either server worker) as soon as it has the last answer: none is
    refused."""
    outcome = []
    runaway = threading.Thread(target=lambda: outcome.append(get_from("127.0.0.4", service, RUNAWAY)))
    runaway.start()
    time.sleep(0.3)
    answered = 0
    try:
        while runaway.is_alive():
            status, body = get_from("127.0.0.4", service, SELECT + f" # {answered}")
            assert status == 200, body
            assert len(json.loads(body)["results"]["bindings"]) == 14
            answered += 1
    finally:
        runaway.join()
    assert outcome[0][0] == 503 and answered > 20
