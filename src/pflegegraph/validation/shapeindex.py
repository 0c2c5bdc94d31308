"""What the shapes graph says about its shapes: which are top-level, their names and parents."""

from __future__ import annotations

from rdflib import RDF, RDFS, BNode, Graph, URIRef

from pflegegraph.namespaces import PREFIXES, compact
from pflegegraph.validation.paths import SH, path_text, read_path

# sh:target: a SHACL-AF target (such as sh:SPARQLTarget); pyshacl evaluates it in advanced mode.
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
_SHAPE_VALUED = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape) + _SHAPE_LISTS
SHAPES_PREFIX = {"pgsh": "https://w3id.org/pflegegraph/shapes#"}


class ShapeIndex:
    """Top-level shapes (those with targets), the node shape each property shape belongs to,
    and readable names for every shape, including blank-node property shapes."""

    def __init__(self, shapes: Graph, prefixes: dict[str, str] | None = None):
        self.graph = shapes
        self.prefixes = {**PREFIXES, **SHAPES_PREFIX, **(prefixes or {})}
        top = set()
        for target in TARGETS:
            top.update(shapes.subjects(target, None))
        # A class that is also a shape targets its own instances (implicit class target).
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in shapes.subjects(RDF.type, kind):
                if (shape, RDF.type, RDFS.Class) in shapes:
                    top.add(shape)
        self.top_level = sorted(top, key=self.name)
        self.parent: dict = {}
        for owner, prop in shapes.subject_objects(SH.property):
            self.parent.setdefault(prop, owner)

    def closure(self, shape) -> list:
        """The shape and every named shape it uses (sh:property, sh:node, sh:or ...).

        pyshacl's ``use_shapes`` leaves out named shapes that are not listed, so a run limited
        to one shape must list them all."""
        found, todo, named = {shape}, [shape], [shape]
        while todo:
            node = todo.pop()
            for predicate in _SHAPE_VALUED:
                for value in self.graph.objects(node, predicate):
                    members = list(self.graph.items(value)) if predicate in _SHAPE_LISTS else [value]
                    for member in members:
                        if member not in found:
                            found.add(member)
                            todo.append(member)
                            if isinstance(member, URIRef):
                                named.append(member)
        return named

    def compact(self, iri: str) -> str:
        return compact(iri, self.prefixes)

    def node_shape(self, shape):
        """The top-level shape a result belongs to (a property shape's owner)."""
        seen = set()
        while shape not in self.top_level and shape in self.parent and shape not in seen:
            seen.add(shape)
            shape = self.parent[shape]
        return shape

    def name(self, shape) -> str:
        """``pgsh:Measure`` for an IRI; ``pgsh:Measure/pg:workedOnBy`` for a blank property shape."""
        if isinstance(shape, URIRef):
            return self.compact(str(shape))
        if isinstance(shape, BNode):
            owner = self.parent.get(shape)
            path = path_text(read_path(self.graph, self.graph.value(shape, SH.path)), self.compact)
            if owner is not None:
                return f"{self.name(owner)}/{path}" if path else f"{self.name(owner)}/_"
            return f"[{path}]" if path else "[_]"
        return str(shape)

    def label(self, shape, lang: str) -> str | None:
        best = None
        for label in self.graph.objects(shape, RDFS.label):
            if getattr(label, "language", None) == lang:
                return str(label)
            best = best or str(label)
        return best

    def defined_in(self, shape, files) -> str | None:
        """The shapes file that describes ``shape`` (for error messages)."""
        for source in files:
            for triple in source.triples:
                if getattr(triple.subject, "value", None) == str(shape):
                    return str(source.path)
        return None
