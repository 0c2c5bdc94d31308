"""Read ontology, data and shapes folders, one named graph per file.

Two ways: ``read_folders`` parses every file into Python triples (for validation and diffs);
``load_folders`` parses them natively into a fresh pyoxigraph store (for serving: no Python object
per triple). Either way a broken file raises RdfSyntaxError naming the file, line and column, and
the caller gets nothing half-loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from pflegegraph.errors import RdfSyntaxError, UnreadableInputError, UserError

# File endings read as RDF, and their formats. Quad formats are not accepted: a data folder
# holds graphs, and the loader names them.
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass
class SourceFile:
    """One parsed file: where it came from, its graph name, its triples and prefixes."""

    path: Path
    role: str  # "ontology", "data" or "shapes"
    graph: ox.NamedNode
    triples: list[ox.Triple]
    prefixes: dict[str, str] = field(default_factory=dict)


def graph_name(graph_namespace: str, role: str, folder: Path, path: Path) -> ox.NamedNode:
    """The named graph of a file: <base>graph/<folder>/<file stem> (ontology/shapes by role)."""
    prefix = role if role in {"ontology", "shapes"} else folder.name
    return ox.NamedNode(f"{graph_namespace}{prefix}/{path.stem}")


def rdf_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise UnreadableInputError(f"{folder}: no such folder")
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise UnreadableInputError(f"{folder}: not a folder")
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)


def _read_checked(path: Path) -> tuple[ox.RdfFormat, bytes, str]:
    """The file's format, bytes and text, or an error naming the file (and position)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableInputError(
            f"{path}: unknown file type {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RdfSyntaxError(str(path), line, column, "the file is not valid UTF-8") from exc
    return fmt, data, text


_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.M | re.I)


def load_file(store: ox.Store, path: Path, role: str, graph: ox.NamedNode) -> SourceFile:
    """Parse one file natively into ``graph`` of ``store``."""
    fmt, data, text = _read_checked(path)
    try:
        store.load(data, format=fmt, base_iri=path.resolve().as_uri(), to_graph=graph)
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from exc
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)} if fmt in (
        ox.RdfFormat.TURTLE, ox.RdfFormat.N3) else {}
    return SourceFile(path, role, graph, [], prefixes)


def parse_file(path: Path, role: str, graph: ox.NamedNode) -> SourceFile:
    fmt, data, _text = _read_checked(path)
    base = path.resolve().as_uri()
    try:
        parser = ox.parse(data, format=fmt, base_iri=base)
        triples = [q.triple for q in parser]
        prefixes = dict(getattr(parser, "prefixes", {}) or {})
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from exc
    return SourceFile(path, role, graph, triples, prefixes)


def _syntax_error(path: Path, exc: SyntaxError) -> RdfSyntaxError:
    detail = str(exc.msg if exc.msg else exc)
    # pyoxigraph puts the position into the message; keep only the parser's own words.
    for marker in (": ",):
        head, sep, tail = detail.partition(marker)
        if sep and head.lower().startswith("parser error"):
            detail = tail
            break
    suffix = f" ({path.name}, line {exc.lineno})"
    if detail.endswith(suffix):
        detail = detail[: -len(suffix)]
    return RdfSyntaxError(str(path), exc.lineno, exc.offset, detail)


def read_folders(graph_namespace: str, ontology: Path | None, data: Iterable[Path],
                 shapes: Path | None) -> list[SourceFile]:
    """Parse every file of the given folders. Raises before returning anything on any error."""
    return [parse_file(path, role, graph)
            for path, role, graph in plan_files(graph_namespace, ontology, data, shapes)]


def load_folders(store: ox.Store, graph_namespace: str, ontology: Path | None, data: Iterable[Path],
                 shapes: Path | None) -> list[SourceFile]:
    """Load every file into ``store`` (meant to be fresh: on error the caller throws it away)."""
    return [load_file(store, path, role, graph)
            for path, role, graph in plan_files(graph_namespace, ontology, data, shapes)]


def plan_files(graph_namespace: str, ontology: Path | None, data: Iterable[Path],
               shapes: Path | None) -> list[tuple[Path, str, ox.NamedNode]]:
    """Every file to read, its role and its graph name; refuses two files with one graph name."""
    plan: list[tuple[Path, str, Path]] = []
    if ontology is not None:
        plan += [(p, "ontology", ontology) for p in rdf_files(ontology)]
    for folder in data:
        files = rdf_files(folder)
        if not files:
            raise UnreadableInputError(f"{folder}: no RDF files ({', '.join(sorted(FORMATS))}) found")
        plan += [(p, "data", folder) for p in files]
    if shapes is not None and shapes.exists():
        plan += [(p, "shapes", shapes) for p in rdf_files(shapes)]
    seen: dict[str, Path] = {}
    planned = []
    for path, role, folder in plan:
        graph = graph_name(graph_namespace, role, folder, path)
        if graph.value in seen:
            raise UserError(f"{path} and {seen[graph.value]} would both become graph <{graph.value}>; "
                            "rename one of the files or folders")
        seen[graph.value] = path
        planned.append((path, role, graph))
    return planned
