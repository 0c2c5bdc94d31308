"""``pflegegraph serve``: the SPARQL service on a production WSGI server (waitress)."""

from __future__ import annotations

import sys


def register(sub, common):
    p = sub.add_parser("serve", parents=[common], help="serve SPARQL and pages over HTTP",
                       description="Load the graph and serve /sparql and /health.")
    p.add_argument("--host", help="address to listen on (default: setting host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: setting port, 8080)")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    import waitress

    from pflegegraph.web import create_app

    if args.host:
        settings = settings.replace(host=args.host)
    if args.port is not None:
        settings = settings.replace(port=args.port)
    app = create_app(settings)
    store = app.extensions["pflegegraph.store"]
    print(f"pflegegraph: {store.triple_count()} triples in {len(store.graphs())} graphs; "
          f"serving on http://{settings.host}:{settings.port}/sparql", file=sys.stderr, flush=True)
    waitress.serve(app, host=settings.host, port=settings.port, threads=max(2, settings.workers * 2),
                   ident="pflegegraph")
    return 0
