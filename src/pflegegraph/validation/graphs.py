"""Build the rdflib graphs that pyshacl validates, from files parsed by pyoxigraph.

Parsing Turtle with pyoxigraph and converting its terms to rdflib terms is several times faster
than parsing with rdflib itself, and gives the same graph: plain literals stay plain (no
``xsd:string`` datatype), as rdflib's own parser makes them, and typed literals keep the form they
are written in. One difference: a literal written with an explicit ``^^xsd:string`` is, for
pyoxigraph as for RDF 1.1, the same term as the plain literal, and becomes a plain literal here;
rdflib keeps the two apart (so "x" and "x"^^xsd:string are one value node here, two for rdflib).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result

from pflegegraph.loader import SourceFile
from pflegegraph.validation.tripleindex import TripleIndex

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryCachingGraph(Graph):
    """An rdflib Graph that parses each SPARQL text once.

    pyshacl runs a SHACL-SPARQL constraint once per focus node and passes the query as text;
    rdflib parses it again every time (about 5 ms). The cache keeps the parsed query, so only
    the evaluation is repeated. Answers are unchanged: the same algebra runs with the same
    bindings and namespaces.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepared: dict[str, object] = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs) -> Result:  # noqa: N803
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = initNs if initNs is not None else dict(self.namespaces())
            key = query_object if initNs is None else None
            prepared = self._prepared.get(key) if key is not None else None
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=namespaces)
                if key is not None:
                    self._prepared[key] = prepared
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


class TermConverter:
    """Converts pyoxigraph terms to rdflib terms, reusing equal IRIs and blank nodes."""

    def __init__(self):
        self._iris: dict[str, URIRef] = {}
        self._bnodes: dict[str, BNode] = {}
        self._datatypes: dict[str, URIRef] = {}

    def __call__(self, term):
        if isinstance(term, ox.NamedNode):
            value = term.value
            node = self._iris.get(value)
            if node is None:
                node = self._iris[value] = URIRef(value)
            return node
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            dt = self._datatypes.get(datatype)
            if dt is None:
                dt = self._datatypes[datatype] = URIRef(datatype)
            return Literal(term.value, datatype=dt)
        if isinstance(term, ox.BlankNode):
            value = term.value
            node = self._bnodes.get(value)
            if node is None:
                node = self._bnodes[value] = BNode(value)
            return node
        raise TypeError(f"unsupported RDF term {term!r}")  # RDF-star triples are not used here


def to_rdflib(files: Iterable[SourceFile], graph: Graph | None = None, *,
              caching: bool = True) -> Graph:
    """One rdflib graph holding the triples of all given files (their union): a QueryCachingGraph
    over a TripleIndex (the data), or a plain Graph with ``caching=False`` (the shapes)."""
    if graph is not None:
        target = graph
    else:
        target = QueryCachingGraph(store=TripleIndex()) if caching else Graph()
    convert = TermConverter()
    add = target.store.add
    collecting = gc.isenabled()
    gc.disable()  # many new objects, none of them garbage: the collector would only slow this down
    try:
        for source in files:
            for triple in source.triples:
                add((convert(triple.subject), convert(triple.predicate), convert(triple.object)),
                    target, False)
    finally:
        if collecting:
            gc.enable()
    _bind_prefixes(target, files)
    return target


def _bind_prefixes(target: Graph, files: Iterable[SourceFile]) -> None:
    for source in files:
        for name, iri in source.prefixes.items():
            if name:
                target.bind(name, iri, override=False, replace=False)


def copy_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` with its prefixes, to change without touching the original."""
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    for triple in graph:
        copy.add(triple)
    return copy
