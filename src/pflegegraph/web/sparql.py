"""``/sparql``: the SPARQL 1.1 Protocol query operation, read-only, with hard limits.

GET, POST form and POST direct; default-graph-uri and named-graph-uri; content negotiation with
q-values and a ``format`` override; the Service Description on a GET without a query; CORS for
reads. Every error is a plain-text sentence with the status the protocol asks for. With the
result cache (embedded store), ``Pflegegraph-Cache`` says ``hit`` or ``miss``; ``Cache-Control:
no-cache`` or ``no-store`` (or ``Pragma: no-cache``) runs the query again.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from pflegegraph.errors import PflegegraphError, QuerySyntaxError, ServiceCallFailed
from pflegegraph.execution import CachingRunner, QueryRequest, QueryTimeout, ServiceBusy
from pflegegraph.execution.core import NotAcceptable, RemoteFailure
from pflegegraph.guard import RefusedQuery, check_graph, check_query, looks_like_update
from pflegegraph.results import graph_text
from pflegegraph.web import negotiation
from pflegegraph.web.clients import TooManyQueries, run_counted
from pflegegraph.web.protocol import READ_ONLY, ProtocolError, parse
from pflegegraph.web.service_description import description

bp = Blueprint("sparql", __name__)

TRUNCATED = "Pflegegraph-Result-Truncated"
ROW_LIMIT = "Pflegegraph-Row-Limit"
CACHE = "Pflegegraph-Cache"
EXPOSED = f"{TRUNCATED}, {ROW_LIMIT}, {CACHE}, Server-Timing"


def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    return response


def error(status: int, message: str, **headers: str) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers)
    return cors(response)


@bp.route("/sparql", methods=["OPTIONS"])
def preflight():
    response = cors(Response(status=204))
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, Cache-Control, Pragma"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = "GET, POST, OPTIONS"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
    try:
        proto = parse(request, settings.max_body_bytes)
        if proto.formats:
            accept = negotiation.format_override(proto.formats)
        else:
            accept = negotiation.accepted_header(request.headers.get("Accept"))
    except ProtocolError as exc:
        return error(exc.status, exc.message)
    except PflegegraphError as exc:
        return error(400, exc.message)
    if proto.query is None:
        if request.method == "GET" and not proto.formats and _prefers_html():
            from pflegegraph.web.browse import editor_response

            return editor_response()  # a browser opening /sparql gets the query editor
        return service_description(accept)
    runner = current_app.extensions["pflegegraph.runner"]
    caching = isinstance(runner, CachingRunner)
    try:
        req = _request(proto, accept, settings)
        answer = run_counted(current_app.extensions["pflegegraph.clients"], runner,
                             request.remote_addr, req, fresh=_no_cache())
    except QuerySyntaxError as exc:
        if looks_like_update(proto.query):
            return error(403, READ_ONLY)
        return error(400, exc.message)
    except RefusedQuery as exc:
        return error(403, f"Refused: {exc.message}.")
    except NotAcceptable as exc:
        return error(406, f"None of the formats you accept fits a {_kind_name(exc.kind)} result; "
                          f"this one can be sent as: "
                          + ", ".join(negotiation.media_type(f) for f in exc.offered) + ".",
                     Vary="Accept")
    except QueryTimeout as exc:
        return error(503, f"Stopped: {exc.message}.", **{"Retry-After": "5"})
    except ServiceBusy as exc:
        return error(503, f"Busy: {exc.message}.", **{"Retry-After": "5"})
    except TooManyQueries as exc:
        return error(429, exc.message, **{"Retry-After": "5"})
    except ServiceCallFailed as exc:
        return error(502, f"Bad gateway: {exc.message}.")
    except RemoteFailure as exc:
        return error(502, f"The store behind this service failed: {exc.message}")
    except PflegegraphError as exc:
        return error(400, exc.message)
    if request.method == "HEAD":  # no body goes out: read it all, so the worker is free again
        for _ in answer.chunks:
            pass
    response = Response(answer.chunks, mimetype=negotiation.media_type(answer.fmt),
                        direct_passthrough=True)
    if answer.fmt in {"csv", "tsv", "turtle"}:
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Vary"] = "Accept"
    if answer.length is not None:  # a body known in full: sent with its length, not in chunks
        response.headers["Content-Length"] = str(answer.length)
    timing = f"engine;dur={answer.seconds * 1000:.2f}"
    response.headers["Server-Timing"] = timing + ', cache;desc="hit"' if answer.cached else timing
    if caching:
        response.headers[CACHE] = "hit" if answer.cached else "miss"
    if settings.row_limit:
        response.headers[ROW_LIMIT] = str(settings.row_limit)
    if answer.truncated:
        response.headers[TRUNCATED] = (f"true; the result was cut at {answer.rows} "
                                       f"{'triples' if answer.kind == 'graph' else 'rows'}")
    # With direct passthrough the WSGI server gets answer.chunks itself and closes it when done
    # or when the client goes away: that frees the query worker and the client's place.
    return cors(response)


def _no_cache() -> bool:
    """The client asks for an answer not taken from a cache."""
    control = request.cache_control
    return bool(control.no_cache or control.no_store or "no-cache" in request.pragma)


def _kind_name(kind: str) -> str:
    return "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"


def _request(proto, accept: tuple[str, ...], settings) -> QueryRequest:
    store = current_app.extensions["pflegegraph.store"]
    graphs = {g.value if isinstance(g, ox.NamedNode) else str(g) for g in store.graphs()}
    allow = settings.service_allowlist
    dataset = check_query(proto.query, graphs, allow, settings.query_max_nesting)
    for iri in proto.default_graphs:
        check_graph(iri, graphs, allow, "default-graph-uri")
    for iri in proto.named_graphs:
        check_graph(iri, graphs, allow, "named-graph-uri")
    default = named = None
    if proto.default_graphs or proto.named_graphs:  # the protocol's dataset overrides FROM
        default, named = tuple(proto.default_graphs), tuple(proto.named_graphs)
    elif dataset.given:
        default, named = tuple(dataset.default), tuple(dataset.named)
    return QueryRequest(proto.query, accept=accept, default_graphs=default, named_graphs=named,
                        row_limit=settings.row_limit or None)


def _prefers_html() -> bool:
    offered = ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
               "application/rdf+xml"]
    return request.accept_mimetypes.best_match(offered, default=None) == "text/html"


def service_description(accept: tuple[str, ...]) -> Response:
    fmt = next((f for f in accept if f in {"turtle", "ntriples", "jsonld", "rdfxml"}), None)
    if fmt is None:
        return error(406, "The service description is RDF; accept one of text/turtle, "
                          "application/n-triples, application/ld+json, application/rdf+xml.",
                     Vary="Accept")
    settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
    store = current_app.extensions["pflegegraph.store"]
    graphs = [g.value if isinstance(g, ox.NamedNode) else str(g) for g in store.graphs()]
    limits = {"query timeout": f"{settings.query_timeout:g} s",
              "row limit": str(settings.row_limit),
              "request body limit": f"{settings.max_body_bytes} bytes",
              "queries at once per client address": str(settings.client_max_queries or "no limit")}
    triples = description(request.base_url, graphs, True, limits)
    body = graph_text(triples, fmt, {"sd": "http://www.w3.org/ns/sparql-service-description#",
                                     "dcterms": "http://purl.org/dc/terms/"})
    response = Response(body, mimetype=negotiation.media_type(fmt))
    response.headers["Vary"] = "Accept"
    return cors(response)
