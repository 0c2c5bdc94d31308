"""``/health``: a small JSON answer for monitoring; 503 when queries cannot be answered."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from pflegegraph.errors import PflegegraphError
from pflegegraph.execution import CachingRunner, QueryRequest

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    store = current_app.extensions["pflegegraph.store"]
    runner = current_app.extensions["pflegegraph.runner"]
    settings = current_app.config["PFLEGEGRAPH_SETTINGS"]
    doc = {"backend": "remote" if settings.endpoint else "local",
           "query_timeout": settings.query_timeout, "row_limit": settings.row_limit}
    try:
        request = QueryRequest("ASK { }", fmt="json")
        # past the result cache: the answer must come from a query worker (or the remote store)
        answer = runner.run(request, fresh=True)
        b"".join(answer.chunks)
        doc.update(status="ok", graphs=len(store.graphs()))
        if not settings.endpoint:
            doc["triples"] = store.triple_count()
        if hasattr(runner, "killed"):
            doc["workers"] = runner.size
            doc["stopped_queries"] = runner.killed
        if isinstance(runner, CachingRunner):
            doc["result_cache"] = {"answers": runner.entries, "bytes": runner.bytes,
                                   "hits": runner.hits, "misses": runner.misses}
        return jsonify(doc)
    except PflegegraphError as exc:
        doc.update(status="failing", reason=exc.message)
        return jsonify(doc), 503
