"""Open-data faces: /data/ (dumps with sizes and checksums), /catalog (DCAT-AP.de) and
/.well-known/void (VoID), each by content negotiation.

The files are the output of ``pflegegraph export``: written once per process into a private
temporary folder the first time they are asked for, with the service's own address as public URL
unless the setting ``public_url`` was given.
"""

from __future__ import annotations

import html
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request, send_from_directory

from pflegegraph.publish.catalog import CATALOG_PREFIXES
from pflegegraph.publish.export import export
from pflegegraph.store import GraphStore
from pflegegraph.web import negotiation

bp = Blueprint("publish", __name__)
_lock = threading.Lock()

_RDF = {
    "text/turtle": ("turtle", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/rdf+xml": ("rdfxml", ox.RdfFormat.RDF_XML),
    "application/n-triples": ("ntriples", ox.RdfFormat.N_TRIPLES),
}
_BY_NAME = {name: (media, fmt) for media, (name, fmt) in _RDF.items()}


def _export_folder() -> Path:
    """The export for this process, made on first use."""
    with _lock:
        folder = current_app.extensions.get("pflegegraph.export")
        if folder is not None:
            return folder
        store = current_app.extensions["pflegegraph.store"]
        if not isinstance(store, GraphStore):
            abort(404, "Dumps are published by the service only in front of the embedded store; "
                       "in front of a remote store, run 'pflegegraph export' where the data lives.")
        settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
        public = settings.public_url if settings.origin("public_url") != "default" else request.url_root
        base = Path(tempfile.mkdtemp(prefix="pflegegraph-data-"))
        report = export(store, settings, base / "data", public)
        current_app.extensions["pflegegraph.export"] = report.folder
        return report.folder


def _description() -> list[ox.Triple]:
    folder = _export_folder()
    return list(ox.parse(path=str(folder / "catalog.ttl"), format=ox.RdfFormat.TURTLE))


def _negotiate_rdf(triples: list, html_view) -> Response:
    wanted = request.args.get("format")
    if wanted:
        if wanted not in _BY_NAME:
            abort(400, f"Unknown format {wanted!r}; use one of {', '.join(_BY_NAME)}.")
        media, fmt = _BY_NAME[wanted]
    else:
        offers = {media: (media,) for media in ["text/html", *_RDF]}  # ties: HTML, as pages do
        accept = request.accept_mimetypes
        best = negotiation.best(accept, offers) if request.headers.get("Accept") else None
        if best == "text/html":
            return html_view()
        media = best or "text/turtle"  # nothing asked for, or nothing acceptable: Turtle
        fmt = _RDF[media][1]
    prefixes = CATALOG_PREFIXES if fmt != ox.RdfFormat.JSON_LD else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = ", ".join(
        f'<{request.base_url}?format={name}>; rel="alternate"; type="{m}"'
        for name, (m, _f) in _BY_NAME.items())
    return response


@bp.get("/data/")
def data_index():
    folder = _export_folder()
    sums = dict(reversed(line.split("  ", 1))
                for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return {"files": [{"name": p.name, "bytes": p.stat().st_size, "sha256": sums.get(p.name),
                           "url": request.url_root + "data/" + p.name} for p in files]}
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(p.name)}">{html.escape(p.name)}</a></td>'
        f'<td class="num">{p.stat().st_size}</td>'
        f'<td><code>{html.escape(sums.get(p.name, ""))}</code></td></tr>'
        for p in files)
    return _page("Downloads – Daten", f"""
<h1>Downloads</h1>
<p>Der veröffentlichte Graph in allen gängigen RDF-Formaten (auch gzip), Tabellen als CSV mit CSVW-Metadaten,
die Beschreibung nach DCAT-AP.de 2.0 (<a href="/catalog">/catalog</a>) und Prüfsummen (SHA-256).</p>
<table><thead><tr><th>Datei</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>
{rows}
</tbody></table>""")


@bp.get("/data/<path:name>")
def data_file(name: str):
    folder = _export_folder()
    if "/" in name or name.startswith(".") or len(name) > 255:
        abort(404, f"There is no file {name[:80]!r} in /data/.")
    if not (folder / name).is_file():
        abort(404, f"There is no file {name!r} in /data/; the list is at /data/.")
    response = send_from_directory(folder, name, conditional=True)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/catalog")
def catalog():
    triples = _description()
    return _negotiate_rdf(triples, lambda: _page("Katalog (DCAT-AP.de)", f"""
<h1>Katalog nach DCAT-AP.de 2.0</h1>
<p>Maschinenlesbar als <a href="/catalog?format=turtle">Turtle</a>,
<a href="/catalog?format=jsonld">JSON-LD</a>, <a href="/catalog?format=rdfxml">RDF/XML</a>
oder <a href="/catalog?format=ntriples">N-Triples</a>.
Portale (DKAN, CKAN mit ckanext-dcat) ernten diese Adresse.</p>
<pre>{html.escape(_turtle(triples))}</pre>"""))


@bp.get("/.well-known/void")
def void():
    triples = [t for t in _description() if t.predicate.value.startswith("http://rdfs.org/ns/void#")
               or (t.predicate.value.endswith("#type") and t.object.value.endswith("void#Dataset"))]
    return _negotiate_rdf(triples, lambda: _page(
        "VoID", "<h1>VoID</h1><pre>" + html.escape(_turtle(triples)) + "</pre>"))


def _turtle(triples) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=CATALOG_PREFIXES).decode("utf-8")


def _page(title: str, body: str) -> Response:
    settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
    licence = html.escape(settings.license)
    return Response(f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · pflegegraph</title>
<link rel="alternate" type="text/turtle" href="/catalog?format=turtle">
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}}
td.num{{text-align:right}}code,pre{{font-size:.85em;overflow-wrap:anywhere;white-space:pre-wrap}}</style></head>
<body><main>{body}</main>
<footer><p>Lizenz: <a href="{licence}">{licence}</a> · Quellen: öffentliche Dokumente der Stadt
Braunschweig und des Landes Niedersachsen, je Aussage im Graphen genannt.</p></footer></body></html>""",
                    mimetype="text/html")
