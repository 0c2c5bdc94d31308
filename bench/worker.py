"""One engine in its own process: load the graph, then run named queries on request.

Started by run_queries.py, never by hand. Protocol: JSON lines. After loading, the worker writes
``{"event": "loaded", ...}``; then for every request line ``{"name": ..., "values": {...}}`` it runs
the named query once and writes ``{"rows": n, "seconds": t}`` (or ``{"error": ...}``). The parent
kills the worker when a request overruns its timeout, and reads the peak RSS with os.wait4.

Engines:
- ``pflegegraph``: GraphStore.from_folders (pyoxigraph, one named graph per file, union default
  graph), queries through GraphStore.query with the named query's bindings.
- ``rdflib``: rdflib.Dataset(default_union=True), one named graph per file (same names), queries
  through Dataset.query with initBindings holding the same terms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from pathlib import Path

from pflegegraph.loader import graph_name, rdf_files
from pflegegraph.namedqueries import QueryCatalog
from pflegegraph.namespaces import PREFIXES

GRAPH_NAMESPACE = "https://w3id.org/pflegegraph/graph/"


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def send(payload: dict) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


class PflegegraphEngine:
    def __init__(self, ontology: Path, data: list[Path]):
        from pflegegraph.store import GraphStore

        self.store = GraphStore.from_folders(GRAPH_NAMESPACE, ontology, data)
        self.prefixes = self.store.prefixes

    def count(self) -> int:
        return len(self.store.store)  # distinct quads, as rdflib counts them

    def run(self, text: str, bindings: dict) -> int:
        return len(self.store.query(text, bindings).rows)


class RdflibEngine:
    def __init__(self, ontology: Path, data: list[Path]):
        import rdflib

        self.rdflib = rdflib
        self.ds = rdflib.Dataset(default_union=True)
        plan = [(p, "ontology", ontology) for p in rdf_files(ontology)]
        plan += [(p, "data", folder) for folder in data for p in rdf_files(folder)]
        for path, role, folder in plan:
            name = graph_name(GRAPH_NAMESPACE, role, folder, path).value
            self.ds.graph(rdflib.URIRef(name)).parse(path, format="turtle")
        self.prefixes = dict(PREFIXES)

    def count(self) -> int:
        default = self.rdflib.graph.DATASET_DEFAULT_GRAPH_ID
        return sum(len(g) for g in self.ds.graphs() if g.identifier != default)

    def term(self, term):
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return self.rdflib.URIRef(term.value)
        if term.language:
            return self.rdflib.Literal(term.value, lang=term.language)
        return self.rdflib.Literal(term.value, datatype=self.rdflib.URIRef(term.datatype.value))

    def run(self, text: str, bindings: dict) -> int:
        init = {self.rdflib.Variable(k): self.term(v) for k, v in bindings.items()}
        return sum(1 for _ in self.ds.query(text, initBindings=init))


def main() -> int:
    parser = argparse.ArgumentParser(description="benchmark worker (started by run_queries.py)")
    parser.add_argument("--engine", choices=["pflegegraph", "rdflib"], required=True)
    parser.add_argument("--ontology", type=Path, required=True)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--queries", type=Path, required=True)
    args = parser.parse_args()
    catalog = QueryCatalog(args.queries)
    # Import the engine before the clock starts: load time is parsing and indexing, not imports.
    if args.engine == "pflegegraph":
        import pflegegraph.store  # noqa: F401
    else:
        import rdflib  # noqa: F401
    started = time.perf_counter()
    engine_class = PflegegraphEngine if args.engine == "pflegegraph" else RdflibEngine
    engine = engine_class(args.ontology, args.data)
    seconds = time.perf_counter() - started  # counting the triples is not part of loading
    send({"event": "loaded", "seconds": seconds, "triples": engine.count(), "maxrss_mb": maxrss_mb()})
    for line in sys.stdin:
        request = json.loads(line)
        query = catalog.get(request["name"])
        try:
            bindings = query.bindings(request.get("values", {}), engine.prefixes)
            started = time.perf_counter()
            rows = engine.run(query.text, bindings)
            seconds = time.perf_counter() - started
            sha = hashlib.sha256(query.text.encode("utf-8")).hexdigest()[:12]
            send({"rows": rows, "seconds": seconds, "maxrss_mb": maxrss_mb(), "query_sha256": sha})
        except Exception as exc:  # report any engine error to the parent instead of dying
            send({"error": f"{type(exc).__name__}: {exc}"[:500], "maxrss_mb": maxrss_mb()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
