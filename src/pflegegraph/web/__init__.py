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
from pflegegraph.web.clients import ClientGate
from pflegegraph.web.endpoint import INTERNAL

log = logging.getLogger("pflegegraph.web")


def build_store(settings: Settings):
    """The store the settings ask for: remote when an endpoint is set, else embedded."""
    if settings.backend == "remote" or settings.endpoint:
        from pflegegraph.remote import RemoteStore

        return RemoteStore.from_settings(settings)
    return GraphStore.from_settings(settings)


def build_runner(settings: Settings, store):
    """A worker pool for the embedded store, behind a result cache unless ``result_cache_mb`` is
    0; the calling thread for a remote store, never cached (its data may change)."""
    from pflegegraph.execution import CachingRunner, InlineRunner, WorkerPool

    if isinstance(store, GraphStore):
        # by default one query process per thread at most: every request a server worker takes
        # can have its query running, however many of them are runaways waiting for the deadline
        cap = settings.query_workers_max or max(settings.threads, settings.query_workers)
        pool = WorkerPool(store, settings.query_workers, settings.query_timeout, max_size=cap)
        if settings.result_cache_mb > 0:
            return CachingRunner(pool, settings.result_cache_mb * 1024 * 1024)
        return pool
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
    # a row of counts per server worker, and spare rows for workers that replace them
    app.extensions["pflegegraph.clients"] = ClientGate(settings.client_max_queries,
                                                       slots=2 * settings.workers + 2)
    from pflegegraph.web import browse, health, publish, sparql
    from pflegegraph.web.endpoint import QueryEndpoint

    app.register_blueprint(health.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(publish.bp)
    browse.register(app)
    _plain_errors(app)
    # /sparql query requests are answered in front of Flask (endpoint.py), the rest by Flask
    endpoint = QueryEndpoint(app.wsgi_app, settings, store, app.extensions["pflegegraph.runner"],
                             app.extensions["pflegegraph.clients"])
    app.extensions["pflegegraph.endpoint"] = endpoint
    app.wsgi_app = endpoint
    if settings.proxy_hops > 0:  # outermost: the endpoint sees the client's address too
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=0, x_host=0,
                                x_port=0, x_prefix=0)
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
        return Response(INTERNAL, status=500, mimetype="text/plain")
