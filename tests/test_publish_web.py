"""/data/, /catalog and /.well-known/void on the service, as a client sees them."""

from __future__ import annotations

import hashlib
import json

import pytest
import rdflib

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def web(settings, store):
    from pflegegraph.web import create_app

    app = create_app(settings, store=store)
    app.config.update(TESTING=True)
    return app.test_client()


def test_data_lists_dumps_with_sizes_and_checksums(web):
    page = web.get("/data/", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert '<a href="pflegegraph-braunschweig.ttl">pflegegraph-braunschweig.ttl</a>' in text
    assert "Lizenz: " in text and "creativecommons.org/licenses/by/4.0" in text
    listing = web.get("/data/", headers={"Accept": "application/json"}).get_json()
    entry = next(f for f in listing["files"] if f["name"] == "pflegegraph-braunschweig.nt")
    with web.get("/data/pflegegraph-braunschweig.nt") as response:
        body = response.get_data()
    assert entry["bytes"] == len(body) and entry["sha256"] == hashlib.sha256(body).hexdigest()
    assert f"<code>{entry['sha256']}</code>" in text


def test_a_dump_downloads_and_parses(web):
    with web.get("/data/pflegegraph-braunschweig.ttl") as response:
        assert response.mimetype == "text/turtle"
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (rdflib.URIRef("https://w3id.org/pflegegraph/id/03101000/handlungsfeld/vernetzung"),
            rdflib.URIRef("https://w3id.org/pflegegraph/def#statedPriority"), rdflib.Literal("1")) in graph


def test_catalog_by_content_negotiation_uses_the_service_address(web):
    turtle = web.get("/catalog", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    assert "http://localhost/data/pflegegraph-braunschweig.ttl" in urls
    assert 'rel="alternate"' in turtle.headers["Link"]
    jsonld = web.get("/catalog", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert any("http://www.w3.org/ns/dcat#Dataset" in json.dumps(n) for n in jsonld.get_json())
    page = web.get("/catalog", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Katalog nach DCAT-AP.de 2.0" in page and "dcat:Dataset" in page
    bad = web.get("/catalog?format=yaml")
    assert bad.status_code == 400 and "Unknown format 'yaml'" in bad.get_data(as_text=True)


def test_void_description(web):
    g = rdflib.Graph().parse(data=web.get("/.well-known/void").get_data(as_text=True), format="turtle")
    dataset = next(g.subjects(rdflib.RDF.type, VOID.Dataset))
    assert int(g.value(dataset, VOID.triples)) > 1000
    assert str(g.value(dataset, VOID.sparqlEndpoint)) == "http://localhost/sparql"


@pytest.mark.parametrize("name", ["nothing.ttl", "../pyproject.toml", ".hidden", "%2e%2e/pyproject.toml"])
def test_unknown_or_traversing_file_names_are_404(web, name):
    response = web.get("/data/" + name)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert text.startswith("404 Not Found: There is no file ") and "in /data/" in text
    assert "[build-system]" not in text  # nothing outside the export folder is ever served
