"""``/health``: a small JSON answer for monitoring."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    store = current_app.extensions["pflegegraph.store"]
    return jsonify(status="ok", triples=store.triple_count(), graphs=len(store.graphs()))
