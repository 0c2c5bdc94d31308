"""Named-query pages, the editor page and the ontology page."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

from browse_helpers import links, visible_text

from pflegegraph.namedqueries import QueryCatalog


def test_catalogue_lists_every_named_query(web, browse_app):
    body = web.get("/queries").get_data(as_text=True)
    found = links(body)
    assert found["Handlungsfelder nach Priorität"] == "/queries/action-fields-by-priority"
    assert len([h for h in found.values() if h.startswith("/queries/")]) == len(list((browse_app.config["PFLEGEGRAPH_SETTINGS"].queries).glob("*.rq")))


def _rows(body):
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, flags=re.S).group(1)
    return [visible_text(r) for r in re.findall(r"<tr>(.*?)</tr>", tbody, flags=re.S)]


def test_query_page_runs_with_a_parameter_and_shows_labels(web):
    body = web.get("/queries/action-fields-by-priority?horizon=pgv:short-term&run=1").get_data(as_text=True)
    rows = _rows(body)
    assert any(r.startswith("Wohnen") for r in rows)
    assert not any("Beratung/Information" in r for r in rows)  # ongoing, not short-term
    assert links(body)["Wohnen"] == "/id/03101000/handlungsfeld/wohnen"  # IRIs by label
    # the form is built from the parameters: a choice list with labels, the chosen one selected
    assert '<option value="pgv:short-term" selected>kurzfristig</option>' in body
    assert '<select id="p-lang" name="lang">' in body
    # the SPARQL is shown
    assert "pg:statedPriority ?statedPriority" in visible_text(body)
    # the shareable URL reproduces this result
    share = re.search(r'id="share" type="url" readonly value="([^"]*)"', body).group(1)
    assert parse_qs(urlsplit(share).query)["horizon"] == ["pgv:short-term"]
    assert _rows(web.get(share).get_data(as_text=True)) == rows


def test_query_downloads_in_every_format(web):
    body = web.get("/queries/action-fields-by-priority?horizon=pgv:short-term").get_data(as_text=True)
    downloads = {t: h for t, h in links(body).items() if "format=" in h}
    assert set(downloads) == {"CSV", "TSV", "SPARQL JSON", "SPARQL XML"}
    r = web.get(downloads["CSV"])
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert "Wohnen" in {row["label"] for row in table}
    assert all(row["horizons"] for row in table)
    doc = json.loads(web.get(downloads["SPARQL JSON"]).data)
    assert doc["head"]["vars"][0] == "actionField"
    assert "<sparql" in web.get(downloads["SPARQL XML"]).get_data(as_text=True)


def test_bad_parameter_value_is_explained(web):
    r = web.get("/queries/documents?documentType=not%20an%20iri&run=1")
    text = visible_text(r.get_data(as_text=True))
    assert r.status_code == 400
    assert "documentType" in text and "Traceback" not in text
    r = web.get("/queries/documents?documentType=not%20an%20iri&format=csv")
    assert r.status_code == 400 and r.mimetype == "text/plain"


def test_required_parameter_asked_for(web):
    body = web.get("/queries/provenance").get_data(as_text=True)
    assert "Bitte angeben: Ressource" in visible_text(body)
    assert 'name="resource"' in body and "required" in body
    text = visible_text(web.get("/queries/provenance?resource=bshf:wohnen").get_data(as_text=True))
    assert "Stellungnahme der Verwaltung DS 24-22983-01" in text


def test_unknown_query_suggests_names(web):
    r = web.get("/queries/timelin")
    assert r.status_code == 404 and "timeline" in visible_text(r.get_data(as_text=True))


def test_editor_page_has_prefixes_examples_and_its_own_script(web):
    r = web.get("/editor")
    body = r.get_data(as_text=True)
    assert "PREFIX pg: &lt;https://w3id.org/pflegegraph/def#&gt;" in body
    examples = json.loads(re.search(r'<script type="application/json" id="examples-data">(.*?)</script>',
                                    body, flags=re.S).group(1))
    assert {"timeline", "isek-cross-reference"} <= {e["name"] for e in examples}
    assert re.search(r'<script src="/assets/browse/editor.js" defer>', body)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    with web.get("/assets/browse/editor.js") as js:
        assert js.status_code == 200 and b"textContent" in js.data and b"innerHTML" not in js.data
    assert "SELECT ?document" in web.get("/editor?example=documents").get_data(as_text=True)


def test_editor_response_for_the_sparql_blueprint(browse_app):
    from pflegegraph.web.browse import editor_response

    with browse_app.test_request_context("/sparql", headers={"Accept": "text/html"}):
        response = editor_response()
        assert response.status_code == 200
        assert "SPARQL-Editor" in visible_text(response.get_data(as_text=True))


def test_ontology_page_has_classes_and_properties_in_both_languages(web):
    body = web.get("/ontology").get_data(as_text=True)
    text = visible_text(body)
    assert "Handlungsfeld" in text and "Action field" in text
    assert "angegebene Priorität" in text and "stated priority" in text
    assert "Die Zeitpriorität eines Handlungsfelds genau so" in text
    assert links(body)["Alle Ressourcen dieser Klasse"].startswith("/class/")
    assert 'href="/def.ttl"' not in body  # alternates use ?format=
    assert "/def?format=ttl" in body


# --- the HTML table a page at a time; the downloads whole ---------------------------------------

def _status(body):
    return visible_text(re.search(r'<p role="status">(.*?)</p>', body, flags=re.S).group(1))


def _pager(body):
    """The links of the first pager nav, by their rel."""
    nav = re.search(r'<nav class="pages" aria-label="([^"]*)">(.*?)</nav>', body, flags=re.S)
    assert nav and nav.group(1) in {"Seiten des Ergebnisses", "Result pages"}
    return {rel: html.unescape(href) for href, rel in re.findall(r'<a href="([^"]*)" rel="(\w+)"', nav.group(2))}


def test_no_named_query_has_a_parameter_called_page(browse_app):
    from pflegegraph.web.browse.queries import PAGE_ARG

    catalog = QueryCatalog(browse_app.config["PFLEGEGRAPH_SETTINGS"].queries)
    assert all(PAGE_ARG not in {p.name for p in q.params} for q in catalog)


def test_result_table_is_paged_and_the_downloads_hold_every_row(web):
    table = list(csv.DictReader(io.StringIO(web.get("/queries/document-statements?format=csv").get_data(as_text=True))))
    assert len(table) == 137
    # the download ignores page: still every row
    assert web.get("/queries/document-statements?format=csv&page=2").get_data() == \
        web.get("/queries/document-statements?format=csv").get_data()

    first = web.get("/queries/document-statements")
    body = first.get_data(as_text=True)
    rows = _rows(body)
    assert first.status_code == 200 and len(rows) == 100
    assert _status(body) == "Zeilen 1–100 von 137"
    assert "die Downloads enthalten alle 137 Zeilen" in visible_text(body)
    pager = _pager(body)
    assert pager == {"next": "/queries/document-statements?page=2", "last": "/queries/document-statements?page=2"}
    assert links(body)["nächste Seite ›"] == "/queries/document-statements?page=2"
    assert rows[0].startswith(table[0]["documentLabel"]) and table[99]["resourceLabel"] in rows[99]
    # the shareable URL is the result's, without page
    assert 'id="share" type="url" readonly value="http://localhost/queries/document-statements"' in body

    second = web.get(pager["next"])
    body2 = second.get_data(as_text=True)
    rows2 = _rows(body2)
    assert second.status_code == 200 and len(rows2) == 37
    assert _status(body2) == "Zeilen 101–137 von 137"
    assert _pager(body2) == {"first": "/queries/document-statements", "prev": "/queries/document-statements"}
    # row 101 is "Teilhabe" of the administration's statement: on page 2, as a labelled link, not on page 1
    assert table[100]["resourceLabel"] == "Teilhabe"
    assert rows2[0] == ("Stellungnahme der Verwaltung DS 24-22983-01 Stellungnahme der Verwaltung DS 24-22983-01 "
                        "Teilhabe Teilhabe Handlungsfeld")
    assert links(body2)["Teilhabe"] == "/id/03101000/handlungsfeld/teilhabe"
    assert rows2[0] not in rows and not set(rows) & set(rows2)
    assert "http://localhost/queries/document-statements" in body2  # share: the whole result, page 1


def test_pager_keeps_the_other_arguments_and_speaks_english(web):
    body = web.get("/queries/document-statements?lang=en&run=1&document=").get_data(as_text=True)
    assert _status(body) == "Rows 1–100 of 137"
    assert "the downloads hold all 137 rows" in visible_text(body)
    nxt = _pager(body)["next"]
    assert parse_qs(urlsplit(nxt).query, keep_blank_values=True) == \
        {"lang": ["en"], "run": ["1"], "document": [""], "page": ["2"]}
    body2 = web.get(nxt).get_data(as_text=True)
    assert _status(body2) == "Rows 101–137 of 137" and "Page 2 of 2" in visible_text(body2)
    both = _rows(body) + _rows(body2)  # labels in the page's language
    assert len(set(both)) == 137 and any("Action field" in r for r in both)
    assert not any("Handlungsfeld" in r for r in both)
    first = _pager(body2)["first"]
    assert parse_qs(urlsplit(first).query, keep_blank_values=True) == \
        {"lang": ["en"], "run": ["1"], "document": [""]}
    # one document: few rows, one page, no pager
    one = web.get("/queries/document-statements?document=bsdoc:ds-24-22983-01&page=1").get_data(as_text=True)
    assert '<nav class="pages"' not in one and re.fullmatch(r"\d+ Zeilen", _status(one))


def test_bad_page_numbers_are_a_clear_400_and_past_the_end_a_404(web):
    for bad in ("0", "-1", "abc", "1.5", "%2B2", "２"):
        r = web.get(f"/queries/document-statements?page={bad}")
        text = visible_text(r.get_data(as_text=True))
        assert r.status_code == 400, bad
        assert "Ungültige Seitenzahl" in text and "„page“ muss eine ganze Zahl ab 1 sein" in text
        assert links(r.get_data(as_text=True))["Zurück"] == "/queries/document-statements"
    en = web.get("/queries/document-statements?page=x&lang=en")
    assert en.status_code == 400 and "Invalid page number" in visible_text(en.get_data(as_text=True))
    assert web.get("/queries/document-statements?page=").status_code == 200  # empty: page 1
    for past in ("3", "99999999999999999999999999"):
        r = web.get(f"/queries/document-statements?lang=en&page={past}")
        body = r.get_data(as_text=True)
        assert r.status_code == 404, past
        assert "the result has 2 pages of 100 rows" in visible_text(body) and "<table" not in body
        assert links(body)["Go to the first page"] == "/queries/document-statements?lang=en"
        assert links(body)["to the last page"] == "/queries/document-statements?lang=en&page=2"
    assert web.get("/queries/timeline?page=2").status_code == 404  # 17 rows: one page
    assert web.get("/queries/timeline?page=1").status_code == 200


CONSTRUCT_RQ = """#+ title:
#+   de: Bezeichnungen als Graph
#+   en: Labels as a graph
#+ description:
#+   de: Jede deutsche Bezeichnung.
#+   en: Every German label.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l . FILTER(LANG(?l) = "de") } ORDER BY ?s ?l
"""


def test_construct_result_table_is_paged_too(settings, store, tmp_path):
    from browse_helpers import make_app

    (tmp_path / "labels-graph.rq").write_text(CONSTRUCT_RQ, encoding="utf-8")
    app = make_app(settings.replace(queries=tmp_path), store)
    try:
        web = app.test_client()
        triples = web.get("/queries/labels-graph?format=ntriples").get_data(as_text=True).strip().splitlines()
        assert len(triples) > 200
        body = web.get("/queries/labels-graph").get_data(as_text=True)
        assert "<th scope=\"col\">subject</th>" in body and len(_rows(body)) == 100
        assert _status(body) == f"Zeilen 1–100 von {len(triples)}"
        body3 = web.get(_pager(body)["next"].replace("page=2", "page=3")).get_data(as_text=True)
        assert _status(body3).startswith("Zeilen 201–") and _rows(body3)
        subjects = [re.findall(r'<tr><td><a href="([^"]*)"', b) for b in (body, body3)]
        assert len(subjects[0]) == 100 and subjects[1] and not set(subjects[0]) & set(subjects[1])
    finally:
        app.extensions["pflegegraph.runner"].stop()
