"""Linked-Data pages: every IRI under the base IRI resolves on this service.

``GET /id/03101000/handlungsfeld/wohnen`` answers for ``<base>id/03101000/handlungsfeld/wohnen``:
HTML for browsers, Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation, by a suffix
(``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``) or by ``?format=``. Any other IRI has its page at
``/resource?iri=…``. An unknown IRI gets a 404 page with search.
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request

from pflegegraph.describe import Description, describe, rdf_text
from pflegegraph.labels import DCT, OWL, PROV, RDF, RDFS, SCHEMA, SKOS
from pflegegraph.web.browse import common, incoming
from pflegegraph.web.browse.common import T, page, page_lang, state
from pflegegraph.web.browse.provenance import provenance

bp = Blueprint("browse_resources", __name__, template_folder="templates")

# Property groups, in page order: key, German and English heading, properties.
GROUPS = (
    ("names", "Bezeichnung und Beschreibung", "Names and description",
     {RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCT + "title", SCHEMA + "name",
      SKOS + "definition", RDFS + "comment", DCT + "description", SKOS + "note", SKOS + "notation"}),
    ("kind", "Einordnung", "Classification",
     {RDF + "type", SKOS + "inScheme", SKOS + "topConceptOf", SKOS + "hasTopConcept", SKOS + "broader",
      SKOS + "narrower", SKOS + "member", RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain",
      RDFS + "range", OWL + "inverseOf", DCT + "isPartOf", DCT + "hasPart"}),
    ("relations", "Beziehungen", "Relations", set()),
    ("data", "Angaben", "Details", set()),
    ("provenance", "Herkunft und Bearbeitung", "Provenance and editing",
     {DCT + "source", PROV + "qualifiedDerivation", PROV + "wasAttributedTo", DCT + "created",
      DCT + "modified", SKOS + "editorialNote", DCT + "license", RDFS + "seeAlso"}),
)


def _group_of(prop: str, values: list) -> str:
    for key, _, _, props in GROUPS:
        if prop in props:
            return key
    if prop.endswith("verificationStatus"):
        return "provenance"
    return "relations" if any(isinstance(v, ox.NamedNode) for v in values) else "data"


@bp.get("/id/<path:rest>")
def instance(rest: str):
    return dereference("id/" + rest)


@bp.get("/vocab", defaults={"rest": ""})
@bp.get("/vocab/<path:rest>")
def vocab(rest: str):
    return dereference("vocab/" + rest if rest else "vocab")


@bp.get("/vocab.<suffix>")
def vocab_with_suffix(suffix: str):
    """The collection of vocabularies with a format suffix, as its page's alternate links promise."""
    return dereference("vocab." + suffix)


@bp.get("/graph/<path:rest>")
def graph(rest: str):
    return dereference("graph/" + rest)


@bp.get("/resource")
def resource():
    iri = request.args.get("iri", "").strip()
    if not iri:
        return not_found("", status=400)
    return show(iri)


def dereference(path: str):
    iri = common.base_iri() + path
    fmt = None
    match = re.search(r"\.([a-z]+)$", path)
    if match and match.group(1) in common.SUFFIXES:
        plain = iri[: -len(match.group(0))]
        if not _valid_iri(iri):
            return not_found(iri, status=400)
        if not common.is_known(iri) or not describe(common.store(), iri, incoming=False).exists:
            iri, fmt = plain, common.SUFFIXES[match.group(1)]
    return show(iri, fmt)


def alternates(iri: str) -> list[tuple[str, str, str]]:
    path = common.iri_path(iri)
    out = []
    for mime, suffix, title in common.RDF_FORMATS.values():
        if "?" in path:
            url = path + "&" + urlencode({"format": suffix})
        else:
            url = path + "." + suffix
        out.append((url, mime, title))
    return out


def _valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def show(iri: str, fmt: str | None = None):
    fmt = fmt or common.negotiate()
    if fmt is None:
        return common.not_acceptable(["html", *common.RDF_FORMATS])
    if not _valid_iri(iri):
        return not_found(iri, status=400)
    store = common.store()
    desc = describe(store, iri, incoming=False)
    inverse = incoming.inverse_rows(store, iri) if fmt == "html" else []
    if not desc.exists and not inverse and any(g.value == iri for g in store.graphs()):
        return graph_page(iri, fmt)
    if fmt != "html":
        if not desc.exists:
            return Response(f"404 Not Found: the graph knows nothing about <{iri}>.\n", status=404,
                            mimetype="text/plain", headers={"Vary": "Accept"})
        body = rdf_text(desc, fmt, state().labels.prefixes)
        response = Response(body, mimetype=common.RDF_FORMATS[fmt][0])
        if fmt == "turtle":
            response.mimetype_params["charset"] = "utf-8"
        response.headers["Link"] = ", ".join(
            f'<{u}>; rel="alternate"; type="{m}"' for u, m, _ in
            [(common.with_lang(common.iri_path(iri)), "text/html", "HTML"), *alternates(iri)])
        response.headers["Vary"] = "Accept"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    if not desc.exists and not inverse:
        return not_found(iri)
    response = page("browse/resource.html", alternates=alternates(iri), **model(desc, inverse))
    response.headers["Vary"] = "Accept"
    return response


GRAPH_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def graph_page(iri: str, fmt: str):
    """A named graph (one source file): its subjects as a list, or all its triples as RDF."""
    rows = common.store().query(GRAPH_TRIPLES, {"g": ox.NamedNode(iri)}).rows
    if fmt != "html":
        triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
        response = Response(rdf_text_of(triples, fmt), mimetype=common.RDF_FORMATS[fmt][0])
        response.headers["Vary"] = "Accept"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    subjects = sorted({r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode)},
                      key=lambda i: common.label(i).casefold())
    return page("browse/graph.html", alternates=alternates(iri), iri=iri, title=common.label(iri),
                count=len(rows), subjects=subjects)


def rdf_text_of(triples, fmt: str) -> str:
    from pflegegraph.results import graph_text

    return graph_text(triples, fmt, state().labels.prefixes)


def model(desc: Description, inverse: list[dict]) -> dict:
    labels = state().labels
    lang = page_lang()
    iri = desc.iri
    by_prop: dict[str, list] = {}
    for p, o, graph_iri in desc.outgoing:
        by_prop.setdefault(p.value, []).append((o, graph_iri))
    groups = {key: [] for key, *_ in GROUPS}
    for prop, pairs in by_prop.items():
        terms = [o for o, _ in pairs]
        seen, values = set(), []
        for o, _graph in sorted(pairs, key=lambda og: _value_order(og[0], lang)):
            if o in seen:
                continue
            seen.add(o)
            statement = labels.editorial_statement(iri, prop, o)
            values.append({"term": o, "editorial": statement,
                           "blank": desc.blank.get(o.value) if isinstance(o, ox.BlankNode) else None})
        groups[_group_of(prop, terms)].append({"prop": prop, "label": labels.label(prop, lang),
                                               "values": values})
    for rows in groups.values():
        rows.sort(key=lambda r: (r["prop"] != RDF + "type", r["label"].casefold()))
    definition = _literal_in(desc, (SKOS + "definition", RDFS + "comment"), lang)
    editorial_count = sum(1 for rows in groups.values() for r in rows for v in r["values"] if v["editorial"])
    return {
        "iri": iri, "title": labels.label(iri, lang), "title_lang": labels.label_lang(iri, lang),
        "types": sorted(labels.types.get(iri, []), key=lambda t: labels.label(t, lang)),
        "definition": definition,
        "groups": [(key, T(de, en), groups[key]) for key, de, en, _ in GROUPS if groups[key]],
        "inverse": inverse,
        "provenance": provenance(iri), "graphs": desc.graphs, "editorial_count": editorial_count,
        "is_statement": RDF + "Statement" in labels.types.get(iri, [])
        or any(t.endswith("#EditorialStatement") for t in labels.types.get(iri, [])),
    }


def _value_order(term, lang: str):
    if isinstance(term, ox.Literal):
        return (0, term.language != lang, term.language or "", term.value)
    if isinstance(term, ox.NamedNode):
        return (1, False, "", state().labels.label(term.value, lang).casefold())
    return (2, False, "", "")


def _literal_in(desc: Description, props: tuple[str, ...], lang: str) -> str | None:
    for prop in props:
        found = {o.language: o.value for p, o, _ in desc.outgoing
                 if p.value == prop and isinstance(o, ox.Literal)}
        for key in (lang, "de", "en", ""):
            if key in found:
                return found[key]
    return None


def not_found(iri: str, status: int = 404):
    """A helpful 404: what was asked, search results for its words, and similar known IRIs."""
    words = " ".join(w for w in re.split(r"[^0-9A-Za-zÄÖÜäöüß]+", iri.rsplit("/", 1)[-1]) if w)
    hits = state().search.search(words, page_lang(), limit=10) if words else []
    known = [i for i in state().labels.types if i.startswith(iri.rsplit("/", 1)[0])] if iri else []
    similar = difflib.get_close_matches(iri, known, n=5, cutoff=0.6) if iri else []
    return page("browse/notfound.html", status=status, iri=iri, q=words, hits=hits, similar=similar)
