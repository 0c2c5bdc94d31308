"""SERVICE federation end to end: the embedded store (pyoxigraph 0.5 calls SERVICE endpoints over
HTTP itself) joins the shipped graph with a real Oxigraph server that is on the allow-list; a
SERVICE to anything else on 127.0.0.1 is refused before a connection is opened."""

from __future__ import annotations

import json
import select
import socket
import urllib.parse
import urllib.request

import pytest

from servers import Oxigraph, free_port

pytestmark = pytest.mark.skipif(Oxigraph.missing(), reason="the oxigraph server (pip install oxigraph) "
                                                           "is not installed")

FIELD = "https://w3id.org/pflegegraph/id/03101000/handlungsfeld/"
R = "https://example.org/remote#"
BUDGETS = {"wohnen": 120000, "teilhabe": 45000, "infrastruktur-mobilitaet": 80000}
LABELS = {"wohnen": "Wohnen", "teilhabe": "Teilhabe", "infrastruktur-mobilitaet": "Infrastruktur/Mobilität"}
JOIN = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX r: <https://example.org/remote#>
SELECT ?field ?label ?budget WHERE {
  ?field a pg:ActionField ; rdfs:label ?label . FILTER(LANG(?label) = "de")
  SERVICE <%s> { ?field r:budgetEuro ?budget }
} ORDER BY ?field"""


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """An Oxigraph server with budgets for three of the action fields, and one for a field the
    local graph does not have (the join drops it)."""
    with Oxigraph(tmp_path_factory.mktemp("federated")) as url:
        triples = [f"<{FIELD}{name}> <{R}budgetEuro> {euro} ." for name, euro in BUDGETS.items()]
        triples.append(f"<{FIELD}nirgendwo> <{R}budgetEuro> 1 .")
        request = urllib.request.Request(f"{url}/update", method="POST",
                                         data=("INSERT DATA { " + "\n".join(triples) + " }").encode(),
                                         headers={"Content-Type": "application/sparql-update"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204
        yield f"{url}/query"


@pytest.fixture(scope="module")
def dead():
    """An endpoint on the allow-list where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/query"


@pytest.fixture(scope="module")
def client(settings, store, remote, dead):
    from pflegegraph.web import create_app

    app = create_app(settings.replace(service_allowlist=[remote, dead], query_workers=1,
                                      query_timeout=10.0), store=store)
    yield app.test_client()
    app.extensions["pflegegraph.runner"].stop()


def sparql(client, query: str):
    return client.get("/sparql?" + urllib.parse.urlencode({"query": query}),
                      headers={"Accept": "application/sparql-results+json"})


def test_service_joins_local_labels_with_remote_data(client, remote):
    answer = sparql(client, JOIN % remote)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(answer.get_data())["results"]["bindings"]]
    assert rows == [{"field": FIELD + name, "label": LABELS[name], "budget": str(BUDGETS[name])}
                    for name in sorted(BUDGETS)]


@pytest.mark.parametrize("silent", ["", "SILENT "])
def test_service_not_on_the_allow_list_is_refused_without_a_connection(client, remote, silent):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        answer = sparql(client, (JOIN % target).replace("SERVICE <", f"SERVICE {silent}<"))
        assert (answer.status_code, answer.mimetype) == (403, "text/plain")
        assert answer.get_data(as_text=True) == (f"Refused: SERVICE <{target}> is not on this service's "
                                                 "allow-list; federated calls go only to listed endpoints.\n")
        ready, _, _ = select.select([listener], [], [], 1.0)
        assert ready == [], "the refused SERVICE opened a connection"


def test_allow_listed_service_that_is_down(client, dead):
    """502 Bad Gateway with the engine's reason (the query is fine, the endpoint is not); SERVICE
    SILENT goes on without the remote rows, as SPARQL 1.1 Federated Query says."""
    answer = sparql(client, JOIN % dead)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 502, text
    assert text.startswith("Bad gateway: a SERVICE endpoint of the query could not be reached or "
                           "failed: "), text
    assert "Connection refused" in text and "Traceback" not in text
    answer = sparql(client, (JOIN % dead).replace("SERVICE <", "SERVICE SILENT <"))
    assert answer.status_code == 200
    rows = json.loads(answer.get_data())["results"]["bindings"]
    assert rows and all("budget" not in row for row in rows)
    assert {row["label"]["value"] for row in rows} >= set(LABELS.values())
