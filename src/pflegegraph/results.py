"""Writing query results: SPARQL results formats, RDF formats and a plain-text table.

SELECT and ASK results: table, csv, tsv, json (application/sparql-results+json) and
xml (application/sparql-results+xml). CONSTRUCT and DESCRIBE results: turtle, ntriples,
jsonld, rdfxml (and table, one triple a row).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from pflegegraph.errors import UserError
from pflegegraph.namespaces import PREFIXES, compact
from pflegegraph.store import QueryResult

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("table", "turtle", "ntriples", "jsonld", "rdfxml")
ALL_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml")

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "table": "text/plain; charset=utf-8",
}

_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def render(result: QueryResult, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """The result as text in the given format, or a UserError if the format does not fit."""
    prefixes = prefixes or PREFIXES
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise UserError(f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt!r}; "
                            f"use one of {', '.join(GRAPH_FORMATS)}")
        if fmt == "table":
            return _table(["subject", "predicate", "object"],
                          [{"subject": t.subject, "predicate": t.predicate, "object": t.object}
                           for t in result.triples], prefixes)
        return graph_text(result.triples, fmt, prefixes)
    if fmt not in SOLUTION_FORMATS:
        raise UserError(f"a SELECT or ASK result cannot be written as {fmt!r}; "
                        f"use one of {', '.join(SOLUTION_FORMATS)}")
    if result.kind == "ask":
        return {"table": lambda: ("true" if result.boolean else "false") + "\n",
                "csv": lambda: "_askResult\r\n" + ("true" if result.boolean else "false") + "\r\n",
                "tsv": lambda: "?_askResult\n" + ("true" if result.boolean else "false") + "\n",
                "json": lambda: json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n",
                "xml": lambda: _xml_boolean(bool(result.boolean))}[fmt]()
    return {"table": lambda: _table(result.variables, result.rows, prefixes),
            "csv": lambda: solutions_csv(result.variables, result.rows),
            "tsv": lambda: solutions_tsv(result.variables, result.rows),
            "json": lambda: solutions_json(result.variables, result.rows),
            "xml": lambda: solutions_xml(result.variables, result.rows)}[fmt]()


def graph_text(triples, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    used = used_prefixes(triples, prefixes or PREFIXES) if fmt in {"turtle", "rdfxml"} else None
    data = ox.serialize(list(triples), format=_RDF_FORMATS[fmt], prefixes=used)
    return data.decode("utf-8")


def used_prefixes(triples, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI or datatype of the triples uses."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


# --- SPARQL 1.1 results formats -------------------------------------------------------


def term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(variables, rows) -> str:
    doc = {"head": {"vars": list(variables)},
           "results": {"bindings": [{k: term_json(v) for k, v in row.items()} for row in rows]}}
    return json.dumps(doc, ensure_ascii=False) + "\n"


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
    return f"<literal>{_xml_text(term.value)}</literal>"


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters; write them as a visible escape.
    cleaned = "".join(c if c in "\t\n\r" or unicodedata.category(c) != "Cc" else f"\\u{ord(c):04x}"
                      for c in text)
    return escape(cleaned)


def solutions_xml(variables, rows) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out += ["</head>", "<results>"]
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(k)}>{_xml_term(v)}</binding>" for k, v in row.items()]
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _xml_boolean(value: bool) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n")


def solutions_csv(variables, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([csv_value(row.get(v)) for v in variables])
    return buffer.getvalue()


def csv_value(term) -> str:
    """A term as a CSV cell (SPARQL 1.1 CSV results): IRIs and literals by their text."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def solutions_tsv(variables, rows) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join(str(row[v]) if v in row else "" for v in variables))
    return "\n".join(lines) + "\n"


# --- a table for people -------------------------------------------------------------

MAX_CELL = 80


def display(term, prefixes: dict[str, str] = PREFIXES) -> str:
    """A term as a person reads it: prefixed names for IRIs, the text of literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = term.value
        return "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text)
    return str(term)


def _table(variables, rows, prefixes) -> str:
    cells = [[_clip(display(row.get(v), prefixes)) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=False)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in cells]
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
