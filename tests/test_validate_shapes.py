"""The shapes, driven by data: every example file in tests/shapes/ with the results it must give.

tests/shapes/manifest.yaml lists each example and, for invalid ones, every expected result's
focus node, path and source shape. One test runs them all; further tests check that every shape
has a valid and an invalid example, and that the shipped graph and the ontology validate clean.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from pflegegraph.validation import validate
from pflegegraph.validation.paths import SH
from pflegegraph.validation.report import severity_name
from shipped import DATA, ONTOLOGY, SHAPES

EXAMPLES = Path(__file__).parent / "shapes"
BASE = EXAMPLES / "_base.ttl"
MANIFEST = yaml.safe_load((EXAMPLES / "manifest.yaml").read_text(encoding="utf-8"))
GRAPHS = "https://w3id.org/pflegegraph/graph/"
PG = "https://w3id.org/pflegegraph/def#"


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


def _population(shapes, shape):
    """The class whose instances a SPARQL target (sh:target) picks from: its query starts with
    ``?this rdf:type/rdfs:subClassOf* pg:Class``. None for a shape without such a target."""
    for target in shapes.objects(shape, SH.target):
        found = re.search(r"\?this rdf:type/rdfs:subClassOf\* pg:(\w+)", str(shapes.value(target, SH.select)))
        assert found, f"{shape}: the SPARQL target does not start from a class"
        return URIRef(PG + found.group(1))
    return None


def _candidates(run, shape) -> set:
    """Focus nodes, or for a shape with a SPARQL target (which selects only what breaks its rule)
    the instances of the class it selects from: a valid example has those, and no results."""
    cls = _population(run.index.graph, shape)
    if cls is None:
        return _focus_nodes(run, shape)
    data = run.inputs.data
    return {s for c in data.transitive_subjects(RDFS.subClassOf, cls) for s in data.subjects(RDF.type, c)}


def test_every_shape_has_a_valid_and_an_invalid_example(shipped_run):
    shapes = set(_top_level_shapes(shipped_run))
    valid_with_focus, invalid_with_result = set(), set()
    for entry in MANIFEST:
        run = run_example(EXAMPLES / entry["file"])
        if entry["expect"]:
            invalid_with_result.update(run.group(r) for r in run.report.results)
        else:
            assert not run.report.results
            valid_with_focus.update(s for s in shapes if _candidates(run, s))
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


def test_sparql_targets_select_every_focus_node_with_a_result(tmp_path):
    """A SPARQL target picks, in one query, the resources its constraints report on. Checked here
    against the same constraints run on every instance of the class: the same results."""
    shapes = Graph()
    for f in sorted(SHAPES.glob("*.ttl")):
        shapes.parse(f, format="turtle")
    targeted = {shape: _population(shapes, shape) for shape in set(shapes.subjects(SH.target, None))}
    assert len(targeted) >= 5
    for shape, cls in targeted.items():
        shapes.remove((shape, SH.target, None))
        shapes.add((shape, SH.targetClass, cls))
    folder = tmp_path / "shapes"
    folder.mkdir()
    shapes.serialize(folder / "shapes.ttl", format="turtle")
    files = [EXAMPLES / e["file"] for e in MANIFEST if e["expect"]]
    term = lambda node: "_:" if isinstance(node, BNode) else str(node)  # noqa: E731
    key = lambda r: (term(r.focus), r.path, term(r.value), term(r.source_shape), r.component)  # noqa: E731
    for data in ([BASE, *files], [DATA]):
        narrow = validate(GRAPHS, ONTOLOGY, data, SHAPES, jobs=1).report.results
        wide = validate(GRAPHS, ONTOLOGY, data, folder, jobs=1).report.results
        assert Counter(map(key, narrow)) == Counter(map(key, wide))


def _plain_pyshacl(files: list[Path]) -> Counter:
    """The results of pyshacl itself, on graphs parsed by rdflib (SHACL-AF on, as the shapes need)."""
    import pyshacl

    from pflegegraph.validation.report import results_from_graph

    data, shapes = Graph(), Graph()
    for f in files:
        data.parse(f, format="turtle")
    for f in sorted(SHAPES.glob("*.ttl")):
        shapes.parse(f, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return Counter(map(_key, results_from_graph(report)))


def _key(r) -> tuple:
    term = lambda node: "_:" if isinstance(node, BNode) else str(node)  # noqa: E731
    return (term(r.focus), r.path, term(r.value), str(r.severity), term(r.source_shape), str(r.component))


@pytest.mark.parametrize(("jobs", "precheck"), [(1, True), (2, True), (1, False)])
def test_the_results_are_those_of_plain_pyshacl(jobs, precheck):
    """pflegegraph validate parses with pyoxigraph, evaluates SPARQL targets there, leaves out the
    focus nodes that certainly conform and shares the shapes out to processes: none of that may
    change a result."""
    ontology = sorted(ONTOLOGY.glob("*.ttl"))
    invalid = [EXAMPLES / e["file"] for e in MANIFEST if e["expect"]]
    for data in ([BASE, *invalid], sorted(DATA.glob("*.ttl"))):
        ours = validate(GRAPHS, ONTOLOGY, data, SHAPES, jobs=jobs, precheck=precheck).report.results
        assert Counter(map(_key, ours)) == _plain_pyshacl(ontology + data)


# Literals that pyoxigraph stores in canonical form ("1.50" -> "1.5", "+00:00" -> "Z") while rdflib,
# and so pyshacl, keeps them as written. The SPARQL targets are evaluated on pyoxigraph; they must not
# lose a focus node that pyshacl's own evaluation would select.
CANONICAL_FORMS = """
@prefix pg: <https://w3id.org/pflegegraph/def#> .
@prefix ex: <https://example.org/test/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
ex:v1 a pg:Event ; rdfs:label "Sitzung"@de ; schema:startDate "2023-07-15"^^xsd:date ; dcterms:source ex:quelle .
ex:v2 a pg:Event ; rdfs:label "Phase"@de ; schema:startDate "2023-07+00:00"^^xsd:gYearMonth ;
    pg:followUpOf ex:v1 ; dcterms:source ex:quelle .
ex:p a pg:FundingProgramme ; rdfs:label "Programm"@de ; pg:maxGrantAmount 1.5 ; dcterms:source ex:quelle .
ex:l a pg:EditorialStatement ; rdfs:label "Verknüpfung"@de ; rdf:subject ex:p ;
    rdf:predicate pg:maxGrantAmount ; rdf:object 1.50 ; prov:wasAttributedTo ex:redaktion ;
    dcterms:created "2026-01-02"^^xsd:date ; pg:justification "Begründung"@de .
"""


def test_sparql_targets_keep_literals_in_the_form_pyshacl_sees(tmp_path):
    data = tmp_path / "canonical-forms.ttl"
    data.write_text(CANONICAL_FORMS, encoding="utf-8")
    ours = Counter(map(_key, validate(GRAPHS, ONTOLOGY, [BASE, data], SHAPES, jobs=1).report.results))
    assert ours == _plain_pyshacl([*sorted(ONTOLOGY.glob("*.ttl")), BASE, data])
    # what pyshacl reports here (as written, "2023-07+00:00" is taken as earlier than the 15th, and
    # 1.50 is another literal than 1.5) and what the canonical forms alone would have lost:
    shapes = {(focus.rsplit("/", 1)[-1], shape.rsplit("#", 1)[-1]) for focus, _, _, _, shape, _ in ours}
    assert {("v2", "TimelineOrder"), ("l", "EditorialLinkInGraph")} <= shapes


MUTATION_VALUES = [
    Literal("x"), Literal("x", lang="de"), Literal("y", lang="de"), Literal("x", lang="en"),
    Literal("1", datatype=XSD.integer), Literal("2024", datatype=XSD.gYear), Literal("1.5", datatype=XSD.decimal),
    Literal("-3.0", datatype=XSD.decimal), Literal("true", datatype=XSD.boolean),
    Literal("2023-05-01", datatype=XSD.date), Literal("2025-01-01+00:00", datatype=XSD.date),
    Literal("1 – 3"), Literal("1 - 3"), Literal("24-22983"), Literal("DS 1"), Literal("03101000"),
    Literal("78–80"), Literal("2"), BNode(), URIRef("https://example.org/test/nirgends"),
]


@pytest.mark.parametrize("seed", range(4))
def test_the_precheck_hides_no_result_on_damaged_data(seed, tmp_path):
    """The shipped data with 40 random changes (triples dropped, objects replaced by other resources,
    literals of other kinds or no resource at all, second values, other classes): pflegegraph
    validate, which lets pyshacl see only what precheck.py cannot show to conform, reports exactly
    what plain pyshacl reports."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    graph = Graph()
    for f in sorted(DATA.glob("*.ttl")):
        graph.parse(f, format="turtle")
    resources = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    classes = sorted(set(Graph().parse(ONTOLOGY / "pflegegraph.ttl").subjects(RDF.type, OWL.Class)))
    for _ in range(40):
        s, p, o = rng.choice(sorted(graph))
        roll = rng.random()
        if roll < 0.3:
            graph.remove((s, p, o))
        if 0.15 < roll < 0.7:
            graph.add((s, p, rng.choice(MUTATION_VALUES + resources[:40])))
        elif roll >= 0.7:
            graph.add((s, RDF.type, rng.choice(classes)))
    damaged = tmp_path / "damaged.ttl"
    graph.serialize(damaged, format="turtle")
    ours = validate(GRAPHS, ONTOLOGY, [damaged], SHAPES, jobs=1).report.results
    plain = _plain_pyshacl([*sorted(ONTOLOGY.glob("*.ttl")), damaged])
    assert sum(plain.values()) > 5
    assert Counter(map(_key, ours)) == plain


def test_the_precheck_leaves_pyshacl_little_to_do_on_clean_data():
    """On the shipped data (no results) the precheck shows nearly every focus node to conform: only
    the shapes it does not know keep theirs (a regression here costs time, not correctness)."""
    from pflegegraph.validation.inputs import read_inputs
    from pflegegraph.validation.precheck import PreCheck
    from pflegegraph.validation.shapeindex import ShapeIndex

    inputs = read_inputs(GRAPHS, ONTOLOGY, [DATA], SHAPES)
    precheck = PreCheck(inputs.data, inputs.shapes)
    judged = {s: precheck.candidates(s) for s in ShapeIndex(inputs.shapes).top_level}
    known = [s for s, found in judged.items() if found is not None]
    assert len(known) >= 25
    assert all(found == [] for found in judged.values() if found is not None)
    assert sum(len(precheck.focus_nodes(s)) for s in known) > 500
