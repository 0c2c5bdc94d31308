"""Queries of the browsing pages, run by the app's runner with the service's deadline and row cap.

The pages ask the same runner as ``/sparql`` (a worker process per query on the embedded store,
see ``pflegegraph.execution``), so a page whose query overruns ``query_timeout`` is stopped like
any other query, and no result is longer than ``row_limit`` rows. The runner takes query text:
parameter values are bound by ``binding.bind`` (a VALUES block of RDF terms, the way a remote
store gets them), never pasted in. The answer comes back as SPARQL TSV (N-Triples for CONSTRUCT
and DESCRIBE), which pyoxigraph reads straight into RDF terms, and becomes the ``QueryResult``
the templates know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox
from flask import current_app
from flask import request as flask_request

from pflegegraph.binding import bind
from pflegegraph.errors import UserError
from pflegegraph.execution import QueryRequest, QueryTimeout, ServiceBusy
from pflegegraph.execution.core import RemoteFailure
from pflegegraph.store import QueryResult
from pflegegraph.web.clients import TooManyQueries, run_counted

__all__ = ["STOPPED", "QueryTimeout", "RemoteFailure", "ServiceBusy", "TooManyQueries", "bound_text",
           "run_named", "run_text", "stopped"]

# What stops a page's query before it has an answer: shown as a page of its own (503, 502, 429).
STOPPED = (QueryTimeout, ServiceBusy, RemoteFailure, TooManyQueries)


def bound_text(query, values: Mapping[str, str], prefixes: Mapping[str, str]) -> str:
    """The named query with the parameter values bound as RDF terms (checked against their types)."""
    return bind(query.text, query.bindings(values, prefixes))


def run_named(name: str, values: Mapping[str, str] | None = None) -> QueryResult:
    """Run a named query of the catalogue with parameter values, through the runner."""
    from pflegegraph.web.browse.common import state

    query = state().catalog.get(name)
    return run_text(bound_text(query, values or {}, state().labels.prefixes))


def run_text(text: str, row_limit: int | None = None) -> QueryResult:
    """Run query text through the app's runner; raises QueryTimeout, ServiceBusy, RemoteFailure,
    QuerySyntaxError or UserError, each with a message for people."""
    settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
    limit = row_limit if row_limit is not None else (settings.row_limit or None)
    request = QueryRequest(text, accept=("tsv", "ntriples"), row_limit=limit)
    answer = run_counted(current_app.extensions["pflegegraph.clients"],
                         current_app.extensions["pflegegraph.runner"], flask_request.remote_addr,
                         request)
    try:
        body = b"".join(answer.chunks)
    finally:
        answer.close()
    try:
        if answer.fmt == "ntriples":
            result = QueryResult("graph", triples=list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
        elif answer.kind == "ask":  # TSV of resultstream: "?_askResult", then true or false
            result = QueryResult("ask", boolean=body.split()[-1:] == [b"true"])
        else:
            solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
            variables = [v.value for v in solutions.variables]
            result = QueryResult("select", variables=variables, rows=LazyRows(list(solutions), variables))
    except (SyntaxError, ValueError) as exc:
        raise UserError(f"the query answer could not be read: {exc}") from exc
    result.seconds = answer.seconds
    result.truncated = answer.truncated
    return result


class LazyRows(Sequence):
    """Result rows made from the solutions pyoxigraph read, when first used: a page that shows 100
    of 10,000 rows makes only those 100 into dictionaries."""

    def __init__(self, solutions: list, variables: list[str]):
        self._solutions = solutions
        self._variables = variables
        self._rows: list[dict | None] = [None] * len(solutions)

    def __len__(self) -> int:
        return len(self._solutions)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        row = self._rows[index]
        if row is None:
            row = self._rows[index] = {name: value for name, value
                                       in zip(self._variables, self._solutions[index], strict=True)
                                       if value is not None}
        return row

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None


def stopped(exc: Exception) -> tuple[int, str, str]:
    """Status, title and message (in the page's language) for a query that was stopped."""
    from pflegegraph.web.browse.common import T

    seconds = f"{current_app.config['PFLEGEGRAPH_SETTINGS'].query_timeout:g}"
    if isinstance(exc, QueryTimeout):
        return 503, T("Zeitlimit überschritten", "Time limit exceeded"), T(
            f"Die Abfrage lief länger als das Zeitlimit von {seconds} s und wurde abgebrochen. "
            "Schränken Sie sie mit den Parametern ein und versuchen Sie es erneut.",
            f"The query ran longer than the time limit of {seconds} s and was stopped. Narrow it "
            "down with the parameters and try again.")
    if isinstance(exc, ServiceBusy):
        return 503, T("Dienst ausgelastet", "Service busy"), T(
            f"Alle Abfrage-Prozesse waren {seconds} s lang belegt. Bitte versuchen Sie es gleich "
            "noch einmal.",
            f"Every query process stayed busy for {seconds} s. Please try again in a moment.")
    if isinstance(exc, TooManyQueries):
        return 429, T("Zu viele Abfragen gleichzeitig", "Too many queries at once"), T(
            f"Von Ihrer Adresse laufen schon {exc.running} Abfragen; eine Adresse darf höchstens "
            f"{exc.limit} gleichzeitig ausführen. Warten Sie, bis eine fertig ist, und laden Sie "
            "die Seite dann neu.",
            f"{exc.running} queries from your address are still running, and one address may run "
            f"at most {exc.limit} at a time. Wait for one to finish, then reload the page.")
    detail = getattr(exc, "message", str(exc))
    return 502, T("Speicher nicht erreichbar", "Store unavailable"), T(
        f"Der Speicher hinter diesem Dienst hat nicht geantwortet ({detail}). Bitte versuchen Sie "
        "es später erneut.", f"The store behind this service did not answer ({detail}). Please try "
        "again later.")


def values_block(variable: str, iris) -> str:
    """``VALUES ?variable { <iri> ... }`` for IRIs the graph gave; each is checked as an IRI by
    pyoxigraph and written by it, so nothing else can end up in the query."""
    terms = " ".join(str(ox.NamedNode(iri)) for iri in dict.fromkeys(iris))
    return f"VALUES ?{variable} {{ {terms} }}"
