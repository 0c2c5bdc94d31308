"""The dataset description: DCAT-AP.de 2.0 (catalog, dataset, distributions) and VoID.

Follows DCAT-AP.de 2.0 (http://dcat-ap.de/def/dcatde/2.0): mandatory and recommended properties of
dcat:Catalog, dcat:Dataset and dcat:Distribution.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from pflegegraph.publish.dumps import format_for

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
DCATDE = "http://dcat-ap.de/def/dcatde/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FILE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANG = "http://publications.europa.eu/resource/authority/language/"
EU_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
IANA = "https://www.iana.org/assignments/media-types/"

CATALOG_PREFIXES = {"dcat": DCAT, "dct": DCT, "dcatde": DCATDE, "foaf": FOAF, "vcard": VCARD,
                    "spdx": SPDX, "void": VOID, "owl": OWL, "xsd": XSD}

_EXTRA_TYPES = {  # files that are not RDF dumps
    ".csv": ("text/csv", "CSV"),
    ".json": ("application/csvm+json", "JSON"),
}


@dataclass(frozen=True)
class FileInfo:
    name: str
    size: int
    sha256: str


def file_info(path: Path) -> FileInfo:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return FileInfo(path.name, path.stat().st_size, digest)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, lang: str | None = None, dt: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if dt:
        return ox.Literal(str(value), datatype=_n(XSD + dt))
    return ox.Literal(str(value))


def describe(meta: dict, files: list[FileInfo], *, public_url: str, base_iri: str, license_iri: str,
             triples: int, classes: int) -> list[ox.Triple]:
    """DCAT-AP.de and VoID triples for the exported files."""
    data_url = public_url + "data/"
    catalog = _n(public_url + "catalog")
    dataset = _n(public_url + "dataset/" + meta["slug"])
    publisher = _n(meta["publisher"])
    out: list[ox.Triple] = []

    def add(s, p, o):
        out.append(ox.Triple(s, _n(p), o))

    add(catalog, RDF + "type", _n(DCAT + "Catalog"))
    for lang in ("de", "en"):
        add(catalog, DCT + "title", _lit("pflegegraph: " + meta["title"][lang], lang))
        add(catalog, DCT + "description", _lit(meta["description"][lang], lang))
        add(publisher, FOAF + "name", _lit(meta["publisher_name"][lang], lang))
    add(catalog, DCT + "publisher", publisher)
    add(catalog, FOAF + "homepage", _n(public_url))
    add(catalog, DCT + "language", _n(EU_LANG + "DEU"))
    add(catalog, DCT + "license", _n(license_iri))
    add(catalog, DCAT + "dataset", dataset)
    add(publisher, RDF + "type", _n(FOAF + "Agent"))

    add(dataset, RDF + "type", _n(DCAT + "Dataset"))
    for lang in ("de", "en"):
        add(dataset, DCT + "title", _lit(meta["title"][lang], lang))
        add(dataset, DCT + "description", _lit(meta["description"][lang], lang))
        for word in meta["keywords"][lang]:
            add(dataset, DCAT + "keyword", _lit(word, lang))
    add(dataset, DCT + "identifier", _lit(meta["slug"]))
    add(dataset, DCT + "publisher", publisher)
    add(dataset, DCT + "issued", _lit(meta["issued"], dt="date"))
    add(dataset, DCT + "modified", _lit(meta["issued"], dt="date"))
    add(dataset, OWL + "versionInfo", _lit(meta["version"]))
    add(dataset, DCAT + "version", _lit(meta["version"]))
    add(dataset, DCT + "license", _n(license_iri))
    add(dataset, DCT + "accessRights", _n(EU_ACCESS + "PUBLIC"))
    add(dataset, DCT + "language", _n(EU_LANG + "DEU"))
    add(dataset, DCAT + "landingPage", _n(public_url))
    for theme in meta["themes"]:
        add(dataset, DCAT + "theme", _n(EU_THEME + theme))
    spatial = meta["spatial"]
    add(dataset, DCT + "spatial", _n(spatial["wikidata"]))
    add(dataset, DCATDE + "politicalGeocodingURI", _n(spatial["geocoding"]))
    add(dataset, DCATDE + "politicalGeocodingLevelURI", _n(spatial["level"]))
    period = ox.BlankNode("temporal")
    add(dataset, DCT + "temporal", period)
    add(period, RDF + "type", _n(DCT + "PeriodOfTime"))
    add(period, DCAT + "startDate", _lit(meta["temporal"]["start"], dt="date"))
    add(period, DCAT + "endDate", _lit(meta["temporal"]["end"], dt="date"))
    contact = ox.BlankNode("contact")
    add(dataset, DCAT + "contactPoint", contact)
    add(contact, RDF + "type", _n(VCARD + "Organization"))
    add(contact, VCARD + "fn", _lit(meta["publisher_name"]["de"]))
    add(contact, VCARD + "hasURL", _n(public_url))

    for info in files:
        dist = _n(data_url + info.name)
        add(dataset, DCAT + "distribution", dist)
        add(dist, RDF + "type", _n(DCAT + "Distribution"))
        add(dist, DCT + "title", _lit(info.name))
        add(dist, DCAT + "accessURL", _n(data_url))
        add(dist, DCAT + "downloadURL", _n(data_url + info.name))
        add(dist, DCT + "license", _n(license_iri))
        add(dist, DCAT + "byteSize", _lit(info.size, dt="nonNegativeInteger"))
        media, code = _media(info.name)
        add(dist, DCAT + "mediaType", _n(IANA + media))
        add(dist, DCT + "format", _n(EU_FILE + code))
        if info.name.endswith(".gz"):
            add(dist, DCAT + "compressFormat", _n(IANA + "application/gzip"))
        checksum = ox.BlankNode("sha256-" + info.sha256[:16])
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", _n(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", _lit(info.sha256, dt="hexBinary"))

    add(dataset, RDF + "type", _n(VOID + "Dataset"))
    add(dataset, VOID + "triples", _lit(triples, dt="integer"))
    add(dataset, VOID + "classes", _lit(classes, dt="integer"))
    add(dataset, VOID + "sparqlEndpoint", _n(public_url + "sparql"))
    add(dataset, VOID + "uriSpace", _lit(base_iri + "id/"))
    add(dataset, VOID + "vocabulary", _n(base_iri + "def#"))
    for info in files:
        if format_for(Path(info.name)) is not None:
            add(dataset, VOID + "dataDump", _n(data_url + info.name))
    return sorted(set(out), key=str)


def _media(name: str) -> tuple[str, str]:
    dump = format_for(Path(name))
    if dump is not None:
        return dump.media_type, dump.eu_format
    return _EXTRA_TYPES.get(Path(name).suffix, ("application/octet-stream", "BIN"))
