"""The service's streamed results are the same text as the CLI's rendered results, and parse back."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from pflegegraph.results import render
from pflegegraph.resultstream import CHUNK_ROWS, SOLUTION_FORMATS, stream
from pflegegraph.store import QueryResult

EX = "https://example.org/"
TERMS = [
    ox.NamedNode(EX + "a?x=1&y=%3C2%3E"),
    ox.Literal("Wohn-Pflege-Gemeinschaften", language="de"),
    ox.Literal('"quoted" \\ back\nslash\t\u202eRTL <b>&amp;', language="en"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("Straße ä ö ü ß 🏠"),
    ox.Literal("\x00\x1f control"),
    ox.BlankNode("b0"),
]


def _result(rows: int) -> QueryResult:
    body = []
    for i in range(rows):
        row = {"s": TERMS[i % len(TERMS)], "o": TERMS[(i + 3) % len(TERMS)]}
        if i % 4 == 0:
            del row["o"]  # an unbound variable
        body.append(row)
    return QueryResult("select", variables=["s", "o"], rows=body)


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
@pytest.mark.parametrize("rows", [0, 1, 13, CHUNK_ROWS + 7])
def test_stream_equals_render(fmt, rows):
    result = _result(rows)
    assert b"".join(stream(result, fmt)).decode("utf-8") == render(result, fmt)


def test_json_stream_parses_to_the_terms():
    result = _result(CHUNK_ROWS * 2 + 1)
    doc = json.loads(b"".join(stream(result, "json")))
    assert doc["head"]["vars"] == ["s", "o"]
    bindings = doc["results"]["bindings"]
    assert len(bindings) == len(result.rows)
    assert bindings[1]["s"] == {"type": "literal", "value": "Wohn-Pflege-Gemeinschaften", "xml:lang": "de"}
    assert bindings[3]["s"] == {"type": "literal", "value": "42",
                                "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert bindings[2]["s"]["value"] == '"quoted" \\ back\nslash\t\u202eRTL <b>&amp;'
    assert bindings[6]["s"] == {"type": "bnode", "value": "b0"}
    assert "o" not in bindings[0] and bindings[1]["o"]["value"] == "Straße ä ö ü ß 🏠"
