"""Bind parameter values into a SPARQL query as RDF terms, never as pasted text.

pyoxigraph's own substitution only covers SELECT queries that project the variable, so the
values go into a ``VALUES`` block opened as the first element of the query's outermost WHERE
group, the same place rdflib's ``initBindings`` joins them. Each value is an RDF term object
(pyoxigraph validates IRIs, and escapes literals when it writes them), so input cannot change the
shape of the query.

A filter that uses a parameter must stand in the outermost group or in an OPTIONAL of it;
a subquery does not see the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from pflegegraph.errors import UserError

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_]+")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def where_group_start(query: str) -> int | None:
    """Index just after the ``{`` that opens the outermost WHERE group, or None."""
    depth = 0
    seen_where = False
    first_open = None
    form = None
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            i = _skip_string(query, i)
            continue
        if c == "<":
            m = _IRIREF.match(query, i)
            i = m.end() if m else i + 1
            continue
        if c == "{":
            if depth == 0:
                if seen_where:
                    return i + 1
                if first_open is None:
                    first_open = i + 1
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c.isalpha() and (i == 0 or not (query[i - 1].isalnum() or query[i - 1] in "?$:_-.")):
            m = _WORD.match(query, i)
            word = m.group(0).upper()
            if depth == 0 and word == "WHERE":
                seen_where = True
            if form is None and word in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
                form = word
            i = m.end()
            continue
        i += 1
    if form in {"SELECT", "ASK"}:
        return first_open
    return None


def _skip_string(query: str, i: int) -> int:
    quote = query[i]
    if query.startswith(quote * 3, i):
        end = i + 3
        while end < len(query):
            if query[end] == "\\":
                end += 2
                continue
            if query.startswith(quote * 3, end):
                return end + 3
            end += 1
        return len(query)
    end = i + 1
    while end < len(query) and query[end] not in (quote, "\n"):
        end += 2 if query[end] == "\\" else 1
    return end + 1


def bind(query: str, bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    """The query with a VALUES block holding the bindings as RDF terms."""
    if not bindings:
        return query
    names = []
    terms = []
    for name, term in bindings.items():
        if not _VAR.match(name):
            raise UserError(f"{name!r} is not a valid SPARQL variable name")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise UserError(f"parameter {name!r} must be an IRI or a literal")
        names.append(f"?{name}")
        terms.append(str(term))
    at = where_group_start(query)
    if at is None:
        raise UserError("parameters need a query with a WHERE clause to bind into")
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    return query[:at] + block + query[at:]
