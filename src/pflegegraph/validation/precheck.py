"""Focus nodes that certainly conform, found quickly, so that pyshacl validates only the others.

pyshacl checks each focus node against each constraint; for sh:or, sh:node and qualified value
shapes it validates a nested shape for every value node, with much bookkeeping each time. On a graph
where most resources are in order nearly all of that work ends in "conforms". This module decides,
in plain Python on the same rdflib graph, for each focus node of a top-level shape whether it
certainly conforms; pyshacl then gets the other focus nodes only (as ``sh:targetNode``) and reports
their results as ever. Every result is still pyshacl's.

The check is one-sided. It says "conforms" only where every constraint of the shape holds in the
sense pyshacl gives it: value nodes of the path as a set, a datatype with a well-typed value, a class
through rdfs:subClassOf in the data, and so on. Whatever it does not know (another constraint
component, another kind of path, SPARQL, a deactivated or closed shape, an implicit class target)
leaves the shape's focus nodes to pyshacl unfiltered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from pflegegraph.validation.graphs import copy_graph
from pflegegraph.validation.paths import SH

Check = Callable[[object], bool]

# Shape predicates that constrain nothing.
_NEUTRAL = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
            SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path, SH.property}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_KINDS = {
    BNode: {SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI},
    Literal: {SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral},
    URIRef: {SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI},
}
# The Python value a well-typed literal of these datatypes has in rdflib (as pyshacl asks for it).
_VALUE_TYPES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
                XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time,
                XSD.dateTime: datetime}


class PreCheck:
    """Compiles shapes into quick checks over one data graph."""

    def __init__(self, data: Graph, shapes: Graph):
        self.data = data
        self.shapes = shapes
        self._checks: dict = {}
        self._subclasses: dict = {}

    def candidates(self, shape) -> list | None:
        """The focus nodes of a top-level shape that may have results, or None if this module
        cannot tell (then all of them are pyshacl's)."""
        if (shape, SH.target, None) in self.shapes or self._implicit_class(shape):
            return None
        check = self.check(shape)
        if check is None:
            return None
        return [node for node in self.focus_nodes(shape) if not check(node)]

    def focus_nodes(self, shape) -> set:
        data, shapes = self.data, self.shapes
        found = set(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            for sub in self._subclasses_of(cls):
                found.update(data.subjects(RDF.type, sub))
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            found.update(s for s, _ in data.subject_objects(prop))
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            found.update(o for _, o in data.subject_objects(prop))
        return found

    def check(self, shape) -> Check | None:
        """A function telling whether a node certainly conforms to ``shape``; None if unknown."""
        if shape not in self._checks:
            self._checks[shape] = None  # a shape that reaches itself stays unknown
            try:
                self._checks[shape] = self._compile(shape)
            except Exception:  # noqa: S110 - malformed shapes: pyshacl will say what is wrong
                pass
        return self._checks[shape]

    def _implicit_class(self, shape) -> bool:
        classes = {RDFS.Class, *self.shapes.subjects(RDFS.subClassOf, RDFS.Class)}
        return any(t in classes for t in self.shapes.objects(shape, RDF.type))

    def _subclasses_of(self, cls) -> set:
        if cls not in self._subclasses:
            self._subclasses[cls] = set(self.data.transitive_subjects(RDFS.subClassOf, cls))
        return self._subclasses[cls]

    def _compile(self, shape) -> Check | None:
        shapes = self.shapes
        tests: list[Callable[[set], bool]] = []
        predicates = set(shapes.predicates(shape, None))
        for predicate in predicates:
            if str(predicate).startswith(str(SH)) and predicate not in _NEUTRAL:
                built = self._constraint(shape, predicate)
                if built is None:
                    return None
                tests.extend(built)
        nested = [self.check(p) for p in shapes.objects(shape, SH.property)]
        if any(n is None for n in nested):
            return None
        path = shapes.value(shape, SH.path)
        if path is None:
            def node_check(node) -> bool:
                values = {node}
                return all(test(values) for test in tests) and all(n(node) for n in nested)
            return node_check
        values_of = self._path(path)
        if values_of is None:
            return None

        def property_check(node) -> bool:
            values = values_of(node)
            return all(test(values) for test in tests) and all(n(v) for v in values for n in nested)
        return property_check

    def _constraint(self, shape, predicate) -> list | None:
        """Tests on the set of value nodes for one constraint parameter; None if unknown."""
        shapes = self.shapes
        objects = list(shapes.objects(shape, predicate))
        if predicate in (SH.minCount, SH.maxCount):
            if len(objects) != 1 or not isinstance(objects[0].toPython(), int):
                return None
            n = objects[0].toPython()
            return [(lambda vs: len(vs) >= n) if predicate == SH.minCount else (lambda vs: len(vs) <= n)]
        if predicate == SH.datatype:
            if len(objects) != 1:
                return None
            dt = objects[0]
            return [lambda vs: all(_datatype_fits(v, dt) for v in vs)]
        if predicate == SH["class"]:
            return [self._class_test(cls) for cls in objects]
        if predicate == SH.nodeKind:
            if len(objects) != 1:
                return None
            kind = objects[0]
            return [lambda vs: all(kind in _KINDS[_kind(v)] for v in vs)]
        if predicate == SH["in"]:
            allowed = [set(shapes.items(o)) for o in objects]
            return [lambda vs, a=a: all(v in a for v in vs) for a in allowed]
        if predicate == SH.languageIn:
            wanted = [{str(x).lower() for x in shapes.items(o)} for o in objects]
            return [lambda vs, w=w: all(_language_in(v, w) for v in vs) for w in wanted]
        if predicate == SH.uniqueLang:
            if any(o.toPython() not in (True, False) for o in objects):
                return None
            return [_unique_languages] if any(o.toPython() is True for o in objects) else []
        if predicate == SH.pattern:
            if (shape, SH.flags, None) in shapes or len(objects) != 1:
                return None
            matcher = re.compile(str(objects[0]))
            return [lambda vs: all(_pattern_matches(v, matcher) for v in vs)]
        if predicate == SH.node:
            checks = [self.check(o) for o in objects]
            if any(c is None for c in checks):
                return None
            return [lambda vs: all(c(v) for c in checks for v in vs)]
        if predicate == SH["or"]:
            tests = []
            for members in objects:
                checks = [c for c in (self.check(m) for m in shapes.items(members)) if c is not None]
                tests.append(lambda vs, cs=checks: all(any(c(v) for c in cs) for v in vs))
            return tests
        if predicate in (SH.qualifiedValueShape, SH.qualifiedMinCount):
            return self._qualified(shape) if predicate == SH.qualifiedValueShape else []
        return None

    def _qualified(self, shape) -> list | None:
        shapes = self.shapes
        if any((shape, p, None) in shapes for p in (SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint)):
            return None
        inner = list(shapes.objects(shape, SH.qualifiedValueShape))
        minimum = list(shapes.objects(shape, SH.qualifiedMinCount))
        if len(inner) != 1 or len(minimum) != 1 or not isinstance(minimum[0].toPython(), int):
            return None
        check, n = self.check(inner[0]), minimum[0].toPython()
        if check is None:
            return None
        return [lambda vs: sum(1 for v in vs if check(v)) >= n]

    def _class_test(self, cls) -> Callable[[set], bool]:
        data = self.data

        def test(values) -> bool:
            classes = self._subclasses_of(cls)
            return all(not isinstance(v, Literal) and any(t in classes for t in data.objects(v, RDF.type))
                       for v in values)
        return test

    def _path(self, path) -> Callable[[object], set] | None:
        data, shapes = self.data, self.shapes
        if isinstance(path, URIRef):
            return lambda node: set(data.objects(node, path))
        inverse = shapes.value(path, SH.inversePath)
        if isinstance(inverse, URIRef) and len(set(shapes.predicates(path, None))) == 1:
            return lambda node: set(data.subjects(inverse, node))
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None and len(set(shapes.predicates(path, None))) == 1:
            members = list(shapes.items(alternatives))
            if len(members) >= 2 and all(isinstance(m, URIRef) for m in members):
                return lambda node: {o for m in members for o in data.objects(node, m)}
        return None


def _kind(value):
    if isinstance(value, BNode):
        return BNode
    if isinstance(value, Literal):
        return Literal
    return URIRef


def _datatype_fits(value, datatype) -> bool:
    """A value node meets sh:datatype as pyshacl decides it."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        return getattr(value, "ill_typed", None) is not True and _python_value_fits(value, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype:
        return bool(value.datatype)
    if datatype == XSD.string:
        return value.datatype is None and value.language is None and _python_value_fits(value, datatype)
    if datatype == RDF.langString:
        return bool(value.language) and _python_value_fits(value, datatype)
    return False


def _python_value_fits(value: Literal, datatype) -> bool:
    kind = _VALUE_TYPES.get(datatype)
    return True if kind is None else isinstance(value.value, kind)


def _language_in(value, wanted: set) -> bool:
    if not isinstance(value, Literal) or not value.language:
        return False
    lang = str(value.language).lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _unique_languages(values) -> bool:
    seen = set()
    for v in values:
        if isinstance(v, Literal) and v.language:
            lang = str(v.language).lower()
            if lang in seen:
                return False
            seen.add(lang)
    return True


def _pattern_matches(value, matcher: re.Pattern) -> bool:
    if isinstance(value, BNode):
        return False
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, RDF.langString,
                                                                                   XSD.string):
        text = str(value.value)
    else:
        text = str(value)
    return matcher.match(text) is not None


def narrow_focus_nodes(data: Graph, shapes: Graph, top_level) -> Graph:
    """A copy of ``shapes`` in which each top-level shape that PreCheck can judge targets only the
    focus nodes that may have results (``sh:targetNode``; none: the shape is left out)."""
    precheck = PreCheck(data, shapes)
    plan = {}
    for shape in top_level:
        found = precheck.candidates(shape)
        if found is not None:
            plan[shape] = found
    if not plan:
        return shapes
    narrowed = copy_graph(shapes)
    for shape, found in plan.items():
        for target in _TARGETS:
            narrowed.remove((shape, target, None))
        for node in found:
            narrowed.add((shape, SH.targetNode, node))
    return narrowed
