"""The embedded store: pyoxigraph, one named graph per source file, queried as a union.

The store is the narrow interface the CLI, the web layer and the benchmarks use. It never
imports Flask.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox

from pflegegraph.binding import bind
from pflegegraph.errors import QuerySyntaxError, UserError
from pflegegraph.loader import SourceFile, read_folders
from pflegegraph.namespaces import PREFIXES
from pflegegraph.settings import Settings

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


@dataclass
class QueryResult:
    """What a query gave: a boolean, solutions with their variables, or triples."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    seconds: float = 0.0


class GraphStore:
    """pyoxigraph store with the graph of every source file and the prefixes they declare."""

    def __init__(self, store: ox.Store, files: list[SourceFile], load_seconds: float):
        self.store = store
        self.files = files
        self.load_seconds = load_seconds
        self.prefixes = dict(PREFIXES)
        for f in files:
            for name, iri in f.prefixes.items():
                self.prefixes.setdefault(name, iri)

    # --- building -----------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Settings, *, with_shapes: bool = True) -> "GraphStore":
        return cls.from_folders(settings.graph_namespace, settings.ontology, settings.data,
                                settings.shapes if with_shapes else None,
                                store_path=settings.store_path or None)

    @classmethod
    def from_folders(cls, graph_namespace: str, ontology: Path | None, data: Iterable[Path],
                     shapes: Path | None = None, store_path: str | None = None) -> "GraphStore":
        started = time.perf_counter()
        files = read_folders(graph_namespace, ontology, list(data), shapes)
        store = ox.Store(store_path) if store_path else ox.Store()
        if store_path:
            store.clear()
        quads = (ox.Quad(t.subject, t.predicate, t.object, f.graph) for f in files for t in f.triples)
        store.bulk_extend(quads)
        return cls(store, files, time.perf_counter() - started)

    # --- querying -----------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              *, source: str | None = None, default_graphs: list[ox.NamedNode] | None = None,
              named_graphs: list[ox.NamedNode] | None = None) -> QueryResult:
        """Run a SPARQL query. Bindings are joined as RDF terms (see binding.py)."""
        text = bind(sparql, bindings) if bindings else sparql
        kwargs: dict = {}
        if default_graphs is not None:
            kwargs["default_graph"] = default_graphs
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = named_graphs
        started = time.perf_counter()
        try:
            raw = self.store.query(text, **kwargs)
            result = _collect(raw)
        except SyntaxError as exc:
            raise _query_syntax_error(exc, source) from exc
        except (OSError, ValueError, TypeError) as exc:
            raise UserError(f"the query could not be evaluated: {exc}") from exc
        result.seconds = time.perf_counter() - started
        return result

    # --- describing ---------------------------------------------------------------

    def graphs(self) -> list[ox.NamedNode]:
        return [f.graph for f in self.files]

    def triple_count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is None:
            return sum(len(f.triples) for f in self.files)
        return sum(len(f.triples) for f in self.files if f.graph == graph)


def _collect(raw) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = []
        for solution in raw:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return QueryResult("select", variables=variables, rows=rows)
    return QueryResult("graph", triples=list(raw))


def _query_syntax_error(exc: SyntaxError, source: str | None) -> QuerySyntaxError:
    text = str(exc.msg if getattr(exc, "msg", None) else exc)
    match = _POSITION.search(text)
    if match:
        return QuerySyntaxError(match.group(3).strip(), int(match.group(1)), int(match.group(2)), source)
    return QuerySyntaxError(text, source=source)
