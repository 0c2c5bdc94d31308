"""Domain views over the named queries: action fields by priority, the ISEK cross-reference
matrix (with a CSV download), the timeline 2023–2030 and target-group coverage.

Each view is about one care plan (see plans.py): with one plan in the graph the views run the
named queries over the whole graph; with several, the URL names the plan (``?plan=<IRI>``) and
the per-plan variant of the query runs with it. Every query goes through the app's runner, with
the service's deadline and row cap (running.py).
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict

from flask import Response, request, url_for

from pflegegraph.errors import UserError
from pflegegraph.labels import PG
from pflegegraph.web.browse import common, plans, running
from pflegegraph.web.browse.common import T, page, page_lang, state
from pflegegraph.web.browse.views import bp

HORIZONS = ("short-term", "medium-term", "long-term")
VOCAB = "https://w3id.org/pflegegraph/vocab/"
# The per-plan variant of each view's named query (action-fields-by-priority takes ``plan`` itself).
SCOPED = {"isek-cross-reference": "plan-isek-cross-reference", "timeline": "plan-timeline",
          "target-group-coverage": "plan-target-group-coverage"}
ORDER = f"SELECT ?x ?o WHERE {{ %s ?x <{PG}sortOrder>|<{PG}ordinal> ?o }}"
FIELD_HORIZONS = f"SELECT ?f ?h WHERE {{ %s ?f <{PG}priorityHorizon> ?h }}"


def _v(row, name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


class _View:
    """The plan of the request and how to run the view's named query for it."""

    def __init__(self, endpoint: str, choice: plans.Choice):
        self.endpoint = endpoint
        self.choice = choice

    def query_name(self, name: str) -> str:
        return SCOPED.get(name, name) if self.choice.scoped else name

    def run(self, name: str, values: dict[str, str]):
        return running.run_named(self.query_name(name), dict(values, **self.choice.args()))

    def query_url(self, name: str) -> str:
        return common.with_lang(url_for("browse_queries.query_page", name=self.query_name(name),
                                        **self.choice.args()))

    def url(self, endpoint: str | None = None, **args) -> str:
        return common.with_lang(url_for(endpoint or self.endpoint, **args, **self.choice.args()))

    def context(self) -> dict:
        many = len(self.choice.plans) > 1
        return {"plan_iri": self.choice.iri if many else None,
                "plan_options": plans.options(self.choice.iri) if many else [],
                "plan_action": url_for(self.endpoint)}


def _view(endpoint: str, title: str):
    """(view, None), or (None, a page that asks for a plan or says the plan is unknown)."""
    try:
        choice = plans.choice()
    except plans.UnknownPlan as exc:
        return None, page("browse/plans.html", status=404, title=title, unknown=exc.given,
                          plan_options=plans.options(), plan_action=url_for(endpoint), plan_iri=None)
    if choice.needs_choice:
        return None, page("browse/plans.html", title=title, unknown=None, plan_iri=None,
                          plan_options=plans.options(), plan_action=url_for(endpoint))
    return _View(endpoint, choice), None


def _orders(iris) -> dict[str, float]:
    """pg:sortOrder / pg:ordinal of the given IRIs, in one query."""
    out: dict[str, float] = {}
    iris = [i for i in iris if i]
    if not iris:
        return out
    for r in common.store().query(ORDER % running.values_block("x", iris)).rows:
        try:
            out.setdefault(r["x"].value, float(r["o"].value))
        except ValueError:
            continue
    return out


@bp.get("/views/action-fields")
def action_fields():
    view, other = _view("browse_views.action_fields", T("Handlungsfelder nach Priorität",
                                                         "Action fields by priority"))
    if other is not None:
        return other
    result = view.run("action-fields-by-priority", {"lang": page_lang()})
    iris = [r["actionField"].value for r in result.rows]
    horizons: dict[str, set[str]] = {}
    if iris:
        for r in common.store().query(FIELD_HORIZONS % running.values_block("f", iris)).rows:
            horizons.setdefault(r["f"].value, set()).add(r["h"].value.removeprefix(VOCAB))
    fields = []
    for r in result.rows:
        iri = r["actionField"].value
        hs = horizons.get(iri, set())
        cells = [("ongoing" if "ongoing" in hs else "on") if (h in hs or "ongoing" in hs) else "off"
                 for h in HORIZONS]
        fields.append({"iri": iri, "label": _v(r, "label") or common.label(iri),
                       "stated": _v(r, "statedPriority"), "horizons": _v(r, "horizons"),
                       "cells": cells})
    columns = [common.label(VOCAB + h) for h in HORIZONS]
    return page("browse/action_fields.html", fields=fields, columns=columns,
                ongoing=common.label(VOCAB + "ongoing"), truncated=result.truncated,
                query_url=view.query_url("action-fields-by-priority"), **view.context())


def isek_matrix(view: _View, lang: str) -> dict:
    """Rows (action fields), column groups (objectives by kind) and cells, with the gaps."""
    result = view.run("isek-cross-reference", {"lang": lang})
    orders = _orders({_v(r, "actionField") for r in result.rows} | {_v(r, "objective") for r in result.rows})
    fields: dict[str, dict] = {}
    objectives: dict[str, dict] = {}
    cells: dict[tuple[str, str], dict] = {}
    labels = state().labels
    for r in result.rows:
        status = _v(r, "status")
        f, o = _v(r, "actionField"), _v(r, "objective")
        if f:
            fields.setdefault(f, {"iri": f, "gap": False,
                                  "label": _v(r, "actionFieldLabel") or labels.label(f, lang)})
            fields[f]["gap"] = fields[f]["gap"] or status == "gap-action-field"
        if o:
            objectives.setdefault(o, {"iri": o, "label": _v(r, "objectiveLabel") or labels.label(o, lang),
                                      "kind": _v(r, "objectiveKind"), "gap": False})
            objectives[o]["gap"] = objectives[o]["gap"] or status == "gap-objective"
        if status == "link" and f and o:
            statement = labels.editorial_statement(f, PG + "tiesInWith", r["objective"])
            url = common.href(statement) if statement else common.href(f) + "#group-relations"
            cells[(f, o)] = {"assertion": _v(r, "assertion"), "by": _v(r, "assertedBy"),
                             "why": _v(r, "justification"), "url": url}
    rows = sorted(fields.values(), key=lambda x: (orders.get(x["iri"], 1e9), x["label"].casefold()))
    groups: OrderedDict[str, list] = OrderedDict()
    for o in sorted(objectives.values(), key=lambda x: (x["kind"], orders.get(x["iri"], 1e9),
                                                         x["label"].casefold())):
        groups.setdefault(o["kind"], []).append(o)
    columns = [o for group in groups.values() for o in group]
    return {"rows": rows, "groups": groups, "columns": columns, "cells": cells,
            "truncated": result.truncated}


@bp.get("/views/isek")
def isek():
    view, other = _view("browse_views.isek", T("ISEK-Querbezug", "ISEK cross-reference"))
    if other is not None:
        return other
    m = isek_matrix(view, page_lang())
    csv_url = view.url("browse_views.isek_csv")
    links = len(m["cells"])
    editorial = sum(1 for c in m["cells"].values() if c["assertion"] == "editorial")
    return page("browse/isek.html", **m, links=links, editorial=editorial,
                alternates=[(csv_url, "text/csv", "CSV")],
                query_url=view.query_url("isek-cross-reference"), **view.context())


@bp.get("/views/isek.csv")
def isek_csv():
    view, other = _view("browse_views.isek", T("ISEK-Querbezug", "ISEK cross-reference"))
    if other is not None:
        return other
    lang = page_lang()
    m = isek_matrix(view, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([T("Handlungsfeld", "Action field"), "IRI"]
                    + [f"{o['kind']}: {o['label']}" for o in m["columns"]])
    words = {"stated": T("belegt", "stated"), "editorial": T("redaktionell", "editorial")}
    for row in m["rows"]:
        writer.writerow([row["label"], row["iri"]]
                        + [words.get(m["cells"].get((row["iri"], o["iri"]), {}).get("assertion", ""), "")
                           for o in m["columns"]])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="isek-matrix.csv"'
    return response


@bp.get("/views/timeline")
def timeline():
    error = None
    try:
        first = int(request.args.get("from", "2023"))
        last = int(request.args.get("to", "2030"))
        if not (1900 <= first <= 2100 and 1900 <= last <= 2100):
            raise ValueError
    except ValueError:
        first, last, error = 2023, 2030, T("Die Jahre müssen zwischen 1900 und 2100 liegen.",
                                         "The years must lie between 1900 and 2100.")
    view, other = _view("browse_views.timeline", T("Zeitleiste", "Timeline"))
    if other is not None:
        return other
    try:
        result = view.run("timeline", {"fromYear": str(first), "toYear": str(last), "lang": page_lang()})
    except running.STOPPED:
        raise
    except UserError as exc:
        result, error = None, exc.message
    years: OrderedDict[str, list] = OrderedDict((str(y), []) for y in range(first, last + 1))
    undated = []
    for r in result.rows if result else []:
        entry = {"iri": _v(r, "entry"), "label": _v(r, "label"), "kind": _v(r, "kind"),
                 "status": _v(r, "status"), "date": _v(r, "date"), "end": _v(r, "endDate"),
                 "stated": _v(r, "statedDate")}
        year = entry["date"][:4]
        if year in years:
            years[year].append(entry)
        elif not entry["date"]:
            undated.append(entry)
    return page("browse/timeline.html", years=years, undated=undated, first=first, last=last,
                error=error, status=400 if error else 200, truncated=bool(result and result.truncated),
                query_url=view.query_url("timeline"), **view.context())


@bp.get("/views/target-groups")
def target_groups():
    view, other = _view("browse_views.target_groups", T("Abdeckung der Zielgruppen",
                                                        "Target-group coverage"))
    if other is not None:
        return other
    result = view.run("target-group-coverage", {"lang": page_lang()})
    groups = []
    for r in result.rows:
        fields = int(_v(r, "actionFieldCount") or 0)
        measures = int(_v(r, "measureCount") or 0)
        iri = _v(r, "targetGroup")
        groups.append({"iri": iri, "label": _v(r, "label") or common.label(iri),
                       "fields": fields, "field_names": _v(r, "actionFields"), "measures": measures,
                       "figures": _v(r, "figures"), "gap": fields == 0 and measures == 0})
    most = max([g["fields"] for g in groups] + [1])
    return page("browse/target_groups.html", groups=groups, most=most, truncated=result.truncated,
                query_url=view.query_url("target-group-coverage"), **view.context())
