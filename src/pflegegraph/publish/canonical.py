"""The published quads in a canonical order, so the same input always gives the same bytes."""

from __future__ import annotations

import pyoxigraph as ox

from pflegegraph.store import GraphStore


def published_quads(store: GraphStore, roles: tuple[str, ...] = ("data",)) -> list[ox.Quad]:
    """Quads of the graphs with the given roles, blank nodes canonicalised (RDFC-1.0), sorted."""
    graphs = [f.graph for f in store.files if f.role in roles]
    dataset = ox.Dataset(q for g in graphs for q in store.store.quads_for_pattern(None, None, None, g))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def as_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The merged graph: each distinct triple once, in canonical order."""
    seen = {q.triple for q in quads}
    return sorted(seen, key=str)
