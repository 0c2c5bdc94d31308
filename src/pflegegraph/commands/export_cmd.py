"""``pflegegraph export --out DIR`` and ``--site DIR``: dumps, tables, DCAT-AP.de, VoID, and a
static Linked-Data site."""

from __future__ import annotations

import sys
from pathlib import Path

from pflegegraph.errors import UserError
from pflegegraph.publish.export import check_valid, export, export_site, stale_partials
from pflegegraph.store import GraphStore


def register(sub, common):
    p = sub.add_parser(
        "export", parents=[common], help="write dumps, CSV, DCAT-AP.de and VoID, or a static site",
        description="--out DIR: the published graph as Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads "
                    "and TriG (each also gzipped), CSV tables with CSVW metadata, the DCAT-AP.de and "
                    "VoID description and SHA-256 checksums. The same input gives byte-identical files. "
                    "--site DIR: a static Linked-Data site (HTML, Turtle and JSON-LD per resource, index "
                    "pages, domain views, client-side search) for any plain web server; see "
                    "examples/webserver/. A folder is replaced only when the new one is complete.")
    p.add_argument("--out", type=Path, metavar="DIR", help="folder for dumps and description")
    p.add_argument("--site", type=Path, metavar="DIR", help="folder for the static site")
    p.add_argument("--public-url", metavar="URL",
                   help="where the files will be served (default: setting public_url)")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    if not args.out and not args.site:
        raise UserError("give --out DIR (dumps and description), --site DIR (static site), or both")
    store = GraphStore.from_settings(settings)
    check_valid(settings)
    public_url = args.public_url or settings.public_url
    for folder in (f for f in (args.out, args.site) if f):
        for leftover in stale_partials(folder):
            print(f"pflegegraph: an earlier export was cut off and left {leftover}; it was never "
                  "complete and is removed now", file=sys.stderr)
    if args.out:
        report = export(store, settings, args.out, public_url)
        print(f"exported {report.triples} triples to {report.folder} ({len(report.files)} files)")
    if args.site:
        site = export_site(store, settings, args.site, public_url)
        print(f"wrote a static site to {site.folder} ({site.pages} pages, {site.files} other files)")
    return 0
