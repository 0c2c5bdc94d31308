"""The provenance box of a resource page: the sources (with kind, date and pages), the editorial
links with their author and justification, and the unverified statements.

It says what the named query ``provenance`` says. On the embedded store the box is read with
index lookups around the resource (``quads_for_pattern``), a few dozen at most, which takes well
under a millisecond at any size; a remote store gets the named query itself.
"""

from __future__ import annotations

import pyoxigraph as ox

from pflegegraph.labels import DCT, PG, PROV, RDF, RDFS, SKOS
from pflegegraph.web.browse import common
from pflegegraph.web.browse.common import page_lang, state

EMPTY = {"sources": [], "editorial": [], "unverified": []}


def provenance(iri: str) -> dict:
    """The provenance box of ``iri`` in the page's language."""
    store = common.store()
    raw = getattr(store, "store", None)
    if isinstance(raw, ox.Store):
        return Lookups(raw, page_lang()).box(ox.NamedNode(iri))
    return from_named_query(iri)


class Lookups:
    """The box from index lookups on a pyoxigraph store (all graphs)."""

    def __init__(self, store: ox.Store, lang: str):
        self.store = store
        self.lang = lang

    def quads(self, s=None, p=None, o=None, g=None):
        return self.store.quads_for_pattern(s, None if p is None else ox.NamedNode(p), o, g)

    def objects(self, s, p: str, g=None) -> list:
        return [q.object for q in self.quads(s, p, None, g)]

    def text(self, s, p: str) -> str | None:
        """A literal of ``s`` in the page's language, else in the other of German and English."""
        found: dict[str, str] = {}
        for o in self.objects(s, p):
            if isinstance(o, ox.Literal) and o.language in ("de", "en"):
                found.setdefault(o.language, o.value)
        order = ("en", "de") if self.lang == "en" else ("de", "en")
        return next((found[k] for k in order if k in found), None)

    def source_entry(self, src) -> dict:
        kinds = sorted(t.value for t in self.objects(src, RDF + "type")
                       if isinstance(t, ox.NamedNode) and t.value.startswith(PG))
        kind = next((label for label in (self.text(ox.NamedNode(t), RDFS + "label") for t in kinds)
                     if label), None)
        dates = self.objects(src, DCT + "date") + self.objects(src, DCT + "issued")
        return {"iri": src.value, "pages": [], "notes": [], "type": kind,
                "date": dates[0].value if dates else None, "graphs": set()}

    def box(self, node: ox.NamedNode) -> dict:
        sources: dict[str, dict] = {}
        for q in self.quads(node, DCT + "source"):
            entry = sources.setdefault(q.object.value, self.source_entry(q.object))
            entry["graphs"].add(q.graph_name.value)
        for q in self.quads(node, PROV + "qualifiedDerivation"):
            derivation = q.object
            note = self.text(derivation, RDFS + "comment")
            for src in self.objects(derivation, PROV + "entity"):
                entry = sources.setdefault(src.value, self.source_entry(src))
                entry["graphs"].add(q.graph_name.value)
                for number in self.objects(derivation, PG + "page"):
                    if number.value not in entry["pages"]:
                        entry["pages"].append(number.value)
                if note and note not in entry["notes"]:
                    entry["notes"].append(note)
        return {"sources": sorted(sources.values(), key=lambda s: common.label(s["iri"]).casefold()),
                "editorial": self.editorial(node), "unverified": self.unverified(node)}

    def editorial(self, node) -> list[dict]:
        statements = {q.subject for q in self.quads(None, RDF + "subject", node)}
        statements |= {q.subject for q in self.quads(None, RDF + "object", node)}
        items = []
        for st in statements:
            for typed in self.quads(st, RDF + "type", ox.NamedNode(PG + "EditorialStatement")):
                for author in self.objects(st, PROV + "wasAttributedTo", typed.graph_name):
                    item = {"statement": _iri(st), "author": _iri(author),
                            "note": self.text(st, PG + "justification"), "graph": typed.graph_name.value}
                    if item not in items:
                        items.append(item)
        return sorted(items, key=lambda i: (self.label(i["author"]), i["statement"] or ""))

    def unverified(self, node) -> list[dict]:
        items = []
        for q in self.quads(None, RDF + "subject", node):
            st, graph = q.subject, q.graph_name
            if not (list(self.quads(st, RDF + "type", ox.NamedNode(RDF + "Statement"), graph))
                    and list(self.quads(st, PG + "verificationStatus", None, graph))):
                continue
            note = self.text(st, SKOS + "editorialNote")
            for src in self.objects(st, DCT + "source") or [None]:
                item = {"statement": _iri(st), "source": _iri(src), "note": note}
                if item not in items:
                    items.append(item)
        items.sort(key=lambda i: (self.label(i["source"]), i["statement"] or ""))
        own = []
        for status in self.objects(node, PG + "verificationStatus"):
            label = self.text(status, SKOS + "prefLabel")
            remark = self.text(node, SKOS + "editorialNote")
            note = None if label is None else label + (f": {remark}" if remark else "")
            item = {"statement": None, "source": None, "note": note}
            if item not in own:
                own.append(item)
        return items + own

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        return self.text(ox.NamedNode(iri), RDFS + "label") or ""


def _iri(term) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def from_named_query(iri: str) -> dict:
    """The box from the named query ``provenance`` (a remote store, in the request's thread)."""
    catalog = state().catalog
    if "provenance" not in catalog.queries:
        return {key: [] for key in EMPTY}
    query = catalog.get("provenance")
    bindings = query.bindings({"resource": iri, "lang": page_lang()}, state().labels.prefixes)
    rows = common.store().query(query.text, bindings, source=str(query.path), limit=500).rows
    value = _value
    sources: dict[str, dict] = {}
    editorial, unverified = [], []
    for row in rows:
        kind = row["kind"].value
        src = row.get("source")
        if kind in {"source", "page"} and src is not None:
            entry = sources.setdefault(src.value, {"iri": src.value, "pages": [], "notes": [],
                                                   "type": value(row, "sourceType"),
                                                   "date": value(row, "date"), "graphs": set()})
            entry["graphs"].add(row["graph"].value)
            page_number = value(row, "page")
            if kind == "page" and page_number is not None and page_number not in entry["pages"]:
                entry["pages"].append(page_number)
            note = value(row, "note")
            if kind == "page" and note is not None and note not in entry["notes"]:
                entry["notes"].append(note)
        elif kind == "editorial":
            item = {"statement": value(row, "statement"), "author": _iri(src), "note": value(row, "note"),
                    "graph": row["graph"].value}
            if item not in editorial:
                editorial.append(item)
        else:
            item = {"statement": value(row, "statement"), "source": _iri(src), "note": value(row, "note")}
            if item not in unverified:
                unverified.append(item)
    return {"sources": sorted(sources.values(), key=lambda s: common.label(s["iri"]).casefold()),
            "editorial": editorial, "unverified": unverified}


def _value(row: dict, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else term.value
