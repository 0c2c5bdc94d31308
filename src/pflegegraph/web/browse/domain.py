"""Domain views over the named queries: action fields by priority, the ISEK cross-reference
matrix (with a CSV download), the timeline 2023–2030 and target-group coverage."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict

from flask import Response, request, url_for

from pflegegraph.errors import UserError
from pflegegraph.labels import PG
from pflegegraph.web.browse import common
from pflegegraph.web.browse.common import T, page, page_lang, run_named, state
from pflegegraph.web.browse.views import bp

HORIZONS = ("short-term", "medium-term", "long-term")
VOCAB = "https://w3id.org/pflegegraph/vocab/"
ORDER = f"SELECT ?x ?o WHERE {{ ?x <{PG}sortOrder>|<{PG}ordinal> ?o }}"
FIELD_HORIZONS = f"SELECT ?f ?h WHERE {{ ?f a <{PG}ActionField> ; <{PG}priorityHorizon> ?h }}"


def _orders() -> dict[str, float]:
    out = {}
    for r in common.store().query(ORDER).rows:
        try:
            out.setdefault(r["x"].value, float(r["o"].value))
        except ValueError:
            continue
    return out


def _v(row, name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


@bp.get("/views/action-fields")
def action_fields():
    result = run_named("action-fields-by-priority", {"lang": page_lang()})
    horizons: dict[str, set[str]] = {}
    for r in common.store().query(FIELD_HORIZONS).rows:
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
                ongoing=common.label(VOCAB + "ongoing"),
                query_url=common.with_lang(url_for("browse_queries.query_page",
                                                   name="action-fields-by-priority")))


def isek_matrix(lang: str) -> dict:
    """Rows (action fields), column groups (objectives by kind) and cells, with the gaps."""
    result = run_named("isek-cross-reference", {"lang": lang})
    orders = _orders()
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
    return {"rows": rows, "groups": groups, "columns": columns, "cells": cells}


@bp.get("/views/isek")
def isek():
    m = isek_matrix(page_lang())
    csv_url = common.with_lang(url_for("browse_views.isek_csv"))
    links = len(m["cells"])
    editorial = sum(1 for c in m["cells"].values() if c["assertion"] == "editorial")
    return page("browse/isek.html", **m, links=links, editorial=editorial,
                alternates=[(csv_url, "text/csv", "CSV")],
                query_url=common.with_lang(url_for("browse_queries.query_page", name="isek-cross-reference")))


@bp.get("/views/isek.csv")
def isek_csv():
    lang = page_lang()
    m = isek_matrix(lang)
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
    try:
        result = run_named("timeline", {"fromYear": str(first), "toYear": str(last), "lang": page_lang()})
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
                error=error, status=400 if error else 200,
                query_url=common.with_lang(url_for("browse_queries.query_page", name="timeline")))


@bp.get("/views/target-groups")
def target_groups():
    result = run_named("target-group-coverage", {"lang": page_lang()})
    groups = []
    for r in result.rows:
        fields = int(_v(r, "actionFieldCount") or 0)
        measures = int(_v(r, "measureCount") or 0)
        iri = _v(r, "targetGroup")
        groups.append({"iri": iri, "label": _v(r, "label") or common.label(iri),
                       "fields": fields, "field_names": _v(r, "actionFields"), "measures": measures,
                       "figures": _v(r, "figures"), "gap": fields == 0 and measures == 0})
    most = max([g["fields"] for g in groups] + [1])
    return page("browse/target_groups.html", groups=groups, most=most,
                query_url=common.with_lang(url_for("browse_queries.query_page",
                                                   name="target-group-coverage")))
