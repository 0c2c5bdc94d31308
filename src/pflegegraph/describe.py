"""What the graph says about one resource: its own triples (with the blank nodes they open, a
concise bounded description), the triples that point to it, and the named graphs they are in.

The IRI is bound as an RDF term (see binding.py), never pasted into the query. Plain Python; no
Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from pflegegraph.results import graph_text

OUTGOING = "SELECT ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# The blank nodes the resource opens, one and two levels deep (qualified derivations, rules).
BLANK = ("SELECT ?b ?p ?o WHERE { { ?s ?x ?b . FILTER(isBlank(?b)) } UNION "
         "{ ?s ?x ?b1 . FILTER(isBlank(?b1)) ?b1 ?y ?b . FILTER(isBlank(?b)) } ?b ?p ?o }")
INCOMING = "SELECT ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) } ORDER BY ?p ?s"
# Incoming through a blank node: "X is derived from this document (page 78)".
VIA_BLANK = ("SELECT DISTINCT ?owner ?q ?p ?b WHERE { ?b ?p ?o . FILTER(isBlank(?b)) ?owner ?q ?b . "
             "FILTER(isIRI(?owner)) }")
INCOMING_LIMIT = 1000


@dataclass
class Description:
    iri: str
    outgoing: list[tuple[ox.NamedNode, object, ox.NamedNode]] = field(default_factory=list)
    blank: dict[str, list[tuple[ox.NamedNode, object]]] = field(default_factory=dict)
    incoming: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode]] = field(default_factory=list)
    via_blank: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode, ox.BlankNode]] = field(
        default_factory=list)
    incoming_truncated: bool = False

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming or self.via_blank)

    @property
    def graphs(self) -> list[str]:
        return sorted({g.value for _, _, g in self.outgoing})

    def triples(self) -> list[ox.Triple]:
        """The concise bounded description: own triples and those of the blank nodes it opens."""
        subject = ox.NamedNode(self.iri)
        seen = set()
        out = []
        for p, o, _ in self.outgoing:
            t = ox.Triple(subject, p, o)
            if t not in seen:
                seen.add(t)
                out.append(t)
        for b, pairs in self.blank.items():
            node = ox.BlankNode(b)
            for p, o in pairs:
                t = ox.Triple(node, p, o)
                if t not in seen:
                    seen.add(t)
                    out.append(t)
        return out


def describe(store, iri: str, *, incoming: bool = True) -> Description:
    node = ox.NamedNode(iri)
    desc = Description(iri)
    desc.outgoing = [(r["p"], r["o"], r["g"]) for r in store.query(OUTGOING, {"s": node}).rows]
    if any(isinstance(o, ox.BlankNode) for _, o, _ in desc.outgoing):
        for r in store.query(BLANK, {"s": node}).rows:
            desc.blank.setdefault(r["b"].value, []).append((r["p"], r["o"]))
    if incoming:
        result = store.query(INCOMING, {"o": node}, limit=INCOMING_LIMIT)
        desc.incoming = [(r["s"], r["p"], r["g"]) for r in result.rows]
        desc.incoming_truncated = result.truncated
        desc.via_blank = [(r["owner"], r["q"], r["p"], r["b"])
                          for r in store.query(VIA_BLANK, {"o": node}, limit=200).rows]
    return desc


def rdf_text(desc: Description, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    return graph_text(desc.triples(), fmt, prefixes)
