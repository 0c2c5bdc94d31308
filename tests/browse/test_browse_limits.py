"""Pages run their queries with the service's deadline and row cap: a stopped query is a clear
503 page in the layout, a cut result is marked, and normal pages still show their rows."""

from __future__ import annotations

import re
import shutil

import pytest
from browse_helpers import links, make_app, visible_text

from pflegegraph.store import GraphStore

# Never finishes on the shipped graph: a cross product of every triple with every triple, twice.
SLOW = """#+ title:
#+   de: Langsame Abfrage
#+   en: Slow query
#+ description:
#+   de: Läuft über jede Frist hinaus.
#+   en: Runs past any deadline.
#+ params:
#+   lang:
#+     type: lang
#+     default: de
#+     label: {de: Sprache, en: Language}
SELECT (COUNT(*) AS ?n) WHERE { BIND(COALESCE(?lang, "de") AS ?lng) ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }
"""
# The same cross product with the parameters of the timeline, standing in for it.
SLOW_TIMELINE = SLOW.replace("#+ params:\n", """#+ params:
#+   fromYear: {type: year, label: {de: ab Jahr, en: from year}}
#+   toYear: {type: year, label: {de: bis Jahr, en: to year}}
""").replace("(COUNT(*) AS ?n)", "?fromYear ?toYear (COUNT(*) AS ?n)").replace(
    "?g ?h ?i }", "?g ?h ?i } GROUP BY ?fromYear ?toYear")


@pytest.fixture(scope="module")
def slow_app(settings, store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("queries")
    for rq in settings.queries.glob("*.rq"):
        shutil.copy(rq, folder / rq.name)
    (folder / "slow.rq").write_text(SLOW, encoding="utf-8")
    (folder / "timeline.rq").write_text(SLOW_TIMELINE, encoding="utf-8")
    app = make_app(settings.replace(queries=folder, query_timeout=1.0, row_limit=5, query_workers=1),
                   store)
    yield app
    app.extensions["pflegegraph.runner"].stop()


def test_named_query_past_the_deadline_shows_a_503_page_with_the_form(slow_app):
    web = slow_app.test_client()
    r = web.get("/queries/slow?run=1")
    text = visible_text(r.get_data(as_text=True))
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert "Die Abfrage lief länger als das Zeitlimit von 1 s und wurde abgebrochen" in text
    assert "Langsame Abfrage" in text and "Abfrage ausführen" in text  # the page and its form
    assert "Traceback" not in text
    en = visible_text(web.get("/queries/slow?run=1&lang=en").get_data(as_text=True))
    assert "The query ran longer than the time limit of 1 s and was stopped" in en and "Run query" in en
    # the next request gets a fresh worker and a normal answer
    assert "Wohnen" in visible_text(web.get("/queries/action-fields-by-priority").get_data(as_text=True))


def test_download_past_the_deadline_is_a_plain_503(slow_app):
    r = slow_app.test_client().get("/queries/slow?format=csv")
    assert r.status_code == 503 and r.mimetype == "text/plain"
    assert "Zeitlimit von 1 s" in r.get_data(as_text=True)


def test_view_past_the_deadline_shows_the_message_in_the_layout(slow_app):
    r = slow_app.test_client().get("/views/timeline")
    body = r.get_data(as_text=True)
    text = visible_text(body)
    assert r.status_code == 503
    assert "Zeitlimit überschritten" in text and "wurde abgebrochen" in text
    assert 'class="site"' in body and "CC BY 4.0" in text  # the site's frame, not plain text


def test_cut_result_is_marked(slow_app):
    text = visible_text(slow_app.test_client().get("/queries/action-fields-by-priority").get_data(as_text=True))
    assert "5 Zeilen – gekürzt: mehr als 5 Zeilen" in text


def test_query_pages_still_show_their_rows_through_the_runner(web):
    text = visible_text(web.get("/queries/target-group-coverage").get_data(as_text=True))
    assert "5 Zeilen" in text and "Angehörige" in text and "53049 (2021)" in text
    assert "gekürzt" not in text


def test_provenance_box_matches_the_named_query(browse_app, store):
    """The quick path (index lookups) says what the named query says, for every resource."""
    from pflegegraph.web.browse import provenance

    iris = sorted({r["s"].value for r in store.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }").rows})
    assert len(iris) > 200
    for lang in ("de", "en"):
        with browse_app.test_request_context(f"/?lang={lang}"):
            for iri in iris:
                quick = provenance.provenance(iri)
                slow = provenance.from_named_query(iri)
                assert quick["sources"] == slow["sources"], iri
                assert sorted(map(repr, quick["editorial"])) == sorted(map(repr, slow["editorial"])), iri
                assert sorted(map(repr, quick["unverified"])) == sorted(map(repr, slow["unverified"])), iri


def test_many_incoming_links_are_capped_with_a_link_to_all(web):
    body = web.get("/id/03101000/dokument/ds-24-22983-01").get_data(as_text=True)
    text = visible_text(body)
    assert "Was hierher verweist" in text
    more = [h for h in links(body).items() if h[0].startswith("alle ")]
    assert more, "a property with more than 20 subjects links to the full list"
    label, url = more[0]
    total = int(label.split()[1])
    assert f"(20 von {total} gezeigt)" in text
    listing = web.get(url)
    listed = visible_text(listing.get_data(as_text=True))
    assert listing.status_code == 200
    assert re.search(r"Was auf „\s*Stellungnahme der Verwaltung DS 24-22983-01\s*“ verweist", listed)
    assert listing.get_data(as_text=True).count("<li>") >= total
    bad = web.get("/incoming?iri=not%20an%20iri&p=x")
    assert bad.status_code == 400 and "müssen IRIs sein" in visible_text(bad.get_data(as_text=True))


@pytest.fixture(scope="module")
def many(settings, tmp_path_factory):
    """An app over three synthetic municipalities (bench/generate.py), each with its own plan."""
    import subprocess
    import sys

    from shipped import ROOT

    out = tmp_path_factory.mktemp("synthetic")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", "5000", "--out",
                    str(out)], check=True, capture_output=True)
    s = settings.replace(data=[out])
    app = make_app(s, GraphStore.from_settings(s))
    yield app
    app.extensions["pflegegraph.runner"].stop()


PLAN = "https://w3id.org/pflegegraph/id/90001001/dokument/pflegeplanung"


def test_with_several_plans_a_view_asks_which_one(many):
    web = many.test_client()
    r = web.get("/views/isek")
    text = visible_text(r.get_data(as_text=True))
    assert r.status_code == 200 and "Bitte wählen Sie die Planung" in text
    assert "Altenhilfe- und Pflegeplanung Beispielkommune 90001001" in text
    assert "Altenhilfe- und Pflegeplanung Beispielkommune 90001002" in text
    home = visible_text(web.get("/").get_data(as_text=True))
    assert "Planung wählen" in home and "Beispielkommune 90001002" in home
    unknown = web.get("/views/isek?plan=https://example.org/nope")
    assert unknown.status_code == 404 and "Keine Planung mit Handlungsfeldern" in visible_text(
        unknown.get_data(as_text=True))


def test_a_view_with_a_plan_shows_only_that_plan(many):
    web = many.test_client()
    body = web.get(f"/views/isek?plan={PLAN}").get_data(as_text=True)
    text = visible_text(body)
    assert "Planung: Altenhilfe- und Pflegeplanung Beispielkommune 90001001" in text
    assert "/id/90001001/handlungsfeld/" in body and "/id/90001002/handlungsfeld/" not in body
    # the navigation and the underlying query keep the plan
    assert f'href="/views/timeline?plan={PLAN.replace(":", "%3A").replace("/", "%2F")}"' in body
    assert "/queries/plan-isek-cross-reference?plan=" in body
    fields = web.get(f"/views/action-fields?plan={PLAN}").get_data(as_text=True)
    assert "/id/90001001/handlungsfeld/" in fields and "/id/90001002/handlungsfeld/" not in fields
    timeline = web.get(f"/views/timeline?plan={PLAN}&from=1990&to=2030").get_data(as_text=True)
    assert "/id/90001001/termin/" in timeline and "/id/90001002/termin/" not in timeline
    groups = visible_text(web.get(f"/views/target-groups?plan={PLAN}&lang=en").get_data(as_text=True))
    assert "Older people" in groups and "Plan:" in groups


def test_with_one_plan_nothing_changes(web):
    body = web.get("/views/isek").get_data(as_text=True)
    assert "Planung wählen" not in visible_text(body)
    assert 'href="/queries/isek-cross-reference"' in body and 'href="/views/timeline"' in body
