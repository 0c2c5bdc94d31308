"""Resource pages as a person and as an RDF client sees them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from browse_helpers import links, visible_text

WOHNEN = "https://w3id.org/pflegegraph/id/03101000/handlungsfeld/wohnen"


def test_resource_page_shows_label_type_properties_and_links_by_label(web):
    r = web.get("/id/03101000/handlungsfeld/wohnen")
    body = r.get_data(as_text=True)
    text = visible_text(body)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "<h1><bdi>Wohnen</bdi>" in body
    assert "Handlungsfeld" in text and WOHNEN in text
    # grouped and labelled properties
    for heading in ("Bezeichnung und Beschreibung", "Einordnung", "Beziehungen", "Angaben"):
        assert heading in text
    assert "angegebene Priorität" in text and "„1“" not in text
    # links are shown by label, and go to the service's own page for the IRI
    found = links(body)
    assert found["Heimat bieten, vielfältiger und bezahlbarer Wohnraum"] == "/id/03101000/isek/arbeitsfeld-wohnraum"
    assert found["kurzfristig"] == "/vocab/short-term"
    assert "Stellungnahme der Verwaltung DS 24-22983-01" in found


def test_resource_page_shows_inverse_links_and_editorial_marks(web):
    body = web.get("/id/03101000/handlungsfeld/wohnen").get_data(as_text=True)
    text = visible_text(body)
    assert "Was hierher verweist" in text
    found = links(body)
    assert "Lebenswertes Braunschweig: Altenhilfe- und Pflegeplanung 2020 – 2035" in found
    # the ISEK link is editorial: a badge leads to the statement with its justification
    assert found["redaktionell"] == "/id/03101000/redaktionell/wohnen-isek-wohnraum"
    statement = visible_text(web.get(found["redaktionell"]).get_data(as_text=True))
    assert "Beide behandeln das Wohnen" in statement


def test_provenance_box_names_source_page_and_editorial_links(web):
    text = visible_text(web.get("/id/03101000/dokument/pflegeplanung-2020-2035").get_data(as_text=True))
    assert "Herkunft" in text and "Belegt durch" in text
    assert "Seite 78" in text
    text = visible_text(web.get("/id/03101000/handlungsfeld/wohnen").get_data(as_text=True))
    assert "Redaktionell verknüpft" in text and "pflegegraph-Redaktion" in text
    assert "1 Angabe(n) dieser Seite sind redaktionell" in text


def test_unverified_resource_is_marked(web):
    text = visible_text(web.get("/id/03101000/opendata-portal").get_data(as_text=True))
    assert "Nicht verifiziert" in text
    assert "vermutlich DKAN" in text


def test_english_labels_and_links_keep_the_language(web):
    body = web.get("/id/03101000/handlungsfeld/wohnen?lang=en").get_data(as_text=True)
    text = visible_text(body)
    assert "<h1><bdi>Housing</bdi>" in body and '<html lang="en">' in body
    assert "Action field" in text and "What points here" in text and "Provenance" in text
    assert links(body)["short-term"] == "/vocab/short-term?lang=en"
    assert links(body)["Deutsch"].endswith("lang=de")


def test_licence_and_source_on_every_page(web):
    for url in ("/", "/id/03101000/handlungsfeld/wohnen", "/views/isek", "/queries", "/editor",
                "/ontology", "/search?q=x", "/id/03101000/nothing-here"):
        body = web.get(url).get_data(as_text=True)
        assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in body, url
        assert "CC BY 4.0" in visible_text(body) and "Quelle:" in visible_text(body), url


@pytest.mark.parametrize(("how", "mime", "fmt"), [
    ({"headers": {"Accept": "text/turtle"}}, "text/turtle", ox.RdfFormat.TURTLE),
    ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json", ox.RdfFormat.JSON_LD),
    ({"headers": {"Accept": "application/n-triples"}}, "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ({"headers": {"Accept": "application/rdf+xml"}}, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ({"suffix": ".ttl"}, "text/turtle", ox.RdfFormat.TURTLE),
    ({"suffix": ".jsonld"}, "application/ld+json", ox.RdfFormat.JSON_LD),
    ({"suffix": ".nt"}, "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ({"suffix": ".rdf"}, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ({"query": "?format=ttl"}, "text/turtle", ox.RdfFormat.TURTLE),
    ({"query": "?format=jsonld"}, "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_rdf_by_negotiation_suffix_and_format(web, how, mime, fmt):
    url = "/id/03101000/handlungsfeld/wohnen" + how.get("suffix", "") + how.get("query", "")
    r = web.get(url, headers=how.get("headers", {}))
    assert r.status_code == 200 and r.mimetype == mime
    triples = list(ox.parse(r.data, format=fmt, base_iri=WOHNEN))
    labels = {(t.object.value, t.object.language) for t in triples
              if t.predicate.value.endswith("#label") and t.subject.value == WOHNEN}
    assert ("Wohnen", "de") in labels and ("Housing", "en") in labels
    assert "Accept" in r.headers["Vary"]


def test_alternate_links_in_header_and_html(web):
    r = web.get("/id/03101000/handlungsfeld/wohnen")
    header = r.headers["Link"]
    assert '</id/03101000/handlungsfeld/wohnen.ttl>; rel="alternate"; type="text/turtle"' in header
    assert 'type="application/ld+json"' in header
    body = r.get_data(as_text=True)
    assert '<link rel="alternate" type="text/turtle" href="/id/03101000/handlungsfeld/wohnen.ttl"' in body
    assert visible_text(body).count("Turtle") >= 2  # "also as" and the footer


def test_browsers_get_html_and_unknown_accept_gets_406(web):
    r = web.get("/id/03101000/handlungsfeld/wohnen",
                headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.mimetype == "text/html"
    r = web.get("/id/03101000/handlungsfeld/wohnen", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.get_data(as_text=True)


@pytest.mark.parametrize(("accept", "mime"), [
    ("text/*, text/html;q=0", "text/turtle"),  # HTML refused by name: text/* gives Turtle
    ("text/turtle, */*", "text/turtle"),  # named beats */* at equal q
    ("application/ld+json;q=0.9, text/html;q=0.9", "text/html"),  # a tie: HTML first
    ("*/*", "text/html"),
])
def test_the_most_specific_accept_entry_decides(web, accept, mime):
    r = web.get("/id/03101000/handlungsfeld/wohnen", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mime
    assert "Wohnen" in r.get_data(as_text=True)


def test_catalog_negotiates_by_the_same_rule(web):
    r = web.get("/catalog", headers={"Accept": "text/*, text/html;q=0"})
    assert r.mimetype == "text/turtle" and "dcat:Catalog" in r.get_data(as_text=True)
    r = web.get("/catalog", headers={"Accept": "image/png"})  # nothing fits: Turtle, as before
    assert r.mimetype == "text/turtle"
    r = web.get("/catalog", headers={"Accept": "text/html, application/ld+json"})
    assert r.mimetype == "text/html"


def test_unknown_iri_gets_helpful_404_with_search(web):
    r = web.get("/id/03101000/handlungsfeld/wohnenn")
    body = r.get_data(as_text=True)
    text = visible_text(body)
    assert r.status_code == 404
    assert "Nichts bekannt über diese Ressource" in text
    assert 'name="q" value="wohnenn"' in body
    assert links(body)["Wohnen"] == "/id/03101000/handlungsfeld/wohnen"  # a similar IRI
    r = web.get("/id/03101000/nope.ttl")
    assert r.status_code == 404 and r.mimetype == "text/plain"


def test_external_and_hash_iris_have_resource_pages(web):
    body = web.get("/resource?iri=https://w3id.org/pflegegraph/def%23ActionField").get_data(as_text=True)
    text = visible_text(body)
    assert "Handlungsfeld" in text and "Action field" in text
    assert "Was hierher verweist" in text and "Wohnen" in text  # instances point here by rdf:type
    r = web.get("/resource?iri=not%20an%20iri")
    assert r.status_code == 400 and "Nichts bekannt" in visible_text(r.get_data(as_text=True))


def test_vocabulary_and_graph_pages(web):
    text = visible_text(web.get("/vocab/ongoing").get_data(as_text=True))
    assert "Dauerthema" in text and "Beratung/Information" in text
    r = web.get("/graph/braunschweig/plan")
    text = visible_text(r.get_data(as_text=True))
    assert "Benannter Graph" in text and "Wohnen" in text
    ttl = web.get("/graph/braunschweig/plan.ttl")
    assert ttl.mimetype == "text/turtle" and len(list(ox.parse(ttl.data, format=ox.RdfFormat.TURTLE))) > 100


def test_def_dereferences_to_the_ontology(web):
    body = web.get("/def").get_data(as_text=True)
    assert 'id="ActionField"' in body
    text = visible_text(body)
    assert "Handlungsfeld" in text and "Action field" in text
    r = web.get("/def", headers={"Accept": "text/turtle"})
    triples = list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))
    assert any(t.subject.value == "https://w3id.org/pflegegraph/def#ActionField" for t in triples)
