"""The Flask faces of pflegegraph. ``create_app(settings, store=None)`` is the app factory.

The app holds a store (the embedded pyoxigraph store, or a remote SPARQL endpoint when the
setting ``endpoint`` is given) and a runner that executes queries with the hard limits: a pool
of worker processes for the embedded store, the calling thread for a remote one. Errors are
answered as plain sentences; no traceback ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from pflegegraph.settings import Settings
from pflegegraph.store import GraphStore

log = logging.getLogger("pflegegraph.web")


def build_store(settings: Settings):
    """The store the settings ask for: remote when an endpoint is set, else embedded."""
    if settings.backend == "remote" or settings.endpoint:
        from pflegegraph.remote import RemoteStore

        return RemoteStore.from_settings(settings)
    return GraphStore.from_settings(settings)


def build_runner(settings: Settings, store):
    from pflegegraph.execution import InlineRunner, WorkerPool

    if isinstance(store, GraphStore):
        return WorkerPool(store, settings.query_workers, settings.query_timeout,
                          max_size=settings.query_workers_max)
    return InlineRunner(store)


def create_app(settings: Settings | Mapping[str, Any] | None = None,
               store: GraphStore | None = None) -> Flask:
    """Build the app. ``settings`` may be a Settings object or a mapping of overrides."""
    if not isinstance(settings, Settings):
        settings = Settings.load(dict(settings or {}))
    app = Flask(__name__)
    app.config["PFLEGEGRAPH_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    store = store if store is not None else build_store(settings)
    app.extensions["pflegegraph.store"] = store
    app.extensions["pflegegraph.runner"] = build_runner(settings, store)

    from pflegegraph.web import browse, health, publish, sparql

    app.register_blueprint(health.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(publish.bp)
    browse.register(app)
    _plain_errors(app)
    return app


def _plain_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        text = {
            405: "This method is not allowed here; /sparql answers GET and POST.",
            413: f"The request body is larger than the limit of "
                 f"{app.config['MAX_CONTENT_LENGTH']} bytes.",
        }.get(exc.code, exc.description or exc.name)
        response = Response(f"{exc.code} {exc.name}: {text}\n", status=exc.code, mimetype="text/plain")
        if exc.code == 405:
            allowed = exc.get_response().headers.get("Allow")
            if allowed:
                response.headers["Allow"] = allowed
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        log.exception("unexpected error")
        return Response("500 Internal Server Error: the service failed on this request; the "
                        "failure is logged.\n", status=500, mimetype="text/plain")
