"""``pflegegraph export``: complete, deterministic, round-tripping, described, and atomic."""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from pflegegraph.errors import UserError
from pflegegraph.publish import dumps as dumps_module
from pflegegraph.publish.canonical import as_triples, published_quads
from pflegegraph.publish.export import export

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
STEM = "pflegegraph-braunschweig"


@pytest.fixture(scope="module")
def exported(run_cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site-data"
    result = run_cli("export", "--out", str(out), "--public-url", "https://example.org/pflege")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("exported ") and str(out) in result.stdout
    return out


def test_every_dump_and_table_is_written(exported):
    names = {p.name for p in exported.iterdir()}
    for suffix in ("ttl", "nt", "jsonld", "rdf", "nq", "trig"):
        assert f"{STEM}.{suffix}" in names and f"{STEM}.{suffix}.gz" in names
    assert {"action-fields.csv", "measures.csv", "funding-programmes.csv", "isek-matrix.csv",
            "csv-metadata.json", "catalog.ttl", "catalog.jsonld", "SHA256SUMS"} <= names
    assert not [n for n in names if ".partial-" in n]


def test_same_input_gives_byte_identical_files(exported, run_cli, tmp_path):
    again = tmp_path / "again"
    run_cli("export", "--out", str(again), "--public-url", "https://example.org/pflege")
    first = {p.name: p.read_bytes() for p in exported.iterdir()}
    second = {p.name: p.read_bytes() for p in again.iterdir()}
    assert first.keys() == second.keys()
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []


@pytest.mark.parametrize(("suffix", "fmt"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                             ("rdf", "xml"), ("nq", "nquads"), ("trig", "trig")])
def test_every_dump_round_trips_to_the_same_triples(exported, store, suffix, fmt):
    expected = rdflib.Graph()
    for t in as_triples(published_quads(store)):
        expected.add(_to_rdflib(t))
    for name in (f"{STEM}.{suffix}", f"{STEM}.{suffix}.gz"):
        raw = (exported / name).read_bytes()
        data = gzip.decompress(raw) if name.endswith(".gz") else raw
        if fmt in ("nquads", "trig"):
            parsed = rdflib.Dataset()
            parsed.parse(data=data, format=fmt)
            graph = rdflib.Graph()
            for s, p, o, _g in parsed.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph = rdflib.Graph().parse(data=data, format=fmt)
        assert isomorphic(graph, expected), name


def test_quad_dumps_keep_the_named_graphs(exported):
    graphs = {q.graph_name.value for q in ox.parse(path=str(exported / f"{STEM}.nq"), format=ox.RdfFormat.N_QUADS)}
    assert "https://w3id.org/pflegegraph/graph/braunschweig/editorial-links" in graphs
    assert "https://w3id.org/pflegegraph/graph/braunschweig/plan" in graphs


def test_checksums_match_the_files(exported):
    lines = (exported / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == {p.name for p in exported.iterdir()} - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((exported / name).read_bytes()).hexdigest() == digest, name


def test_catalog_describes_every_distribution_with_size_and_checksum(exported):
    g = rdflib.Graph().parse(exported / "catalog.ttl")
    dataset = rdflib.URIRef("https://example.org/pflege/dataset/braunschweig")
    assert (None, DCAT.dataset, dataset) in g
    titles = {(str(t), t.language) for t in g.objects(dataset, DCT.title)}
    assert ("Altenhilfe- und Pflegeplanung Braunschweig als Wissensgraph", "de") in titles
    assert {t.language for t in g.objects(dataset, DCT.description)} == {"de", "en"}
    assert (dataset, DCT.spatial, rdflib.URIRef("http://www.wikidata.org/entity/Q2773")) in g
    assert (dataset, DCT.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    distributions = set(g.objects(dataset, DCAT.distribution))
    assert len(distributions) == len([p for p in exported.iterdir()
                                      if p.name not in {"SHA256SUMS", "catalog.ttl", "catalog.jsonld"}])
    for dist in distributions:
        url = str(g.value(dist, DCAT.downloadURL))
        path = exported / url.rsplit("/", 1)[1]
        assert url.startswith("https://example.org/pflege/data/")
        assert int(g.value(dist, DCAT.byteSize)) == path.stat().st_size
        checksum = g.value(dist, SPDX.checksum)
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert g.value(dist, DCAT.mediaType) is not None and g.value(dist, DCT["format"]) is not None


def test_void_counts_and_links(exported, store):
    g = rdflib.Graph().parse(exported / "catalog.ttl")
    dataset = rdflib.URIRef("https://example.org/pflege/dataset/braunschweig")
    assert int(g.value(dataset, VOID.triples)) == len(as_triples(published_quads(store)))
    assert g.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef("https://example.org/pflege/sparql")
    assert str(g.value(dataset, VOID.uriSpace)) == "https://w3id.org/pflegegraph/id/"
    dumps = {str(d) for d in g.objects(dataset, VOID.dataDump)}
    assert f"https://example.org/pflege/data/{STEM}.ttl" in dumps


def test_csv_tables_hold_the_rows(exported):
    with open(exported / "action-fields.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 14
    by_label = {r["label"]: r for r in rows}
    assert by_label["Integrierte Versorgungsangebote"]["statedPriority"] == "2 – 3"
    assert by_label["Integrierte Versorgungsangebote"]["horizons"] == "langfristig, mittelfristig"
    with open(exported / "isek-matrix.csv", encoding="utf-8", newline="") as f:
        matrix = list(csv.DictReader(f))
    assert any(r["status"] == "gap-action-field" and r["actionFieldLabel"] == "Digitalisierung" for r in matrix)
    metadata = json.loads((exported / "csv-metadata.json").read_text(encoding="utf-8"))
    table = next(t for t in metadata["tables"] if t["url"] == "action-fields.csv")
    columns = {c["name"]: c["datatype"] for c in table["tableSchema"]["columns"]}
    assert columns["actionField"] == "anyURI" and columns["firstHorizonRank"] == "integer"


def test_unwritable_parent_gets_a_clear_message(run_cli, tmp_path):
    out = run_cli("export", "--out", str(tmp_path / "missing" / "deeper"))
    assert out.returncode == 1
    assert "the folder" in out.stderr and "does not exist" in out.stderr


def test_failed_export_leaves_the_previous_one_untouched(settings, store, tmp_path, monkeypatch):
    out = tmp_path / "published"
    export(store, settings, out, "https://example.org/")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dumps_module.gzip, "compress", disk_full)
    with pytest.raises(UserError, match="the disk is full; the previous export"):
        export(store, settings, out, "https://example.org/")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["published"]  # no partial folder left behind


def _to_rdflib(t: ox.Triple):
    def term(x):
        if isinstance(x, ox.NamedNode):
            return rdflib.URIRef(x.value)
        if isinstance(x, ox.BlankNode):
            return rdflib.BNode(x.value)
        if x.language:
            return rdflib.Literal(x.value, lang=x.language)
        if x.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return rdflib.Literal(x.value)
        return rdflib.Literal(x.value, datatype=rdflib.URIRef(x.datatype.value))
    return term(t.subject), term(t.predicate), term(t.object)


def test_description_conforms_to_dcat_ap_de_and_a_broken_one_does_not(exported):
    from pflegegraph.publish.check import check_description

    triples = [q.triple for q in ox.parse(path=str(exported / "catalog.ttl"), format=ox.RdfFormat.TURTLE)]
    findings = check_description(triples, "en")
    assert [f for f in findings if f.severity == "Violation"] == []
    dataset = "https://example.org/pflege/dataset/braunschweig"
    broken = [t for t in triples if not (t.subject.value == dataset and
                                         t.predicate.value == "http://purl.org/dc/terms/title")]
    findings = check_description(broken, "en")
    assert [(f.severity, f.focus, f.path, f.message) for f in findings if f.severity == "Violation"] == [
        ("Violation", dataset, "http://purl.org/dc/terms/title", "Dataset without a title (dct:title, mandatory)")]


def test_data_that_does_not_validate_is_not_exported(run_cli, tmp_path):
    import shutil

    from shipped import DATA

    data = tmp_path / "braunschweig"
    shutil.copytree(DATA, data)
    plan = data / "plan.ttl"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        'pg:statedPriority "2" ;', 'pg:statedPriority "irgendwann" ;'), encoding="utf-8")
    out = run_cli("export", "--data", str(data), "--out", str(tmp_path / "dist"))
    assert out.returncode == 1
    assert "the data does not validate (" in out.stderr and "nothing was exported" in out.stderr
    assert "Entlastung von Angehörigen" in out.stderr
    assert not (tmp_path / "dist").exists()


def test_a_partial_earlier_export_is_named_and_removed(run_cli, tmp_path):
    leftover = tmp_path / ".dist.partial-abc123"
    leftover.mkdir()
    (leftover / "pflegegraph-braunschweig.ttl").write_text("half", encoding="utf-8")
    out = run_cli("export", "--out", str(tmp_path / "dist"))
    assert out.returncode == 0, out.stderr
    assert f"an earlier export was cut off and left {leftover}" in out.stderr
    assert not leftover.exists() and (tmp_path / "dist" / "SHA256SUMS").is_file()
