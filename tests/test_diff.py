"""``pflegegraph diff``: changes resource by resource, with labels, as text, JSON and a changeset."""

from __future__ import annotations

import json
import shutil

import pytest
import rdflib

from shipped import DATA

NEW_MEASURE = """
@prefix pg: <https://w3id.org/pflegegraph/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/pflegegraph/id/03101000/massnahme/test-neu> a pg:Measure ;
    rdfs:label "Neue Testmaßnahme"@de ;
    dcterms:source <https://w3id.org/pflegegraph/id/03101000/dokument/ds-24-22983-01> .
"""


@pytest.fixture()
def changed(tmp_path):
    new = tmp_path / "braunschweig"
    shutil.copytree(DATA, new)
    plan = new / "plan.ttl"
    text = plan.read_text(encoding="utf-8")
    text = text.replace('pg:statedPriority "2" ; pg:priorityHorizon pgv:medium-term ;',
                        'pg:statedPriority "1 – 3" ; pg:priorityHorizon pgv:ongoing ;')
    text = text.replace("bshf:vernetzung a pg:ActionField ;",
                        "bshf:vernetzung a pg:ActionField ; dcterms:source bsdoc:ds-24-22983-02 ;")
    plan.write_text(text, encoding="utf-8")
    (new / "extra.ttl").write_text(NEW_MEASURE, encoding="utf-8")
    measures = new / "measures.ttl"
    start = measures.read_text(encoding="utf-8").index("bsm:luecke-pflegeplanung a pg:ContentGap")
    measures.write_text(measures.read_text(encoding="utf-8")[:start], encoding="utf-8")
    return new


def test_identical_sides_have_no_changes(run_cli):
    out = run_cli("diff", str(DATA), str(DATA))
    assert out.returncode == 0 and out.stdout == "no changes\n"


def test_text_lists_changes_with_labels(run_cli, changed):
    out = run_cli("diff", str(DATA), str(changed))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("1 added, 1 removed, 2 changed resources")
    assert "+ Neue Testmaßnahme <https://w3id.org/pflegegraph/id/03101000/massnahme/test-neu> [pg:Measure]" in text
    assert "- Maßnahmen der Altenhilfe- und Pflegeplanung 2020 – 2035 nicht erfasst" in text
    assert "~ Entlastung von Angehörigen" in text
    assert 'priority changed: "2" -> "1 – 3"' in text
    assert "+ new source: Änderungsantrag DS 24-22983-02 (bsdoc:ds-24-22983-02)" in text


def test_json_and_changeset(run_cli, changed):
    doc = json.loads(run_cli("diff", str(DATA), str(changed), "--format", "json").stdout)
    kinds = {c["label"]: c["change"] for c in doc}
    assert kinds["Neue Testmaßnahme"] == "added" and kinds["Vernetzung"] == "changed"
    turtle = run_cli("diff", str(DATA), str(changed), "--format", "turtle").stdout
    g = rdflib.Graph().parse(data=turtle, format="turtle")
    cs = rdflib.Namespace("http://purl.org/vocab/changeset/schema#")
    subjects = {str(o) for o in g.objects(None, cs.subjectOfChange)}
    assert "https://w3id.org/pflegegraph/id/03101000/handlungsfeld/entlastung-von-angehoerigen" in subjects
    added = {str(g.value(st, rdflib.RDF.object)) for st in g.objects(None, cs.addition)}
    assert "1 – 3" in added


def test_export_and_its_source_folder_compare_equal(run_cli, tmp_path):
    out = tmp_path / "export"
    run_cli("export", "--out", str(out))
    assert run_cli("diff", str(out), str(DATA)).stdout == "no changes\n"


def test_missing_side_is_unreadable_input(run_cli, tmp_path):
    out = run_cli("diff", str(DATA), str(tmp_path / "nothing"))
    assert out.returncode == 2 and "no such folder" in out.stderr


def test_markdown_section_for_the_data_changelog(run_cli, changed):
    text = run_cli("diff", str(DATA), str(changed), "--format", "markdown", "--title", "0.2.0").stdout
    assert text.startswith("## 0.2.0\n")
    assert "### Added\n\n- Neue Testmaßnahme (`bsm:test-neu`)" in text
    assert "- Entlastung von Angehörigen (`bshf:entlastung-von-angehoerigen`): priority 2 → 1 – 3" in text
