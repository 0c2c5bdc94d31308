"""Counts that describe a loaded graph: triples per named graph, instances per class."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from pflegegraph.store import GraphStore

_INSTANCES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
_LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?label WHERE { ?class rdfs:label ?label . FILTER(LANGMATCHES(LANG(?label), ?lang)) }"""


@dataclass(frozen=True)
class GraphCount:
    graph: str
    role: str
    path: str
    triples: int


@dataclass(frozen=True)
class ClassCount:
    cls: str
    label: str
    instances: int


def graph_counts(store: GraphStore) -> list[GraphCount]:
    return [GraphCount(f.graph.value, f.role, str(f.path), store.triple_count(f.graph)) for f in store.files]


def class_counts(store: GraphStore, lang: str = "de") -> list[ClassCount]:
    """Instances per class in the data graphs, labelled from the ontology graphs."""
    data = [f.graph for f in store.files if f.role == "data"]
    ontology = [f.graph for f in store.files if f.role == "ontology"]
    if not data:
        return []
    counts = store.query(_INSTANCES, default_graphs=data).rows
    labels = {}
    if ontology:
        for row in store.query(_LABELS, {"lang": ox.Literal(lang)}, default_graphs=ontology).rows:
            labels[row["class"].value] = row["label"].value
    out = [ClassCount(r["class"].value, labels.get(r["class"].value, ""), int(r["n"].value)) for r in counts]
    out.sort(key=lambda c: (-c.instances, c.cls))
    return out
