"""Shared pieces of the browsing pages: the label and search indexes, the page language, URLs for
IRIs, content negotiation for RDF, and rendering with safe headers."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Response, current_app, render_template, request
from markupsafe import Markup, escape

from pflegegraph.labels import LabelIndex, clean
from pflegegraph.namedqueries import QueryCatalog
from pflegegraph.search import SearchIndex
from pflegegraph.web import negotiation

log = logging.getLogger("pflegegraph.web.browse")

LANGS = ("de", "en")
RDF_FORMATS = {  # name: (media type, suffix, title)
    "turtle": ("text/turtle", "ttl", "Turtle"),
    "jsonld": ("application/ld+json", "jsonld", "JSON-LD"),
    "ntriples": ("application/n-triples", "nt", "N-Triples"),
    "rdfxml": ("application/rdf+xml", "rdf", "RDF/XML"),
}
SUFFIXES = {v[1]: k for k, v in RDF_FORMATS.items()} | {"html": "html"}
FORMAT_ALIASES = {"html": "html", "ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld",
                  "json-ld": "jsonld", "json": "jsonld", "nt": "ntriples", "ntriples": "ntriples",
                  "n-triples": "ntriples", "rdf": "rdfxml", "rdfxml": "rdfxml", "xml": "rdfxml"}
ACCEPTED = {"html": ("text/html", "application/xhtml+xml"),
            "turtle": ("text/turtle", "application/x-turtle", "text/n3"),
            "jsonld": ("application/ld+json", "application/json"),
            "ntriples": ("application/n-triples", "text/plain"),
            "rdfxml": ("application/rdf+xml", "application/xml", "text/xml")}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@dataclass
class BrowseState:
    labels: LabelIndex
    search: SearchIndex
    catalog: QueryCatalog
    built_at: float


_LOCK = threading.Lock()


def state() -> BrowseState:
    """The indexes of this app, built on first use (a remote store is read again hourly)."""
    app = current_app
    found = app.extensions.get("pflegegraph.browse")
    remote = not hasattr(store(), "files")
    if found is not None and not (remote and time.time() - found.built_at > 3600):
        return found
    with _LOCK:
        found = app.extensions.get("pflegegraph.browse")
        if found is None or (remote and time.time() - found.built_at > 3600):
            settings = app.config["PFLEGEGRAPH_SETTINGS"]
            found = BrowseState(LabelIndex.build(store(), settings.lang), SearchIndex.build(store()),
                                QueryCatalog(settings.queries), time.time())
            app.extensions["pflegegraph.browse"] = found
    return found


def store():
    return current_app.extensions["pflegegraph.store"]


def settings():
    return current_app.config["PFLEGEGRAPH_SETTINGS"]


def base_iri() -> str:
    return settings().base_iri


def page_lang() -> str:
    value = request.args.get("lang", "")
    return value if value in LANGS else (settings().lang if settings().lang in LANGS else "de")


def T(de: str, en: str) -> str:  # noqa: N802 - short, used in every template
    return en if page_lang() == "en" else de


def with_lang(url: str, lang: str | None = None) -> str:
    lang = lang or page_lang()
    if lang == (settings().lang or "de"):
        return url
    return url + ("&" if "?" in url else "?") + "lang=" + lang


def iri_path(iri: str) -> str:
    """The path on this service for an IRI under the base IRI, or /resource?iri=… for the rest."""
    base = base_iri()
    root = request.script_root
    if iri.startswith(base) and "#" not in iri and "?" not in iri and len(iri) > len(base):
        return root + "/" + quote(iri[len(base):], safe="/-._~!$&'()*+,;=:@")
    return root + "/resource?" + urlencode({"iri": iri})


def href(iri: str, lang: str | None = None) -> str:
    return with_lang(iri_path(iri), lang)


def is_known(iri: str) -> bool:
    idx = state().labels
    return iri.startswith(base_iri()) or iri in idx.labels or iri in idx.types


def safe_external(iri: str) -> bool:
    return iri.lower().startswith(("http://", "https://"))


def label(iri: str) -> str:
    return state().labels.label(iri, page_lang())


def link(iri: str, text: str | None = None) -> Markup:
    """An <a> to the page of an IRI, showing its label; bidi-isolated, everything escaped."""
    shown = clean(text) if text is not None else label(iri)
    if is_known(iri):
        return Markup('<a href="{}"><bdi>{}</bdi></a>').format(href(iri), shown)
    if safe_external(iri):
        return Markup('<a class="external" href="{}" rel="nofollow noopener"><bdi>{}</bdi></a>').format(
            iri, shown)
    return Markup("<bdi>{}</bdi>").format(shown)


def term_html(term) -> Markup:
    """A term as a person reads it: IRIs as labelled links, literals as text with a language hint."""
    if isinstance(term, ox.NamedNode):
        return link(term.value)
    if isinstance(term, ox.BlankNode):
        return Markup('<span class="blank">{}</span>').format(T("(anonymer Knoten)", "(anonymous node)"))
    if isinstance(term, ox.Literal):
        text = clean(term.value)
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith("#boolean"):
            text = T("ja", "yes") if term.value in {"true", "1"} else T("nein", "no")
        if term.language and term.language != page_lang():
            return Markup('<bdi lang="{0}">{1}</bdi> <span class="lang">{0}</span>').format(
                term.language, text)
        if term.language:
            return Markup('<bdi lang="{}">{}</bdi>').format(term.language, text)
        return Markup("<bdi>{}</bdi>").format(text)
    return Markup("{}").format(escape(str(term)))


def page(template: str, *, status: int = 200, alternates: list[tuple[str, str, str]] = (),
         **context) -> Response:
    """Render an HTML page. ``alternates``: (url, media type, title) for <link> and Link headers."""
    body = render_template(template, alternates=alternates, **helpers(), **context)
    response = Response(body, status=status, mimetype="text/html")
    if alternates:
        response.headers["Link"] = ", ".join(
            f'<{url}>; rel="alternate"; type="{mime}"' for url, mime, _ in alternates)
    return response


def secure(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Language", page_lang())
    return response


def negotiate(default: str = "html") -> str | None:
    """The format the client asked for: ``format`` parameter, else Accept; None if none fits.
    Ties go to the earlier format (HTML first), after a type the client named."""
    asked = request.args.get("format", "").strip().lower()
    if asked:
        return FORMAT_ALIASES.get(asked)
    accept = request.accept_mimetypes
    if not accept or not request.headers.get("Accept"):
        return default
    return negotiation.best(accept, ACCEPTED)


def not_acceptable(formats: list[str]) -> Response:
    types = ", ".join(ACCEPTED[f][0] for f in formats)
    return Response(f"406 Not Acceptable: this resource is available as {types}.\n", status=406,
                    mimetype="text/plain", headers={"Vary": "Accept"})


def helpers() -> dict:
    """Functions every browse template may call (passed per render, not put on the app)."""
    from pflegegraph.web.browse.plans import keep_plan

    return {"T": T, "link": link, "term_html": term_html, "href": href, "label": label,
            "with_lang": with_lang, "lang": page_lang(), "clean": clean, "settings": settings(),
            "lang_switch": lang_switch, "licence_name": licence_name, "keep_plan": keep_plan}


LICENCES = {"https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
            "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
            "https://www.govdata.de/dl-de/by-2-0": "Datenlizenz Deutschland – Namensnennung 2.0"}


def licence_name(iri: str) -> str:
    return LICENCES.get(iri, iri)


def lang_switch(lang: str) -> str:
    """This page's URL in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return request.script_root + request.path + "?" + urlencode(args, doseq=True)
