"""/sparql behaves as the SPARQL 1.1 Protocol says, seen by real clients over real HTTP.

One ``pflegegraph serve`` (gunicorn, two workers) runs for the module; SPARQLWrapper asks in
every result format and the parsed rows are compared with the embedded store's own answer.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from servers import pflegegraph_service

SELECT = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?field ?label WHERE { ?field a pg:ActionField ; rdfs:label ?label } ORDER BY ?field ?label"""
CONSTRUCT = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
CONSTRUCT { ?f a pg:ActionField ; ?p ?o } WHERE { ?f a pg:ActionField ; ?p ?o }"""
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with pflegegraph_service(tmp_path_factory.mktemp("protocol")) as url:
        yield url + "/sparql"


@pytest.fixture(scope="module")
def expected(store):
    result = store.query(SELECT)
    return sorted((row["field"].value, row["label"].value) for row in result.rows)


def http(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    """Status, headers and body text of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8")


def q(params: dict) -> str:
    return urllib.parse.urlencode(params, doseq=True)


# --- results in every format, through SPARQLWrapper ---------------------------------------


def _wrapper(service, query, fmt, method=None):
    client = SPARQLWrapper(service)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(POST)
        client.setRequestMethod(method)
    return client


@pytest.mark.parametrize("method", [None, "urlencoded", POSTDIRECTLY], ids=["get", "post-form", "post-direct"])
def test_select_json_rows_match_the_store(service, expected, method):
    doc = _wrapper(service, SELECT, JSON, method).query().convert()
    assert doc["head"]["vars"] == ["field", "label"]
    rows = sorted((b["field"]["value"], b["label"]["value"]) for b in doc["results"]["bindings"])
    assert rows == expected


def test_select_xml_rows_match_the_store(service, expected):
    dom = _wrapper(service, SELECT, XML).query().convert()
    rows = []
    for result in dom.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.data
                  for b in result.getElementsByTagName("binding")}
        rows.append((values["field"], values["label"]))
    assert sorted(rows) == expected


def test_select_csv_rows_match_the_store(service, expected):
    text = _wrapper(service, SELECT, CSV).query().convert().decode("utf-8")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["field", "label"]
    assert sorted(tuple(r) for r in table[1:]) == expected


def test_select_tsv_rows_match_the_store(service, expected):
    text = _wrapper(service, SELECT, TSV).query().convert().decode("utf-8")
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "?field\t?label"
    rows = []
    for line in lines[1:]:
        field, label = line.split("\t")
        rows.append((field.strip("<>"), json.loads(label.split('"@')[0] + '"')))
    assert sorted(rows) == expected


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_in_every_format(service, fmt):
    result = _wrapper(service, "ASK { ?s a <https://w3id.org/pflegegraph/def#ActionField> }", fmt)
    body = result.query().convert()
    if fmt == JSON:
        assert body["boolean"] is True
    elif fmt == XML:
        assert body.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert body.decode("utf-8").splitlines()[1] == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML, XML])
def test_construct_graph_matches_the_store(service, store, fmt):
    graph = _wrapper(service, CONSTRUCT, fmt).query().convert()
    if isinstance(graph, bytes):  # SPARQLWrapper leaves N3/Turtle unparsed
        graph = rdflib.Graph().parse(data=graph.decode("utf-8"), format="turtle")
    want = store.query(CONSTRUCT).triples
    assert len(graph) == len(want) > 50
    labels = {str(o) for o in graph.objects(None, rdflib.RDFS.label)}
    assert "Wohnen" in labels


def test_ntriples_by_accept_header(service, store):
    status, headers, body = http(service + "?" + q({"query": CONSTRUCT}),
                                 headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=body, format="nt")) == len(store.query(CONSTRUCT).triples)


# --- content negotiation --------------------------------------------------------------------


def test_q_values_choose_the_format(service):
    status, headers, body = http(service + "?" + q({"query": "ASK {}"}), headers={
        "Accept": "application/sparql-results+json;q=0.2, text/csv;q=0.9, application/xml;q=0.5"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.splitlines() == ["_askResult", "true"]


@pytest.mark.parametrize(("accept", "media"), [
    ("text/csv, */*", "text/csv"),  # a type the client names beats one it matched with */*
    ("*/*;q=0.8, text/tab-separated-values;q=0.8", "text/tab-separated-values"),
    ("text/*, text/csv;q=0", "application/sparql-results+xml"),  # text/xml by text/*; CSV refused
    ("*/*", "application/sparql-results+json"),  # the service's own first choice
])
def test_the_most_specific_accept_entry_decides(service, accept, media):
    query = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> } LIMIT 1"
    status, headers, body = http(service + "?" + q({"query": query}), headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    assert "handlungsfeld" in body


def test_format_parameter_overrides_accept(service):
    status, headers, body = http(service + "?" + q({"query": "ASK {}", "format": "json"}),
                                 headers={"Accept": "text/csv"})
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert json.loads(body)["boolean"] is True


def test_nothing_acceptable_is_406_with_the_choices(service):
    status, _, body = http(service + "?" + q({"query": "ASK {}"}), headers={"Accept": "image/png"})
    assert status == 406
    assert "application/sparql-results+json" in body and "text/csv" in body


def test_graph_result_as_csv_is_406(service):
    status, _, body = http(service + "?" + q({"query": CONSTRUCT, "format": "csv"}))
    assert status == 406 and "text/turtle" in body


# --- dataset selection ------------------------------------------------------------------------


def test_default_graph_uri_selects_a_loaded_graph(service, store):
    graph = next(g for g in store.graphs() if g.value.endswith("/plan"))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    doc = json.loads(http(service + "?" + q({"query": count, "default-graph-uri": graph.value}))[2])
    assert int(doc["results"]["bindings"][0]["n"]["value"]) == store.triple_count(graph)


def test_named_graph_uri_limits_the_named_graphs(service, store):
    chosen = [g.value for g in store.graphs()][:2]
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    doc = json.loads(http(service + "?" + q({"query": query, "named-graph-uri": chosen}))[2])
    assert sorted(b["g"]["value"] for b in doc["results"]["bindings"]) == sorted(chosen)


def test_from_clause_restricts_the_default_graph(service, store):
    graph = next(g for g in store.graphs() if g.value.endswith("/plan"))
    query = f"SELECT (COUNT(*) AS ?n) FROM <{graph.value}> WHERE {{ ?s ?p ?o }}"  # noqa: S608
    doc = json.loads(http(service + "?" + q({"query": query}))[2])
    assert int(doc["results"]["bindings"][0]["n"]["value"]) == store.triple_count(graph)


def test_graph_that_is_not_loaded_is_refused(service):
    status, _, body = http(service + "?" + q({"query": "ASK {}", "default-graph-uri": "http://example.org/x"}))
    assert status == 403 and "not a graph loaded here" in body


# --- service description and CORS -------------------------------------------------------------


def test_get_without_query_gives_the_service_description(service, store):
    status, headers, body = http(service, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    endpoint = rdflib.URIRef(service)
    assert (endpoint, SD.endpoint, endpoint) in graph
    formats = {str(o) for o in graph.objects(endpoint, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert len(list(graph.objects(None, SD.name))) == len(store.graphs())


def test_service_description_as_json_ld(service):
    status, headers, body = http(service, headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert (None, SD.endpoint, None) in rdflib.Graph().parse(data=body, format="json-ld")


def test_cors_for_reads(service):
    _, headers, _ = http(service + "?" + q({"query": "ASK {}"}), headers={"Origin": "https://yasgui.org"})
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = http(service, method="OPTIONS", headers={
        "Origin": "https://yasgui.org", "Access-Control-Request-Method": "POST"})
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]


# --- the W3C protocol error cases -------------------------------------------------------------


def _assert_plain(body: str):
    assert "Traceback" not in body and "<html" not in body.lower()


def test_wrong_method_is_405(service):
    status, headers, body = http(service + "?" + q({"query": "ASK {}"}), method="PUT", data=b"")
    assert status == 405 and "GET" in headers["Allow"] and "POST" in headers["Allow"]
    assert "not allowed" in body
    _assert_plain(body)


def test_repeated_query_is_400(service):
    status, _, body = http(service + "?" + q({"query": ["ASK {}", "ASK {}"]}))
    assert status == 400 and "given 2 times" in body


def test_repeated_query_in_a_form_is_400(service):
    status, _, body = http(service, method="POST", data=q({"query": ["ASK {}", "ASK {}"]}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and "given 2 times" in body


def test_non_utf8_direct_body_is_400(service):
    status, _, body = http(service, method="POST", data="ASK { ?s ?p \"ä\" }".encode("latin-1"),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and "not valid UTF-8" in body


def test_non_utf8_form_is_400(service):
    status, _, body = http(service, method="POST", data=b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22%E4%22%20%7D",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and "not valid UTF-8" in body


def test_declared_other_charset_is_refused(service):
    status, _, body = http(service, method="POST", data="ASK {}".encode("utf-16"),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert status in (400, 415) and "UTF-16" in body


def test_syntax_error_is_400_with_line_and_column(service):
    status, _, body = http(service + "?" + q({"query": "SELECT * WHERE {\n  ?s ?p }"}))
    assert status == 400
    assert "SPARQL syntax error at line 2, column" in body
    _assert_plain(body)


def test_missing_content_type_is_400(service):
    status, _, body = http(service, method="POST", data=b"ASK {}", headers={"Content-Type": ""})
    assert status == 400 and "no Content-Type" in body


def test_wrong_content_type_is_415(service):
    status, _, body = http(service, method="POST", data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert status == 415 and "application/sparql-query" in body


@pytest.mark.parametrize("how", ["form-update", "direct-update", "update-as-query", "get-update"])
def test_update_is_refused(service, how):
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    if how == "form-update":
        args = {"method": "POST", "data": q({"update": insert}).encode(),
                "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
        url = service
    elif how == "direct-update":
        args = {"method": "POST", "data": insert.encode(),
                "headers": {"Content-Type": "application/sparql-update"}}
        url = service
    elif how == "update-as-query":
        args, url = {}, service + "?" + q({"query": insert})
    else:
        args, url = {}, service + "?" + q({"update": insert})
    status, _, body = http(url, **args)
    assert status == 403 and "read-only" in body
    after = json.loads(http(service + "?" + q({"query": "ASK { <http://example.org/a> ?p ?o }"}))[2])
    assert after["boolean"] is False
