"""The shapes, driven by data: every example file in tests/shapes/ with the results it must give.

tests/shapes/manifest.yaml lists each example and, for invalid ones, every expected result's
focus node, path and source shape. One test runs them all; further tests check that every shape
has a valid and an invalid example, and that the shipped graph and the ontology validate clean.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from rdflib import OWL, RDF, RDFS, BNode, Literal

from pflegegraph.validation import validate
from pflegegraph.validation.paths import SH
from pflegegraph.validation.report import severity_name
from shipped import DATA, ONTOLOGY, SHAPES

EXAMPLES = Path(__file__).parent / "shapes"
BASE = EXAMPLES / "_base.ttl"
MANIFEST = yaml.safe_load((EXAMPLES / "manifest.yaml").read_text(encoding="utf-8"))
GRAPHS = "https://w3id.org/pflegegraph/graph/"


def run_example(path: Path, jobs: int = 1):
    return validate(GRAPHS, ONTOLOGY, [BASE, path], SHAPES, jobs=jobs)


def seen(run) -> Counter:
    out = Counter()
    for r in run.report.results:
        item = {"focus": "_:" if isinstance(r.focus, BNode) else run.term(r.focus),
                "path": run.path(r) or None, "shape": run.shape_name(r.source_shape)}
        if severity_name(r.severity) != "violation":
            item["severity"] = severity_name(r.severity)
        out[tuple(sorted(item.items()))] += 1
    return out


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_example_gives_exactly_the_expected_results(entry):
    run = run_example(EXAMPLES / entry["file"])
    expected = Counter(tuple(sorted(e.items())) for e in entry["expect"])
    actual = seen(run)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"{entry['file']} ({entry['about']})\n  missing: {sorted(missing)}\n"
        f"  unexpected: {sorted(unexpected)}")
    # every result carries a message in both languages, never pyshacl's English fallback
    for r in run.report.results:
        assert r.message_in("de") and r.message_in("en"), r


def _top_level_shapes(run) -> list:
    return list(run.index.top_level)


@pytest.fixture(scope="module")
def shipped_run():
    return validate(GRAPHS, ONTOLOGY, [DATA], SHAPES, jobs=1)


def _focus_nodes(run, shape) -> set:
    """The shape's focus nodes in a run's data, following SHACL's target rules."""
    data, shapes = run.inputs.data, run.index.graph
    found = set()
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
        for c in classes:
            found.update(data.subjects(RDF.type, c))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(data.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        found.update(data.objects(None, p))
    found.update(shapes.objects(shape, SH.targetNode))
    return found


def test_every_shape_has_a_valid_and_an_invalid_example(shipped_run):
    shapes = set(_top_level_shapes(shipped_run))
    valid_with_focus, invalid_with_result = set(), set()
    for entry in MANIFEST:
        run = run_example(EXAMPLES / entry["file"])
        if entry["expect"]:
            invalid_with_result.update(run.group(r) for r in run.report.results)
        else:
            assert not run.report.results
            valid_with_focus.update(s for s in shapes if _focus_nodes(run, s))
    names = shipped_run.index.name
    assert not sorted(map(names, shapes - valid_with_focus)), "shapes without a valid example"
    assert not sorted(map(names, shapes - invalid_with_result)), "shapes without an invalid example"


def test_shipped_braunschweig_data_and_ontology_validate_clean(shipped_run):
    assert shipped_run.report.results == []
    assert shipped_run.report.triples > 2000
    # the ontology's terms are among the focus nodes, so the ontology itself was checked
    term = next(s for s in shipped_run.index.top_level if str(s).endswith("#OntologyTerm"))
    assert len(_focus_nodes(shipped_run, term)) > 100


def test_every_class_of_the_ontology_is_targeted_by_a_node_shape(shipped_run):
    data, shapes = shipped_run.inputs.data, shipped_run.index.graph
    targeted = set(shapes.objects(None, SH.targetClass))
    untargeted = []
    for cls in data.subjects(RDF.type, OWL.Class):
        ancestors = set(data.transitive_objects(cls, RDFS.subClassOf))
        if not ancestors & targeted:
            untargeted.append(str(cls))
    assert untargeted == []


def test_every_constraint_speaks_german_and_english(shipped_run):
    shapes = shipped_run.index.graph
    carriers = set(shapes.subjects(SH.path, None)) | set(shapes.objects(None, SH.sparql))
    carriers |= {s for s in shapes.subjects(SH["or"], None) if (None, SH.property, s) not in shapes
                 and not shapes.value(s, SH.path) and (s, SH.message, None) in shapes}
    inline_or = {s for s in set(shapes.subjects(SH.path, None))
                 if (None, RDF.first, s) in shapes}  # members of sh:or lists carry no message
    lacking = []
    for shape in carriers - inline_or:
        langs = {m.language for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)}
        if not {"de", "en"} <= langs:
            lacking.append(shipped_run.index.name(shape))
    assert lacking == []


def test_split_by_shape_across_processes_gives_the_same_results():
    files = [EXAMPLES / e["file"] for e in MANIFEST if e["expect"]]
    serial = validate(GRAPHS, ONTOLOGY, [BASE, *files], SHAPES, jobs=1).report.results
    parallel = validate(GRAPHS, ONTOLOGY, [BASE, *files], SHAPES, jobs=2).report.results
    key = lambda r: (str(r.focus) if not isinstance(r.focus, BNode) else "_", r.path, str(r.value),  # noqa: E731
                     str(r.source_shape) if not isinstance(r.source_shape, BNode) else r.path, r.component)
    assert len(serial) > 100
    assert Counter(map(key, serial)) == Counter(map(key, parallel))
