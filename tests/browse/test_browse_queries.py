"""Named-query pages, the editor page and the ontology page."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

from browse_helpers import links, visible_text


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
