"""Faults of a remote store, at process level: a real Oxigraph server is killed (SIGKILL) part-way
through ``pflegegraph push`` and in the middle of the front end's queries, then started again on
the same folder and port.

The moment of the kill is chosen by a small TCP proxy between pflegegraph and the store: it
forwards bytes both ways until its trigger fires, then kills the store and cuts the connection
(``servers.KillingProxy``). After the restart the tests look at what the store holds, and at what the
user was told.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest

from pflegegraph.push import STAGING
from pflegegraph.remote import RemoteStore
from remote_common import CATALOG
from servers import KillingProxy, Link, Oxigraph, Trigger, pflegegraph_service
from test_sparql_protocol import http

pytestmark = pytest.mark.skipif(Oxigraph.missing(), reason="the oxigraph server (pip install oxigraph) "
                                                           "is not installed")

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
TARGET = "https://example.org/fault/target"
F = "https://example.org/fault/"
OLD, NEW = 300, 5000  # triples before, and triples of the push that is interrupted


# --- when the proxy kills the store (see servers.KillingProxy) -----------------------------


def after_bytes(limit: int) -> Trigger:
    """The store dies after ``limit`` bytes of requests (all connections together)."""
    total = 0

    def trigger(link: Link, direction: str, new: int) -> int | None:
        nonlocal total
        if direction != "up":
            return None
        total += new
        return len(link.up) - (total - limit) if total >= limit else None

    return trigger


def on_request(phrase: bytes, *, deliver: bool) -> Trigger:
    """The store dies when a request carrying ``phrase`` arrives: before it gets the request, or
    (``deliver``) right after it got all of it."""

    def trigger(link: Link, direction: str, new: int) -> int | None:
        if direction != "up" or phrase not in link.up:
            return None
        if not deliver:
            return link.up.index(phrase)
        head, _, body = link.up.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        return len(link.up) if length and len(body) >= int(length.group(1)) else None

    return trigger


def mid_answer(phrase: bytes, after: int) -> Trigger:
    """The store dies ``after`` bytes into its answer to the request that carries ``phrase``."""

    def trigger(link: Link, direction: str, new: int) -> int | None:
        if direction == "up":
            link.doomed = link.doomed or phrase in link.up
            return None
        return after if link.doomed and len(link.down) >= after else None

    return trigger


@pytest.fixture()
def oxigraph(tmp_path):
    store = Oxigraph(tmp_path)
    with store:
        yield store


# --- push --------------------------------------------------------------------------------


def turtle(folder: Path, name: str, n: int) -> Path:
    """``n`` triples with predicate f:<name>, in a data folder of their own."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"@prefix f: <{F}> ."]
    lines += [f'f:{name}-{i} f:{name} "{name} {i} {"-" * 60}" .' for i in range(n)]
    (folder / f"{name}.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def push(run_cli, data: Path, url: str, *, gsp: bool = False):
    empty = data.parent / "empty"
    empty.mkdir(exist_ok=True)
    method = ["--method", "gsp", "--gsp-endpoint", f"{url}/store"] if gsp else []
    return run_cli("push", "--data", str(data), "--ontology", str(empty), "--shapes", str(empty),
                   "--endpoint", f"{url}/query", "--update-endpoint", f"{url}/update",
                   "--graph", TARGET, "--batch", "500", *method)


def held(url: str) -> dict[str, int]:
    """Triples per predicate in the target graph, read straight from the store."""
    rows = RemoteStore(f"{url}/query").query(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p",
        {"g": ox.NamedNode(TARGET)}).rows
    return {row["p"].value.removeprefix(F): int(row["n"].value) for row in rows}


def staging_graphs(url: str) -> list[str]:
    rows = RemoteStore(f"{url}/query").query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
        {"prefix": ox.Literal(STAGING)}).rows
    return [row["g"].value for row in rows]


@pytest.fixture()
def previous(oxigraph, run_cli, tmp_path):
    """The store holds a complete earlier push (OLD triples) in the target graph, and a bigger
    push is ready to go."""
    done = push(run_cli, turtle(tmp_path / "old", "old", OLD), oxigraph.url)
    assert done.returncode == 0, done.stderr
    assert held(oxigraph.url) == {"old": OLD}
    return turtle(tmp_path / "new", "new", NEW)


def interrupted(run_cli, oxigraph: Oxigraph, new: Path, trigger: Trigger, *, gsp: bool = False):
    proxy = KillingProxy(oxigraph)
    proxy.arm(trigger)
    try:
        done = push(run_cli, new, proxy.url, gsp=gsp)
    finally:
        proxy.close()
    assert proxy.fired.wait(10), "the store was not killed: the push ended before the trigger"
    assert done.returncode == 3, done.stderr  # the store failed
    assert not TRACEBACK.search(done.stderr) and "internal error" not in done.stderr
    oxigraph.start()  # same folder, same port
    return done


def assert_second_push_succeeds(run_cli, oxigraph: Oxigraph, new: Path) -> None:
    done = push(run_cli, new, oxigraph.url)
    assert done.returncode == 0, done.stderr
    assert f"pushed {NEW} triples into 1 graph(s)" in done.stderr
    assert held(oxigraph.url) == {"new": NEW}
    assert staging_graphs(oxigraph.url) == []


def test_store_killed_while_loading_keeps_the_previous_graph(oxigraph, previous, run_cli):
    size = sum(p.stat().st_size for p in previous.iterdir())
    done = interrupted(run_cli, oxigraph, previous, after_bytes(size // 2))
    assert "pflegegraph: error: the push failed while loading <https://example.org/fault/target> " \
           "(request " in done.stderr
    assert "the connection to the store at" in done.stderr or "cannot reach the store at" in done.stderr
    assert "Nothing was replaced: the previous content of every target graph is unchanged." in done.stderr
    staging = STAGING + "https%3A%2F%2Fexample.org%2Ffault%2Ftarget"
    assert f"The staging graphs could not be removed, and may hold part of the new content: <{staging}>" \
        in done.stderr
    assert held(oxigraph.url) == {"old": OLD}  # the previous graph, complete
    assert staging_graphs(oxigraph.url) == [staging]  # what the message named
    assert_second_push_succeeds(run_cli, oxigraph, previous)


def test_store_killed_as_the_final_request_arrives_keeps_the_previous_graph(oxigraph, previous, run_cli):
    done = interrupted(run_cli, oxigraph, previous, on_request(b"MOVE SILENT GRAPH", deliver=False))
    assert "pflegegraph: error: the final request, which replaces the target graphs with the new " \
           "content, failed: " in done.stderr
    assert "holds either its previous content or the new one, each complete, never a mix" in done.stderr
    assert held(oxigraph.url) == {"old": OLD}
    assert_second_push_succeeds(run_cli, oxigraph, previous)


def test_store_killed_right_after_the_final_request_holds_one_complete_graph(oxigraph, previous, run_cli):
    done = interrupted(run_cli, oxigraph, previous, on_request(b"MOVE SILENT GRAPH", deliver=True))
    assert "the final request, which replaces the target graphs with the new content, failed" in done.stderr
    # The store may have committed the request or not; either way the graph is whole.
    assert held(oxigraph.url) in ({"old": OLD}, {"new": NEW})
    assert_second_push_succeeds(run_cli, oxigraph, previous)


def test_store_killed_during_a_graph_store_put_keeps_the_previous_graph(oxigraph, previous, run_cli):
    size = sum(p.stat().st_size for p in previous.iterdir())
    done = interrupted(run_cli, oxigraph, previous, after_bytes(size // 2), gsp=True)
    assert f"pflegegraph: error: the PUT of <{TARGET}> failed: " in done.stderr
    assert "that graph is unchanged; graphs already replaced: none. Push again." in done.stderr
    assert held(oxigraph.url) == {"old": OLD}
    assert_second_push_succeeds(run_cli, oxigraph, previous)


def test_store_down_before_the_push_changes_nothing(oxigraph, previous, run_cli):
    oxigraph.kill()
    done = push(run_cli, previous, oxigraph.url)
    assert done.returncode == 3
    assert done.stderr == (f"pflegegraph: error: the push did not start: cannot reach the store at "
                           f"{oxigraph.url}/query: the connection was refused (is the store "
                           f"running?). Nothing was sent, and the store is unchanged.\n")
    oxigraph.start()
    assert held(oxigraph.url) == {"old": OLD}


# --- the front end: pflegegraph serve --endpoint, while the store goes away and comes back -----

SELECT = """PREFIX pg: <https://w3id.org/pflegegraph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?field ?label WHERE { ?field a pg:ActionField ; rdfs:label ?label } ORDER BY ?field ?label"""
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
RESOURCE = "/id/03101000/handlungsfeld/wohnen"
QUERY_PAGE = "/queries/action-fields-by-priority"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, run_cli):
    """An Oxigraph server holding the shipped graph; each test leaves it running."""
    store = Oxigraph(tmp_path_factory.mktemp("front-store"))
    with store:
        done = run_cli("push", "--endpoint", f"{store.url}/query", "--update-endpoint", f"{store.url}/update")
        assert done.returncode == 0, done.stderr
        yield store


def rows(body: str) -> list[tuple[str, str]]:
    return sorted((b["field"]["value"], b["label"]["value"]) for b in json.loads(body)["results"]["bindings"])


@pytest.fixture(scope="module")
def outage(shipped, settings):
    """The same requests to one app in front of the store: before, while it is down, and after
    it was started again (same folder, same port); pflegegraph itself is never restarted."""
    from pflegegraph.web import create_app

    app = create_app(settings.replace(endpoint=f"{shipped.url}/query", query_timeout=10.0))
    client = app.test_client()
    urls = {"sparql": "/sparql?" + urllib.parse.urlencode({"query": SELECT}), "resource": RESOURCE,
            "query page": QUERY_PAGE, "health": "/health"}

    def ask():
        return {name: client.get(url, headers=JSON_RESULTS if name == "sparql" else {}) for name, url in urls.items()}

    phases = {"before": ask()}
    shipped.kill()
    try:
        phases["down"] = ask()
    finally:
        shipped.start()
    phases["after"] = ask()
    return phases


def test_sparql_says_the_store_is_unreachable_while_it_is_down(outage, shipped):
    down = outage["down"]["sparql"]
    assert (down.status_code, down.mimetype) == (502, "text/plain")
    assert down.get_data(as_text=True) == (f"The store behind this service failed: cannot reach the store at "
                                           f"{shipped.url}/query: the connection was refused (is the store "
                                           f"running?)\n")
    health = outage["down"]["health"]
    assert health.status_code == 503 and health.json["status"] == "failing"
    assert health.json["reason"].startswith(f"cannot reach the store at {shipped.url}/query")


@pytest.mark.parametrize("page", ["resource", "query page"])
def test_pages_say_the_store_is_unreachable_while_it_is_down(outage, shipped, page):
    down = outage["down"][page]
    text = html.unescape(down.get_data(as_text=True))
    assert f"cannot reach the store at {shipped.url}/query: the connection was refused" in text
    assert not TRACEBACK.search(text)
    assert down.status_code == 502


def test_pages_name_the_store_and_show_no_traceback_while_it_is_down(outage, shipped):
    for page in ("resource", "query page"):
        down = outage["down"][page]
        text = html.unescape(down.get_data(as_text=True))
        assert f"cannot reach the store at {shipped.url}/query: the connection was refused" in text
        assert not TRACEBACK.search(text) and down.status_code != 500


def test_everything_answers_again_after_the_store_is_back(outage, store):
    want = sorted((r["field"].value, r["label"].value) for r in store.query(SELECT).rows)
    named = CATALOG.get("action-fields-by-priority")
    labels = [r["label"].value for r in store.query(named.text, named.bindings({}, store.prefixes)).rows]
    assert len(labels) == 14
    for phase in ("before", "after"):
        answers = outage[phase]
        assert rows(answers["sparql"].get_data(as_text=True)) == want
        page = answers["resource"].get_data(as_text=True)
        assert answers["resource"].status_code == 200 and "<title>Wohnen · pflegegraph</title>" in page
        page = html.unescape(answers["query page"].get_data(as_text=True))
        assert answers["query page"].status_code == 200
        assert [label for label in labels if label not in page] == []
        assert answers["health"].json["status"] == "ok"


def test_store_dying_in_the_middle_of_an_answer(shipped, store, tmp_path):
    """pflegegraph serve (gunicorn) in front of the store through the proxy: the store is killed
    after the first 400 bytes of its answer; then started again."""
    proxy = KillingProxy(shipped)
    query = SELECT + "\n# the store dies in the middle of this answer"
    url = "/sparql?" + urllib.parse.urlencode({"query": query})
    try:
        with pflegegraph_service(tmp_path, "--endpoint", f"{proxy.url}/query", "--workers", "1") as front:
            proxy.arm(mid_answer(b"dies+in+the+middle", 400))
            status, headers, body = http(front + url, headers=JSON_RESULTS)
            assert proxy.fired.wait(10)  # set by the proxy thread just after it cuts the link
            assert (status, headers.get_content_type()) == (502, "text/plain")
            assert body == (f"The store behind this service failed: the connection to the store at "
                            f"{proxy.url}/query broke off in the middle of its answer\n")
            assert not TRACEBACK.search(body)
            shipped.start()
            status, _, body = http(front + url, headers=JSON_RESULTS)
            assert status == 200, body
            assert rows(body) == sorted((r["field"].value, r["label"].value) for r in store.query(SELECT).rows)
    finally:
        proxy.close()
        shipped.ensure_running()
