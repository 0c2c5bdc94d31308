"""Prefixes known everywhere: for compact display and for parameter values such as ``bshf:wohnen``.

The files' own @prefix declarations are added to these when they are loaded.
"""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "pg": "https://w3id.org/pflegegraph/def#",
    "pgv": "https://w3id.org/pflegegraph/vocab/",
    "bs": "https://w3id.org/pflegegraph/id/03101000/",
    "bshf": "https://w3id.org/pflegegraph/id/03101000/handlungsfeld/",
    "bsm": "https://w3id.org/pflegegraph/id/03101000/massnahme/",
    "bsdoc": "https://w3id.org/pflegegraph/id/03101000/dokument/",
    "bsorg": "https://w3id.org/pflegegraph/id/03101000/akteur/",
    "bsev": "https://w3id.org/pflegegraph/id/03101000/termin/",
    "bsisek": "https://w3id.org/pflegegraph/id/03101000/isek/",
    "bszg": "https://w3id.org/pflegegraph/id/03101000/zielgruppe/",
    "bsed": "https://w3id.org/pflegegraph/id/03101000/redaktionell/",
    "nds": "https://w3id.org/pflegegraph/id/03/",
    "ndsfp": "https://w3id.org/pflegegraph/id/03/foerderprogramm/",
    "ndsorg": "https://w3id.org/pflegegraph/id/03/akteur/",
    "ndsdoc": "https://w3id.org/pflegegraph/id/03/dokument/",
    "de": "https://w3id.org/pflegegraph/id/de/",
    "dedoc": "https://w3id.org/pflegegraph/id/de/dokument/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}


def compact(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """The shortest prefixed name for an IRI, or the IRI in angle brackets."""
    best = None
    for name, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if _is_plain_local(local) and (best is None or len(ns) > len(prefixes[best[0]])):
                best = (name, local)
    return f"{best[0]}:{best[1]}" if best else f"<{iri}>"


def _is_plain_local(local: str) -> bool:
    return all(c.isalnum() or c in "-_." for c in local) and not local.endswith(".")


def expand(name: str, prefixes: dict[str, str] = PREFIXES) -> str | None:
    """The IRI for ``prefix:local``, or None if the prefix is unknown."""
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in prefixes:
        return None
    return prefixes[prefix] + local
