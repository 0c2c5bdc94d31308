"""Run pyshacl over rdflib graphs, in one process or split by shape across several.

pyshacl is the engine and stays the reference: the results are exactly pyshacl's. What is
faster here is around it: parsing (graphs.py), SPARQL targets evaluated by pyoxigraph (targets.py),
focus nodes that certainly conform left out (precheck.py), SPARQL constraints parsed once, and the
shapes shared out to worker processes that inherit the graphs by fork.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import warnings
from dataclasses import replace

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from pflegegraph.errors import UnreadableInputError
from pflegegraph.validation.paths import SH
from pflegegraph.validation.report import Result, results_from_graph
from pflegegraph.validation.shapeindex import ShapeIndex

# Set in the parent just before the pool forks; the workers read the graphs from here.
_SHARED: dict = {}


class ShapesError(UnreadableInputError):
    """The shapes cannot be used: pyshacl refused them."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_pyshacl(data: Graph, shapes: Graph, use_shapes: list[str] | None = None) -> list[Result]:
    """One pyshacl run without inference; returns its results."""
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # advanced: the shapes use SPARQL-based targets (SHACL-AF). inplace: pyshacl would
            # otherwise copy the data graph first (advanced mode allows rules; the shapes have none).
            _conforms, report, _text = pyshacl.validate(
                data, shacl_graph=shapes, inference="none", advanced=True, inplace=True,
                abort_on_first=False, use_shapes=use_shapes, allow_warnings=False, allow_infos=False)
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:
        raise ShapesError(_shape_error_text(exc)) from exc
    return results_from_graph(report)


def restore_message_languages(results: list[Result], shapes: Graph) -> list[Result]:
    """Give SHACL-SPARQL messages their language back.

    pyshacl fills in {?var} placeholders and drops the language tag on the way. Each message is
    matched against the constraint's message templates to find its language again."""
    templates: dict = {}
    out = []
    for r in results:
        if r.source_constraint is None or not any(not m.language for m in r.messages):
            out.append(r)
            continue
        if r.source_constraint not in templates:
            templates[r.source_constraint] = [
                (_template_regex(str(m)), m.language) for m in shapes.objects(r.source_constraint, SH.message)
                if isinstance(m, Literal) and m.language]
        messages = []
        for m in r.messages:
            language = m.language
            if not language:
                language = next((lang for regex, lang in templates[r.source_constraint]
                                 if regex.fullmatch(str(m))), None)
            messages.append(Literal(str(m), lang=language) if language else m)
        out.append(replace(r, messages=tuple(messages)))
    return out


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}", template)
    return re.compile("(.*?)".join(re.escape(p) for p in parts), re.S)


def _shape_error_text(exc: Exception) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return " ".join(text.split())


def validate_graphs(data: Graph, shapes: Graph, jobs: int = 1) -> list[Result]:
    """Validate ``data`` against ``shapes``; with ``jobs`` > 1 the shapes are shared out."""
    # The graphs live until the end: the garbage collector need not walk them again and again, and
    # forked workers then share their memory pages without touching them.
    gc.freeze()
    try:
        return _validate_graphs(data, shapes, jobs)
    finally:
        gc.unfreeze()


def _validate_graphs(data: Graph, shapes: Graph, jobs: int) -> list[Result]:
    index = ShapeIndex(shapes)
    top = index.top_level
    if jobs <= 1 or len(top) < 2 or any(not isinstance(s, URIRef) for s in top) \
            or "fork" not in multiprocessing.get_all_start_methods():
        return run_pyshacl(data, shapes)
    # Shapes that pyshacl reaches only through others (sh:node, sh:or ...) run inside them.
    order = sorted(top, key=lambda s: -_cost(data, shapes, index, s))
    # pyshacl imports much of itself on its first run: do that once here, before the workers fork.
    run_pyshacl(Graph(), shapes, use_shapes=[str(s) for s in index.closure(order[-1])])
    _SHARED.update(data=data, shapes=shapes)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(order))) as pool:
            parts = pool.map(_run_one, [[str(s) for s in index.closure(shape)] for shape in order],
                             chunksize=1)
    finally:
        _SHARED.clear()
    results: list[Result] = []
    for part in parts:
        if isinstance(part, ShapesError):
            raise part
        results.extend(part)
    return results


def _run_one(shapes: list[str]):
    try:
        return run_pyshacl(_SHARED["data"], _SHARED["shapes"], use_shapes=shapes)
    except ShapesError as exc:
        return exc


def _cost(data: Graph, shapes: Graph, index: ShapeIndex, shape) -> int:
    """A rough cost: focus nodes times constraints, to start the largest shapes first."""
    focus = sum(1 for _ in shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in _subclasses(data, cls):
            focus += sum(1 for _ in data.triples((None, RDF.type, sub)))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        focus += sum(1 for _ in data.triples((None, prop, None)))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        focus += sum(1 for _ in data.triples((None, prop, None)))
    constraints = 1 + sum(1 for _ in shapes.objects(shape, SH.property)) \
        + 20 * sum(1 for _ in shapes.objects(shape, SH.sparql))
    return focus * constraints


def _subclasses(data: Graph, cls) -> set:
    found, todo = {cls}, [cls]
    while todo:
        for sub in data.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found
