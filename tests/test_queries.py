"""Every named query runs on the shipped graph and returns the rows it should (data-driven).

Expectations live in tests/queries/expectations.yaml; a query without one fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pflegegraph.namedqueries import PARAM_TYPES, QueryCatalog
from pflegegraph.results import display

HERE = Path(__file__).parent
EXPECTATIONS = yaml.safe_load((HERE / "queries" / "expectations.yaml").read_text(encoding="utf-8"))
CATALOG = QueryCatalog(HERE.parent / "queries")
CASES = [(name, i, case) for name, cases in EXPECTATIONS.items() for i, case in enumerate(cases)]


def test_every_query_has_expectations():
    missing = sorted(set(CATALOG.queries) - set(EXPECTATIONS))
    unknown = sorted(set(EXPECTATIONS) - set(CATALOG.queries))
    assert not missing, f"queries without expectations: {missing}"
    assert not unknown, f"expectations for queries that do not exist: {unknown}"


def test_at_least_ten_named_queries():
    assert len(CATALOG) >= 10


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_header_is_complete(query):
    assert query.title.get("de") and query.title.get("en"), "title in de and en"
    assert query.description.get("de") and query.description.get("en"), "description in de and en"
    for p in query.params:
        assert p.type in PARAM_TYPES
        assert f"?{p.name}" in query.text, f"parameter {p.name} is not a variable of the query"
        assert p.label.get("de") and p.label.get("en"), f"parameter {p.name} needs labels in de and en"


def _rows(store, query, params):
    bindings = query.bindings({k: str(v) for k, v in (params or {}).items()}, store.prefixes)
    result = store.query(query.text, bindings, source=query.name)
    assert result.kind == "select"
    rows = [{k: display(v, store.prefixes) for k, v in row.items()} for row in result.rows]
    return result.variables, rows


def _matches(row: dict, wanted: dict) -> bool:
    def same(column, value):
        got = row.get(column, "")
        if isinstance(value, list):  # GROUP_CONCAT: order is not defined
            return sorted(got.split("; ")) == sorted(str(v) for v in value)
        return got == str(value)

    return all(same(column, value) for column, value in wanted.items())


@pytest.mark.parametrize(("name", "index", "case"), CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_query_returns_expected_rows(store, name, index, case):
    variables, rows = _rows(store, CATALOG.get(name), case.get("params"))
    if "columns" in case:
        assert variables == case["columns"]
    if "count" in case:
        assert len(rows) == case["count"], f"{name}: {len(rows)} rows: {rows}"
    if "min_count" in case:
        assert len(rows) >= case["min_count"], f"{name}: only {len(rows)} rows"
    for wanted in case.get("contains", []):
        assert any(_matches(r, wanted) for r in rows), f"{name}: no row with {wanted}; rows: {rows}"
    for unwanted in case.get("excludes", []):
        assert not any(_matches(r, unwanted) for r in rows), f"{name}: unexpected row {unwanted}"


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_query_also_runs_without_any_binding(store, query):
    """The .rq text is plain SPARQL: other clients (YASGUI, curl) can run it as it is."""
    if any(p.required for p in query.params):
        pytest.skip("needs a parameter")
    result = store.query(query.text, source=query.name)
    assert result.rows, f"{query.name} returned nothing without bindings"


def _body(query) -> str:
    return "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))


def _balanced(text: str, opening: str, pair: str):
    """The text inside every ``opening`` ... matching close of ``pair``, nested ones included."""
    for start in (m.end() for m in re.finditer(opening, text)):
        depth, i = 1, start
        while depth and i < len(text):
            depth += {pair[0]: 1, pair[1]: -1}.get(text[i], 0)
            i += 1
        yield text[start:i - 1]


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_query_follows_the_portable_rules(query):
    """The rules in docs/data-model.md that make a query give the same rows on every store."""
    body = _body(query)
    assert body.isascii(), "only ASCII in the query text (Virtuoso mangles other constants)"
    outer = {f"?{p.name}" for p in query.params} | {"?lng"}
    for group in _balanced(body, r"OPTIONAL\s*\{", "{}"):
        for expression in _balanced(group, r"FILTER\s*\(", "()"):
            for variable in outer:
                assert not re.search(re.escape(variable) + r"\b", expression), \
                    f"{variable} is used in a FILTER inside an OPTIONAL: {expression[:80]}"
    for aggregate in re.findall(r"GROUP_CONCAT\((.*?);", body):
        assert aggregate.startswith("DISTINCT STR(COALESCE("), f"GROUP_CONCAT({aggregate}…)"
    assert "COALESCE(GROUP_CONCAT" not in body
