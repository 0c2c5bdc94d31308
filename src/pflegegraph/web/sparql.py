"""``/sparql`` in the Flask app: the Service Description, the query editor and CORS preflight.

The SPARQL 1.1 Protocol query operation itself (GET, POST form and POST direct, with the hard
limits) is answered by ``QueryEndpoint`` (endpoint.py), a WSGI layer in front of this app that
passes on the ``/sparql`` requests without a query and the methods it does not answer. Here:
a GET without a query gets the Service Description by content negotiation (a browser gets the
query editor); OPTIONS is the CORS preflight; any other method gets 405 with ``Allow``.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from pflegegraph.results import graph_text
from pflegegraph.web import negotiation
from pflegegraph.web.endpoint import CORS, read_request
from pflegegraph.web.protocol import ProtocolError
from pflegegraph.web.service_description import description

bp = Blueprint("sparql", __name__)


def cors(response: Response) -> Response:
    response.headers.extend(CORS)
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
    """A ``/sparql`` request without a query: the query editor for a browser, else the Service
    Description. Query requests are answered before Flask by the QueryEndpoint (endpoint.py),
    which passes on only a GET without a query; a bare Flask app hands them to it here."""
    settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
    try:
        proto, accept = read_request(request, settings.max_body_bytes)
    except ProtocolError as exc:
        return error(exc.status, exc.message)
    if proto.query is not None:  # answered by the endpoint in front; here for a bare Flask app
        reply = current_app.extensions["pflegegraph.endpoint"].respond(request)
        return Response(reply.body, status=reply.status, headers=reply.headers,
                        direct_passthrough=True)
    if request.method == "GET" and not proto.formats and _prefers_html():
        from pflegegraph.web.browse import editor_response

        return editor_response()  # a browser opening /sparql gets the query editor
    return service_description(accept)


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
