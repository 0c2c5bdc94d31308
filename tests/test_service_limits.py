"""Hard limits of the running service: the deadline, the row cap, the body limit, and the
SERVICE/FROM policy, seen from a client over real HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from pflegegraph.guard import RefusedQuery, UpdateRefused, check_query
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

    env = clean_env(PFLEGEGRAPH_MAX_BODY_BYTES="4000")
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
