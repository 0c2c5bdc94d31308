"""The named queries: a catalogue page, and a page per query with a form built from its
parameters, the SPARQL, the results as a table with labels, downloads and a shareable URL.

Parameter values are turned into RDF terms of their declared type and bound as a VALUES block
(``NamedQuery.bindings`` + ``binding.bind``); the query runs in the app's runner, with the
service's deadline and row cap (see running.py). A query stopped at the deadline gives a 503 page
with the form still there.

The HTML table shows ``TABLE_ROWS`` rows a page (``?page=N``, 1-based), sliced here before rendering:
a result of 10,000 rows would otherwise spend seconds in the template. The downloads
(``?format=…``) always hold the whole result.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for

from pflegegraph.errors import PflegegraphError, UserError
from pflegegraph.namespaces import expand
from pflegegraph.results import GRAPH_FORMATS, MEDIA_TYPES, SOLUTION_FORMATS, render
from pflegegraph.web.browse import common, running
from pflegegraph.web.browse.common import T, page, page_lang, state

bp = Blueprint("browse_queries", __name__, template_folder="templates")

EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "srj", "xml": "srx", "turtle": "ttl",
              "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}
TITLES = {"csv": "CSV", "tsv": "TSV", "json": "SPARQL JSON", "xml": "SPARQL XML", "turtle": "Turtle",
          "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
INPUT_TYPES = {"integer": "number", "year": "number", "decimal": "text", "date": "date"}
TABLE_ROWS = 100  # rows of the HTML table per page; the downloads hold every row
PAGE_ARG = "page"  # no named query has a parameter of that name (test_browse_queries checks)
_PAGE_NUMBER = re.compile(r"[0-9]+")


@bp.get("/queries")
def catalogue():
    lang = page_lang()
    items = [{"name": q.name, "title": q.title_in(lang), "description": q.description_in(lang),
              "params": [p.label.get(lang) or p.label.get("de") or p.name for p in q.params
                         if p.name != "lang"],
              "url": common.with_lang(url_for("browse_queries.query_page", name=q.name))}
             for q in state().catalog]
    return page("browse/queries.html", items=items)


def _values(query) -> dict[str, str]:
    values = {}
    for p in query.params:
        raw = request.args.get(p.name)
        if raw is not None and raw.strip() != "":
            values[p.name] = raw.strip()[:2000]
    if query.param("lang") is not None and "lang" not in values:
        values["lang"] = page_lang()
    return values


def _form(query, values: dict[str, str]) -> list[dict]:
    lang = page_lang()
    fields = []
    for p in query.params:
        options = []
        if p.choices:
            for choice in p.choices:
                iri = expand(choice, state().labels.prefixes) if p.type == "iri" else None
                options.append((choice, common.label(iri) if iri else choice))
        elif p.type == "lang":
            options = [("de", "Deutsch"), ("en", "English")]
        elif p.type == "boolean":
            options = [("true", T("ja", "yes")), ("false", T("nein", "no"))]
        fields.append({"name": p.name, "type": p.type, "required": p.required,
                       "label": p.label.get(lang) or p.label.get("de") or p.name,
                       "help": p.description.get(lang) or p.description.get("de") or "",
                       "value": values.get(p.name, ""), "default": p.default or "", "options": options,
                       "input": INPUT_TYPES.get(p.type, "text")})
    return fields


@bp.get("/queries/<name>")
def query_page(name: str):
    catalog = state().catalog
    if name not in catalog.queries:
        try:
            catalog.get(name)
        except UserError as exc:
            return page("browse/error.html", status=404, title=T("Keine solche Abfrage", "No such query"),
                        message=exc.message, back=common.with_lang(url_for("browse_queries.catalogue")))
    query = catalog.get(name)
    values = _values(query)
    fmt = request.args.get("format", "").strip().lower()
    number = _page_number()
    if number is None and (not fmt or fmt == "html"):
        return page("browse/error.html", status=400, title=T("Ungültige Seitenzahl", "Invalid page number"),
                    message=T(f"„{PAGE_ARG}“ muss eine ganze Zahl ab 1 sein.",
                              f"“{PAGE_ARG}” must be a whole number from 1 on."),
                    back=_page_url(name, 1))
    missing = [p for p in query.params if p.required and p.name not in values]
    error, result, status = None, None, 200
    if not missing:
        try:
            result = running.run_text(running.bound_text(query, values, state().labels.prefixes))
        except running.STOPPED as exc:
            status, _title, error = running.stopped(exc)
        except PflegegraphError as exc:
            status, error = 400, exc.message
    if fmt and fmt != "html":
        return download(query.name, fmt, result, error, missing, status)
    lang = page_lang()
    params = {k: v for k, v in values.items() if not (k == "lang" and v == lang)}
    share = url_for("browse_queries.query_page", name=name, _external=True)
    share_args = dict(params)
    if lang != (common.settings().lang or "de"):
        share_args["lang"] = values.get("lang", lang)
    if share_args:
        share += "?" + urlencode(share_args)
    formats = GRAPH_FORMATS if result is not None and result.kind == "graph" else SOLUTION_FORMATS
    downloads = []
    for f in formats:
        if f == "table":
            continue
        args = dict(share_args, format=f)
        downloads.append((url_for("browse_queries.query_page", name=name) + "?" + urlencode(args),
                          MEDIA_TYPES[f].split(";")[0], TITLES[f]))
    columns, rows, total = [], [], 0
    if result is not None:
        # Only the rows of this page reach the template (and their cells the label lookups).
        start = (number - 1) * TABLE_ROWS
        if result.kind == "graph":
            columns, total = ["subject", "predicate", "object"], len(result.triples)
            rows = [{"subject": t.subject, "predicate": t.predicate, "object": t.object}
                    for t in result.triples[start:start + TABLE_ROWS]]
        elif result.kind == "select":
            columns, total = result.variables, len(result.rows)
            rows = result.rows[start:start + TABLE_ROWS]
    pager = _pager(name, number, total) if result is not None and result.kind != "ask" else None
    if pager and pager["past_end"] and status == 200:
        status = 404
    if missing and request.args.get("run"):
        status = 400
    response = page("browse/query.html", status=status, query=query, title=query.title_in(lang),
                    description=query.description_in(lang), fields=_form(query, values), error=error,
                    missing=[p.label.get(lang) or p.name for p in missing], result=result,
                    columns=columns, rows=rows, total=total, pager=pager, cell=cell, share=share,
                    downloads=downloads,
                    alternates=downloads if result is not None else [],
                    row_limit=common.settings().row_limit,
                    editor_url=common.with_lang(url_for("browse_editor.editor", example=name)))
    if status in {503, 429}:
        response.headers["Retry-After"] = "5"
    return response


def _page_number() -> int | None:
    """The page of the HTML table asked for: 1 without ``page``, None for a value that is no page."""
    raw = request.args.get(PAGE_ARG, "").strip()
    if raw == "":
        return 1
    if not _PAGE_NUMBER.fullmatch(raw):
        return None
    number = int(raw) if len(raw) <= 12 else 10**12  # a huge number is a page past the end
    return number if number >= 1 else None


def _page_url(name: str, number: int) -> str:
    """This page's URL with every argument but ``page`` kept; page 1 is the URL without ``page``."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != PAGE_ARG]
    if number > 1:
        args.append((PAGE_ARG, str(number)))
    url = url_for("browse_queries.query_page", name=name)
    return url + "?" + urlencode(args) if args else url


def _count(n: int) -> str:
    """A count as people of the page's language write it: 10.000 or 10,000."""
    text = f"{n:,}"
    return text.replace(",", ".") if page_lang() == "de" else text


def _pager(name: str, number: int, total: int) -> dict | None:
    """Where this page of the table is in the result, with links to the other pages; None when the
    result fits on one page and page 1 is shown."""
    pages = max(1, -(-total // TABLE_ROWS))
    if pages == 1 and number == 1:
        return None
    first = (number - 1) * TABLE_ROWS + 1
    return {"number": number, "pages": pages, "past_end": number > pages,
            "first": _count(first), "last": _count(min(number * TABLE_ROWS, total)),
            "total": _count(total), "size": TABLE_ROWS, "pages_text": _count(pages),
            "first_url": _page_url(name, 1) if number != 1 else None,
            "prev_url": _page_url(name, number - 1) if 1 < number <= pages else None,
            "next_url": _page_url(name, number + 1) if number < pages else None,
            "last_url": _page_url(name, pages) if number != pages else None}


def download(name: str, fmt: str, result, error: str | None, missing, status: int = 400) -> Response:
    if missing:
        return Response(f"400 Bad Request: the query {name!r} needs the parameter "
                        f"{missing[0].name!r}.\n", status=400, mimetype="text/plain")
    if error:
        reason = {503: "Service Unavailable", 502: "Bad Gateway",
                  429: "Too Many Requests"}.get(status, "Bad Request")
        response = Response(f"{status} {reason}: {error}\n", status=status, mimetype="text/plain")
        if status in {503, 429}:
            response.headers["Retry-After"] = "5"
        return response
    try:
        body = render(result, fmt, state().labels.prefixes)
    except UserError as exc:
        return Response(f"400 Bad Request: {exc.message}\n", status=400, mimetype="text/plain")
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    if "charset" in MEDIA_TYPES[fmt]:
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS.get(fmt, fmt)}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    if result.truncated:
        response.headers["Pflegegraph-Result-Truncated"] = "true"
    return response


def cell(term):
    """A result cell for people: IRIs as labelled links, with the prefixed name as a hint."""
    if term is None:
        return ""
    return common.term_html(term)

