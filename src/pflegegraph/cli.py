"""The ``pflegegraph`` command line: a thin face over the core.

Exit codes: 0 ok, 1 user error, 2 unreadable input. No traceback reaches the user; set
PFLEGEGRAPH_DEBUG=1 to see one.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from pflegegraph import __version__
from pflegegraph.errors import EXIT_USER_ERROR, PflegegraphError
from pflegegraph.settings import Settings

# One module per command under pflegegraph.commands, in the order --help lists them.
COMMAND_MODULES = [
    "queries_cmd",
    "query_cmd",
    "stats_cmd",
    "settings_cmd",
    "serve_cmd",
    "export_cmd",
    "diff_cmd",
    "push_cmd",
    "validate_cmd",
]

EXAMPLES = """\
examples:
  pflegegraph queries                                   list the named queries
  pflegegraph query action-fields-by-priority           run one, as a table
  pflegegraph query action-fields-by-priority --param horizon=pgv:medium-term --format csv
  pflegegraph query provenance --param resource=bshf:vernetzung
  pflegegraph query my-question.rq --format json        run a query from a file
  pflegegraph stats                                     triples per graph, instances per class
  pflegegraph --data ../wolfsburg stats                 another municipality's data instead
  pflegegraph serve --port 8080                         the SPARQL service and pages

exit codes: 0 ok, 1 user error, 2 unreadable input (missing file, broken Turtle), 3 the store
of a push could not be reached, refused or failed
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors are user errors: exit 1, not 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("graph")
    group.add_argument("--data", action="append", type=Path, metavar="DIR",
                       help="load this data folder instead of the shipped Braunschweig data "
                            "(repeatable; env PFLEGEGRAPH_DATA)")
    group.add_argument("--add-data", action="append", type=Path, metavar="DIR", default=[],
                       help="load this data folder beside the others (repeatable)")
    group.add_argument("--ontology", type=Path, metavar="DIR", help="ontology folder")
    group.add_argument("--shapes", type=Path, metavar="DIR", help="SHACL shapes folder")
    group.add_argument("--lang", choices=["de", "en"], help="language of labels and messages")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pflegegraph",
        description="Knowledge graph and query service for municipal elderly-care planning "
                    "(Altenhilfe- und Pflegeplanung). Ships the Braunschweig graph.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"pflegegraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = common_options()
    for name in COMMAND_MODULES:
        importlib.import_module(f"pflegegraph.commands.{name}").register(sub, common)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    base = Settings.load()
    data = list(args.data) if getattr(args, "data", None) else list(base.data)
    data += list(getattr(args, "add_data", []) or [])
    overrides = {"data": data,
                 "ontology": getattr(args, "ontology", None),
                 "shapes": getattr(args, "shapes", None),
                 "lang": getattr(args, "lang", None)}
    overrides.update(getattr(args, "setting_overrides", {}) or {})
    return Settings.load(overrides)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        settings = settings_from(args)
        return args.run(args, settings) or 0
    except PflegegraphError as exc:
        print(f"pflegegraph: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("PFLEGEGRAPH_DEBUG"):
            raise
        print(f"pflegegraph: internal error: {type(exc).__name__}: {exc} "
              "(set PFLEGEGRAPH_DEBUG=1 for details, and please report it)", file=sys.stderr)
        return 3
