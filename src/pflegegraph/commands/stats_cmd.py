"""``pflegegraph stats``: triples per named graph and instances per class."""

from __future__ import annotations

import json

from pflegegraph.namespaces import compact
from pflegegraph.stats import class_counts, graph_counts
from pflegegraph.store import GraphStore


def register(sub, common):
    p = sub.add_parser("stats", parents=[common], help="triples per graph, instances per class",
                       description="Show how many triples each named graph holds and how many "
                                   "instances each class has in the data.")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    store = GraphStore.from_settings(settings)
    graphs = graph_counts(store)
    classes = class_counts(store, settings.lang)
    if args.format == "json":
        print(json.dumps({
            "triples": store.triple_count(),
            "load_seconds": round(store.load_seconds, 4),
            "graphs": [g.__dict__ for g in graphs],
            "classes": [{"class": c.cls, "label": c.label, "instances": c.instances} for c in classes],
        }, ensure_ascii=False, indent=2))
        return 0
    print(f"{store.triple_count()} triples in {len(graphs)} named graphs "
          f"(loaded in {store.load_seconds * 1000:.0f} ms)\n")
    width = max(len(g.graph) for g in graphs)
    print(f"{'graph'.ljust(width)}  {'role':8}  triples")
    for g in graphs:
        print(f"{g.graph.ljust(width)}  {g.role:8}  {g.triples:>7}")
    print()
    names = [compact(c.cls, store.prefixes) for c in classes]
    width = max((len(n) for n in names), default=5)
    print(f"{'class'.ljust(width)}  instances  label")
    for name, c in zip(names, classes, strict=False):
        print(f"{name.ljust(width)}  {c.instances:>9}  {c.label}")
    return 0
