"""The CLI as a person uses it: a separate process, its output and its exit code."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET

import rdflib

from pflegegraph import __version__

DATA = "data/braunschweig"


def test_version(run_cli):
    out = run_cli("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"pflegegraph {__version__}"


def test_help_lists_commands_and_examples(run_cli):
    out = run_cli("--help")
    assert out.returncode == 0
    for word in ("queries", "query", "stats", "serve", "examples:", "exit codes"):
        assert word in out.stdout
    assert "pflegegraph query action-fields-by-priority" in out.stdout


def test_queries_lists_every_named_query_with_title(run_cli):
    out = run_cli("queries")
    assert out.returncode == 0
    first = next(line for line in out.stdout.splitlines() if line.startswith("action-fields-by-priority"))
    assert first.split(None, 1)[1] == "Handlungsfelder nach Priorität"
    assert "--param resource=<iri> (required)" in out.stdout
    english = run_cli("queries", "--lang", "en", "--format", "json")
    doc = json.loads(english.stdout)
    names = {q["name"] for q in doc}
    assert {"timeline", "provenance", "isek-cross-reference"} <= names
    assert next(q for q in doc if q["name"] == "timeline")["title"]["en"] == "Timeline of events and deadlines"


def test_query_as_table_shows_labels_and_row_count(run_cli):
    out = run_cli("query", "action-fields-by-priority", "--param", "horizon=pgv:medium-term")
    assert out.returncode == 0, out.stderr
    assert "Entlastung von Angehörigen" in out.stdout
    assert "Integrierte Versorgungsangebote" in out.stdout
    assert "Vernetzung" not in out.stdout
    assert out.stdout.rstrip().endswith("(2 rows)")


def test_query_csv_is_parseable(run_cli):
    out = run_cli("query", "action-fields-by-priority", "--format", "csv", "--param", "lang=en")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    by_label = {r["label"]: r for r in rows}
    assert by_label["Networking"]["statedPriority"] == "1"
    assert by_label["Civic engagement"]["statedPriority"] == "1 bzw. 1 – 3"
    assert by_label["Networking"]["actionField"].endswith("/handlungsfeld/vernetzung")


def test_query_json_and_xml_are_sparql_results(run_cli):
    out = run_cli("query", "content-gaps", "--format", "json")
    doc = json.loads(out.stdout)
    gaps = {b["gap"]["value"].rsplit("/", 1)[1]: b for b in doc["results"]["bindings"]}
    assert gaps["luecke-rahmenprojekte"]["statedCount"] == {
        "type": "literal", "value": "26", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    xml_out = run_cli("query", "content-gaps", "--format", "xml")
    root = ET.fromstring(xml_out.stdout)
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert len(root.findall(".//s:result", ns)) == 3


def test_tsv_output(run_cli):
    out = run_cli("query", "unverified", "--format", "tsv")
    header, *lines = out.stdout.splitlines()
    assert header.split("\t")[:3] == ["?subject", "?subjectLabel", "?predicate"]
    assert any('"DKAN"' in line for line in lines)


def test_construct_from_stdin_as_turtle(run_cli):
    query = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
CONSTRUCT { ?f pg:statedPriority ?p } WHERE { ?f pg:statedPriority ?p }"""
    out = run_cli("query", "-", "--format", "turtle", input=query)
    assert out.returncode == 0, out.stderr
    graph = rdflib.Graph().parse(data=out.stdout, format="turtle")
    assert len(graph) == 14
    assert rdflib.Literal("2 – 3") in set(graph.objects())


def test_query_file_with_syntax_error_reports_line_and_column(run_cli, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# a comment\nSELECT ?s WHERE {\n  ?s ?p \n}\n", encoding="utf-8")
    out = run_cli("query", str(bad))
    assert out.returncode == 1
    assert "SPARQL syntax error in bad at line 4, column 2: expected" in out.stderr
    assert "\n    }\n     ^" in out.stderr  # the line, and a caret where the parser stopped
    assert "Traceback" not in out.stderr


def test_unknown_query_lists_near_matches(run_cli):
    out = run_cli("query", "timelin")
    assert out.returncode == 1
    assert "no named query 'timelin'; did you mean timeline, plan-timeline?" in out.stderr


def test_missing_required_parameter_is_named(run_cli):
    out = run_cli("query", "provenance")
    assert out.returncode == 1
    assert "needs the parameter 'resource' (iri)" in out.stderr


def test_mistyped_parameters_are_named(run_cli):
    out = run_cli("query", "timeline", "--param", "fromYear=twenty")
    assert out.returncode == 1
    assert "parameter 'fromYear' expects a year such as 2024, got 'twenty'" in out.stderr
    out = run_cli("query", "provenance", "--param", "resource=nope:thing")
    assert "parameter 'resource' expects an IRI" in out.stderr
    out = run_cli("query", "timeline", "--param", "colour=red")
    assert "query 'timeline' has no parameter 'colour'" in out.stderr
    out = run_cli("query", "action-fields-by-priority", "--param", "horizon=pgv:soon")
    assert "parameter 'horizon' must be one of pgv:short-term" in out.stderr


def test_wrong_format_for_result_kind(run_cli):
    out = run_cli("query", "timeline", "--format", "turtle")
    assert out.returncode == 1
    assert "a SELECT or ASK result cannot be written as 'turtle'" in out.stderr


def test_stats_counts_graphs_and_classes(run_cli):
    out = run_cli("stats", "--format", "json")
    doc = json.loads(out.stdout)
    graphs = {g["graph"].rsplit("/", 1)[1]: g["triples"] for g in doc["graphs"]}
    assert set(graphs) >= {"plan", "measures", "editorial-links", "pflegegraph", "vocabularies"}
    assert doc["triples"] == sum(g["triples"] for g in doc["graphs"])
    classes = {c["class"].rsplit("#", 1)[1]: c["instances"] for c in doc["classes"]}
    assert classes["ActionField"] == 14 and classes["ModelProject"] == 3 and classes["GuidingGoal"] == 5
    table = run_cli("stats")
    assert "pg:ActionField" in table.stdout and "Handlungsfeld" in table.stdout


def test_broken_turtle_names_file_line_and_loads_nothing(run_cli, tmp_path):
    folder = tmp_path / "wolfsburg"
    folder.mkdir()
    (folder / "good.ttl").write_text("<http://e/a> <http://e/p> <http://e/o> .\n", encoding="utf-8")
    (folder / "broken.ttl").write_text(
        "@prefix ex: <http://e/> .\nex:a ex:p ex:o .\nex:b ex:p \"unterminated .\n", encoding="utf-8")
    out = run_cli("--help")  # the parser is fine; now the data
    out = run_cli("stats", "--data", str(folder))
    assert out.returncode == 2
    assert f"{folder / 'broken.ttl'}:3:" in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_missing_data_folder_is_unreadable_input(run_cli, tmp_path):
    out = run_cli("stats", "--data", str(tmp_path / "nowhere"))
    assert out.returncode == 2
    assert "no such folder" in out.stderr


def test_data_replaces_and_add_data_adds(run_cli, tmp_path):
    other = tmp_path / "musterstadt"
    other.mkdir()
    (other / "plan.ttl").write_text("""
@prefix pg: <https://w3id.org/pflegegraph/def#> .
@prefix pgv: <https://w3id.org/pflegegraph/vocab/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/pflegegraph/id/09999999/plan> pg:hasActionField <https://w3id.org/pflegegraph/id/09999999/hf/quartier> .
<https://w3id.org/pflegegraph/id/09999999/hf/quartier> a pg:ActionField ; rdfs:label "Quartier"@de ;
    pg:statedPriority "2" ; pg:priorityHorizon pgv:medium-term .
""", encoding="utf-8")
    instead = run_cli("query", "action-fields-by-priority", "--format", "csv", "--data", str(other))
    rows = list(csv.DictReader(io.StringIO(instead.stdout)))
    assert [r["label"] for r in rows] == ["Quartier"]
    beside = run_cli("query", "action-fields-by-priority", "--format", "csv", "--add-data", str(other))
    labels = [r["label"] for r in csv.DictReader(io.StringIO(beside.stdout))]
    assert len(labels) == 15 and "Quartier" in labels and "Vernetzung" in labels


def test_same_folder_name_twice_is_refused(run_cli, tmp_path):
    copy = tmp_path / "braunschweig"
    shutil.copytree(DATA, copy)
    out = run_cli("stats", "--add-data", str(copy))
    assert out.returncode == 1
    assert "would both become graph" in out.stderr


def test_environment_setting_is_read(run_cli, tmp_path):
    out = run_cli("settings", extra_env={"PFLEGEGRAPH_ROW_LIMIT": "77"})
    assert "row_limit = 77" in out.stdout
    assert "[env PFLEGEGRAPH_ROW_LIMIT" in out.stdout
    bad = run_cli("settings", extra_env={"PFLEGEGRAPH_ROW_LIMIT": "many"})
    assert bad.returncode == 1
    assert "PFLEGEGRAPH_ROW_LIMIT='many' is not a valid integer" in bad.stderr


def test_argparse_errors_are_user_errors(run_cli):
    out = run_cli("query")
    assert out.returncode == 1
    assert "the following arguments are required: NAME|FILE|-" in out.stderr
