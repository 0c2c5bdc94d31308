"""``/sparql``: the SPARQL 1.1 protocol, query operation (read-only)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from pflegegraph.errors import PflegegraphError
from pflegegraph.results import MEDIA_TYPES, render

bp = Blueprint("sparql", __name__)

_ACCEPT_SOLUTIONS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_ACCEPT_GRAPH = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def _query_text() -> tuple[str | None, Response | None]:
    if request.method == "GET":
        values = request.args.getlist("query")
    elif request.mimetype == "application/x-www-form-urlencoded":
        values = request.form.getlist("query")
    elif request.mimetype == "application/sparql-query":
        try:
            return request.get_data().decode("utf-8"), None
        except UnicodeDecodeError:
            return None, _error(400, "The request body is not valid UTF-8.")
    else:
        return None, _error(415, "POST a query as application/x-www-form-urlencoded or "
                                 "application/sparql-query.")
    if len(values) > 1:
        return None, _error(400, "Give the query parameter once, not several times.")
    if not values:
        return None, _error(400, "No query given: pass it in the 'query' parameter.")
    return values[0], None


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    text, error = _query_text()
    if error is not None:
        return error
    store = current_app.extensions["pflegegraph.store"]
    try:
        result = store.query(text)
    except PflegegraphError as exc:
        return _error(400, exc.message)
    table = _ACCEPT_GRAPH if result.kind == "graph" else _ACCEPT_SOLUTIONS
    fmt = request.args.get("format") or request.form.get("format")
    if fmt is None:
        best = request.accept_mimetypes.best_match(list(table), default=None)
        if best is None and request.accept_mimetypes.provided and "*/*" not in str(request.accept_mimetypes):
            return _error(406, "None of the accepted media types fits this result; acceptable: "
                               + ", ".join(table))
        fmt = table[best] if best else next(iter(table.values()))
    try:
        body = render(result, fmt, store.prefixes)
    except PflegegraphError as exc:
        return _error(400, exc.message)
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
