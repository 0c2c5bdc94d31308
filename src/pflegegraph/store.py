"""The embedded store: pyoxigraph, one named graph per source file, queried as a union.

The store is the narrow interface the CLI, the web layer and the benchmarks use. It never
imports Flask.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from pflegegraph.binding import bind
from pflegegraph.errors import QuerySyntaxError, ServiceCallFailed, UserError
from pflegegraph.guard import dataset_of
from pflegegraph.loader import SourceFile, load_folders
from pflegegraph.namespaces import PREFIXES
from pflegegraph.settings import Settings

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@dataclass
class QueryResult:
    """What a query gave: a boolean, solutions with their variables, or triples."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    seconds: float = 0.0
    truncated: bool = False  # True when a row limit cut the result short


class GraphStore:
    """pyoxigraph store with the graph of every source file and the prefixes they declare."""

    def __init__(self, store: ox.Store, files: list[SourceFile], load_seconds: float):
        self.store = store
        self.files = files
        self.load_seconds = load_seconds
        self._counts: dict[str, int] | None = None
        self.prefixes = dict(PREFIXES)
        for f in files:
            for name, iri in f.prefixes.items():
                self.prefixes.setdefault(name, iri)

    # --- building -----------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Settings, *, with_shapes: bool = True) -> GraphStore:
        return cls.from_folders(settings.graph_namespace, settings.ontology, settings.data,
                                settings.shapes if with_shapes else None,
                                store_path=settings.store_path or None)

    @classmethod
    def from_folders(cls, graph_namespace: str, ontology: Path | None, data: Iterable[Path],
                     shapes: Path | None = None, store_path: str | None = None) -> GraphStore:
        started = time.perf_counter()
        # A fresh store, parsed into natively; it is used only when every file has loaded.
        store = ox.Store(store_path) if store_path else ox.Store()
        if store_path:
            store.clear()
        try:
            files = load_folders(store, graph_namespace, ontology, list(data), shapes)
        except BaseException:
            if store_path:
                store.clear()  # an on-disk store is left empty, never half-loaded
            raise
        return cls(store, files, time.perf_counter() - started)

    # --- querying -----------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              *, source: str | None = None, default_graphs: list[ox.NamedNode] | None = None,
              named_graphs: list[ox.NamedNode] | None = None, limit: int | None = None,
              write: Callable | None = None):
        """Run a SPARQL query with parameter values as RDF terms, never as pasted text.

        A value whose variable the SELECT projects is substituted by the engine itself (pyoxigraph's
        SEP-0007 substitution: the variable is bound everywhere in the query, so the engine starts
        from it). Any other value is joined as a VALUES row at the start of the WHERE group (see
        binding.py), which is also what a remote store gets.

        With ``limit``, at most that many rows (or triples) are kept; ``truncated`` says whether
        there were more. Rows beyond the limit are never produced by the engine.

        With ``write``, SELECT solutions are not read into rows: ``write(solutions, limit)`` is
        called with pyoxigraph's solutions and its value returned (the service writes them out
        with nativeresults.write_solutions), under the same error handling.
        """
        substituted = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        joined: dict = {}
        text = sparql
        kwargs: dict = {}
        if default_graphs is None and named_graphs is None:
            dataset = dataset_of(text)  # the query's own FROM / FROM NAMED, if any
            if dataset.given:
                default_graphs = [ox.NamedNode(i) for i in dataset.default]
                named_graphs = [ox.NamedNode(i) for i in dataset.named]
        if default_graphs is not None:
            kwargs["default_graph"] = default_graphs
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = named_graphs
        started = time.perf_counter()
        try:
            while True:
                try:
                    raw = self.store.query(text, substitutions=substituted or None, **kwargs)
                    break
                except RuntimeError as exc:  # not projected: join this one as VALUES instead
                    name = _unprojected(exc, substituted)
                    joined[name] = substituted.pop(ox.Variable(name))
                    text = bind(sparql, joined)
            if write is not None and isinstance(raw, ox.QuerySolutions):
                return write(raw, limit)
            result = _collect(raw, limit)
        except SyntaxError as exc:
            raise _query_syntax_error(exc, source, text) from exc
        except OSError as exc:
            if _SERVICE.search(text):  # the engine's HTTP client, calling a SERVICE endpoint
                raise ServiceCallFailed(f"a SERVICE endpoint of the query could not be reached or "
                                        f"failed: {exc}") from exc
            raise UserError(f"the query could not be evaluated: {exc}") from exc
        except (ValueError, TypeError) as exc:
            raise UserError(f"the query could not be evaluated: {exc}") from exc
        result.seconds = time.perf_counter() - started
        return result

    # --- describing ---------------------------------------------------------------

    def graphs(self) -> list[ox.NamedNode]:
        return [f.graph for f in self.files]

    def triple_count(self, graph: ox.NamedNode | None = None) -> int:
        """Triples in one named graph, or in all of them (counted once, in the engine)."""
        counts = self._graph_counts()
        if graph is None:
            return sum(counts.values())
        return counts.get(graph.value, 0)

    def _graph_counts(self) -> dict[str, int]:
        if self._counts is None:
            raw = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            self._counts = {row["g"].value: int(row["n"].value) for row in raw}
        return self._counts

    def triples_of(self, graph: ox.NamedNode) -> list[ox.Triple]:
        """The triples of one named graph."""
        return [q.triple for q in self.store.quads_for_pattern(None, None, None, graph)]


_NOT_PROJECTED = re.compile(r"variable \?(\w+) in its SELECT projection")


def _unprojected(exc: RuntimeError, substituted: dict) -> str:
    """The variable pyoxigraph refused to substitute, or the error again if it is another one."""
    match = _NOT_PROJECTED.search(str(exc))
    if not match or ox.Variable(match.group(1)) not in substituted:
        raise exc
    return match.group(1)


def _collect(raw, limit: int | None = None) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = []
        append = rows.append
        for solution in raw:  # a solution iterates its values in the order of ``variables``
            if limit is not None and len(rows) >= limit:
                return QueryResult("select", variables=variables, rows=rows, truncated=True)
            append({name: value for name, value in zip(variables, solution, strict=True)
                    if value is not None})
        return QueryResult("select", variables=variables, rows=rows)
    if limit is None:
        return QueryResult("graph", triples=list(raw))
    triples = list(itertools.islice(raw, limit + 1))
    return QueryResult("graph", triples=triples[:limit], truncated=len(triples) > limit)


def _query_syntax_error(exc: SyntaxError, source: str | None, query: str = "") -> QuerySyntaxError:
    text = str(exc.msg if getattr(exc, "msg", None) else exc)
    match = _POSITION.search(text)
    if not match:
        return QuerySyntaxError(_plain(text), source=source)
    line, column = int(match.group(1)), int(match.group(2))
    detail = _plain(match.group(3))
    lines = query.splitlines()
    if 0 < line <= len(lines):
        # Show where the parser stopped, so the person can see it without counting columns.
        here = lines[line - 1]
        detail += f"\n    {here}\n    {' ' * min(max(column - 1, 0), len(here))}^"
    return QuerySyntaxError(detail, line, column, source)


_CHAR_CLASS = re.compile(r"\[[^\]]*\]")


def _plain(detail: str) -> str:
    """The parser's words without its character-class tables, on one line."""
    detail = _CHAR_CLASS.sub("…", " ".join(detail.split()))
    detail = re.sub(r"(…,? ?)+", "… ", detail).replace(" ,", ",").strip().rstrip(",")
    return detail
