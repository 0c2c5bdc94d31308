"""SPARQL-based targets (SHACL-AF sh:SPARQLTarget), evaluated once on pyoxigraph.

pyshacl evaluates a SPARQL target with rdflib's query engine over the whole data graph, which
takes seconds to minutes on large graphs. Here each target query runs on a pyoxigraph store that
holds the same triples, and the shapes graph handed to pyshacl names the nodes it selected with
``sh:targetNode`` instead. pyshacl then validates exactly those focus nodes; everything else is
unchanged. Only plain SPARQL targets are rewritten (a ``sh:select`` and nothing else that would
change their meaning); pyshacl keeps any other target.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import RDF, Graph

from pflegegraph.loader import SourceFile, load_file
from pflegegraph.validation.graphs import TermConverter, copy_graph
from pflegegraph.validation.paths import SH

# What a plain SPARQL target may say besides its query; anything else leaves it to pyshacl.
_PLAIN = {RDF.type, SH.select, SH.prefixes}


def sparql_targets(shapes: Graph) -> list[tuple]:
    """(shape, target, query text) for each plain SPARQL target, with its prefixes declared."""
    found = []
    for shape, target in shapes.subject_objects(SH.target):
        predicates = set(shapes.predicates(target, None))
        kinds = set(shapes.objects(target, RDF.type))
        select = shapes.value(target, SH.select)
        if select is None or not predicates <= _PLAIN or not kinds <= {SH.SPARQLTarget}:
            continue
        found.append((shape, target, _prefixes(shapes, target) + str(select)))
    return found


def _prefixes(shapes: Graph, node) -> str:
    """PREFIX lines for the node's sh:prefixes, as pyshacl declares them."""
    lines = []
    for declarer in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(declarer, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def data_store(files: Iterable[SourceFile]) -> ox.Store:
    """The files read once more, natively into an in-memory pyoxigraph store (a graph per file).

    pyoxigraph keeps typed literals in canonical form ("100000.0" becomes "100000", "+00:00" becomes
    "Z"), where rdflib keeps them as written: a SPARQL target must not lose a focus node over that
    (see shapes/core.ttl)."""
    store = ox.Store()
    for source in files:
        load_file(store, source.path, source.role, source.graph)
    return store


def resolve_sparql_targets(shapes: Graph, store: ox.Store) -> Graph:
    """A copy of ``shapes`` in which every plain SPARQL target is replaced by the nodes it selects
    (``sh:targetNode``) in the union of the store's graphs. Returns ``shapes`` itself when there is
    nothing to replace."""
    targets = sparql_targets(shapes)
    if not targets:
        return shapes
    resolved = copy_graph(shapes)
    convert = TermConverter()
    for shape, target, query in targets:
        try:
            nodes = [solution["this"] for solution in store.query(query, use_default_graph_as_union=True)]
        except (SyntaxError, OSError):  # a query pyoxigraph cannot run: pyshacl evaluates it
            continue
        resolved.remove((shape, SH.target, target))
        for node in nodes:
            if node is not None:
                resolved.add((shape, SH.targetNode, convert(node)))
    return resolved
