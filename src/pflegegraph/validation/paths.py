"""SHACL property paths: read from a graph, written back, and shown in SPARQL path syntax.

A path is kept as a small hashable value so that results can travel between processes and be
compared: an IRI string, or a tuple (kind, part...) for the complex paths of SHACL.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection

SH = Namespace("http://www.w3.org/ns/shacl#")

PathExpr = str | tuple

_UNARY = {
    SH.inversePath: "inverse",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}
_UNARY_BACK = {v: k for k, v in _UNARY.items()}
_SUFFIX = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}


def read_path(graph: Graph, node) -> PathExpr | None:
    """The path that ``node`` stands for in ``graph``, or None if it is not a path."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(read_path(graph, p) for p in Collection(graph, alternatives)))
    for predicate, kind in _UNARY.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            return (kind, read_path(graph, inner))
    if graph.value(node, RDF.first) is not None:
        return ("sequence", tuple(read_path(graph, p) for p in Collection(graph, node)))
    return None


def write_path(graph: Graph, path: PathExpr):
    """Add ``path`` to ``graph`` and return the node that stands for it."""
    if isinstance(path, str):
        return URIRef(path)
    kind, inner = path
    if kind in ("alternative", "sequence"):
        items = [write_path(graph, p) for p in inner]
        head = BNode()
        Collection(graph, head, items)
        if kind == "sequence":
            return head
        node = BNode()
        graph.add((node, SH.alternativePath, head))
        return node
    node = BNode()
    graph.add((node, _UNARY_BACK[kind], write_path(graph, inner)))
    return node


def path_text(path: PathExpr | None, compact: Callable[[str], str]) -> str:
    """The path in SPARQL property-path syntax, such as ``dcterms:source|prov:wasDerivedFrom``."""
    if path is None:
        return ""
    if isinstance(path, str):
        return compact(path)
    kind, inner = path
    if kind == "alternative":
        return "|".join(_grouped(p, compact) for p in inner)
    if kind == "sequence":
        return "/".join(_grouped(p, compact) for p in inner)
    if kind == "inverse":
        return "^" + _grouped(inner, compact)
    return _grouped(inner, compact) + _SUFFIX[kind]


def _grouped(path: PathExpr, compact: Callable[[str], str]) -> str:
    text = path_text(path, compact)
    return text if isinstance(path, str) else f"({text})"
