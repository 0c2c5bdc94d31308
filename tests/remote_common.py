"""What the remote-store tests share: every named query, run with its default parameters, must
give the same rows on a remote store as on the embedded one."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import yaml

from pflegegraph.namedqueries import QueryCatalog
from servers import ROOT

CATALOG = QueryCatalog(ROOT / "queries")
_EXPECTATIONS = ROOT / "tests" / "queries" / "expectations.yaml"
XSD = "http://www.w3.org/2001/XMLSchema#"
_SEPARATOR = re.compile(r"; |, ")
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}


def parameters(query) -> dict[str, str]:
    """Defaults; a required parameter without one takes the first value the expectations use."""
    values: dict[str, str] = {}
    missing = [p.name for p in query.params if p.required and p.default is None]
    if missing and _EXPECTATIONS.exists():
        cases = (yaml.safe_load(_EXPECTATIONS.read_text(encoding="utf-8")) or {}).get(query.name, [])
        for case in cases:
            params = case.get("params") or {}
            if all(name in params for name in missing):
                values = {name: str(params[name]) for name in missing}
                break
    return values


def normal(term) -> tuple:
    """A term as it must agree between stores (blank node labels do not; numbers by value)."""
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in NUMERIC:
            try:
                return ("number", Decimal(term.value).normalize())
            except InvalidOperation:
                pass
        if datatype == XSD + "boolean":  # "1" and "true" are the same value
            return ("boolean", term.value in ("1", "true"))
        if _SEPARATOR.search(term.value):  # GROUP_CONCAT: the order of the parts is not defined
            return ("concat", tuple(sorted(_SEPARATOR.split(term.value))), term.language)
        return ("literal", term.value, None if datatype == XSD + "string" else datatype, term.language)
    return ("iri", term.value)


def rows_of(store, query) -> tuple[list[str], Counter]:
    bindings = query.bindings(parameters(query), store.prefixes)
    result = store.query(query.text, bindings, source=query.name)
    return result.variables, Counter(tuple(sorted((k, normal(v)) for k, v in row.items()))
                                     for row in result.rows)


def assert_same_rows(query, embedded, remote) -> None:
    want_vars, want = rows_of(embedded, query)
    got_vars, got = rows_of(remote, query)
    assert got_vars == want_vars
    assert sum(want.values()) > 0, f"{query.name} gives no rows on the embedded store"
    missing, extra = want - got, got - want
    assert not missing and not extra, (f"{query.name}: rows only in the embedded store: "
                                       f"{list(missing)[:3]}; only in the remote store: {list(extra)[:3]}")
