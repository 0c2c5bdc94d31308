"""RDF dumps in every common syntax, each with a gzip twin."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from pflegegraph.namespaces import PREFIXES
from pflegegraph.results import used_prefixes


@dataclass(frozen=True)
class DumpFormat:
    suffix: str
    fmt: ox.RdfFormat
    media_type: str
    eu_format: str  # EU file-type authority code
    quads: bool = False


DUMP_FORMATS = (
    DumpFormat("ttl", ox.RdfFormat.TURTLE, "text/turtle", "RDF_TURTLE"),
    DumpFormat("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "RDF_N_TRIPLES"),
    DumpFormat("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", "JSON_LD"),
    DumpFormat("rdf", ox.RdfFormat.RDF_XML, "application/rdf+xml", "RDF_XML"),
    DumpFormat("nq", ox.RdfFormat.N_QUADS, "application/n-quads", "RDF_N_QUADS", quads=True),
    DumpFormat("trig", ox.RdfFormat.TRIG, "application/trig", "RDF_TRIG", quads=True),
)


def write_dumps(folder: Path, stem: str, quads: list[ox.Quad], triples: list[ox.Triple],
                with_quads: bool = True) -> list[Path]:
    """Write <stem>.<suffix> and <stem>.<suffix>.gz for every format; return the paths."""
    written = []
    used = used_prefixes(triples, dict(sorted(PREFIXES.items())))
    for dump in DUMP_FORMATS:
        if dump.quads and not with_quads:
            continue
        data = ox.serialize(quads if dump.quads else triples, format=dump.fmt,
                            prefixes=used if dump.fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                                                          ox.RdfFormat.RDF_XML) else None)
        path = folder / f"{stem}.{dump.suffix}"
        path.write_bytes(data)
        gz = folder / f"{stem}.{dump.suffix}.gz"
        # mtime=0 and no file name inside: the same input gives the same bytes.
        gz.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        written += [path, gz]
    return written


def format_for(path: Path) -> DumpFormat | None:
    name = path.name.removesuffix(".gz")
    return next((d for d in DUMP_FORMATS if name.endswith("." + d.suffix)), None)
