"""The query endpoint in front of Flask (web/endpoint.py): what it answers, what it passes on.

Query requests to /sparql are answered without Flask; these tests pin down that the answer is
the one a client expects (media types with their charset, HEAD, the last-resort 500), that the
requests it does not answer reach Flask, and that the Flask view still answers a query when the
endpoint is not in front.
"""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
import rdflib

from pflegegraph.web import create_app

SELECT = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?field ?label WHERE { ?field a pg:ActionField ; rdfs:label ?label } ORDER BY ?field ?label"""
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/pflegegraph/def#ActionField> ; ?p ?o }"

# The Content-Type of every result format, as Flask would have sent it: text and XML types
# carry charset=utf-8, the JSON and N-Triples types do not.
MEDIA = [
    (SELECT, "json", "application/sparql-results+json"),
    (SELECT, "xml", "application/sparql-results+xml; charset=utf-8"),
    (SELECT, "csv", "text/csv; charset=utf-8"),
    (SELECT, "tsv", "text/tab-separated-values; charset=utf-8"),
    (CONSTRUCT, "turtle", "text/turtle; charset=utf-8"),
    (CONSTRUCT, "ntriples", "application/n-triples"),
    (CONSTRUCT, "jsonld", "application/ld+json"),
    (CONSTRUCT, "rdfxml", "application/rdf+xml; charset=utf-8"),
]


@pytest.fixture(scope="module")
def uncached(settings, store):
    app = create_app(settings.replace(result_cache_mb=0, query_workers=1), store=store)
    yield app
    app.extensions["pflegegraph.runner"].stop()


def _rows(store):
    return sorted((r["field"].value, r["label"].value) for r in store.query(SELECT).rows)


@pytest.mark.parametrize(("query", "fmt", "content_type"), MEDIA, ids=[m[1] for m in MEDIA])
def test_every_format_has_its_media_type_and_charset(client, query, fmt, content_type):
    response = client.post("/sparql", data={"query": query, "format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.data  # a body: rows or triples


def test_csv_answer_is_the_stores_rows(client, store):
    response = client.get("/sparql", query_string={"query": SELECT},
                          headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["field", "label"]
    assert sorted(tuple(r) for r in rows[1:]) == _rows(store)
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_head_has_the_get_headers_and_no_body(uncached, store):
    client = uncached.test_client()
    get = client.get("/sparql", query_string={"query": SELECT})
    head = client.head("/sparql", query_string={"query": SELECT})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == str(len(get.data))
    pool = uncached.extensions["pflegegraph.runner"]
    assert pool.idle == pool.live == 1  # the HEAD answer was read off and the worker given back
    rows = json.loads(client.get("/sparql", query_string={"query": SELECT}).data)
    assert len(rows["results"]["bindings"]) == len(_rows(store))


def test_head_of_a_streamed_answer_frees_its_worker(uncached):
    client = uncached.test_client()
    head = client.head("/sparql", query_string={"query": CONSTRUCT, "format": "turtle"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == "text/turtle; charset=utf-8"
    pool = uncached.extensions["pflegegraph.runner"]
    assert pool.idle == pool.live == 1


def test_an_unexpected_failure_is_a_plain_500_and_logged(settings, store, caplog, monkeypatch):
    app = create_app(settings.replace(result_cache_mb=0, query_workers=1, client_max_queries=1),
                     store=store)
    try:
        def broken(request, fresh=False):
            raise RuntimeError("a bug in the runner")

        monkeypatch.setattr(app.extensions["pflegegraph.runner"], "run", broken)
        with caplog.at_level(logging.ERROR, logger="pflegegraph.web"):
            response = app.test_client().post("/sparql", data={"query": "ASK {}"})
        assert response.status_code == 500
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.text.startswith("500 Internal Server Error: the service failed")
        assert "Traceback" not in response.text and "a bug in the runner" not in response.text
        assert any("a bug in the runner" in (r.exc_text or "") for r in caplog.records)
        # the client's one place was given back: its next query is not refused with 429
        monkeypatch.undo()
        again = app.test_client().post("/sparql", data={"query": "ASK {}"})
        assert again.status_code == 200 and again.json == {"head": {}, "boolean": True}
    finally:
        app.extensions["pflegegraph.runner"].stop()


def test_requests_without_a_query_reach_flask(client):
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=description.text, format="turtle")
    assert list(graph.objects(None, SD.endpoint)) == [rdflib.URIRef("http://localhost/sparql")]
    editor = client.get("/sparql", headers={"Accept": "text/html"})
    assert editor.status_code == 200 and "<textarea" in editor.text
    preflight = client.options("/sparql")
    assert preflight.status_code == 204 and "POST" in preflight.headers["Allow"]
    wrong = client.put("/sparql", data=b"")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert wrong.text.startswith("405 Method Not Allowed")


def test_other_paths_are_not_taken(client):
    response = client.post("/sparql/", data={"query": "ASK {}"})
    assert response.status_code == 404


def test_the_flask_view_answers_a_query_without_the_endpoint_in_front(settings, store):
    app = create_app(settings.replace(result_cache_mb=0, query_workers=1), store=store)
    try:
        app.wsgi_app = app.extensions["pflegegraph.endpoint"].app  # Flask alone
        response = app.test_client().post("/sparql", data={"query": SELECT})
        assert response.status_code == 200
        bindings = response.json["results"]["bindings"]
        assert sorted((b["field"]["value"], b["label"]["value"]) for b in bindings) == _rows(store)
        refused = app.test_client().post("/sparql", data={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"})
        assert refused.status_code == 403 and "read-only" in refused.text
    finally:
        app.extensions["pflegegraph.runner"].stop()
