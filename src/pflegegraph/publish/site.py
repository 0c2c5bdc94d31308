"""``export --site DIR``: a static Linked-Data site that any plain web server can host.

The site is made by crawling the running app in-process (Flask's test client), so every page looks
the same as on the live service. Each resource gets an HTML page, Turtle and JSON-LD; index pages and
domain views follow from the links. Links are rewritten to relative paths, so the site works from a
subfolder. A search index (JSON) with a small client-side search page replaces the server's search.

This module drives a Flask app but does not import Flask: it receives the app from the caller.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

_ATTR = re.compile(r'(?P<attr>\b(?:href|src|action))="(?P<url>/[^"]*)"')
_FILE_SUFFIXES = (".csv", ".ttl", ".nt", ".jsonld", ".rdf", ".nq", ".trig", ".gz", ".json", ".css",
                  ".js", ".png", ".svg", ".ico", ".txt")
MAX_PAGES = 20000


@dataclass(frozen=True)
class SiteReport:
    folder: Path
    pages: int
    files: int


# Pages that need the live service: their links go to the service's public address instead.
LIVE_ONLY = ("/sparql", "/editor", "/health", "/validate")


def local_file(url_path: str, query: str = "") -> str | None:
    """The file a site-absolute URL maps to, relative to the site root; None if it has no static form."""
    path = unquote(url_path)
    if ".." in path.split("/") or path.startswith(LIVE_ONLY):
        return None
    if path == "/search":
        return "search.html"  # the client-side search page written after the crawl
    params = dict(p.split("=", 1) for p in query.split("&") if "=" in p) if query else {}
    # The further pages of a named query's result table (?page=2…) are pages of the site too.
    number = params.pop("page", None) if path.startswith("/queries/") else None
    if set(params) - {"lang", "format"}:
        return None  # a page that needs the server (search, parameter forms): no static twin
    if number is not None and (not re.fullmatch(r"[1-9][0-9]{0,5}", number) or "format" in params):
        return None
    stem = path.strip("/")
    if path.endswith("/"):
        stem = (stem + "/index") if stem else "index"
    elif not stem:
        stem = "index"
    if stem.endswith(_FILE_SUFFIXES) and not params:
        return stem
    fmt = params.get("format")
    if fmt in ("turtle", "ttl"):
        return stem + ".ttl"
    if fmt in ("jsonld", "json-ld"):
        return stem + ".jsonld"
    if fmt:
        return None
    if number is not None and number != "1":
        stem += f".page-{number}"
    return stem + (".en.html" if params.get("lang") == "en" else ".html")


def _relative(from_file: str, to_file: str) -> str:
    rel = posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")
    return quote(rel, safe="/.-_~")  # "org:Organization.html" must not read as a URL scheme


def build_site(app, out: Path, resource_paths: list[str], search_index: list[dict],
               public_url: str = "") -> SiteReport:
    """Crawl ``app`` from its home page and every resource path; write the site into ``out``."""
    client = app.test_client()
    seeds = ["/", "/data/", "/ontology", "/queries"] + resource_paths
    seeds += [p + "?format=turtle" for p in resource_paths] + [p + "?format=jsonld" for p in resource_paths]
    queue = deque(seeds)
    seen: set[str] = set()
    pages = files = 0
    while queue and pages + files < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        target = local_file(parts.path, parts.query)
        if target is None or target == "search.html":
            continue
        headers = {"Accept": "text/html"} if target.endswith(".html") else {}
        with client.get(url, headers=headers) as response:
            if response.status_code != 200:
                continue
            body = response.get_data()
            mimetype = response.mimetype
        dest = out / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if mimetype == "text/html":
            text = body.decode("utf-8")
            for link in _ATTR.finditer(text):
                queue.append(link.group("url").replace("&amp;", "&"))
            dest.write_text(_rewrite(text, target, public_url), encoding="utf-8")
            pages += 1
        else:
            dest.write_bytes(body)
            files += 1
    (out / "search-index.json").write_text(json.dumps(search_index, ensure_ascii=False, sort_keys=True),
                                          encoding="utf-8")
    (out / "assets").mkdir(exist_ok=True)
    (out / "assets" / "search.js").write_text(SEARCH_JS, encoding="utf-8")
    (out / "search.html").write_text(_search_page(out), encoding="utf-8")
    for stale in out.glob("search.*.html"):
        stale.unlink()
    return SiteReport(out, pages + 1, files + 1)


def _rewrite(text: str, page_file: str, public_url: str = "") -> str:
    def replace(match: re.Match) -> str:
        url = match.group("url").replace("&amp;", "&")
        parts = urlsplit(url)
        target = local_file(parts.path, parts.query)
        if target is None:
            if public_url:  # a page of the live service: link to it there
                return f'{match.group("attr")}="{public_url.rstrip("/")}{url}"'
            return match.group(0)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return f'{match.group("attr")}="{_relative(page_file, target)}{fragment}"'

    return _ATTR.sub(replace, text)


SEARCH_JS = """(function () {
  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").replace(/ß/g, "ss");
  }
  var input = document.getElementById("q"), list = document.getElementById("results"), index = [];
  function show() {
    var q = fold(input.value.trim()); list.textContent = "";
    if (!q) return;
    index.filter(function (e) { return fold(e.text).indexOf(q) >= 0; }).slice(0, 200).forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = e.href; a.textContent = e.label; li.appendChild(a);
      var small = document.createElement("small"); small.textContent = " " + e.kind; li.appendChild(small);
      list.appendChild(li);
    });
  }
  fetch("search-index.json").then(function (r) { return r.json(); }).then(function (data) {
    index = data; var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; } show();
  });
  input.addEventListener("input", show);
})();
"""


def _search_page(out: Path) -> str:
    """A search page that reads search-index.json in the browser. It reuses the home page's frame."""
    home = (out / "index.html").read_text(encoding="utf-8") if (out / "index.html").exists() else ""
    head = home.split("<main", 1)[0] if "<main" in home else "<!doctype html><html lang='de'><body>"
    tail = "</main>" + home.split("</main>", 1)[1] if "</main>" in home else "</body></html>"
    return head + """<main id="main">
<h1>Suche</h1>
<form role="search" onsubmit="return false"><label for="q">Suchbegriff</label>
<input id="q" name="q" type="search" autofocus></form>
<ol id="results" aria-live="polite"></ol>
<script src="assets/search.js"></script>
""" + tail


def resources_and_index(store, base_iri: str, lang: str = "de") -> tuple[list[str], list[dict]]:
    """Local paths of every resource under the base IRI, and the client-side search index."""
    import pyoxigraph as ox

    query = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT ?t; separator=" ") AS ?text)
       (SAMPLE(?kl) AS ?kind)
WHERE {
  ?s rdfs:label ?l . FILTER(LANG(?l) = ?lang)
  FILTER(STRSTARTS(STR(?s), ?base))
  { ?s rdfs:label|skos:altLabel|skos:definition|skos:prefLabel ?t }
  OPTIONAL { ?s a ?k . ?k rdfs:label ?kl . FILTER(LANG(?kl) = ?lang) }
} GROUP BY ?s"""
    result = store.query(query, {"lang": ox.Literal(lang), "base": ox.Literal(base_iri)})
    paths, index = [], []
    for row in result.rows:
        iri = row["s"].value
        path = "/" + iri[len(base_iri):]
        if "#" in path:
            continue  # hash IRIs live on their document's page (/def)
        target = local_file(path)
        if target is None:
            continue
        paths.append(path)
        index.append({"label": row["label"].value, "href": target,
                      "text": " ".join(v.value for k, v in row.items() if k in ("label", "text")),
                      "kind": row["kind"].value if "kind" in row else ""})
    return sorted(paths), sorted(index, key=lambda e: (e["label"], e["href"]))
