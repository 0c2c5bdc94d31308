"""Hostile input: SERVICE, FROM, FROM NAMED, LOAD and dataset parameters towards loopback,
private ranges and file: IRIs are refused without contact (a listener on 127.0.0.1 proves it);
oversized Accept lists and bodies are bounded; the known guard bug is pinned."""

from __future__ import annotations

import socket

import pytest
from robustness_support import check, count, still_answers

TARGETS = [
    "http://127.0.0.1:{port}/sparql",
    "http://localhost:{port}/",
    "http://127.1:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f000001:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://10.0.0.1/sparql",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:{port}/",
    "http://[fd00::1]/",
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "FILE:///etc/shadow",
    "gopher://127.0.0.1:{port}/",
]


@pytest.fixture()
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.5)
    yield sock
    sock.close()


def forms(iri: str):
    yield "query", f"SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}"  # noqa: S608 - SPARQL, not SQL
    yield "query", f"SELECT * WHERE {{ SERVICE SILENT <{iri}> {{ ?s ?p ?o }} }}"  # noqa: S608 - SPARQL, not SQL
    yield "query", f"PREFIX x: <{iri}>\nSELECT * WHERE {{ SERVICE x: {{ ?s ?p ?o }} }}"  # noqa: S608 - SPARQL, not SQL
    yield "query", f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}"  # noqa: S608 - SPARQL, not SQL
    yield "query", f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"  # noqa: S608 - SPARQL, not SQL
    yield "query", f"LOAD <{iri}>"  # noqa: S608 - SPARQL, not SQL
    yield "update", f"LOAD SILENT <{iri}> INTO GRAPH <urn:g>"
    yield "default-graph-uri", iri
    yield "named-graph-uri", iri


def test_federation_and_loading_towards_private_targets_are_refused_without_contact(fuzz_client, listener):
    port = listener.getsockname()[1]
    for target in TARGETS:
        iri = target.format(port=port)
        for name, value in forms(iri):
            count("hostile: SERVICE/FROM/LOAD/dataset towards loopback, private ranges, file:")
            args = {name: value} if name in {"query", "update"} else {"query": "ASK {}", name: value}
            for response in (
                fuzz_client.get("/sparql", query_string=args),
                fuzz_client.post("/sparql", data=args),
            ):
                check(response, sparql=True, context=args)
                assert response.status_code in {400, 403}, (args, response.get_data(as_text=True))
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing ever connected
    still_answers(fuzz_client)


def test_oversized_accept_list_is_bounded(fuzz_client):
    for accept in (
        ", ".join(f"application/x-{i};q=0.{i % 10}" for i in range(20000)),
        "text/" + "x" * 200000,
        ";" * 100000,
    ):
        count("hostile: oversized Accept lists")
        response = fuzz_client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": accept})
        check(response, sparql=True, context=accept[:60])
        assert response.status_code in {200, 400, 406, 431}


def test_oversized_bodies_are_bounded(fuzz_client):
    for size in (65537, 1_000_000, 8_000_000):
        count("hostile: oversized bodies")
        response = fuzz_client.post(
            "/sparql", data=b"ASK {}" + b" " * size, content_type="application/sparql-query"
        )
        check(response, sparql=True, context=size)
        assert response.status_code == 413 and "larger than the limit" in response.get_data(as_text=True)


def test_non_ascii_word_is_a_400_not_a_500(fuzz_client):
    count("hostile: non-ASCII bare words")
    response = fuzz_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ä }"})
    check(response, sparql=True, context="bare ä")
