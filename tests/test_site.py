"""``pflegegraph export --site``: a static site with no broken link, that works from a subfolder."""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.request
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rdflib

LINK = re.compile(r'\b(?:href|src|action)="([^"]*)"')


@pytest.fixture(scope="module")
def site(run_cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("www") / "pflegegraph"
    result = run_cli("export", "--site", str(out), "--public-url", "https://example.org/pflege/", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "wrote a static site" in result.stdout
    return out


def test_crawl_finds_no_broken_link(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 300
    broken, absolute = [], []
    for page in pages:
        for url in LINK.findall(page.read_text(encoding="utf-8")):
            url = url.replace("&amp;", "&")
            if url.startswith(("http://", "https://", "mailto:", "#", "data:")):
                continue
            if url.startswith("/"):
                absolute.append((page.relative_to(site), url))
                continue
            target = (page.parent / unquote(urlsplit(url).path)).resolve()
            if not target.is_file():
                broken.append((str(page.relative_to(site)), url))
    assert absolute == [], "site-absolute links break in a subfolder"
    assert broken == []


def test_every_resource_has_html_turtle_and_jsonld(site):
    base = site / "id" / "03101000" / "handlungsfeld"
    page = (base / "wohnen.html").read_text(encoding="utf-8")
    assert "Wohnen" in page and "Stellungnahme der Verwaltung DS 24-22983-01" in page
    graph = rdflib.Graph().parse(base / "wohnen.ttl", format="turtle")
    wohnen = rdflib.URIRef("https://w3id.org/pflegegraph/id/03101000/handlungsfeld/wohnen")
    assert (wohnen, rdflib.URIRef("https://w3id.org/pflegegraph/def#statedPriority"), rdflib.Literal("1")) in graph
    assert json.loads((base / "wohnen.jsonld").read_text(encoding="utf-8"))


def test_views_data_and_search_index(site):
    assert "Digitalisierung" in (site / "views" / "isek.html").read_text(encoding="utf-8")
    assert (site / "data" / "pflegegraph-braunschweig.ttl.gz").is_file()
    assert (site / "data" / "catalog.ttl").is_file()
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    hits = [e for e in index if "Wohn-Pflege-Gemeinschaften" in e["text"]]
    assert hits and all((site / e["href"]).is_file() for e in hits)
    search = (site / "search.html").read_text(encoding="utf-8")
    assert '<script src="assets/search.js"></script>' in search
    assert "normalize(\"NFD\")" in (site / "assets" / "search.js").read_text(encoding="utf-8")


def test_live_only_pages_link_to_the_service(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/pflege/editor"' in home
    assert not (site / "editor.html").exists()


def test_served_from_a_subfolder_by_a_plain_web_server(site):
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/pflegegraph/"
        with urllib.request.urlopen(root + "index.html") as response:
            html = response.read().decode("utf-8")
        css = re.search(r'href="([^"]+\.css)"', html).group(1)
        with urllib.request.urlopen(root + css) as response:
            assert response.status == 200 and b"{" in response.read()
        page = re.search(r'href="(views/isek\.html)"', html).group(1)
        with urllib.request.urlopen(root + page) as response:
            assert "ISEK" in response.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_further_pages_of_a_query_result_are_in_the_site(site):
    queries = site / "queries"
    first = (queries / "document-statements.html").read_text(encoding="utf-8")
    assert 'href="document-statements.page-2.html" rel="next"' in first
    second = (queries / "document-statements.page-2.html").read_text(encoding="utf-8")
    assert "Zeilen 101–137 von 137" in second and 'href="document-statements.html" rel="prev"' in second
    assert 'href="document-statements.page-2.en.html" rel="next"' in (
        queries / "document-statements.en.html").read_text(encoding="utf-8")
