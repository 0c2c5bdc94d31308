"""The remote store against a real Oxigraph server: push, every named query, and the service in
front of it. The server is started by the tests on loopback and torn down after."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from pflegegraph.push import STAGING
from pflegegraph.remote import RemoteStore
from remote_common import CATALOG, assert_same_rows
from servers import DATA, clean_env, oxigraph_server, pflegegraph_service
from test_sparql_protocol import SELECT, http, q

pytestmark = pytest.mark.skipif(shutil.which("oxigraph") is None and not
                                (__import__("pathlib").Path(__import__("sys").executable).parent / "oxigraph").exists(),
                                reason="the oxigraph server (pip install oxigraph) is not installed")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, run_cli):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        done = run_cli("push", "--endpoint", f"{url}/query", "--update-endpoint", f"{url}/update")
        assert done.returncode == 0, done.stderr
        yield url


@pytest.fixture(scope="module")
def remote(oxigraph):
    return RemoteStore(f"{oxigraph}/query", f"{oxigraph}/update")


def test_push_reports_counts(oxigraph, remote, store, run_cli):
    done = run_cli("push", "--endpoint", f"{oxigraph}/query", "--update-endpoint", f"{oxigraph}/update")
    assert done.returncode == 0, done.stderr
    assert f"pushed {store.triple_count()} triples into {len(store.graphs())} graph(s)" in done.stderr
    assert f"the store now holds {store.triple_count()} triples" in done.stderr
    for graph in store.graphs():
        line = next(x for x in done.stdout.splitlines() if x.startswith(graph.value + " "))
        sent, before, after = (int(n) for n in line.split()[1:])
        assert sent == before == after == store.triple_count(graph)  # pushed twice: same counts


def test_push_into_one_graph_is_idempotent(oxigraph, remote, store, run_cli):
    target = "https://example.org/pflegegraph-all"
    for _ in range(2):
        done = run_cli("push", "--endpoint", f"{oxigraph}/query", "--update-endpoint",
                       f"{oxigraph}/update", "--graph", target, "--batch", "700")
        assert done.returncode == 0, done.stderr
        assert remote.count(target) == store.triple_count()
    run_cli("push", "--endpoint", f"{oxigraph}/query", "--method", "gsp", "--gsp-endpoint",
            f"{oxigraph}/store", "--graph", target)
    assert remote.count(target) == store.triple_count()
    remote.update(f"DROP GRAPH <{target}>")


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_every_named_query_gives_the_same_rows(oxigraph, remote, store, query):
    assert_same_rows(query, store, remote)


class _FailingProxy(BaseHTTPRequestHandler):
    """Forwards to the Oxigraph server, but answers the Nth update request with a 500."""

    upstream = ""
    fail_at = 3
    updates = 0

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/update"):
            type(self).updates += 1
            if type(self).updates == self.fail_at:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"simulated failure")
                return
        request = urllib.request.Request(self.upstream + self.path, data=body, method="POST",
                                         headers={"Content-Type": self.headers["Content-Type"],
                                                  "Accept": self.headers.get("Accept", "*/*")})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                data, status, ctype = response.read(), response.status, response.headers["Content-Type"]
        except urllib.error.HTTPError as exc:
            data, status, ctype = exc.read(), exc.code, "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype or "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_failed_push_leaves_the_previous_graph_intact(oxigraph, remote, run_cli, tmp_path):
    target = "https://example.org/pflegegraph-failing"
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(DATA / "plan.ttl", small / "plan.ttl")
    done = run_cli("push", "--data", str(small), "--endpoint", f"{oxigraph}/query",
                   "--update-endpoint", f"{oxigraph}/update", "--graph", target)
    assert done.returncode == 0, done.stderr
    before = remote.count(target)
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), type("Proxy", (_FailingProxy,), {"upstream": oxigraph}))
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{proxy.server_port}"
        done = run_cli("push", "--endpoint", f"{url}/query", "--update-endpoint", f"{url}/update",
                       "--graph", target, "--batch", "500")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert done.returncode == 3  # the store failed: not the user's error
    assert "the push failed while loading" in done.stderr
    assert "the previous content of every target graph is unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    assert remote.count(target) == before
    staging = remote.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                           {"prefix": __import__("pyoxigraph").Literal(STAGING)})
    assert staging.rows == []
    remote.update(f"DROP GRAPH <{target}>")


@pytest.fixture(scope="module")
def front(oxigraph, tmp_path_factory):
    """pflegegraph serve in front of the Oxigraph server."""
    with pflegegraph_service(tmp_path_factory.mktemp("front"), "--endpoint", f"{oxigraph}/query",
                             "--workers", "1", env=clean_env()) as url:
        yield url


def test_service_in_front_of_a_remote_store(front, store):
    client = SPARQLWrapper(front + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    want = store.query(SELECT).rows
    assert sorted((r["field"]["value"], r["label"]["value"]) for r in rows) == \
        sorted((r["field"].value, r["label"].value) for r in want)
    health = json.loads(http(front + "/health")[2])
    assert health["status"] == "ok" and health["backend"] == "remote"


def test_front_refuses_service_and_reports_syntax_errors(front):
    status, _, body = http(front + "/sparql?" + q({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}))
    assert status == 403 and "allow-list" in body
    status, _, body = http(front + "/sparql?" + q({"query": "SELECT * WHERE { ?s ?p }"}))
    assert status == 400 and "the store refused the query" in body
