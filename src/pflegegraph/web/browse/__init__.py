"""Browsing: Linked-Data pages, domain views, named-query pages, the SPARQL editor and the ontology.

``register(app)`` adds the blueprints to an app made by ``pflegegraph.web.create_app``. Every
page is rendered on the server (only the editor uses JavaScript), escapes all data, carries the
licence and the sources, and is served with a strict Content-Security-Policy.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import HTTPException

from pflegegraph.errors import PflegegraphError
from pflegegraph.web.browse import (
    common,
    domain,
    editor,
    incoming,
    ontology,
    queries,
    resources,
    running,
    validate_page,
    views,
)
from pflegegraph.web.browse.editor import editor_response

__all__ = ["editor_response", "register"]

log = logging.getLogger("pflegegraph.web.browse")

BLUEPRINTS = (resources.bp, incoming.bp, views.bp, queries.bp, editor.bp, ontology.bp, validate_page.bp)
_ = domain  # its routes live on views.bp


def register(app: Flask) -> None:
    """Register the browsing blueprints (and their static files) on ``app``; twice is harmless."""
    if "browse_assets" not in app.blueprints:
        assets = Blueprint("browse_assets", __name__, static_folder="static",
                           static_url_path="/assets/browse")
        app.register_blueprint(assets)
    app.jinja_env.filters["pg_clean"] = common.clean  # control characters shown visibly
    for bp in BLUEPRINTS:
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)


def _friendly_errors(bp: Blueprint) -> None:
    @bp.errorhandler(running.QueryTimeout)
    @bp.errorhandler(running.ServiceBusy)
    @bp.errorhandler(running.RemoteFailure)
    @bp.errorhandler(running.TooManyQueries)
    def query_stopped(exc: Exception):
        status, title, message = running.stopped(exc)
        response = common.page("browse/error.html", status=status, title=title, message=message,
                               back=None)
        if status in {503, 429}:
            response.headers["Retry-After"] = "5"
        return response

    @bp.errorhandler(PflegegraphError)
    def user_error(exc: PflegegraphError):
        return common.page("browse/error.html", status=400, title=common.T("Fehler", "Error"),
                           message=exc.message, back=None)

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unexpected error on a browse page")
        try:
            return common.page("browse/error.html", status=500,
                               title=common.T("Interner Fehler", "Internal error"),
                               message=common.T("Die Seite konnte nicht erstellt werden; der Fehler ist "
                                                "protokolliert.", "The page could not be made; the "
                                                "failure is logged."), back=None)
        except Exception:  # noqa: BLE001 - the error page itself failed: plain text, no traceback
            return Response("500 Internal Server Error: the page could not be made.\n", status=500,
                            mimetype="text/plain")


for _bp in BLUEPRINTS:
    _friendly_errors(_bp)
    _bp.after_request(common.secure)
