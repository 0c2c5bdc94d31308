"""``/sparql`` query requests, answered as a plain WSGI app in front of Flask.

A query request (GET with a ``query`` parameter, POST form or POST direct, and their HEAD) is
the one request a SPARQL client sends over and over. It is read, checked and answered here
without Flask's request and app contexts, URL routing and response object: measured on the
2-core box, that takes some 0.4 ms off every request that comes after a pause (sequential
requests: a script, a notebook, SPARQLWrapper in a loop), and a 10 ms query's whole overhead is
about 2 ms. Everything else under ``/sparql`` goes on to the Flask app: a GET without a query
(the Service Description, or the query editor for a browser), the CORS preflight, and any other
method (405 with ``Allow``).

The answer is the same as Flask's would be: a plain-text sentence for every error, with the
status the SPARQL 1.1 Protocol asks for; the result with its media type (and charset where
Flask would add one), ``Vary``, ``Server-Timing``, the row-limit, truncation and cache headers,
and CORS. An unexpected failure is logged and answered with a plain 500, never a traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import pyoxigraph as ox
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Request

from pflegegraph.errors import PflegegraphError, QuerySyntaxError, ServiceCallFailed
from pflegegraph.execution import CachingRunner, QueryRequest, QueryTimeout, ServiceBusy
from pflegegraph.execution.core import NotAcceptable, RemoteFailure
from pflegegraph.guard import RefusedQuery, check_graph, check_query, looks_like_update
from pflegegraph.web import negotiation
from pflegegraph.web.clients import TooManyQueries, run_counted
from pflegegraph.web.protocol import READ_ONLY, ProtocolError, ProtocolRequest, parse

log = logging.getLogger("pflegegraph.web")

PATH = "/sparql"
METHODS = frozenset({"GET", "POST", "HEAD"})  # a query request; other methods go to Flask
TRUNCATED = "Pflegegraph-Result-Truncated"
ROW_LIMIT = "Pflegegraph-Row-Limit"
CACHE = "Pflegegraph-Cache"
EXPOSED = f"{TRUNCATED}, {ROW_LIMIT}, {CACHE}, Server-Timing"
CORS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
INTERNAL = "500 Internal Server Error: the service failed on this request; the failure is logged.\n"
PLAIN = "text/plain; charset=utf-8"


class Reply:
    """A status, headers and a body (an iterable of bytes) for the WSGI server."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list[tuple[str, str]], body):
        self.status, self.headers, self.body = status, headers, body


def plain(status: int, message: str, **headers: str) -> Reply:
    """A plain-text sentence with CORS headers (and ``headers``: Vary, Retry-After...)."""
    data = (message.rstrip() + "\n").encode("utf-8")
    return Reply(status, [("Content-Type", PLAIN), ("Content-Length", str(len(data))),
                          *headers.items(), *CORS], [data])


class QueryEndpoint:
    """WSGI middleware: query requests to ``/sparql`` are answered here, the rest by ``app``."""

    def __init__(self, app, settings, store, runner, clients):
        self.app = app
        self.settings = settings
        self.store = store
        self.runner = runner
        self.clients = clients
        self.caching = isinstance(runner, CachingRunner)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in METHODS:
            return self.app(environ, start_response)
        request = Request(environ)  # the body limit: protocol.parse checks it on what arrives
        try:
            reply = self.respond(request)
        except Exception:  # the Flask app's last resort, for this path: logged, never shown
            log.exception("unexpected error on %s %s", request.method, PATH)
            reply = plain(500, INTERNAL)
        if reply is None:  # no query: the Service Description or the editor, from Flask
            return self.app(environ, start_response)
        start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", reply.headers)
        if request.method == "HEAD":
            return _drained(reply)
        return reply.body

    def respond(self, request: Request) -> Reply | None:
        """The reply to a query request, or None when it carries no query."""
        try:
            proto, accept = read_request(request, self.settings.max_body_bytes)
        except ProtocolError as exc:
            return plain(exc.status, exc.message)
        if proto.query is None:
            return None
        try:
            query = self.query_request(proto, accept)
            answer = run_counted(self.clients, self.runner, request.remote_addr, query,
                                 fresh=no_cache(request))
        except QuerySyntaxError as exc:
            if looks_like_update(proto.query):
                return plain(403, READ_ONLY)
            return plain(400, exc.message)
        except RefusedQuery as exc:
            return plain(403, f"Refused: {exc.message}.")
        except NotAcceptable as exc:
            return plain(406, f"None of the formats you accept fits a {kind_name(exc.kind)} result; "
                              "this one can be sent as: "
                              + ", ".join(negotiation.media_type(f) for f in exc.offered) + ".",
                         Vary="Accept")
        except QueryTimeout as exc:
            return plain(503, f"Stopped: {exc.message}.", **{"Retry-After": "5"})
        except ServiceBusy as exc:
            return plain(503, f"Busy: {exc.message}.", **{"Retry-After": "5"})
        except TooManyQueries as exc:
            return plain(429, exc.message, **{"Retry-After": "5"})
        except ServiceCallFailed as exc:
            return plain(502, f"Bad gateway: {exc.message}.")
        except RemoteFailure as exc:
            return plain(502, f"The store behind this service failed: {exc.message}")
        except PflegegraphError as exc:
            return plain(400, exc.message)
        return self.result(answer)

    def query_request(self, proto, accept: tuple[str, ...]) -> QueryRequest:
        """The checked query: its policy (SERVICE, FROM, nesting) and its dataset."""
        settings = self.settings
        graphs = {g.value if isinstance(g, ox.NamedNode) else str(g) for g in self.store.graphs()}
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

    def result(self, answer) -> Reply:
        """The answer's body with its headers. The WSGI server gets ``answer.chunks`` itself and
        closes it when done or when the client goes away: that frees the query worker and the
        client's place."""
        headers = [("Content-Type", get_content_type(negotiation.media_type(answer.fmt), "utf-8")),
                   ("Vary", "Accept")]
        if answer.length is not None:  # a body known in full: sent with its length, not in chunks
            headers.append(("Content-Length", str(answer.length)))
        timing = f"engine;dur={answer.seconds * 1000:.2f}"
        headers.append(("Server-Timing", timing + ', cache;desc="hit"' if answer.cached else timing))
        if self.caching:
            headers.append((CACHE, "hit" if answer.cached else "miss"))
        if self.settings.row_limit:
            headers.append((ROW_LIMIT, str(self.settings.row_limit)))
        if answer.truncated:
            headers.append((TRUNCATED, f"true; the result was cut at {answer.rows} "
                                       f"{'triples' if answer.kind == 'graph' else 'rows'}"))
        headers.extend(CORS)
        return Reply(200, headers, answer.chunks)


def read_request(request: Request, body_limit: int) -> tuple[ProtocolRequest, tuple[str, ...]]:
    """The protocol request and the formats the client accepts, in its order; a ProtocolError
    with the status and the sentence for anything wrong (an unknown ``format`` is a 400)."""
    proto = parse(request, body_limit)
    try:
        if proto.formats:
            return proto, negotiation.format_override(proto.formats)
        return proto, negotiation.accepted_header(request.environ.get("HTTP_ACCEPT"))
    except PflegegraphError as exc:
        raise ProtocolError(400, exc.message) from None


def _drained(reply: Reply) -> list[bytes]:
    """No body for HEAD: the answer is read to its end and closed, so its worker is free again."""
    try:
        for _ in reply.body:
            pass
    finally:
        close = getattr(reply.body, "close", None)
        if close:
            close()
    return []


def no_cache(request: Request) -> bool:
    """The client asks for an answer not taken from a cache."""
    environ = request.environ
    if "HTTP_CACHE_CONTROL" not in environ and "HTTP_PRAGMA" not in environ:
        return False
    control = request.cache_control
    return bool(control.no_cache or control.no_store or "no-cache" in request.pragma)


def kind_name(kind: str) -> str:
    return "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
