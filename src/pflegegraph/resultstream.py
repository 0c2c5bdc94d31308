"""Query results as a stream of byte chunks, in the SPARQL results and RDF formats.

The service writes results in pieces of a few hundred rows, so a large result never sits in
memory as one string. The text is the same as ``results.render`` gives for the same result.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pyoxigraph as ox

from pflegegraph.results import XSD_STRING, _xml_boolean, _xml_term, graph_text, term_json
from pflegegraph.store import QueryResult

CHUNK_ROWS = 500
_dumps = json.JSONEncoder(ensure_ascii=False).encode

# The service's media types, by format name, and the formats each result kind can take.
SERVICE_MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


def formats_for(kind: str) -> tuple[str, ...]:
    return GRAPH_FORMATS if kind == "graph" else SOLUTION_FORMATS


def _batches(rows: list, size: int = CHUNK_ROWS) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def stream(result: QueryResult, fmt: str, prefixes: dict[str, str] | None = None) -> Iterator[bytes]:
    """The result in the given format, chunk by chunk (UTF-8)."""
    if fmt not in formats_for(result.kind):
        raise ValueError(f"a {result.kind} result cannot be written as {fmt}")
    if result.kind == "graph":
        yield graph_text(result.triples, fmt, prefixes).encode("utf-8")
        return
    if result.kind == "ask":
        value = "true" if result.boolean else "false"
        yield {"json": json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n",
               "xml": _xml_boolean(bool(result.boolean)),
               "csv": "_askResult\r\n" + value + "\r\n",
               "tsv": "?_askResult\n" + value + "\n"}[fmt].encode("utf-8")
        return
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt]
    for piece in writer(result.variables, result.rows):
        yield piece.encode("utf-8")


def _json(variables, rows) -> Iterator[str]:
    # Results repeat terms (the same IRIs and labels in many rows): each distinct term is
    # written as JSON once and its text reused, and each variable's key once.
    fragments: dict = {}
    keys = {v: json.dumps(v, ensure_ascii=False) + ": " for v in variables}

    def fragment(term) -> str:
        text = fragments.get(term)
        if text is None:
            text = fragments[term] = _json_term(term)
        return text

    yield '{"head": {"vars": ' + json.dumps(list(variables), ensure_ascii=False) + '}, ' \
          '"results": {"bindings": ['
    first = True
    for batch in _batches(rows):
        text = ", ".join("{" + ", ".join(keys[k] + fragment(v) for k, v in row.items()) + "}"
                         for row in batch)
        yield text if first else ", " + text
        first = False
    yield "]}}\n"


def _json_term(term) -> str:
    """One term as SPARQL JSON text (the same as ``json.dumps(term_json(term))``)."""
    kind = term.__class__
    if kind is ox.NamedNode:
        return '{"type": "uri", "value": ' + _dumps(term.value) + "}"
    if kind is ox.Literal:
        head = '{"type": "literal", "value": ' + _dumps(term.value)
        if term.language:
            return head + ', "xml:lang": ' + _dumps(term.language) + "}"
        datatype = term.datatype.value
        return head + ("}" if datatype == XSD_STRING else ', "datatype": ' + _dumps(datatype) + "}")
    return json.dumps(term_json(term), ensure_ascii=False)


def _xml(variables, rows) -> Iterator[str]:
    head = ['<?xml version="1.0" encoding="utf-8"?>',
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    head += [f'<variable name="{v}"/>' for v in variables]
    head += ["</head>", "<results>", ""]
    yield "\n".join(head)
    for batch in _batches(rows):
        out = []
        for row in batch:
            out.append("<result>")
            out += [f'<binding name="{k}">{_xml_term(v)}</binding>' for k, v in row.items()]
            out.append("</result>")
        yield "\n".join(out) + "\n"
    yield "</results>\n</sparql>\n"


def _csv(variables, rows) -> Iterator[str]:
    for index, batch in enumerate(_batches(rows) if rows else iter([[]])):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if index == 0:
            writer.writerow(variables)
        for row in batch:
            writer.writerow(["" if (t := row.get(v)) is None else
                             (f"_:{t.value}" if t.__class__.__name__ == "BlankNode" else t.value)
                             for v in variables])
        yield buffer.getvalue()


def _tsv(variables, rows) -> Iterator[str]:
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for batch in _batches(rows):
        yield "".join("\t".join(str(row[v]) if v in row else "" for v in variables) + "\n"
                      for row in batch)
