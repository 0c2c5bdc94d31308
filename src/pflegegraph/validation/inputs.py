"""Read the ontology, data and shapes for a validation run, with plain messages for bad input.

Broken Turtle is reported by the loader as file:line:col. On top of that this module names an
empty file, a file whose contents are another format than its name says, and shapes that do
not parse, each in its own words.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import Graph

from pflegegraph.errors import RdfSyntaxError, UnreadableInputError
from pflegegraph.loader import FORMATS, SourceFile, read_folders
from pflegegraph.validation.graphs import to_rdflib
from pflegegraph.validation.messages import text


@dataclass
class Inputs:
    files: list[SourceFile]
    data: Graph
    shapes: Graph
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def data_files(self) -> list[SourceFile]:
        return [f for f in self.files if f.role != "shapes"]

    @property
    def shape_files(self) -> list[SourceFile]:
        return [f for f in self.files if f.role == "shapes"]


def _guess_format(path: Path) -> str | None:
    """What a file that failed to parse really holds, judged by its first characters."""
    try:
        head = path.read_bytes()[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return None
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF"):
        return "RDF/XML"
    if head[:1] in (b"{", b"["):
        return "JSON-LD/JSON"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP (Office)"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.lower().startswith(b"<!doctype html") or head.lower().startswith(b"<html"):
        return "HTML"
    return None


def _explain(exc: RdfSyntaxError, lang: str, shapes_folder: Path | None) -> RdfSyntaxError:
    path = Path(exc.path)
    detail = exc.detail
    found = _guess_format(path)
    expected = {".ttl": "Turtle", ".nt": "N-Triples", ".rdf": "RDF/XML", ".owl": "RDF/XML",
                ".jsonld": "JSON-LD"}.get(path.suffix.lower())
    if found and expected and not expected.startswith(found.split("/")[0]):
        detail += " " + text("wrong_format", lang, found=found, expected=expected, suffix=path.suffix)
    if shapes_folder is not None and _inside(path, shapes_folder):
        detail = text("shapes_syntax", lang) + " " + detail
    return RdfSyntaxError(exc.path, exc.line, exc.column, detail)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return path.resolve() == folder.resolve()


def read_inputs(graph_namespace: str, ontology: Path | None, data: Iterable[Path], shapes: Path,
                lang: str = "de") -> Inputs:
    """Parse everything (raising on the first unreadable file), then build the rdflib graphs."""
    started = time.perf_counter()
    data = list(data)
    if not shapes.exists():
        raise UnreadableInputError(text("no_shapes_folder", lang, folder=shapes))
    try:
        files = read_folders(graph_namespace, ontology, data, shapes)
    except RdfSyntaxError as exc:
        raise _explain(exc, lang, shapes) from exc
    for source in files:
        if not source.triples:
            key = "empty_shapes_file" if source.role == "shapes" else "empty_file"
            raise UnreadableInputError(text(key, lang, path=source.path))
    shape_files = [f for f in files if f.role == "shapes"]
    if not shape_files:
        raise UnreadableInputError(text("no_shapes", lang, folder=shapes,
                                        suffixes=", ".join(sorted(FORMATS))))
    parsed = time.perf_counter()
    data_graph = to_rdflib([f for f in files if f.role != "shapes"])
    shapes_graph = to_rdflib(shape_files, caching=False)
    # The data's triples are in data_graph now; the shapes' stay, error messages point into them.
    files = [f if f.role == "shapes" else replace(f, triples=[]) for f in files]
    built = time.perf_counter()
    return Inputs(files, data_graph, shapes_graph,
                  {"parse": parsed - started, "convert": built - parsed})
