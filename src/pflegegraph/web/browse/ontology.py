"""``/ontology`` and ``/def``: the classes and properties with labels and definitions in German and
English, and the shared vocabularies. ``/def`` is the ontology's own IRI: HTML for browsers (with
an anchor per term, so ``/def#ActionField`` lands on it) and the ontology graphs as RDF."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, url_for

from pflegegraph.labels import OWL, RDFS, SKOS
from pflegegraph.results import graph_text
from pflegegraph.web.browse import common
from pflegegraph.web.browse.common import page, page_lang, state

bp = Blueprint("browse_ontology", __name__, template_folder="templates")

TERMS = f"""SELECT ?term ?kind ?p ?o WHERE {{
  GRAPH ?g {{ ?term a ?kind ; ?p ?o }}
  FILTER(STRSTARTS(STR(?g), STR(?ns)))
  VALUES ?kind {{ <{OWL}Class> <{OWL}ObjectProperty> <{OWL}DatatypeProperty> }}
  VALUES ?p {{ <{RDFS}label> <{SKOS}definition> <{RDFS}subClassOf> <{RDFS}domain> <{RDFS}range>
              <{RDFS}subPropertyOf> }}
}}"""
SCHEMES = f"""SELECT ?scheme ?concept WHERE {{
  GRAPH ?g {{ ?scheme a <{SKOS}ConceptScheme> OPTIONAL {{ ?scheme <{SKOS}hasTopConcept> ?concept }} }}
  FILTER(STRSTARTS(STR(?g), STR(?ns)))
}}"""
ALL = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), STR(?ns))) }"
KINDS = {OWL + "Class": "classes", OWL + "ObjectProperty": "properties",
         OWL + "DatatypeProperty": "properties"}


def _ns() -> ox.Literal:
    return ox.Literal(common.settings().graph_namespace + "ontology/")


@bp.get("/ontology")
def ontology():
    return _html()


@bp.get("/def")
def definitions():
    fmt = common.negotiate()
    if fmt is None:
        return common.not_acceptable(["html", *common.RDF_FORMATS])
    if fmt == "html":
        return _html()
    rows = common.store().query(ALL, {"ns": _ns()}).rows
    triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
    response = Response(graph_text(triples, fmt, state().labels.prefixes),
                        mimetype=common.RDF_FORMATS[fmt][0])
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _alternates():
    return [(url_for("browse_ontology.definitions", format=suffix), mime, title)
            for mime, suffix, title in common.RDF_FORMATS.values()]


def _html():
    lang = page_lang()
    labels = state().labels
    terms: dict[str, dict] = {}
    for r in common.store().query(TERMS, {"ns": _ns()}).rows:
        iri = r["term"].value
        t = terms.setdefault(iri, {"iri": iri, "section": KINDS[r["kind"].value],
                                   "kind": labels.label(r["kind"].value, lang), "label": {},
                                   "definition": {}, "super": [], "domain": [], "range": []})
        p, o = r["p"].value, r["o"]
        if p == RDFS + "label" and isinstance(o, ox.Literal):
            t["label"][o.language or ""] = o.value
        elif p == SKOS + "definition" and isinstance(o, ox.Literal):
            t["definition"][o.language or ""] = o.value
        elif isinstance(o, ox.NamedNode):
            key = {"subClassOf": "super", "subPropertyOf": "super"}.get(p.rsplit("#", 1)[-1],
                                                                       p.rsplit("#", 1)[-1])
            if o.value not in t[key]:
                t[key].append(o.value)
    for t in terms.values():
        t["anchor"] = t["iri"].rsplit("#", 1)[-1] if "#" in t["iri"] else t["iri"].rsplit("/", 1)[-1]
        t["name"] = labels.fallback(t["iri"])
    classes = sorted((t for t in terms.values() if t["section"] == "classes"),
                     key=lambda t: labels.label(t["iri"], lang).casefold())
    properties = sorted((t for t in terms.values() if t["section"] == "properties"),
                        key=lambda t: labels.label(t["iri"], lang).casefold())
    schemes: dict[str, list[str]] = {}
    for r in common.store().query(SCHEMES, {"ns": _ns()}).rows:
        bucket = schemes.setdefault(r["scheme"].value, [])
        if r.get("concept") is not None:
            bucket.append(r["concept"].value)
    return page("browse/ontology.html", classes=classes, properties=properties,
                schemes=sorted(schemes.items(), key=lambda s: labels.label(s[0], lang)),
                alternates=_alternates(), class_url=_class_url)


def _class_url(iri: str) -> str:
    from pflegegraph.web.browse.views import class_url

    return class_url(iri)
