"""Server time of the browsing pages, on the shipped graph and on the synthetic graphs.

Targets (issue 5): resource pages, the ISEK matrix and query pages under 50 ms on the shipped
graph and under 200 ms at 1M triples, on the embedded store.

Each page is rendered through the Flask test client (no network; the query workers run as in the
service), after one warm-up request, ``--runs`` times; the report gives the median and the 95th
percentile per page and per page type. The baseline in the same run is the raw engine time of the
named query ``action-fields-by-priority`` over the whole graph, on the same store.
Usage::

    python bench/bench_pages.py [--sizes shipped,1m] [--runs 30] [--json FILE] [--result-cache-mb 0]

Before any page is timed, the app is warmed as ``pflegegraph serve`` warms it before its workers
start (setting ``warm_pages``): the label and search indexes are built and every page without
parameters is opened once. "first request" is then the first visit of each page, as the first
visitor of a freshly started service sees it; with the result cache on (the default) it is a
cache hit for the warmed pages, and the only run of the queries of the others.
``--result-cache-mb 0`` times the queries every time.

The synthetic graphs are ``bench/generated/<size>/`` (generated when missing, see generate.py); their
pages are those of the first synthetic municipality (90001001) and its plan.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from pflegegraph.binding import bind
from pflegegraph.namedqueries import QueryCatalog
from pflegegraph.settings import Settings
from pflegegraph.store import GraphStore
from pflegegraph.web import create_app
from pflegegraph.web.browse import register
from pflegegraph.web.warmup import warm

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/pflegegraph/id/"
SHIPPED = (
    ("resource", "/id/03101000/handlungsfeld/wohnen"),
    ("resource", "/id/03101000/dokument/ds-24-22983-01"),
    ("resource", "/id/03101000/dokument/pflegeplanung-2020-2035"),
    ("resource", "/resource?iri=https://w3id.org/pflegegraph/def%23ActionField"),
    ("resource", "/vocab/short-term"),
    ("resource", "/id/03101000/handlungsfeld/wohnen.ttl"),
    ("view", "/views/isek"),
    ("view", "/views/isek.csv"),
    ("view", "/views/action-fields"),
    ("view", "/views/timeline"),
    ("view", "/views/target-groups"),
    ("query", "/queries/action-fields-by-priority?horizon=pgv:short-term"),
    ("query", "/queries/isek-cross-reference"),
    ("query", "/queries/provenance?resource=bshf:wohnen"),
    ("query", "/queries/timeline?format=csv"),
    ("other", "/queries"),
    ("other", "/search?q=Pflege"),
    ("other", "/"),
    ("other", "/ontology"),
    ("other", "/editor"),
)


def synthetic_pages(key: str = "90001001") -> tuple[tuple[str, str], ...]:
    plan = quote(f"{ID}{key}/dokument/pflegeplanung", safe="")
    field = f"{ID}{key}/handlungsfeld/infrastruktur-mobilitaet"
    p = f"plan={plan}"
    return (
        ("resource", f"/id/{key}/handlungsfeld/infrastruktur-mobilitaet"),
        ("resource", f"/id/{key}/dokument/stellungnahme"),
        ("resource", f"/id/{key}/dokument/pflegeplanung"),
        ("resource", "/resource?iri=https://w3id.org/pflegegraph/def%23ActionField"),
        ("resource", "/vocab/short-term"),
        ("resource", f"/id/{key[:2]}/dokument/rl-wohnen-pflege"),
        ("resource", f"/id/{key}/kommune"),
        ("resource", f"/id/{key}/handlungsfeld/infrastruktur-mobilitaet.ttl"),
        ("view", f"/views/isek?{p}"),
        ("view", f"/views/isek.csv?{p}"),
        ("view", f"/views/action-fields?{p}"),
        ("view", f"/views/timeline?{p}"),
        ("view", f"/views/target-groups?{p}"),
        ("query", f"/queries/action-fields-by-priority?horizon=pgv:short-term&{p}"),
        ("query", f"/queries/plan-isek-cross-reference?{p}"),
        ("query", f"/queries/provenance?resource={quote(field, safe='')}"),
        ("query", f"/queries/plan-timeline?{p}&format=csv"),
        ("query (whole graph)", "/queries/action-fields-by-priority?horizon=pgv:short-term"),
        ("query (whole graph)", "/queries/isek-cross-reference"),
        ("query (whole graph)", "/queries/timeline?format=csv"),
        ("other", "/queries"),
        ("other", "/search?q=Pflege"),
        ("other", "/"),
        ("other", "/incoming?iri=https://w3id.org/pflegegraph/def%23ActionField"
                  "&p=http://www.w3.org/1999/02/22-rdf-syntax-ns%23type"),
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


class PageTimeout(BaseException):  # not an Exception: the app's error handlers must not catch it
    pass


def _alarm(signum, frame):
    raise PageTimeout


def first_request(client, url: str, seconds: int):
    """The warm-up request, or None when it takes longer than ``seconds`` (then it is abandoned)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    started = time.perf_counter()
    try:
        response = client.get(url)
        response.get_data()
        response.close()
        return response.status_code, (time.perf_counter() - started) * 1000
    except PageTimeout:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def data_folder(size: str) -> Path:
    if size == "shipped":
        return ROOT / "data" / "braunschweig"
    folder = ROOT / "bench" / "generated" / size
    if not (folder / "manifest.json").exists():
        triples = {"100k": 100_000, "1m": 1_000_000}.get(size)
        if triples is None:
            raise SystemExit(f"unknown size {size!r}: use shipped, 100k or 1m")
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples)],
                       check=True)
    return folder


def bench_size(size: str, runs: int, queries: Path, max_seconds: int, cache_mb: int | None = None) -> dict:
    overrides = {"data": [data_folder(size)], "ontology": ROOT / "ontology", "shapes": ROOT / "shapes",
                 "queries": queries}
    if cache_mb is not None:
        overrides["result_cache_mb"] = cache_mb
    settings = Settings.load(overrides, environ={})
    started = time.perf_counter()
    store = GraphStore.from_settings(settings)
    load = time.perf_counter() - started
    app = create_app(settings, store=store)
    register(app)
    runner = app.extensions["pflegegraph.runner"]
    runner.start()  # fork the query workers while this process is single-threaded
    client = app.test_client()
    started = time.perf_counter()
    # as ``serve`` does before its workers start (setting warm_pages): the label and search
    # indexes, and every page without parameters opened once
    if warm(app) is None:
        client.get("/search?q=x").close()
    indexes = time.perf_counter() - started
    query = QueryCatalog(settings.queries).get("action-fields-by-priority")
    text = bind(query.text, query.bindings({"lang": "de"}))
    baseline = statistics.median(timed(lambda: store.query(text), runs))
    pages = []
    for kind, url in SHIPPED if size == "shipped" else synthetic_pages():
        first = first_request(client, url, max_seconds)
        if first is None:
            pages.append({"kind": kind, "url": url, "status": "timeout", "times": [],
                          "median": None, "p95": None})
            print(f"{size}: {url[:80]} > {max_seconds} s", file=sys.stderr, flush=True)
            continue
        if first[1] > max_seconds * 1000 / 4:  # a slow page: timed once
            pages.append({"kind": kind, "url": url, "status": first[0], "times": [first[1]],
                          "first": first[1], "median": first[1], "p95": first[1]})
            print(f"{size}: {url[:80]} {first[1]:.1f} ms (once)", file=sys.stderr, flush=True)
            continue

        def get(url=url):
            response = client.get(url)
            response.get_data()
            response.close()

        times = timed(get, runs)
        pages.append({"kind": kind, "url": url, "status": first[0], "times": times, "first": first[1],
                      "median": statistics.median(times), "p95": percentile(times, 0.95)})
        print(f"{size}: {url[:80]} {pages[-1]['median']:.1f} ms", file=sys.stderr, flush=True)
    runner.stop()
    return {"size": size, "cache_mb": settings.result_cache_mb, "triples": store.triple_count(),
            "load_s": load, "indexes_s": indexes,
            "baseline_ms": baseline, "runs": runs, "max_seconds": max_seconds, "pages": pages}


def report(result: dict) -> None:
    target = 50 if result["size"] == "shipped" else 200
    print(f"\n## {result['size']}: {result['triples']} triples (load {result['load_s']:.1f} s, "
          f"warm-up of indexes and pages {result['indexes_s']:.1f} s); baseline (engine time of "
          f"action-fields-by-priority): {result['baseline_ms']:.2f} ms; result cache "
          f"{result['cache_mb']} MB per process (0: off)\n")
    print("| page | status | first request ms | median ms | p95 ms | x baseline |")
    print("|---|---|---|---|---|---|")
    for p in result["pages"]:
        if p["median"] is None:
            print(f"| `{p['url'][:90]}` | stopped | > {result['max_seconds']} s | | | |")
            continue
        flag = "" if p["p95"] < target else " (over target)"
        print(f"| `{p['url'][:90]}` | {p['status']} | {p['first']:.1f} | {p['median']:.1f} | "
              f"{p['p95']:.1f}{flag} | {p['median'] / result['baseline_ms']:.1f} |")
    print("\n| page type | pages | median ms | p95 ms | pages stopped (not in the figures) |")
    print("|---|---|---|---|---|")
    for kind in ("resource", "view", "query", "query (whole graph)", "other"):
        times = [t for p in result["pages"] if p["kind"] == kind for t in p["times"]]
        count = sum(1 for p in result["pages"] if p["kind"] == kind)
        stopped = sum(1 for p in result["pages"] if p["kind"] == kind and p["median"] is None)
        if times:
            print(f"| {kind} | {count} | {statistics.median(times):.1f} | {percentile(times, 0.95):.1f} | "
                  f"{stopped} |")
        elif count:
            print(f"| {kind} | {count} | | | {stopped} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped", help="comma list of shipped, 100k, 1m")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--queries", type=Path, default=ROOT / "queries")
    parser.add_argument("--json", type=Path, help="write every timing to this file")
    parser.add_argument("--max-seconds", type=int, default=120,
                        help="abandon a page whose first request takes longer; time a page once whose "
                             "first request takes over a quarter of this")
    parser.add_argument("--result-cache-mb", type=int,
                        help="the result cache per process (default: the setting's, 64; 0: off, so "
                             "every timed request runs its queries)")
    args = parser.parse_args()
    results = []
    for size in args.sizes.split(","):
        result = bench_size(size.strip(), args.runs, args.queries, args.max_seconds, args.result_cache_mb)
        report(result)
        sys.stdout.flush()
        results.append(result)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
