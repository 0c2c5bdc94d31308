"""The SPARQL editor at ``/editor``: a textarea with syntax highlighting (static/editor.js, no CDN,
no build step), the prefixes filled in, the named queries as examples, and a results table. It
sends the query to the SPARQL endpoint (``/sparql``), so the hard limits of the service apply.

``editor_response()`` returns the page; the SPARQL blueprint answers a browser's ``GET /sparql``
without a query with it.
"""

from __future__ import annotations

from flask import Blueprint, request

from pflegegraph.web.browse import common
from pflegegraph.web.browse.common import page, page_lang, state

bp = Blueprint("browse_editor", __name__, template_folder="templates")

# Prefixes filled into a new query, in this order.
DEFAULT_PREFIXES = ("pg", "pgv", "bshf", "bsm", "bsdoc", "bsisek", "bszg", "rdf", "rdfs", "skos",
                    "dcterms", "prov", "xsd", "schema", "org")
STARTER = """SELECT ?field ?label ?priority WHERE {
  ?field a pg:ActionField ;
         rdfs:label ?label ;
         pg:statedPriority ?priority .
  FILTER(LANG(?label) = "%s")
}
ORDER BY ?label
LIMIT 50
"""


def prefix_block() -> str:
    prefixes = state().labels.prefixes
    return "".join(f"PREFIX {name}: <{prefixes[name]}>\n" for name in DEFAULT_PREFIXES
                   if name in prefixes)


@bp.get("/editor")
def editor():
    return editor_response()


def editor_response():
    """The editor page for the current request (``?query=`` or ``?example=NAME`` preload it)."""
    lang = page_lang()
    catalog = state().catalog
    examples = [{"name": q.name, "title": q.title_in(lang), "text": q.text} for q in catalog]
    text = request.args.get("query")
    chosen = request.args.get("example", "")
    if text is None and chosen in catalog.queries:
        text = catalog.get(chosen).text
    if text is None:
        text = prefix_block() + "\n" + STARTER % lang
    prefixes = state().labels.prefixes
    return page("browse/editor.html", text=text[:100_000], examples=examples, chosen=chosen,
                endpoint=request.script_root + "/sparql", base=common.base_iri(),
                resource_url=request.script_root + "/resource", prefixes=prefixes,
                row_limit=common.settings().row_limit)
