"""Fuzzing the pages and headers: path traversal and junk in every path parameter, junk in every
query parameter of the pages, and garbage Accept and other header values everywhere."""

from __future__ import annotations

import urllib.parse

from hypothesis import given
from hypothesis import strategies as st
from robustness_support import budget, check, count, still_answers

PREFIXES = [
    "/id/",
    "/queries/",
    "/class/",
    "/data/",
    "/vocab/",
    "/graph/",
    "/views/",
    "/assets/browse/",
    "/static/",
    "/vocab.",
    "/id/braunschweig/",
    "/graph/braunschweig/",
    "/data/../",
]

TRAVERSAL = [
    "..",
    "../",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/pyproject.toml",
    "..\\..\\pyproject.toml",
    "....//....//etc/passwd",
    "/etc/passwd",
    "%00",
    "a%00.ttl",
    "%c0%ae%c0%ae/",
    "..;/",
    "./././",
    "//",
    "~root",
    "file:///etc/passwd",
    "%252e%252e%252f",
    "braunschweig.ttl",
    "..%5c..%5cpyproject.toml",
    "x" * 3000,
    "\u202e",
    "%ff%fe",
    "?a=b",
    "#x",
]

segment = st.one_of(
    st.sampled_from(TRAVERSAL),
    st.text(max_size=40),
    st.lists(st.sampled_from(TRAVERSAL), min_size=1, max_size=4).map("/".join),
)


@budget(120)
@given(prefix=st.sampled_from(PREFIXES), rest=segment, raw=st.booleans())
def test_junk_in_every_path_parameter(fuzz_client, prefix, rest, raw):
    count("pages: path traversal and junk in path parameters")
    path = prefix + (rest if raw else urllib.parse.quote(rest, safe="/"))
    path = path.replace("?", "%3F").replace("#", "%23")
    response = fuzz_client.get(path)
    check(response, context=path)
    assert b"[build-system]" not in response.get_data(), path  # no file outside the served folders


PAGES = [
    "/resource",
    "/search",
    "/views/timeline",
    "/views/action-fields",
    "/views/isek",
    "/views/isek.csv",
    "/views/target-groups",
    "/queries",
    "/queries/actors",
    "/queries/provenance",
    "/queries/action-fields-by-priority",
    "/editor",
    "/validate",
    "/data/",
    "/catalog",
    "/",
    "/.well-known/void",
    "/vocab",
    "/ontology",
    "/def",
    "/health",
    "/class/Measure",
]
NAMES = [
    "iri",
    "q",
    "from",
    "to",
    "run",
    "format",
    "lang",
    "query",
    "example",
    "resource",
    "horizon",
    "output",
    "results",
    "default-graph-uri",
    "named-graph-uri",
    "page",
    "limit",
]
value = st.one_of(
    st.sampled_from(
        TRAVERSAL
        + [
            "1e5",
            "-1",
            "99999999999999999999",
            "2030",
            "json",
            "csv",
            "ttl",
            "bshf:wohnen",
            "<urn:x>",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "}",
            "{",
        ]
    ),
    st.text(max_size=60),
)


@budget(120)
@given(page=st.sampled_from(PAGES), args=st.lists(st.tuples(st.sampled_from(NAMES), value), max_size=4))
def test_junk_in_every_query_parameter(fuzz_client, page, args):
    count("pages: junk in query parameters")
    response = fuzz_client.get(page, query_string=args)
    check(response, context=(page, args))
    assert (
        "<script>alert(1)</script>" not in response.get_data(as_text=True) or response.mimetype != "text/html"
    )


header_text = st.text(
    st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=200
)
accept = st.one_of(
    header_text,
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "text/html",
                    "*/*",
                    "text/*",
                    "application/json",
                    "text/turtle",
                    "a/b",
                    "*/json",
                    "/",
                    "text/csv",
                    ";",
                    "application/sparql-results+xml",
                ]
            ),
            st.one_of(st.none(), st.sampled_from(["1", "0", "-1", "x", "0.5", "1e9", "NaN", ""])),
        ),
        max_size=40,
    ).map(lambda items: ", ".join(m + (f";q={q}" if q is not None else "") for m, q in items)),
)
TARGETS = [
    "/sparql?query=ASK%7B%7D",
    "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201",
    "/sparql?query=CONSTRUCT%7B%3Fs%20%3Fp%20%3Fo%7DWHERE%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%201",
    "/sparql",
    "/",
    "/queries/actors",
    "/queries/actors?run=1",
    "/data/",
    "/catalog",
    "/views/isek",
    "/id/braunschweig",
    "/health",
    "/.well-known/void",
    "/vocab",
    "/validate",
]
HEADERS = [
    "Accept-Language",
    "Accept-Encoding",
    "Accept-Charset",
    "Origin",
    "Cookie",
    "Range",
    "If-None-Match",
    "If-Modified-Since",
    "Content-Type",
    "Content-Length",
    "Host",
    "X-Forwarded-For",
    "Authorization",
    "Transfer-Encoding",
    "Access-Control-Request-Method",
    "Forwarded",
    "Referer",
]


@budget(100)
@given(
    target=st.sampled_from(TARGETS),
    accept=accept,
    extra=st.dictionaries(st.sampled_from(HEADERS), header_text, max_size=3),
    method=st.sampled_from(["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"]),
)
def test_garbage_headers_and_accept_values(fuzz_client, target, accept, extra, method):
    count("headers: garbage Accept and header values")
    headers = {"Accept": accept, **extra}
    headers.pop("Content-Length", None) if method in {"GET", "HEAD"} else None
    try:
        response = fuzz_client.open(target, method=method, headers=headers)
    except ValueError:  # the test client itself refuses the header (e.g. a bad Content-Length)
        headers.pop("Content-Length", None)
        headers.pop("Transfer-Encoding", None)
        response = fuzz_client.open(target, method=method, headers=headers)
    check(
        response,
        sparql=target.startswith("/sparql") and response.status_code != 405,
        context=(method, target, headers),
    )


def test_class_page_with_a_non_iri_name_is_a_4xx(fuzz_client):
    count("pages: path traversal and junk in path parameters")
    for path in ("/class/a%20b", "/class/%25", "/class/%3E", "/class/%22", "/class/%3A"):
        response = fuzz_client.get(path)
        check(response, context=path)


def test_data_file_with_an_overlong_name_is_a_404(fuzz_client):
    count("pages: path traversal and junk in path parameters")
    response = fuzz_client.get("/data/" + "x" * 3000)
    check(response, context="/data/ + x*3000")


def test_validate_page_with_a_junk_format_is_a_4xx(fuzz_client):
    count("pages: junk in query parameters")
    check(fuzz_client.get("/validate", query_string={"format": ".."}), context="/validate?format=..")


def test_the_pages_still_answer_after_the_fuzzing(fuzz_client):
    still_answers(fuzz_client)
    page = fuzz_client.get("/queries/actors")
    assert page.status_code == 200 and "Sozialreferat" in page.get_data(as_text=True)


def test_resource_with_a_suffix_and_a_non_iri_name_is_a_4xx(fuzz_client):
    count("pages: path traversal and junk in path parameters")
    for path in ("/id/a%00.ttl", "/id/a%20b.ttl"):
        check(fuzz_client.get(path), context=path)
