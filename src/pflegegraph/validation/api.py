"""Validate folders of ontology and data against a folder of shapes: the one entry point."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDFS, SKOS, BNode, Literal, URIRef

from pflegegraph.validation.engine import ShapesError, restore_message_languages, validate_graphs
from pflegegraph.validation.inputs import Inputs, read_inputs
from pflegegraph.validation.messages import component_message, text
from pflegegraph.validation.paths import path_text
from pflegegraph.validation.precheck import narrow_focus_nodes
from pflegegraph.validation.report import Report, Result
from pflegegraph.validation.shapeindex import ShapeIndex
from pflegegraph.validation.targets import data_store, resolve_sparql_targets, sparql_targets

_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`,()]+[^\s<>\"{}|\\^`,().;:]")


@dataclass
class Validation:
    """A finished run: the report, and what is needed to show it (labels, shape names)."""

    report: Report
    index: ShapeIndex
    inputs: Inputs
    lang: str = "de"

    def compact(self, iri: str) -> str:
        return self.index.compact(iri)

    def label(self, node) -> str | None:
        """The node's label in the chosen language (else any), from the data."""
        if not isinstance(node, URIRef | BNode):
            return None
        fallback = None
        for predicate in (RDFS.label, SKOS.prefLabel):
            for label in self.inputs.data.objects(node, predicate):
                if isinstance(label, Literal) and (label.language or "").lower() == self.lang:
                    return str(label)
                fallback = fallback or str(label)
        return fallback

    def term(self, node) -> str:
        """A node as a person reads it: compact IRI, or a literal in Turtle syntax."""
        if node is None:
            return ""
        if isinstance(node, URIRef):
            return self.compact(str(node))
        if isinstance(node, BNode):
            return text("blank_node", self.lang)
        if isinstance(node, Literal):
            quoted = '"' + str(node).replace("\\", "\\\\").replace('"', '\\"') + '"'
            if node.language:
                return f"{quoted}@{node.language}"
            if node.datatype is not None:
                return f"{quoted}^^{self.compact(str(node.datatype))}"
            return quoted
        return str(node)

    def path(self, result: Result) -> str:
        return path_text(result.path, self.compact)

    def message(self, result: Result) -> str:
        message = (result.message_in(self.lang) or component_message(result.component, self.lang)
                   or (str(result.messages[0]) if result.messages else self.compact(str(result.component))))
        return _IRI.sub(lambda m: self._short(m.group(0)), message)

    def _short(self, iri: str) -> str:
        text_ = self.compact(iri)
        return iri if text_.startswith("<") else text_

    def shape_name(self, shape) -> str:
        return self.index.name(shape)

    def group(self, result: Result):
        """The top-level shape a result is reported under."""
        return self.index.node_shape(result.source_shape)


def validate(graph_namespace: str, ontology: Path | None, data: Iterable[Path], shapes: Path, *,
             fail_on: str = "violation", lang: str = "de", jobs: int = 1,
             precheck: bool = True) -> Validation:
    """Parse, validate and return the run. Raises UnreadableInputError (exit 2) on bad input.

    ``precheck``: let pyshacl validate only the focus nodes that precheck.py cannot show to conform
    (the results are the same; False runs pyshacl on every focus node)."""
    inputs = read_inputs(graph_namespace, ontology, data, shapes, lang)
    index = ShapeIndex(inputs.shapes, {k: v for f in inputs.files for k, v in f.prefixes.items() if k})
    started = time.perf_counter()
    shapes = inputs.shapes
    if sparql_targets(shapes):
        shapes = resolve_sparql_targets(shapes, data_store(inputs.data_files))
    targets = time.perf_counter()
    if precheck:
        shapes = narrow_focus_nodes(inputs.data, shapes, ShapeIndex(shapes).top_level)
    prechecked = time.perf_counter()
    try:
        results = restore_message_languages(validate_graphs(inputs.data, shapes, jobs), inputs.shapes)
    except ShapesError as exc:
        where = ", ".join(str(f.path) for f in inputs.shape_files)
        raise ShapesError(text("shapes_unusable", lang, where=where, detail=exc.message)) from exc
    seconds = dict(inputs.seconds, targets=targets - started, precheck=prechecked - targets,
                   validate=time.perf_counter() - prechecked)
    report = Report(results, fail_on=fail_on, seconds=seconds, triples=len(inputs.data))
    return Validation(report, index, inputs, lang)
