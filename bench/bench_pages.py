"""Server time of the browsing pages on the shipped graph (target: under 50 ms each).

Renders each page through the Flask test client (no network), after one warm-up request, and
reports the median of N runs next to a baseline in the same run: the raw query time of the
named query ``action-fields-by-priority`` on the same store. Usage::

    python bench/bench_pages.py [--runs 30] [--data FOLDER ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from pflegegraph.namedqueries import QueryCatalog
from pflegegraph.settings import Settings
from pflegegraph.store import GraphStore
from pflegegraph.web import create_app
from pflegegraph.web.browse import register

ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    "/id/03101000/handlungsfeld/wohnen",
    "/id/03101000/dokument/ds-24-22983-01",
    "/resource?iri=https://w3id.org/pflegegraph/def%23ActionField",
    "/id/03101000/handlungsfeld/wohnen.ttl",
    "/views/isek",
    "/views/isek.csv",
    "/views/action-fields",
    "/views/timeline",
    "/views/target-groups",
    "/queries",
    "/queries/action-fields-by-priority?horizon=pgv:short-term",
    "/queries/provenance?resource=bshf:wohnen",
    "/queries/timeline?format=csv",
    "/search?q=Pflege",
    "/",
    "/ontology",
    "/editor",
)


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--data", type=Path, nargs="*", default=[ROOT / "data" / "braunschweig"])
    args = parser.parse_args()
    settings = Settings.load({"data": args.data, "ontology": ROOT / "ontology", "shapes": ROOT / "shapes",
                              "queries": ROOT / "queries"}, environ={})
    store = GraphStore.from_settings(settings)
    app = create_app(settings, store=store)
    register(app)
    client = app.test_client()
    query = QueryCatalog(settings.queries).get("action-fields-by-priority")
    bindings = query.bindings({"lang": "de"})
    baseline = median_ms(lambda: store.query(query.text, bindings), args.runs)
    print(f"store: {store.triple_count()} triples; baseline (raw query action-fields-by-priority): "
          f"{baseline:.2f} ms\n")
    print(f"{'page':62} {'median ms':>9} {'x baseline':>10}  status")
    worst = 0.0
    for url in PAGES:
        first = client.get(url)
        first.close()

        def get(url=url):
            response = client.get(url)
            response.get_data()
            response.close()

        ms = median_ms(get, args.runs)
        worst = max(worst, ms)
        flag = "ok" if ms < 50 else "SLOW"
        print(f"{url[:62]:62} {ms:9.2f} {ms / baseline:10.1f}  {first.status_code} {flag}")
    print(f"\nslowest page: {worst:.2f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
