"""The Flask faces of pflegegraph. ``create_app(settings)`` is the app factory."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from pflegegraph.settings import Settings
from pflegegraph.store import GraphStore


def create_app(settings: Settings | Mapping[str, Any] | None = None,
               store: GraphStore | None = None) -> Flask:
    """Build the app. ``settings`` may be a Settings object or a mapping of overrides."""
    if not isinstance(settings, Settings):
        settings = Settings.load(dict(settings or {}))
    app = Flask(__name__)
    app.config["PFLEGEGRAPH_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["pflegegraph.store"] = store or GraphStore.from_settings(settings)

    from pflegegraph.web import health, sparql

    app.register_blueprint(health.bp)
    app.register_blueprint(sparql.bp)
    return app
