"""Throughput and latency of /sparql under a concurrent load, on loopback, in one run:
pflegegraph (gunicorn + query pool) with its result cache and without it (started with
PFLEGEGRAPH_RESULT_CACHE_MB=0), Oxigraph server, and rdflib-endpoint, serving the same data.

    python bench/bench_service.py [--seconds 3] [--concurrency 8] [--json out.json]
    python bench/bench_service.py --size 100k      # a synthetic graph from bench/generate.py
    python bench/bench_service.py --size 100k --overhead-only   # only the overhead and runaway parts

Before the load, every server answers every query once and the row counts are compared with
pflegegraph's: a server that gives other rows is reported, and its throughput is not counted.
That check is also the first request of each query, so the load on pflegegraph with the cache is
answered from the cache (the same request again and again, as a dashboard sends it). Each named
query (with its default parameters bound) is sent by ``--concurrency`` clients on keep-alive
connections for ``--seconds``; throughput counts the successful answers over the time
until the last answer arrived. Then, for pflegegraph without the cache (every request runs the
query), the service's overhead: its total latency (sequential requests) over the raw engine time,
which is pyoxigraph's own query and native JSON serialisation in this process, with no HTTP,
worker or Python rows; and the p99 of a simple query while runaway queries are being stopped at
the deadline.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from httpclient import CLIENTS, HttpError, StdlibConnection, form  # noqa: E402
from pflegegraph.binding import bind  # noqa: E402
from pflegegraph.namedqueries import QueryCatalog  # noqa: E402
from pflegegraph.settings import Settings  # noqa: E402
from pflegegraph.store import GraphStore  # noqa: E402
from servers import clean_env, free_port, oxigraph_server, pflegegraph_service, running  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "ASK { ?s a <https://w3id.org/pflegegraph/def#ActionField> }"
CACHED, UNCACHED = "pflegegraph", "pflegegraph-nocache"


# The client of the load, the overhead and the runaway parts (--client): httpclient.py.
Client = CLIENTS["lean"]


def connect(url: str, timeout: float = 60.0, source_address=None):
    parts = urllib.parse.urlsplit(url)
    return Client(parts.hostname, parts.port, timeout=timeout, source_address=source_address)


def load(url: str, query: str, seconds: float, concurrency: int, timeout: float = 60.0) -> dict:
    path, body = urllib.parse.urlsplit(url).path, form(query)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(k: int):
        # each client from its own loopback address (all of 127/8 is loopback on Linux), as
        # separate users are: pflegegraph bounds the queries at once per address
        source = (f"127.0.0.{10 + k}", 0)
        conn = connect(url, timeout, source)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, _, _ = conn.post(path, body)
            except OSError:  # the connection is closed; the next post opens a new one
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - (stop_at - seconds)  # until the last answer, not the nominal time
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "qps": (len(latencies) - errors[0]) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else None,
    }


def rows(url: str, query: str, timeout: float) -> int | None:
    """The number of result rows (None: an error or a timeout)."""
    parts = urllib.parse.urlsplit(url)  # the standard library's client: a second opinion on HTTP
    conn = StdlibConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        status, data, _ = conn.post(parts.path, form(query))
    except OSError:
        return None
    finally:
        conn.close()
    if status != 200:
        return None
    body = json.loads(data)
    return 1 if "boolean" in body else len(body["results"]["bindings"])


def cache_header(url: str, query: str) -> str | None:
    """The Pflegegraph-Cache header of the second of two equal requests (None: no cache)."""
    path, body = urllib.parse.urlsplit(url).path, form(query)
    conn = connect(url)
    try:
        conn.post(path, body)
        return conn.post(path, body)[2].get("pflegegraph-cache")
    finally:
        conn.close()


def _raw_once(store, query: str) -> float:
    """Seconds of the bare engine in this process, once: pyoxigraph's query and its own (native)
    SPARQL JSON serialisation, no HTTP, no worker, no Python rows."""
    import pyoxigraph as ox

    started = time.perf_counter()
    store.store.query(query, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
    return time.perf_counter() - started


def overhead(urls: dict[str, str], store, query: str, n: int = 60) -> dict:
    """For each server: the median total latency (sequential requests) and the median engine
    time its Server-Timing reports; and the median raw engine time in this process. Each request
    is followed by a raw run, so servers and raw runs meet the same state of the machine."""
    body = form(query)
    conns = {server: (connect(url), urllib.parse.urlsplit(url).path) for server, url in urls.items()}
    total = {server: [] for server in urls}
    engine = {server: [] for server in urls}
    raw = []
    for _ in range(n):
        for server, (conn, path) in conns.items():
            started = time.perf_counter()
            status, _, headers = conn.post(path, body)
            total[server].append(time.perf_counter() - started)
            if status != 200:
                raise HttpError(f"{server} answered {status} to a named query")
            engine[server].append(engine_seconds(headers.get("server-timing", "")))
            raw.append(_raw_once(store, query))
    for conn, _ in conns.values():
        conn.close()
    raw_ms = statistics.median(raw) * 1000
    out = {"raw_ms": raw_ms}
    for server in urls:
        total_ms = statistics.median(total[server]) * 1000
        out[server] = {"total_ms": total_ms, "engine_ms": statistics.median(engine[server]) * 1000,
                       "overhead": (total_ms - raw_ms) / raw_ms if raw_ms else None}
    return out


def engine_seconds(timing: str) -> float:
    """The ``engine;dur=<ms>`` of a Server-Timing header, in seconds (0 when it is missing)."""
    for metric in timing.split(","):
        name, _, params = metric.strip().partition(";")
        if name == "engine" and "dur=" in params:
            return float(params.split("dur=")[1].split(";")[0]) / 1000
    return 0.0


def runaway_p99(url: str, seconds: float) -> dict:
    path, body = urllib.parse.urlsplit(url).path, form(RUNAWAY)
    done = threading.Event()
    stopped = [0]

    def attacker():
        conn = connect(url)
        while not done.is_set():
            try:
                status, _, _ = conn.post(path, body)
            except OSError:  # no answer within the client's own timeout: try again
                continue
            stopped[0] += status == 503
        conn.close()

    thread = threading.Thread(target=attacker)
    thread.start()
    time.sleep(0.3)
    result = load(url, SIMPLE, seconds, 2)
    done.set()
    thread.join()
    result["runaways_stopped"] = stopped[0]
    return result


def compare(stack, tmp: Path, pg_options, rdflib_cmd, rdflib_port: int, dump: Path, pg_off: str) -> dict:
    """Start the servers to compare with (pflegegraph with its cache, Oxigraph server,
    rdflib-endpoint) on ``stack``; their /sparql URLs by name."""
    pg = stack.enter_context(pflegegraph_service(tmp, *pg_options))
    oxi = start_oxigraph(stack, tmp, dump)
    stack.enter_context(running(rdflib_cmd, f"http://127.0.0.1:{rdflib_port}/", tmp / "rdflib.log",
                                timeout=120))
    return {
        CACHED: f"{pg}/sparql",
        UNCACHED: f"{pg_off}/sparql",
        "oxigraph": oxi,
        "rdflib-endpoint": f"http://127.0.0.1:{rdflib_port}/",
    }


def start_oxigraph(stack, tmp: Path, dump: Path) -> str:
    """Oxigraph server on ``stack``, loaded with ``dump`` and keeping it in memory, as the
    embedded store does (on disk, RocksDB, its queries take 2-3 times as long); its query URL."""
    import urllib.request

    oxi = stack.enter_context(oxigraph_server(tmp, memory=True))
    urllib.request.urlopen(
        urllib.request.Request(  # noqa: S310
            f"{oxi}/store",
            data=dump.read_bytes(),
            method="POST",
            headers={"Content-Type": "application/n-quads"},
        ),
        timeout=120,
    ).read()
    return f"{oxi}/query"


def measure_load(out: dict, urls: dict, queries: dict, args) -> None:
    """Check every server's rows, then put each query under the concurrent load."""
    for server, url in urls.items():
        out["rows"][server] = {name: rows(url, text, args.row_timeout)
                               for name, text in queries.items()}
    out["cache"] = {server: cache_header(urls[server], SIMPLE) for server in (CACHED, UNCACHED)}
    if out["cache"] != {CACHED: "hit", UNCACHED: None}:
        print(f"warning: the result cache is not as expected: {out['cache']}", file=sys.stderr)
    for server, url in urls.items():
        out["servers"][server] = {
            name: load(url, text, args.seconds, args.concurrency, args.row_timeout)
            if out["rows"][server][name] == out["rows"][CACHED][name] else None
            for name, text in queries.items()
        }
        print(f"{server}: done", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--size", help="serve bench/generated/<size> (made by bench/generate.py, "
                        "e.g. 100k) instead of the shipped data")
    parser.add_argument("--row-timeout", type=float, default=120.0,
                        help="seconds allowed for the one checking request per server and query")
    parser.add_argument("--overhead-only", action="store_true",
                        help="start only pflegegraph without the cache and Oxigraph server, and "
                        "measure only the overhead over the raw engine and the runaway p99 (no load)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="lean",
                        help="the HTTP client of the load and overhead parts: lean (a raw socket, "
                        "the request encoded once) or stdlib (http.client); see bench/httpclient.py")
    parser.add_argument("--queries", help="only these named queries (comma-separated)")
    args = parser.parse_args()
    global Client
    Client = CLIENTS[args.client]
    data_options: tuple[str, ...] = ()
    overrides: dict = {}
    if args.size:
        folder = ROOT / "bench" / "generated" / args.size
        if not (folder / "manifest.json").is_file():
            parser.error(f"{folder} does not exist; run python bench/generate.py first")
        data_options, overrides = ("--data", str(folder)), {"data": [folder]}
    settings = Settings.load(overrides, environ=clean_env())
    store = GraphStore.from_settings(settings)
    catalog = QueryCatalog(ROOT / "queries")
    queries = {
        q.name: bind(q.text, q.bindings({}, store.prefixes))
        for q in catalog
        if not any(p.required and p.default is None for p in q.params)
        and (not args.queries or q.name in args.queries.split(","))
    }
    out: dict = {"concurrency": args.concurrency, "seconds": args.seconds, "size": args.size or "shipped",
                 "triples": len(store.store), "servers": {}, "rows": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dump = tmp / "all.nq"
        dump.write_bytes(_nquads(store))
        rdflib_port = free_port()
        import shutil

        rdflib_cmd = [
            shutil.which("rdflib-endpoint") or "rdflib-endpoint",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(rdflib_port),
            str(dump),
        ]
        deadline = 2 if not args.size else 10  # the slowest named query at 100k takes 0.2 s
        pg_options = ("--timeout", str(deadline), "--workers", "2", "--threads", "8", *data_options)
        with contextlib.ExitStack() as stack:
            pg_off = stack.enter_context(pflegegraph_service(
                tmp, *pg_options, env=clean_env(PFLEGEGRAPH_RESULT_CACHE_MB="0")))
            if args.overhead_only:
                urls = {UNCACHED: f"{pg_off}/sparql", "oxigraph": start_oxigraph(stack, tmp, dump)}
            else:
                urls = compare(stack, tmp, pg_options, rdflib_cmd, rdflib_port, dump, pg_off)
                measure_load(out, urls, queries, args)
            out["client"] = args.client
            out["overhead"] = {name: overhead({s: urls[s] for s in (UNCACHED, "oxigraph")}, store, text)
                               for name, text in queries.items()}
            # long enough for runaways to reach the deadline and be stopped within the window
            out["runaway"] = runaway_p99(urls[UNCACHED], max(5.0, args.seconds, deadline + 2.0))
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


def _nquads(store) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(store.store, format=ox.RdfFormat.N_QUADS)


def _ratio(ours: dict | None, theirs: dict | None) -> str:
    if ours is None or theirs is None:
        return "n/a"
    return f"{ours['qps'] / theirs['qps']:.1f}" if theirs["qps"] else "inf"


def report(out: dict) -> None:
    servers = list(out["servers"])
    if servers:
        report_load(out, servers)
    report_overhead(out)


def report_load(out: dict, servers: list) -> None:
    print(f"{out['size']} ({out['triples']} triples): queries/s at concurrency {out['concurrency']} "
          f"(p99 ms); {CACHED}: with the result cache (every request after the first is a hit), "
          f"{UNCACHED}: result_cache_mb 0")
    ratios = [(CACHED, "rdflib-endpoint", "pg/rdflib"), (CACHED, "oxigraph", "pg/oxigraph"),
              (UNCACHED, "rdflib-endpoint", "nocache/rdflib"), (UNCACHED, "oxigraph", "nocache/oxigraph")]
    print("query".ljust(30) + "rows".rjust(7) + "".join(s.rjust(22) for s in servers)
          + "".join(title.rjust(18) for _, _, title in ratios))
    for name in out["servers"][CACHED]:
        cells = {s: out["servers"][s][name] for s in servers}
        print(
            name.ljust(30) + str(out["rows"][CACHED][name]).rjust(7)
            + "".join((f"{c['qps']:>12.1f} ({c['p99_ms'] or 0:>6.1f})" if c else
                       f"rows {out['rows'][s][name]}").rjust(22) for s, c in cells.items())
            + "".join(_ratio(cells[ours], cells[theirs]).rjust(18) for ours, theirs, _ in ratios)
        )
    failed = [(s, n, c["errors"]) for s in servers for n, c in out["servers"][s].items()
              if c and c["errors"]]
    for server, name, errors in failed:
        print(f"  {server}: {errors} failed requests for {name} (not counted in queries/s)")
    if not failed:
        print("  every request of the load got its answer (no errors on any server)")
    wrong = [(s, n) for s in servers for n, c in out["servers"][s].items() if c is None]
    for server, name in wrong:
        print(f"  {server} gave {out['rows'][server][name]} rows for {name} "
              f"({CACHED}: {out['rows'][CACHED][name]}); not measured")


def report_overhead(out: dict) -> None:
    print(f"\noverhead over the raw engine time (pyoxigraph's query + native JSON serialisation in "
          f"this process), total latency of sequential requests ({out['client']} client): "
          f"{UNCACHED}, and Oxigraph server for reference")
    for name, o in out["overhead"].items():
        ours, oxi = o[UNCACHED], o["oxigraph"]
        flag = "" if o["raw_ms"] > 10 else "  (raw engine < 10 ms: target does not apply)"
        print(
            f"  {name:30} raw {o['raw_ms']:7.2f} ms  total {ours['total_ms']:7.2f} ms "
            f"(Server-Timing {ours['engine_ms']:7.2f})  overhead {100 * (ours['overhead'] or 0):5.1f} %"
            f"  | oxigraph {oxi['total_ms']:7.2f} ms  {100 * (oxi['overhead'] or 0):5.1f} %{flag}"
        )
    r = out["runaway"]
    print(
        f"\nsimple query while runaways are stopped: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
        f"{r['requests']} requests, {r['errors']} errors, {r['runaways_stopped']} runaways stopped"
    )


if __name__ == "__main__":
    sys.exit(main())
