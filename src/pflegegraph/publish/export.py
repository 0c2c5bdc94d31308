"""``export``: everything a portal or a plain web server needs, written as one atomic folder.

The files are first written to a hidden folder beside the target and swapped into place only when
complete (in one step on Linux), so a failed export never leaves something that looks complete,
and the previous export stays untouched, byte for byte, until the new one is whole. A failure
(disk full, no permission, a file size limit) is reported with the file and the reason.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import yaml

from pflegegraph.errors import UnreadableInputError, UserError
from pflegegraph.namedqueries import QueryCatalog
from pflegegraph.publish.canonical import as_triples, published_quads
from pflegegraph.publish.catalog import CATALOG_PREFIXES, describe, file_info
from pflegegraph.publish.check import check_description
from pflegegraph.publish.dumps import write_dumps
from pflegegraph.publish.tables import write_metadata, write_tables
from pflegegraph.stats import class_counts
from pflegegraph.store import GraphStore


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    files: list[str]
    triples: int


def dataset_metadata(data_dirs: list[Path]) -> dict:
    """The dataset.yaml of the first data folder that has one."""
    for folder in data_dirs:
        path = Path(folder) / "dataset.yaml"
        if path.is_file():
            try:
                meta = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise UnreadableInputError(f"{path}: not valid YAML: {exc}") from exc
            missing = [k for k in ("slug", "version", "issued", "title", "description", "keywords",
                                   "themes", "spatial", "temporal", "publisher", "publisher_name")
                       if k not in meta]
            if missing:
                raise UnreadableInputError(f"{path}: missing {', '.join(missing)}")
            return meta
    raise UserError("none of the data folders has a dataset.yaml describing the dataset; "
                    "see data/braunschweig/dataset.yaml for the form")


def check_valid(settings) -> None:
    """Refuse to publish data that does not conform to its shapes, saying what is wrong."""
    from pflegegraph.validation.api import validate

    run = validate(settings.graph_namespace, settings.ontology, settings.data, settings.shapes,
                   lang=settings.lang, jobs=1)
    if run.report.failed:
        counts = run.report.counts()
        first = "; ".join(f"{run.label(r.focus) or run.term(r.focus)}: {run.message(r)}"
                          for r in run.report.results[:3])
        raise UserError(f"the data does not validate ({counts['violation']} violations), so nothing "
                        f"was exported: {first}. Run 'pflegegraph validate' for the full report.")


def export(store: GraphStore, settings, out: Path, public_url: str) -> ExportReport:
    meta = dataset_metadata(list(settings.data))
    public_url = public_url if public_url.endswith("/") else public_url + "/"
    return _atomically(out, lambda tmp: _write_all(store, settings, tmp, meta, public_url))


def export_site(store: GraphStore, settings, out: Path, public_url: str):
    """The static site: the service's pages crawled in-process, plus the export under data/."""
    from pflegegraph.publish.site import build_site, resources_and_index
    from pflegegraph.web import create_app

    meta = dataset_metadata(list(settings.data))
    public_url = public_url if public_url.endswith("/") else public_url + "/"

    def write(tmp: Path):
        _write_all(store, settings, tmp / "data", meta, public_url, create=True)
        app = create_app(settings.replace(public_url=public_url), store=store)
        app.extensions["pflegegraph.export"] = tmp / "data"
        paths, index = resources_and_index(store, settings.base_iri, settings.lang)
        return build_site(app, tmp, paths, index, public_url)

    report = _atomically(out, write)
    return type(report)(out.resolve(), report.pages, report.files)


def stale_partials(out: Path) -> list[Path]:
    """Folders an earlier export left beside ``out`` when it was cut off (never complete ones)."""
    out = out.resolve()
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.glob(f".{out.name}.partial-*") if p.is_dir())


def _atomically(out: Path, write):
    out = out.resolve()
    parent = out.parent
    if not parent.is_dir():
        raise UserError(f"cannot export to {out}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"cannot export to {out}: {parent} is not writable (permission denied); "
                        "nothing was changed")
    if out.exists() and not out.is_dir():
        raise UserError(f"cannot export to {out}: it is a file, not a folder")
    _recover(out)
    for leftover in stale_partials(out):
        shutil.rmtree(leftover, ignore_errors=True)
    had_previous = out.is_dir()
    tmp = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a web server must read it
        report = write(tmp)
        _replace(tmp, out)
    except OSError as exc:
        where = _failed_at(tmp, parent, exc)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        kept = (f"the previous export in {out} is untouched" if had_previous
                else f"nothing was written to {out}")
        raise UserError(f"export to {out} failed {where}: {_reason(exc)}; {kept}") from exc
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if isinstance(report, ExportReport):
        return ExportReport(out, report.files, report.triples)
    return report


_REASONS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EFBIG: "a file grew past the largest file size this process may write "
                         "(ulimit -f)",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
            errno.EPERM: "permission denied"}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


def _failed_at(tmp: Path | None, parent: Path, exc: OSError) -> str:
    """Which file the export was writing when it failed: the one the error names, else the one
    written last (a failed write() does not name its file)."""
    if exc.filename:
        path = Path(exc.filename)
        if tmp is not None and path.is_relative_to(tmp):
            return f"while writing {path.relative_to(tmp)}"
        return f"at {path}"
    if tmp is None:
        return f"while making a folder in {parent}"
    files = [p for p in tmp.rglob("*") if p.is_file()]
    if not files:
        return "before any file was written"
    last = max(files, key=lambda p: (p.stat().st_mtime_ns, str(p)))
    return f"while writing {last.relative_to(tmp)}"


def _write_all(store: GraphStore, settings, folder: Path, meta: dict, public_url: str,
               create: bool = False) -> ExportReport:
    if create:
        folder.mkdir(parents=True)
    quads = published_quads(store, ("data",))
    triples = as_triples(quads)
    stem = f"pflegegraph-{meta['slug']}"
    paths = write_dumps(folder, stem, quads, triples)
    ontology = published_quads(store, ("ontology",))
    paths += write_dumps(folder, "pflegegraph-ontology", ontology, as_triples(ontology), with_quads=False)
    catalog = QueryCatalog(settings.queries)
    tables, csvw = write_tables(folder, store, catalog, "de", public_url + "data/")
    paths += tables
    paths.append(write_metadata(folder, csvw))
    infos = [file_info(p) for p in paths]
    classes = len(class_counts(store))
    description = describe(meta, infos, public_url=public_url, base_iri=settings.base_iri,
                           license_iri=settings.license, triples=len(triples), classes=classes)
    violations = [f for f in check_description(description, settings.lang) if f.severity == "Violation"]
    if violations:
        details = "; ".join(f"{f.focus}: {f.message}" for f in violations[:5])
        raise UserError(f"the dataset description does not conform to DCAT-AP.de 2.0 "
                        f"({len(violations)} violations): {details}")
    (folder / "catalog.ttl").write_bytes(ox.serialize(description, format=ox.RdfFormat.TURTLE,
                                                      prefixes=CATALOG_PREFIXES))
    (folder / "catalog.jsonld").write_bytes(ox.serialize(description, format=ox.RdfFormat.JSON_LD))
    listed = sorted(p.name for p in folder.iterdir())
    sums = "".join(f"{file_info(folder / name).sha256}  {name}\n" for name in listed)
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return ExportReport(folder, listed + ["SHA256SUMS"], len(triples))


def _replace(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is. Where the system can (Linux), the two folders trade places
    in one step, so ``target`` always names a complete export; elsewhere the old folder is moved
    aside first and moved back if the new one cannot take its place."""
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now names the previous export
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        new.rename(target)
    except OSError:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _recover(out: Path) -> None:
    """An export cut off between the two renames of the fallback leaves no ``out`` but the
    previous export beside it: put it back."""
    previous = sorted(out.parent.glob(f".{out.name}.previous-*"), key=lambda p: p.stat().st_mtime_ns)
    if previous and not out.exists():
        previous.pop().rename(out)
    for stale in previous:
        shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with renameat2(RENAME_EXCHANGE); False where the system or
    the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
