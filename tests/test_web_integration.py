"""How the faces meet in one app: the editor at /sparql for browsers, RDF for clients, one home."""

from __future__ import annotations

import rdflib


def test_a_browser_opening_sparql_gets_the_editor(client):
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    text = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert "<textarea" in text and "PREFIX pg: &lt;https://w3id.org/pflegegraph/def#&gt;" in text


def test_a_sparql_client_gets_the_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef("http://localhost/sparql")) in g


def test_home_links_to_data_and_views(client):
    text = client.get("/").get_data(as_text=True)
    for href in ('href="/views/isek"', 'href="/queries"', 'href="/ontology"'):
        assert href in text


def test_vocabulary_collection_with_a_suffix(client):
    response = client.get("/vocab.nt")
    assert response.mimetype == "application/n-triples"
    g = rdflib.Graph().parse(data=response.get_data(as_text=True), format="nt")
    assert (rdflib.URIRef("https://w3id.org/pflegegraph/vocab"), None, None) in g
