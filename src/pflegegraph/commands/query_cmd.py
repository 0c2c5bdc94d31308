"""``pflegegraph query NAME|FILE|-``: run a named query, a query file or a query from stdin.

The query goes through the same nesting limit as the service (``query_max_nesting``), and runs
in a forked child process: the query engine can crash on some queries (a SIGSEGV in pyoxigraph),
and then the command says so and exits 1 instead of dying without a word.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pflegegraph.errors import UnreadableInputError, UserError
from pflegegraph.execution.isolated import run_isolated
from pflegegraph.guard import check_nesting
from pflegegraph.namedqueries import NamedQuery, QueryCatalog, parse_query_file
from pflegegraph.results import ALL_FORMATS, render
from pflegegraph.store import GraphStore


def register(sub, common):
    p = sub.add_parser(
        "query", parents=[common], help="run a named query or a SPARQL file",
        description="Run a named query (see 'pflegegraph queries'), a .rq file, or '-' for a "
                    "query on standard input, over the union of all loaded graphs.")
    p.add_argument("query", metavar="NAME|FILE|-")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeatable); IRIs may use prefixes such as bshf:wohnen")
    p.add_argument("--format", choices=ALL_FORMATS, default="table",
                   help="output format (default: table)")
    p.set_defaults(run=run)


def _resolve(spec: str, settings) -> NamedQuery:
    if spec == "-":
        text = sys.stdin.read()
        tmp = NamedQuery("stdin", Path("-"), text, {"de": "stdin"}, {}, ())
        return tmp
    path = Path(spec)
    try:
        is_file = path.is_file()
    except OSError:  # a name no file system can hold (too long, ...): it is not a file
        is_file = False
    if path.suffix == ".rq" or is_file:
        if not is_file:
            raise UnreadableInputError(f"{spec[:200]}: no such query file")
        return parse_query_file(path, require_title=False)
    return QueryCatalog(settings.queries).get(spec)


def _param_values(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UserError(f"--param {pair!r} must look like NAME=VALUE")
        values[name.strip()] = value
    return values


def run(args, settings) -> int:
    query = _resolve(args.query, settings)
    values = _param_values(args.param)
    store = GraphStore.from_settings(settings)
    bindings = query.bindings(values, store.prefixes)
    check_nesting(query.text, settings.query_max_nesting)

    def work() -> str:
        result = store.query(query.text, bindings, source=query.name)
        return render(result, args.format, store.prefixes)

    sys.stdout.write(run_isolated(work, "this query"))
    return 0
