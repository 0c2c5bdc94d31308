"""SELECT results written by the engine: the same text as pyoxigraph writes directly, the row
cap applied exactly, and the engine stopped at the first row past the cap."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pflegegraph.nativeresults import FORMATS, _BoundCounter, _CapReached, write_solutions

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def tricky() -> ox.Store:
    s = ox.Store()
    p = ox.NamedNode(EX + "p")
    objects = [
        ox.Literal("tab\there, line\nbreak, \"quoted\", back\\slash", language="de"),
        ox.Literal("Wohn-Pflege-Gemeinschaften"),
        ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("2025-06-30", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("<script>alert(1)</script> & ' },{\""),
        ox.NamedNode(EX + "o?x=1&y=ä"),
        ox.BlankNode("b0"),
    ]
    for i, o in enumerate(objects):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, o))
    s.add(ox.Quad(ox.BlankNode("b1"), p, ox.Literal("Straße")))
    return s


QUERIES = [
    "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?missing } }",
    "SELECT ?t WHERE { ?s ?p ?o BIND(<<( ?s ?p ?o )>> AS ?t) }",
    "SELECT * WHERE { }",
    "SELECT ?x WHERE { ?s ?p ?o }",
    "SELECT ?x WHERE { FILTER(false) }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("query", QUERIES)
def test_same_text_as_the_engine_writes_directly(tricky, query, fmt):
    expected = tricky.query(query).serialize(format=FORMATS[fmt])
    rows = len(list(tricky.query(query)))
    for direct in (True, False):
        written = write_solutions(tricky.query(query), fmt, cap=100, direct=direct)
        assert written.body == expected
        assert written.truncated is False
        # JSON written directly is not counted; every other way is
        assert written.rows == (None if direct and fmt == "json" else rows)
    assert write_solutions(tricky.query(query), fmt).body == expected  # no cap at all


def _rows(written) -> list[list]:
    solutions = ox.parse_query_results(written.body, format=FORMATS[written.fmt])
    return [list(s) for s in solutions]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_cap_keeps_the_first_rows_in_order(tricky, fmt):
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)"
    everything = [list(s) for s in tricky.query(query)]
    assert len(everything) == 8
    at_cap = write_solutions(tricky.query(query), fmt, cap=8, direct=False)
    assert (at_cap.rows, at_cap.truncated) == (8, False)
    cut = write_solutions(tricky.query(query), fmt, cap=3, direct=False)
    assert (cut.rows, cut.truncated) == (3, True)
    if fmt != "csv":  # CSV keeps no term types; the other formats read back as the same terms
        assert _rows(cut) == everything[:3]
        assert _rows(at_cap) == everything
    else:
        lines = cut.body.decode().splitlines()
        assert lines[0] == "s,o" and len(lines) == 4


def test_json_is_written_directly_only_while_it_surely_fits_under_the_cap():
    """Two solutions, one holding a literal with ``},{``: the bound counts three rows, so a cap
    of 2 sends it back (None) to be counted exactly, which finds 2 rows and no cut."""
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("x },{ y")))
    s.add(ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal("plain")))
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
    assert write_solutions(s.query(query), "json", cap=3).body == s.query(query).serialize(
        format=ox.QueryResultsFormat.JSON)
    assert write_solutions(s.query(query), "json", cap=2) is None
    exact = write_solutions(s.query(query), "json", cap=2, direct=False)
    assert (exact.rows, exact.truncated) == (2, False)


def test_the_json_bound_counts_boundaries_split_between_writes():
    """3000 solutions are written in many pieces; with a cap of exactly 3000 the direct text is
    kept, with 2999 it is not: not one boundary between two pieces was missed."""
    s = ox.Store()
    for i in range(3000):
        s.add(ox.Quad(ox.NamedNode(f"{EX}n{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"value {i}")))
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    whole = write_solutions(s.query(query), "json", cap=3000)
    assert whole is not None and len(whole.body) > 100_000
    assert whole.body == s.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    assert write_solutions(s.query(query), "json", cap=2999) is None


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8192])
def test_the_json_bound_sees_a_boundary_cut_into_pieces_of_any_size(size):
    """The text of 3 solutions fed in pieces of ``size`` bytes: with a cap of 3 it is kept, with 2
    it is not: both boundaries are counted once each, also when ``},{`` is spread over three
    one-byte pieces. (It holds 7 ``{``: past a cap of 2 the boundaries are counted.)"""
    text = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a"}},' \
           b'{"x":{"type":"literal","value":"b"}},{}]}}'
    for cap, kept in ((3, True), (2, False)):
        counter = _BoundCounter(cap)
        try:
            for start in range(0, len(text), size):
                counter.write(text[start:start + size])
        except _CapReached:
            assert not kept
        else:
            assert kept and b"".join(counter.parts) == text


def test_a_cap_of_zero_keeps_the_header(tricky):
    cut = write_solutions(tricky.query("SELECT ?s ?o WHERE { ?s ?p ?o }"), "json", cap=0, direct=False)
    assert (cut.rows, cut.truncated) == (0, True)
    assert cut.body == b'{"head":{"vars":["s","o"]},"results":{"bindings":[]}}'


def test_the_engine_stops_at_the_first_row_past_the_cap():
    """A cross product of 2000^3 solutions could not be written in any reasonable time: with the
    cap the engine is stopped after four rows."""
    s = ox.Store()
    for i in range(2000):
        s.add(ox.Quad(ox.NamedNode(f"{EX}n{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i))))
    query = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    cut = write_solutions(s.query(query), "tsv", cap=3)
    assert (cut.rows, cut.truncated) == (3, True)
    lines = cut.body.decode().splitlines()
    assert lines[0] == "?a\t?b\t?c" and len(lines) == 4


def test_an_unknown_format_is_refused(tricky):
    with pytest.raises(ValueError, match="cannot be written as turtle"):
        write_solutions(tricky.query("SELECT * WHERE { }"), "turtle")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_service_answers_with_the_engines_own_text(client, store, fmt):
    """/sparql on the embedded store sends what pyoxigraph writes for the same query."""
    query = ("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
             "ORDER BY ?s ?label")
    response = client.post(f"/sparql?format={fmt}", data=query.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    expected = store.store.query(query, use_default_graph_as_union=True).serialize(format=FORMATS[fmt])
    assert response.status_code == 200
    assert expected.count(b"Braunschweig") > 0
    assert response.data == expected


def test_a_failed_conversion_is_a_plain_error_not_a_syntax_error(tricky, monkeypatch):
    from pflegegraph import nativeresults
    from pflegegraph.errors import QuerySyntaxError, UserError

    def broken(*args, **kwargs):
        raise SyntaxError("unexpected term")

    monkeypatch.setattr(nativeresults.ox, "parse_query_results", broken)
    with pytest.raises(UserError, match="could not write its answer as xml") as caught:
        write_solutions(tricky.query("SELECT * WHERE { ?s ?p ?o }"), "xml")
    assert not isinstance(caught.value, QuerySyntaxError)


def test_pages_read_the_answers_as_rdf_terms(app):
    """A page's query comes back as TSV and is read into terms; ASK into a boolean."""
    from pflegegraph.web.browse import running

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.9"}):
        rows = running.run_text("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "
                                "?label FILTER(?s = <https://w3id.org/pflegegraph/id/03101000/"
                                "handlungsfeld/wohnen>) } ORDER BY ?label")
        assert rows.variables == ["s", "label"]
        assert [(r["s"].value, r["label"].value, r["label"].language) for r in rows.rows] == [
            ("https://w3id.org/pflegegraph/id/03101000/handlungsfeld/wohnen", "Housing", "en"),
            ("https://w3id.org/pflegegraph/id/03101000/handlungsfeld/wohnen", "Wohnen", "de")]
        assert running.run_text("ASK { ?s ?p ?o }").boolean is True
        assert running.run_text("ASK { <urn:x> <urn:y> <urn:z> }").boolean is False
