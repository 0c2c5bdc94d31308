"""Home, a page per class, and full-text search."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, request
from markupsafe import Markup

from pflegegraph.labels import ORG, PG, SKOS, clean
from pflegegraph.namespaces import expand
from pflegegraph.web.browse import common
from pflegegraph.web.browse.common import T, page, page_lang, state

bp = Blueprint("browse_views", __name__, template_folder="templates")

# The entry classes of the home page: (class IRI, German and English description).
ENTRY_CLASSES = (
    (PG + "ActionField", "Themenbereiche der Pflegeplanung mit ihrer Zeitpriorität",
     "Thematic areas of the care plan with their time priority"),
    (PG + "Measure", "Vorgeschlagene und laufende Maßnahmen und Modellprojekte",
     "Proposed and ongoing measures and model projects"),
    (PG + "FundingProgramme", "Förderprogramme, die für Maßnahmen geprüft werden",
     "Funding programmes under examination for measures"),
    (PG + "TargetGroup", "An wen sich Handlungsfelder und Maßnahmen richten",
     "Who action fields and measures are aimed at"),
    (ORG + "Organization", "Verwaltung, Gremien, Träger und Fraktionen",
     "Administration, bodies, providers and council groups"),
    (PG + "Document", "Die Quellen: Planungen, Ratsvorlagen, Gesetze, Presse",
     "The sources: plans, council papers, laws, press"),
    (PG + "TimelineEntry", "Termine, Beschlüsse und Fristen", "Events, decisions and deadlines"),
    (PG + "DevelopmentObjective", "Leitziele und Arbeitsfelder des ISEK",
     "Guiding goals and fields of work of the ISEK"),
)
INSTANCES = ("SELECT DISTINCT ?s WHERE { ?s a ?t . ?t rdfs:subClassOf* ?class . FILTER(isIRI(?s)) }")
SUBCLASSES = "SELECT DISTINCT ?sub WHERE { ?sub rdfs:subClassOf ?class . FILTER(isIRI(?sub)) }"
COUNTS = ("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?class { %s } "
          "?s a ?t . ?t rdfs:subClassOf* ?class } GROUP BY ?class")
CLASS_LIMIT = 2000
PREFIXES = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def class_iri(name: str) -> str:
    if ":" in name:
        return expand(name, state().labels.prefixes) or name
    return PG + name


def class_url(iri: str) -> str:
    from flask import url_for

    name = iri[len(PG):] if iri.startswith(PG) else common.state().labels.fallback(iri)
    return common.with_lang(url_for("browse_views.class_page", name=name))


@bp.get("/")
def home():
    store = common.store()
    values = " ".join(f"<{c}>" for c, _, _ in ENTRY_CLASSES)
    counts = {r["class"].value: int(r["n"].value)
              for r in store.query(PREFIXES + COUNTS % values).rows}
    entries = [{"iri": c, "url": class_url(c), "label": common.label(c), "text": T(de, en),
                "count": counts.get(c, 0)} for c, de, en in ENTRY_CLASSES]
    triples = store.triple_count() if hasattr(store, "files") else None
    graphs = [g.value for g in store.graphs()]
    data_graphs = [g for g in graphs if "/graph/ontology/" not in g and "/graph/shapes/" not in g]
    from pflegegraph.web.browse import plans

    many = len(plans.all_plans()) > 1
    return page("browse/home.html", entries=entries, triples=triples, graphs=data_graphs,
                resources=len(state().labels.types), queries=len(state().catalog),
                plan_options=plans.options() if many else [], plan_count=len(plans.all_plans()))


@bp.get("/class/<path:name>")
def class_page(name: str):
    iri = class_iri(name)
    store = common.store()
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all (spaces, quotes, angle brackets): a helpful 404
        from pflegegraph.web.browse.resources import not_found

        return not_found(iri)
    result = store.query(PREFIXES + INSTANCES, {"class": node}, limit=CLASS_LIMIT)
    if not result.rows and not state().labels.has_label(iri):
        from pflegegraph.web.browse.resources import not_found

        return not_found(iri)
    labels = state().labels
    lang = page_lang()
    items = sorted(({"iri": r["s"].value, "label": labels.label(r["s"].value, lang),
                     "types": [t for t in labels.types.get(r["s"].value, []) if t != iri]}
                    for r in result.rows), key=lambda x: x["label"].casefold())
    subs = sorted((r["sub"].value for r in store.query(PREFIXES + SUBCLASSES, {"class": node}).rows),
                  key=lambda s: labels.label(s, lang).casefold())
    definition = None
    for r in store.query(f"SELECT ?d WHERE {{ ?c <{SKOS}definition> ?d }}", {"c": node}).rows:
        if r["d"].language == lang or definition is None:
            definition = r["d"].value
    return page("browse/class.html", iri=iri, title=labels.label(iri, lang), items=items,
                truncated=result.truncated, subclasses=[(s, class_url(s)) for s in subs],
                definition=definition)


@bp.get("/search")
def search():
    q = request.args.get("q", "").strip()[:200]
    hits = state().search.search(q, page_lang(), limit=100) if q else []
    shown = [{"iri": h.iri, "types": state().labels.types.get(h.iri, []),
              "snippet": marked(h.text, h.spans), "field": common.label(h.prop),
              "is_label": h.text == state().labels.label(h.iri, h.lang or None)} for h in hits]
    return page("browse/search.html", q=q, hits=shown)


def marked(text: str, spans: list[tuple[int, int]], width: int = 160) -> Markup:
    """The text with the matches in <mark>, cut around the first match; everything escaped."""
    text = clean(text)
    start = 0
    if spans and len(text) > width:
        start = max(0, spans[0][0] - width // 3)
    end = min(len(text), start + width)
    out, at = Markup(""), start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out += Markup("{}<mark>{}</mark>").format(text[at:a], text[a:b])
        at = b
    out += Markup("{}").format(text[at:end])
    if start > 0:
        out = Markup("…") + out
    if end < len(text):
        out += Markup("…")
    return out

