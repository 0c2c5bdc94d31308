"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, Oxigraph server, QLever, GraphDB) behind the
same narrow interface as the embedded store, reached through SPARQLWrapper.

Results come back as SPARQL JSON (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) and are
parsed by pyoxigraph into the same terms the embedded store gives, so the service, the CLI and
the pages do not see a difference. The socket timeout is the query deadline; the store should
also stop the query on its side (Oxigraph: ``--timeout-s``, Virtuoso: ``MaxQueryExecutionTime``).
"""

from __future__ import annotations

import ast
import http.client
import socket
import threading
import time
import urllib.error
from collections.abc import Mapping

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, JSON, N3, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from pflegegraph.binding import bind
from pflegegraph.errors import QuerySyntaxError, UserError
from pflegegraph.execution.core import QueryTimeout, RemoteFailure
from pflegegraph.guard import QUERY_FORMS, tokens
from pflegegraph.namespaces import PREFIXES
from pflegegraph.settings import Settings
from pflegegraph.store import QueryResult, _collect

GRAPH_CACHE_SECONDS = 60.0


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword of the text."""
    for tok in tokens(text):
        if tok.kind == "word" and tok.value.upper() in QUERY_FORMS:
            return tok.value.upper()
    return "SELECT"


def _text(exc: Exception) -> str:
    """The store's own words from a SPARQLWrapper exception, without its boilerplate."""
    text = str(exc)
    _, found, response = text.partition("Response:\n")
    if found:
        text = response.strip()
        if text.startswith(("b'", 'b"')):
            try:
                text = ast.literal_eval(text).decode("utf-8", errors="replace")
            except (ValueError, SyntaxError):
                pass
    text = text.split("\n\nSPARQL query:", 1)[0]  # Virtuoso echoes the whole request after its message
    return text.strip()[:2000]


class RemoteStore:
    """Queries go to ``endpoint``; updates (push) to ``update_endpoint``."""

    def __init__(self, endpoint: str, update_endpoint: str = "", user: str = "", password: str = "",
                 auth: str = "basic", timeout: float = 30.0):
        if not endpoint.startswith(("http://", "https://")):
            raise UserError(f"the endpoint must be an http:// or https:// URL, got {endpoint!r}")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.user, self.password, self.auth = user, password, auth
        self.timeout = timeout
        self.prefixes = dict(PREFIXES)
        self._graphs: tuple[float, list[ox.NamedNode]] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        if not settings.endpoint:
            raise UserError("the remote backend needs an endpoint: give --endpoint URL or set "
                            "PFLEGEGRAPH_ENDPOINT")
        return cls(settings.endpoint, settings.update_endpoint, settings.endpoint_user,
                   settings.endpoint_password, settings.endpoint_auth, settings.query_timeout)

    # --- talking to the store -------------------------------------------------------

    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url, agent="pflegegraph")
        wrapper.setTimeout(int(max(1, round(self.timeout))))
        if self.user:
            wrapper.setCredentials(self.user, self.password)
            if self.auth == "digest":
                wrapper.setHTTPAuth(DIGEST)
        return wrapper

    def _send(self, wrapper: SPARQLWrapper) -> bytes:
        try:
            response = wrapper.query().response
            return response.read()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(f"the store refused the query: {_text(exc)}") from None
        except SPARQLWrapperException as exc:
            raise RemoteFailure(f"{wrapper.endpoint} answered: {_text(exc)}") from None
        except urllib.error.HTTPError as exc:
            raise RemoteFailure(f"{wrapper.endpoint} answered {exc.code}: "
                                f"{exc.read().decode('utf-8', 'replace')[:2000]}") from None
        except TimeoutError:
            raise QueryTimeout(f"the store did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise QueryTimeout(f"the store did not answer within {self.timeout:g} s") from None
            raise connection_failure(wrapper.endpoint, exc.reason) from None
        except (OSError, http.client.HTTPException) as exc:
            raise connection_failure(wrapper.endpoint, exc) from None

    def query(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              *, source: str | None = None, default_graphs: list[ox.NamedNode] | None = None,
              named_graphs: list[ox.NamedNode] | None = None, limit: int | None = None) -> QueryResult:
        text = bind(sparql, bindings) if bindings else sparql
        wrapper = self._wrapper(self.endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        # Say the form is UTF-8: without it Virtuoso 7.2 reads "außer" in a query as Latin-1.
        wrapper.addCustomHttpHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        wrapper.setQuery(text)
        wrapper.queryType = query_form(text)  # SPARQLWrapper guesses, and comments can fool it
        for graph in default_graphs or ():
            wrapper.addDefaultGraph(graph.value)
        for graph in named_graphs or ():
            wrapper.addNamedGraph(graph.value)
        graph_form = query_form(text) in {"CONSTRUCT", "DESCRIBE"}
        wrapper.setReturnFormat(N3 if graph_form else JSON)
        wrapper.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9" if graph_form
                                    else "application/sparql-results+json")
        started = time.perf_counter()
        data = self._send(wrapper)
        try:
            if graph_form:
                raw = (q.triple for q in ox.parse(data, format=_rdf_format(data)))
            else:
                raw = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
            result = _collect(raw, limit)
        except (SyntaxError, ValueError) as exc:
            raise RemoteFailure(f"the store's answer could not be read: {exc}") from None
        result.seconds = time.perf_counter() - started
        return result

    def update(self, text: str) -> None:
        """Send one SPARQL 1.1 Update request to the update endpoint."""
        wrapper = self._wrapper(self.update_endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(POSTDIRECTLY if self.update_endpoint.endswith("/update")
                                 else URLENCODED)
        wrapper.setQuery(text)
        wrapper.queryType = "INSERT"  # any update keyword: sent as an update request
        self._send(wrapper)

    def count(self, graph: str) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                            {"g": ox.NamedNode(graph)})
        return int(result.rows[0]["n"].value) if result.rows else 0

    # --- describing ---------------------------------------------------------------

    def graphs(self) -> list[ox.NamedNode]:
        """The store's named graphs (asked once a minute)."""
        with self._lock:
            if self._graphs and time.monotonic() - self._graphs[0] < GRAPH_CACHE_SECONDS:
                return self._graphs[1]
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        graphs = [row["g"] for row in result.rows if isinstance(row.get("g"), ox.NamedNode)]
        with self._lock:
            self._graphs = (time.monotonic(), graphs)
        return graphs

    def forget_graphs(self) -> None:
        with self._lock:
            self._graphs = None


def connection_failure(url: str, reason: object) -> RemoteFailure:
    """What went wrong on the way to the store at ``url``, in words (the store is named)."""
    if isinstance(reason, ConnectionRefusedError):
        return RemoteFailure(f"cannot reach the store at {url}: the connection was refused (is "
                             "the store running?)")
    if isinstance(reason, http.client.IncompleteRead):
        return RemoteFailure(f"the connection to the store at {url} broke off in the middle of "
                             "its answer")
    if isinstance(reason, ConnectionResetError | BrokenPipeError | http.client.HTTPException):
        detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return RemoteFailure(f"the connection to the store at {url} broke off before the answer "
                             f"was complete ({detail})")
    if isinstance(reason, OSError) and reason.strerror:
        return RemoteFailure(f"cannot reach the store at {url}: {reason.strerror}")
    return RemoteFailure(f"cannot reach the store at {url}: {reason}")


def _rdf_format(data: bytes) -> ox.RdfFormat:
    # N-Triples is Turtle too; some stores answer RDF/XML whatever the Accept header says.
    return ox.RdfFormat.RDF_XML if data.lstrip().startswith(b"<?xml") else ox.RdfFormat.TURTLE
