"""``pflegegraph export --out DIR``: dumps, CSV tables, DCAT-AP.de and VoID, checksums."""

from __future__ import annotations

from pathlib import Path

from pflegegraph.publish.export import export
from pflegegraph.store import GraphStore


def register(sub, common):
    p = sub.add_parser(
        "export", parents=[common], help="write dumps, CSV, DCAT-AP.de and VoID to a folder",
        description="Write the published graph as Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads and TriG "
                    "(each also gzipped), CSV tables with CSVW metadata, the DCAT-AP.de and VoID "
                    "description and SHA-256 checksums. The same input gives byte-identical files. The "
                    "folder is replaced only when the new export is complete.")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    p.add_argument("--public-url", metavar="URL",
                   help="where the service or web server publishes the files "
                        "(default: setting public_url)")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    store = GraphStore.from_settings(settings)
    report = export(store, settings, args.out, args.public_url or settings.public_url)
    print(f"exported {report.triples} triples to {report.folder} ({len(report.files)} files)")
    return 0
