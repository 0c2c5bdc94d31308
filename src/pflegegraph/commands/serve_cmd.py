"""``pflegegraph serve``: the service on a production WSGI server.

gunicorn (the default where it runs: Linux, macOS) with several worker processes, each with a
few threads and its own pool of query processes; waitress (``--server waitress``) as a
single-process alternative that also runs on Windows. Both load the graph once, before any
worker starts, so the workers share its memory.
"""

from __future__ import annotations

import sys

from pflegegraph.errors import UserError


def register(sub, common):
    p = sub.add_parser("serve", parents=[common], help="serve SPARQL and pages over HTTP",
                       description="Load the graph and serve /sparql and /health on a production "
                                   "WSGI server. With --endpoint, queries go to that remote SPARQL "
                                   "store instead of the embedded one.")
    p.add_argument("--host", help="address to listen on (default: setting host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: setting port, 8080)")
    p.add_argument("--workers", type=int, help="server worker processes (setting workers)")
    p.add_argument("--threads", type=int, help="threads per worker process (setting threads)")
    p.add_argument("--query-workers", type=int, help="query processes per worker (setting query_workers)")
    p.add_argument("--timeout", type=float, help="query deadline in seconds (setting query_timeout)")
    p.add_argument("--row-limit", type=int, help="most rows in a result (setting row_limit)")
    p.add_argument("--endpoint", help="remote SPARQL endpoint to serve from (setting endpoint)")
    p.add_argument("--update-endpoint", help="remote SPARQL update endpoint (setting update_endpoint)")
    p.add_argument("--server", choices=["gunicorn", "waitress"], help="WSGI server (default: gunicorn "
                   "where available, else waitress)")
    p.set_defaults(run=run)


def _settings(args, settings):
    changes = {"host": args.host, "port": args.port, "workers": args.workers, "threads": args.threads,
               "query_workers": args.query_workers, "query_timeout": args.timeout,
               "row_limit": args.row_limit, "endpoint": args.endpoint,
               "update_endpoint": args.update_endpoint}
    settings = settings.replace(**{k: v for k, v in changes.items() if v is not None})
    for name in ("workers", "threads", "query_workers"):
        if settings[name] < 1:
            raise UserError(f"{name} must be at least 1")
    if settings.query_timeout <= 0:
        raise UserError("the query timeout must be more than 0 seconds")
    return settings


def run(args, settings) -> int:
    from pflegegraph.web import create_app

    settings = _settings(args, settings)
    server = args.server or _default_server()
    app = create_app(settings)
    store = app.extensions["pflegegraph.store"]
    from pflegegraph.web.warmup import hand_over, warm

    warmed = warm(app)
    if warmed is not None:
        failed = f"; not cached: {', '.join(warmed.failed)}" if warmed.failed else ""
        if warmed.skipped:
            failed += f"; {len(warmed.skipped)} more pages left to their first visitors (time budget)"
        print(f"pflegegraph: opened {warmed.pages} pages in {warmed.seconds:.1f} s to warm the "
              f"indexes and the result cache{failed}", file=sys.stderr, flush=True)
    where = (f"remote store {settings.endpoint}" if settings.endpoint else
             f"{store.triple_count()} triples in {len(store.graphs())} graphs")
    print(f"pflegegraph: {where}; {server} with {settings.workers if server == 'gunicorn' else 1} "
          f"worker(s); serving on http://{settings.host}:{settings.port}/sparql", file=sys.stderr,
          flush=True)
    if server == "waitress":
        import waitress

        app.extensions["pflegegraph.runner"].start()
        waitress.serve(app, host=settings.host, port=settings.port, ident="pflegegraph",
                       threads=settings.threads, max_request_body_size=settings.max_body_bytes)
        return 0
    from pflegegraph.web.gunicorn_app import serve

    if warmed is not None:
        hand_over(app)
    serve(app, settings)
    return 0


def _default_server() -> str:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return "waitress"
    return "gunicorn"
