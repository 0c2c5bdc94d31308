"""The standard SHACL validation report (sh:ValidationReport) in Turtle."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from pflegegraph.validation.paths import SH, write_path


def report_graph(run) -> Graph:
    graph = Graph()
    graph.bind("sh", SH)
    for name, iri in run.index.prefixes.items():
        graph.bind(name, iri, override=False)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(run.report.conforms, datatype=XSD.boolean)))
    for r in run.report.results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus))
        if r.path is not None:
            graph.add((node, SH.resultPath, write_path(graph, r.path)))
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        graph.add((node, SH.resultSeverity, r.severity))
        graph.add((node, SH.sourceConstraintComponent, r.component))
        graph.add((node, SH.sourceShape, _shape_ref(run, r.source_shape, graph)))
        if r.source_constraint is not None:
            graph.add((node, SH.sourceConstraint, _shape_ref(run, r.source_constraint, graph)))
        for message in r.messages:
            graph.add((node, SH.resultMessage, message))
    return graph


def _shape_ref(run, shape, graph: Graph):
    """IRIs stay; a blank-node shape is copied with its description, as pyshacl does."""
    if isinstance(shape, URIRef) or shape is None:
        return shape
    copied: dict = {}

    def copy(node):
        if not isinstance(node, BNode):
            return node
        if node not in copied:
            copied[node] = BNode()
            for p, o in run.index.graph.predicate_objects(node):
                graph.add((copied[node], p, copy(o)))
        return copied[node]

    return copy(shape)


def render(run) -> str:
    return report_graph(run).serialize(format="turtle")
