"""`pflegegraph validate` as a user runs it: a separate process, its output and its exit code."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own test output
from pathlib import Path

import pytest
from rdflib import Graph

from pflegegraph.validation.paths import SH
from pflegegraph.validation.report import results_from_graph

EXAMPLES = Path(__file__).parent / "shapes"
BASE = str(EXAMPLES / "_base.ttl")
ACTION_FIELD = str(EXAMPLES / "invalid" / "action-field.ttl")


def test_shipped_graph_passes_in_german_by_default(run_cli):
    done = run_cli("validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("In Ordnung: ")
    assert "erfüllen alle" in done.stdout and done.stderr == ""


def test_text_report_groups_by_shape_and_names_what_where_and_why(run_cli):
    done = run_cli("validate", "--data", BASE, "--add-data", ACTION_FIELD)
    assert done.returncode == 1
    out = done.stdout
    assert out.startswith("7 Verstöße, 0 Warnungen, 0 Hinweise")
    assert "pgsh:ActionField – Handlungsfeld (3)" in out
    assert "pgsh:ActionFieldHorizons – Zeithorizonte eines Handlungsfelds (4)" in out
    assert "[Verstoß] Prävention <https://example.org/test/a>" in out
    assert "Eigenschaft: pg:statedPriority" in out and 'Wert: "1 - 3"' in out
    assert "mit Halbgeviertstrich –, nicht Bindestrich -" in out
    assert 'Zur angegebenen Priorität "2 – 3" fehlt der Zeithorizont pgv:medium-term.' in out
    assert out.rstrip().endswith("Nicht bestanden: es gibt Ergebnisse ab der Schwelle --fail-on violation.")


def test_english_messages_with_lang_en(run_cli):
    done = run_cli("validate", "--data", BASE, "--add-data", ACTION_FIELD, "--lang", "en")
    assert done.returncode == 1
    assert "[violation] Prävention <https://example.org/test/a>" in done.stdout
    assert ('The stated priority "2 – 3" implies the time horizon pgv:medium-term, which is missing.'
            in done.stdout)
    assert "Verstoß" not in done.stdout


def test_json_report_for_machines(run_cli):
    done = run_cli("validate", "--data", BASE, "--add-data", ACTION_FIELD, "--format", "json", "--lang", "en")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["conforms"] is False and doc["failed"] is True
    assert doc["counts"] == {"violation": 7, "warning": 0, "info": 0}
    first = next(r for r in doc["results"] if r["path"] == "pg:statedPriority")
    assert first["focusNode"] == {"type": "iri", "value": "https://example.org/test/a"}
    assert first["focusLabel"] == "Prävention"
    assert first["value"] == {"type": "literal", "value": "1 - 3"}
    assert first["sourceShape"] == "pgsh:ActionField-statedPriority" and first["shape"] == "pgsh:ActionField"
    assert first["message"].startswith("The stated priority (pg:statedPriority) must be exactly one of")


def test_turtle_is_a_standard_validation_report(run_cli):
    done = run_cli("validate", "--data", BASE, "--add-data", ACTION_FIELD, "--format", "turtle")
    assert done.returncode == 1
    graph = Graph().parse(data=done.stdout, format="turtle")
    assert [c.toPython() for c in graph.objects(None, SH.conforms)] == [False]
    results = results_from_graph(graph)
    assert len(results) == 7
    assert {str(r.focus) for r in results} == {f"https://example.org/test/{n}" for n in "abc"}
    assert {m.language for r in results for m in r.messages} == {"de", "en"}


def test_junit_has_a_test_case_per_shape_and_fails_the_broken_ones(run_cli, tmp_path):
    target = tmp_path / "validation.xml"
    done = run_cli("validate", "--data", BASE, "--add-data", ACTION_FIELD, "--format", "junit",
                   "--output", str(target))
    assert done.returncode == 1
    assert done.stdout == "" and done.stderr.startswith("7 Verstöße")
    root = ET.fromstring(target.read_text(encoding="utf-8"))  # noqa: S314
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert len(cases) >= 30 and "pgsh:OntologyTerm" in cases
    failure = cases["pgsh:ActionField"].find("failure")
    assert failure is not None and failure.get("message").startswith("3 Ergebnis(se): ")
    assert "Prävention <https://example.org/test/a>" in failure.text
    horizons = cases["pgsh:ActionFieldHorizons"].find("failure")
    assert horizons is not None and horizons.get("message").startswith("4 Ergebnis(se): ")
    assert cases["pgsh:Labelled"].find("failure") is None
    assert root.get("failures") == "2"


@pytest.mark.parametrize(("fail_on", "code", "verdict"), [
    ("violation", 0, "Bestanden: nichts ab der Schwelle --fail-on violation."),
    ("warning", 1, "Nicht bestanden: es gibt Ergebnisse ab der Schwelle --fail-on warning."),
])
def test_fail_on_decides_whether_a_warning_fails(run_cli, fail_on, code, verdict):
    warning = str(EXAMPLES / "invalid" / "administration-statement.ttl")
    done = run_cli("validate", "--data", BASE, "--add-data", warning, "--fail-on", fail_on)
    assert done.returncode == code
    assert "[Warnung] Stellungnahme <https://example.org/test/st>" in done.stdout
    assert done.stdout.rstrip().endswith(verdict)


def test_fail_on_info(run_cli):
    info = str(EXAMPLES / "invalid" / "event-status.ttl")
    passed = run_cli("validate", "--data", BASE, "--add-data", info, "--fail-on", "warning", "--lang", "en")
    failed = run_cli("validate", "--data", BASE, "--add-data", info, "--fail-on", "info", "--lang", "en")
    assert (passed.returncode, failed.returncode) == (0, 1)
    assert "[info] Sitzung <https://example.org/test/e>" in failed.stdout
    assert "The state of the event (pg:eventStatus) is not given" in failed.stdout


# --- unreadable input: exit 2, each with its own message ---------------------------------------

def test_broken_turtle_names_file_line_and_column(run_cli, tmp_path):
    bad = tmp_path / "kaputt.ttl"
    bad.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b "offen ;\n', encoding="utf-8")
    done = run_cli("validate", "--data", str(bad))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"pflegegraph: error: {bad}:2:")
    assert "Traceback" not in done.stderr


def test_empty_file_is_reported_as_such(run_cli, tmp_path):
    empty = tmp_path / "leer.ttl"
    empty.write_text("", encoding="utf-8")
    done = run_cli("validate", "--data", str(empty))
    assert done.returncode == 2
    assert done.stderr == (f"pflegegraph: error: {empty}: die Datei ist leer (keine einzige RDF-Aussage). "
                           "Eine leere Datendatei ist meist ein Versehen: füllen oder löschen Sie sie.\n")


def test_file_in_the_wrong_format_says_what_it_looks_like(run_cli, tmp_path):
    wrong = tmp_path / "daten.ttl"
    wrong.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
                     encoding="utf-8")
    done = run_cli("validate", "--data", str(wrong), "--lang", "en")
    assert done.returncode == 2
    assert done.stderr.startswith(f"pflegegraph: error: {wrong}:1:")
    assert "The file looks like RDF/XML, not Turtle as its ending .ttl says." in done.stderr


def test_shapes_that_do_not_parse(run_cli, tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "core.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path .\n",
                                     encoding="utf-8")
    done = run_cli("validate", "--shapes", str(shapes))
    assert done.returncode == 2
    assert done.stderr.startswith(f"pflegegraph: error: {shapes / 'core.ttl'}:2:")
    assert "Fehler in den Shapes:" in done.stderr


def test_shapes_that_parse_but_are_faulty(run_cli, tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "core.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 1 .\n",
        encoding="utf-8")
    done = run_cli("validate", "--shapes", str(shapes), "--lang", "en")
    assert done.returncode == 2
    assert done.stderr.startswith("pflegegraph: error: The shapes are faulty and cannot be applied (")
    assert "NodeShape cannot be the subject of a 'sh:path'" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_data_folder(run_cli, tmp_path):
    done = run_cli("validate", "--data", str(tmp_path / "gibt-es-nicht"))
    assert done.returncode == 2
    assert done.stderr == f"pflegegraph: error: {tmp_path / 'gibt-es-nicht'}: no such folder\n"
