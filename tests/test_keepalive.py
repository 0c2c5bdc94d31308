"""Kept-alive connections on a real ``pflegegraph serve``: one connection carries many requests,
pipelined requests are answered in order, and a connection that waits on its thread for the
client's next request never holds back other clients (see web/gunicorn_worker.py).

The server runs with one worker of two threads, so a lingering connection takes half of them.
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import urllib.parse

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import TConn

from pflegegraph.web import gunicorn_worker
from servers import pflegegraph_service

FIELDS = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
SELECT ?field WHERE { ?field a pg:ActionField } ORDER BY ?field"""
HAS_FIELDS = "ASK { ?s a <https://w3id.org/pflegegraph/def#ActionField> }"
HAS_NOTHING = "ASK { ?s a <https://example.org/NoSuchClass> }"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keepalive")
    with pflegegraph_service(tmp, "--workers", "1", "--threads", "2") as url:
        yield url, tmp


@pytest.fixture(scope="module")
def fields(store):
    return [row["field"].value for row in store.query(FIELDS).rows]


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def _rows(body: bytes, name: str) -> list[str]:
    return [b[name]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_one_connection_carries_many_requests_of_every_kind(served, fields):
    """Forms, direct bodies, GETs and errors take turns on one connection; every answer is the
    right one, and the connection is never closed in between."""
    url, _ = served
    conn = _connection(url)
    conn.connect()
    first = conn.sock
    json_accept = {"Accept": "application/sparql-results+json"}
    for i in range(12):
        conn.request("POST", "/sparql", urllib.parse.urlencode({"query": FIELDS}),
                     {"Content-Type": "application/x-www-form-urlencoded", **json_accept})
        answer = conn.getresponse()
        assert (answer.status, _rows(answer.read(), "field")) == (200, fields)

        conn.request("POST", "/sparql", FIELDS.encode(),
                     {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
        answer = conn.getresponse()
        assert answer.read().decode().split() == ["field", *fields]

        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": HAS_NOTHING}), headers=json_accept)
        answer = conn.getresponse()
        assert json.loads(answer.read())["boolean"] is False

        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": f"SELECT * WHERE {{ ?s ?p {i}"}))
        answer = conn.getresponse()
        assert answer.status == 400
        assert "syntax error at line 1" in answer.read().decode()
    assert conn.sock is first  # kept alive through all 48 requests
    conn.close()


def _responses(data: bytes) -> list[tuple[int, bytes]]:
    """Status and body of each HTTP response in ``data``, in order."""

    class Stream(io.BytesIO):
        def close(self):  # a response closes its stream when read; the next one follows in it
            pass

    class Received:
        def __init__(self, stream):
            self.stream = stream

        def makefile(self, mode):
            return self.stream

    stream = Stream(data)
    found = []
    while stream.tell() < len(data):
        response = http.client.HTTPResponse(Received(stream))
        response.begin()
        found.append((response.status, response.read()))
    return found


def test_pipelined_requests_are_answered_in_order(served):
    """Two requests sent in one write (the second is read ahead with the first) each get their
    own answer, in the order sent."""
    url, _ = served
    parts = urllib.parse.urlsplit(url)
    requests = b"".join(
        f"GET /sparql?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Accept: application/sparql-results+json\r\n{extra}\r\n".encode()
        for query, extra in ((HAS_FIELDS, ""), (HAS_NOTHING, "Connection: close\r\n")))
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(requests)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    answers = _responses(data)
    assert [status for status, _ in answers] == [200, 200]
    assert [json.loads(body)["boolean"] for _, body in answers] == [True, False]


def test_kept_connections_do_not_hold_back_other_clients(served, fields):
    """While two clients keep their connections open after their answers (as many as the server
    has threads), four other clients asking at once all get their answers, and the first two
    are answered again on their open connections."""
    url, _ = served
    json_accept = {"Accept": "application/sparql-results+json"}
    kept = [_connection(url), _connection(url)]
    for conn in kept:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": FIELDS}), headers=json_accept)
        assert _rows(conn.getresponse().read(), "field") == fields
    results: list = []

    def other():
        conn = _connection(url)
        conn.timeout = 10
        try:
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": FIELDS}), headers=json_accept)
            results.append(_rows(conn.getresponse().read(), "field"))
        except OSError as exc:  # a timeout: the test fails below with the reason
            results.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=other) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [fields] * 4
    for conn in kept:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": HAS_FIELDS}), headers=json_accept)
        assert json.loads(conn.getresponse().read())["boolean"] is True
        conn.close()


def test_the_installed_gunicorn_lets_connections_linger(served):
    """The lingering relies on gunicorn's threaded worker and its connection object: both are as
    expected in the installed version, and the server did not log that it falls back."""
    _, tmp = served
    ours, theirs = socket.socketpair()
    try:
        conn = TConn(Config(), ours, ("127.0.0.1", 1), ("127.0.0.1", 2))
        conn.init()
        assert gunicorn_worker.compatible() and gunicorn_worker.compatible(conn)
    finally:
        ours.close()
        theirs.close()
    logs = "".join(path.read_text() for path in tmp.glob("serve-*.log"))
    assert "do not linger" not in logs
