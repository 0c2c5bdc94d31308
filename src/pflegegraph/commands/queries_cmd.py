"""``pflegegraph queries``: list the named queries with their titles and parameters."""

from __future__ import annotations

import json

from pflegegraph.namedqueries import QueryCatalog


def register(sub, common):
    p = sub.add_parser("queries", parents=[common], help="list the named queries",
                       description="List the named queries in the queries folder.")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    catalog = QueryCatalog(settings.queries)
    lang = settings.lang
    if args.format == "json":
        doc = [{"name": q.name, "title": q.title, "description": q.description,
                "params": [{"name": p.name, "type": p.type, "default": p.default,
                            "required": p.required, "choices": list(p.choices),
                            "label": p.label} for p in q.params]}
               for q in catalog]
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    width = max((len(q.name) for q in catalog), default=0)
    for q in catalog:
        print(f"{q.name.ljust(width)}  {q.title_in(lang)}")
        for p in q.params:
            extra = " (required)" if p.required else (f" = {p.default}" if p.default else " (optional)")
            print(f"{'':{width}}    --param {p.name}=<{p.type}>{extra}")
    print(f"({len(catalog)} queries in {settings.queries})")
    return 0
