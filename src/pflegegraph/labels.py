"""Labels for people: the name of every resource in a language, with fallback, and the types.

``LabelIndex.build(store)`` reads every label of the graph once (a few thousand on the shipped
graph); pages then look labels up without a query. Terms of external vocabularies that the graph
does not label (rdf:type, dcterms:source, ...) get names from a small built-in table, and
anything else falls back to its prefixed name or the last part of its IRI.

Also kept: the editorial statements (which triple an editor asserted, with what statement), so
a page can tell stated from editorial links. Plain Python; no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from pflegegraph.namespaces import PREFIXES, compact

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
ORG = "http://www.w3.org/ns/org#"
PG = PREFIXES["pg"]

# Label properties, most preferred first.
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", SCHEMA + "name")
DEFINITION_PROPERTIES = (SKOS + "definition", RDFS + "comment", DCT + "description", SKOS + "note")

# Names of external terms the graph itself does not label: (de, en).
BUILTIN: dict[str, tuple[str, str]] = {
    RDF + "type": ("Typ", "type"),
    RDF + "subject": ("Subjekt", "subject"),
    RDF + "predicate": ("Prädikat", "predicate"),
    RDF + "object": ("Objekt", "object"),
    RDF + "value": ("Wert", "value"),
    RDF + "Statement": ("Aussage", "Statement"),
    RDFS + "label": ("Bezeichnung", "label"),
    RDFS + "comment": ("Kommentar", "comment"),
    RDFS + "seeAlso": ("siehe auch", "see also"),
    RDFS + "subClassOf": ("Unterklasse von", "subclass of"),
    RDFS + "subPropertyOf": ("Untereigenschaft von", "subproperty of"),
    RDFS + "domain": ("Definitionsbereich", "domain"),
    RDFS + "range": ("Wertebereich", "range"),
    RDFS + "Class": ("Klasse", "Class"),
    OWL + "Class": ("Klasse", "Class"),
    OWL + "ObjectProperty": ("Objekteigenschaft", "Object property"),
    OWL + "DatatypeProperty": ("Dateneigenschaft", "Datatype property"),
    OWL + "Ontology": ("Ontologie", "Ontology"),
    OWL + "sameAs": ("identisch mit", "same as"),
    OWL + "versionInfo": ("Version", "version"),
    OWL + "inverseOf": ("Umkehrung von", "inverse of"),
    SKOS + "prefLabel": ("Vorzugsbezeichnung", "preferred label"),
    SKOS + "altLabel": ("Alternative Bezeichnung", "alternative label"),
    SKOS + "definition": ("Definition", "definition"),
    SKOS + "note": ("Anmerkung", "note"),
    SKOS + "editorialNote": ("Redaktionelle Anmerkung", "editorial note"),
    SKOS + "notation": ("Notation", "notation"),
    SKOS + "inScheme": ("in Begriffssystem", "in scheme"),
    SKOS + "topConceptOf": ("Oberbegriff in", "top concept of"),
    SKOS + "hasTopConcept": ("Oberbegriffe", "top concepts"),
    SKOS + "member": ("Mitglieder", "members"),
    SKOS + "broader": ("Oberbegriff", "broader"),
    SKOS + "narrower": ("Unterbegriff", "narrower"),
    SKOS + "Concept": ("Begriff", "Concept"),
    SKOS + "ConceptScheme": ("Begriffssystem", "Concept scheme"),
    SKOS + "Collection": ("Sammlung", "Collection"),
    DCT + "source": ("Quelle", "source"),
    DCT + "title": ("Titel", "title"),
    DCT + "date": ("Datum", "date"),
    DCT + "issued": ("veröffentlicht", "issued"),
    DCT + "created": ("erstellt", "created"),
    DCT + "modified": ("geändert", "modified"),
    DCT + "creator": ("Urheber", "creator"),
    DCT + "contributor": ("Mitwirkende", "contributor"),
    DCT + "publisher": ("Herausgeber", "publisher"),
    DCT + "spatial": ("Gebiet", "spatial coverage"),
    DCT + "isPartOf": ("Teil von", "part of"),
    DCT + "hasPart": ("umfasst", "has part"),
    DCT + "license": ("Lizenz", "licence"),
    DCT + "replaces": ("ersetzt", "replaces"),
    DCT + "isReplacedBy": ("ersetzt durch", "replaced by"),
    DCT + "description": ("Beschreibung", "description"),
    DCT + "identifier": ("Kennung", "identifier"),
    DCT + "subject": ("Thema", "subject"),
    PROV + "qualifiedDerivation": ("abgeleitet aus", "derived from"),
    PROV + "entity": ("Quelle", "source entity"),
    PROV + "wasAttributedTo": ("zugeschrieben", "attributed to"),
    PROV + "Derivation": ("Ableitung", "Derivation"),
    SCHEMA + "name": ("Name", "name"),
    SCHEMA + "url": ("Webadresse", "URL"),
    SCHEMA + "startDate": ("Beginn", "start date"),
    SCHEMA + "endDate": ("Ende", "end date"),
    SCHEMA + "validFrom": ("gültig ab", "valid from"),
    SCHEMA + "validThrough": ("gültig bis", "valid through"),
    SCHEMA + "location": ("Ort", "location"),
    ORG + "unitOf": ("Einheit von", "unit of"),
    ORG + "subOrganizationOf": ("Teil der Organisation", "sub-organisation of"),
    ORG + "hasUnit": ("Einheiten", "units"),
    ORG + "Organization": ("Organisation", "Organization"),
    ORG + "FormalOrganization": ("Formale Organisation", "Formal organization"),
    ORG + "OrganizationalUnit": ("Organisationseinheit", "Organizational unit"),
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def clean(text: str) -> str:
    """Text without control characters: each is shown as its visible Control Picture (␀, ␇, …)."""
    out = []
    for c in text:
        if c in "\t\n":
            out.append(c)
        elif unicodedata.category(c) == "Cc":
            code = ord(c)
            out.append(chr(0x2400 + code) if code < 0x20 else ("\u2421" if code == 0x7F else "\ufffd"))
        else:
            out.append(c)
    return "".join(out)


def local_name(iri: str) -> str:
    """The last part of an IRI, made readable: ``pg:statedPriority`` gives "stated priority"."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
    return _CAMEL.sub(" ", tail).replace("-", " ").replace("_", " ").strip() or iri


@dataclass
class LabelIndex:
    """Labels by IRI and language, types by IRI, and the editorial statements by triple."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)
    editorial: dict[tuple[str, str, str], str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))
    default_lang: str = "de"

    @classmethod
    def build(cls, store, default_lang: str = "de") -> LabelIndex:
        index = cls(prefixes=dict(getattr(store, "prefixes", PREFIXES)), default_lang=default_lang)
        values = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        result = store.query(f"SELECT ?s ?p ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l . "
                             "FILTER(isIRI(?s) && isLiteral(?l)) }")
        rank = {p: i for i, p in enumerate(LABEL_PROPERTIES)}
        best: dict[tuple[str, str], int] = {}
        for row in result.rows:
            iri, prop, lit = row["s"].value, row["p"].value, row["l"]
            lang = lit.language or ""
            key = (iri, lang)
            if key not in best or rank[prop] < best[key]:
                best[key] = rank[prop]
                index.labels.setdefault(iri, {})[lang] = lit.value
        for row in store.query("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s) && isIRI(?t)) }").rows:
            index.types.setdefault(row["s"].value, []).append(row["t"].value)
        q = (f"SELECT ?st ?s ?p ?o WHERE {{ ?st a <{PG}EditorialStatement> ; <{RDF}subject> ?s ; "
             f"<{RDF}predicate> ?p ; <{RDF}object> ?o }}")
        for row in store.query(q).rows:
            o = row["o"]
            index.editorial[(row["s"].value, row["p"].value, _key(o))] = row["st"].value
        return index

    def label(self, iri: str, lang: str | None = None) -> str:
        """The label in ``lang``, else German, else English, else any, else a readable IRI."""
        return clean(self.label_or_none(iri, lang) or self.fallback(iri))

    def label_or_none(self, iri: str, lang: str | None = None) -> str | None:
        lang = lang or self.default_lang
        found = self.labels.get(iri)
        if found:
            for key in (lang, "de", "en", ""):
                if key in found:
                    return found[key]
            return next(iter(found.values()))
        builtin = BUILTIN.get(iri)
        if builtin:
            return builtin[1] if lang == "en" else builtin[0]
        return None

    def has_label(self, iri: str) -> bool:
        return iri in self.labels or iri in BUILTIN

    def label_lang(self, iri: str, lang: str) -> str | None:
        """The language of the label that ``label`` shows, when it is not ``lang`` (for a hint)."""
        found = self.labels.get(iri)
        if not found or lang in found:
            return None
        for key in ("de", "en", ""):
            if key in found:
                return key or None
        return next(iter(found))

    def fallback(self, iri: str) -> str:
        short = compact(iri, self.prefixes)
        return short if not short.startswith("<") else local_name(iri)

    def type_labels(self, iri: str, lang: str | None = None) -> list[str]:
        return sorted({self.label(t, lang) for t in self.types.get(iri, ())})

    def editorial_statement(self, s: str, p: str, o) -> str | None:
        """The IRI of the editorial statement asserting the triple, or None if it is stated."""
        return self.editorial.get((s, p, _key(o)))

    def instances(self, classes: Iterable[str]) -> list[str]:
        wanted = set(classes)
        return [iri for iri, types in self.types.items() if wanted.intersection(types)]


def _key(term) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal | ox.BlankNode):
        return str(term)
    return str(term)
