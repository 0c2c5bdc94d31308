"""``/validate``: the current SHACL report of the loaded graph, grouped by shape, each result linked
to its focus node. JSON and the standard sh:ValidationReport in Turtle are its twins."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, request

from pflegegraph.validation.api import validate
from pflegegraph.validation.formats import render
from pflegegraph.validation.report import severity_name
from pflegegraph.web.browse import common

bp = Blueprint("validate_page", __name__)
_lock = threading.Lock()


def _run(lang: str):
    """The validation of the folders the service loaded, once per process and language."""
    cache = current_app.extensions.setdefault("pflegegraph.validation", {})
    with _lock:
        if lang not in cache:
            s = common.settings()
            cache[lang] = validate(s.graph_namespace, s.ontology, s.data, s.shapes, lang=lang, jobs=1)
        return cache[lang]


@bp.get("/validate")
def report():
    lang = common.page_lang()
    wanted = request.args.get("format") or request.accept_mimetypes.best_match(
        ["text/html", "application/json", "text/turtle"], default="text/html")
    fmt = {"application/json": "json", "text/turtle": "turtle", "text/html": "html"}.get(wanted, wanted)
    if fmt not in {"html", "json", "turtle"}:
        return Response("406 Not Acceptable: the validation report is available as text/html "
                        "(format=html), application/json (format=json) and text/turtle "
                        "(format=turtle).\n", status=406, mimetype="text/plain", headers={"Vary": "Accept"})
    run = _run(lang)
    if fmt != "html":
        media = "application/json" if fmt == "json" else "text/turtle"
        return Response(render(run, fmt), mimetype=media)
    groups: dict = {}
    for result in run.report.results:
        shape = run.shape_name(run.group(result))
        groups.setdefault(shape, []).append({
            "severity": severity_name(result.severity),
            "focus": str(result.focus),
            "focus_label": run.label(result.focus) or run.term(result.focus),
            "path": run.path(result),
            "value": run.term(result.value),
            "message": run.message(result),
        })
    counts = run.report.counts()
    alternates = [("/validate?format=json", "application/json", "JSON"),
                  ("/validate?format=turtle", "text/turtle", "SHACL report (Turtle)")]
    return common.page("browse/validate.html", groups=sorted(groups.items()), counts=counts,
                       triples=run.report.triples, shapes=len(run.index.top_level),
                       alternates=alternates)
