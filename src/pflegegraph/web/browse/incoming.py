"""What points to a resource: per property, the first few subjects on the resource page and all of
them on a paged list, ``/incoming?iri=…&p=…``.

A hub such as a class (``rdf:type``), a vocabulary concept or a state-level document has thousands
of incoming links at a million triples. The resource page therefore counts them per property in one
query and fetches only ``PER_PROPERTY`` subjects of each (an index lookup each, bound as VALUES); the
paged list runs through the app's runner, with the deadline and the row cap.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, request, url_for

from pflegegraph.binding import bind
from pflegegraph.errors import PflegegraphError
from pflegegraph.web.browse import common, running
from pflegegraph.web.browse.common import T, page, page_lang, state

bp = Blueprint("browse_incoming", __name__, template_folder="templates")

PER_PROPERTY = 20
PAGE_SIZE = 100
COUNTS = "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o . FILTER(isIRI(?s)) } GROUP BY ?p"
SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o . FILTER(isIRI(?s)) } LIMIT %d"
# Incoming through a blank node: "X is derived from this document (page 78)".
BLANK_PROPERTIES = "SELECT DISTINCT ?p WHERE { ?b ?p ?o . FILTER(isBlank(?b)) }"
OWNERS = ("SELECT DISTINCT ?owner ?q WHERE { ?b ?p ?o . FILTER(isBlank(?b)) ?owner ?q ?b . "
          "FILTER(isIRI(?owner)) } LIMIT %d")
PAGE_DIRECT = "SELECT DISTINCT ?s WHERE { ?s ?p ?o . FILTER(isIRI(?s)) } ORDER BY ?s LIMIT %d OFFSET %d"
PAGE_VIA = ("SELECT DISTINCT ?s WHERE { ?b ?p ?o . FILTER(isBlank(?b)) ?s ?q ?b . FILTER(isIRI(?s)) } "
            "ORDER BY ?s LIMIT %d OFFSET %d")


def more_url(iri: str, prop: str, via: bool = False) -> str:
    args = {"iri": iri, "p": prop}
    if via:
        args["via"] = "1"
    return common.with_lang(url_for("browse_incoming.incoming") + "?" + urlencode(args))


def inverse_rows(store, iri: str) -> list[dict]:
    """Per property pointing here: its label, the first subjects (by label), the total, a URL for all."""
    labels = state().labels
    lang = page_lang()
    node = ox.NamedNode(iri)
    rows: dict[str, dict] = {}
    for r in store.query(COUNTS, {"o": node}).rows:
        prop, total = r["p"].value, int(r["n"].value)
        found = store.query(SUBJECTS % PER_PROPERTY, {"p": r["p"], "o": node}).rows
        subjects = [{"iri": s["s"].value,
                     "editorial": labels.editorial_statement(s["s"].value, prop, node)} for s in found]
        rows[prop] = {"prop": prop, "subjects": subjects, "total": total,
                      "more": more_url(iri, prop) if total > len(subjects) else None}
    for r in store.query(BLANK_PROPERTIES, {"o": node}).rows:
        found = store.query(OWNERS % (PER_PROPERTY + 1), {"p": r["p"], "o": node}).rows
        for s in found[:PER_PROPERTY]:
            row = rows.setdefault(s["q"].value, {"prop": s["q"].value, "subjects": [], "total": 0,
                                                 "more": None})
            if all(x["iri"] != s["owner"].value for x in row["subjects"]):
                row["subjects"].append({"iri": s["owner"].value, "editorial": None})
                row["total"] += 1
        if len(found) > PER_PROPERTY:
            row = rows[found[0]["q"].value]
            row["more"] = more_url(iri, r["p"].value, via=True)
    out = []
    for row in rows.values():
        row["label"] = labels.label(row["prop"], lang)
        row["subjects"].sort(key=lambda x: labels.label(x["iri"], lang).casefold())
        out.append(row)
    return sorted(out, key=lambda r: r["label"].casefold())


@bp.get("/incoming")
def incoming():
    """All subjects that point to ``iri`` through ``p`` (directly, or with ``via`` through a blank
    node), a page at a time, in the order of their IRIs."""
    iri, prop = request.args.get("iri", "").strip(), request.args.get("p", "").strip()
    via = request.args.get("via") == "1"
    try:
        node, pnode = ox.NamedNode(iri), ox.NamedNode(prop)
    except ValueError:
        return page("browse/error.html", status=400, title=T("Ungültige Angabe", "Invalid request"),
                    message=T("iri und p müssen IRIs sein.", "iri and p must be IRIs."), back=None)
    try:
        number = max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        number = 1
    template = PAGE_VIA if via else PAGE_DIRECT
    text = bind(template % (PAGE_SIZE + 1, (number - 1) * PAGE_SIZE), {"p": pnode, "o": node})
    try:
        result = running.run_text(text)
    except running.STOPPED:
        raise
    except PflegegraphError as exc:
        return page("browse/error.html", status=400, title=T("Fehler", "Error"), message=exc.message,
                    back=None)
    subjects = [r["s"].value for r in result.rows]
    args = {"iri": iri, "p": prop, **({"via": "1"} if via else {})}
    base = url_for("browse_incoming.incoming")
    prev_url = (common.with_lang(base + "?" + urlencode(dict(args, page=number - 1)))
                if number > 1 else None)
    next_url = (common.with_lang(base + "?" + urlencode(dict(args, page=number + 1)))
                if len(subjects) > PAGE_SIZE else None)
    return page("browse/incoming.html", iri=iri, prop=prop, via=via, subjects=subjects[:PAGE_SIZE],
                number=number, first=(number - 1) * PAGE_SIZE + 1, prev_url=prev_url, page_size=PAGE_SIZE,
                next_url=next_url, title=state().labels.label(iri, page_lang()))
