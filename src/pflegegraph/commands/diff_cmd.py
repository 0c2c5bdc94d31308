"""``pflegegraph diff OLD NEW``: what changed between two exports or two data folders."""

from __future__ import annotations

import sys
from pathlib import Path

from pflegegraph.publish.diff import as_changeset, as_json, as_markdown, as_text, diff, read_side


def register(sub, common):
    p = sub.add_parser(
        "diff", parents=[common], help="what changed between two versions",
        description="Compare two exports (folders written by 'pflegegraph export') or two data "
                    "folders, resource by resource, with labels: added and removed resources, changed "
                    "priorities, new sources. Exit code 0 either way.")
    p.add_argument("old", type=Path, metavar="OLD")
    p.add_argument("new", type=Path, metavar="NEW")
    p.add_argument("--format", choices=["text", "json", "turtle", "markdown"], default="text",
                   help="text for people, json for machines, turtle as a changeset, markdown for a "
                        "data changelog section")
    p.add_argument("--title", default="Unreleased", help="section title for --format markdown")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    old, new = read_side(args.old), read_side(args.new)
    changes = diff(old, new, settings.lang)
    if args.format == "json":
        sys.stdout.write(as_json(changes))
    elif args.format == "markdown":
        sys.stdout.write(as_markdown(changes, args.title))
    elif args.format == "turtle":
        sys.stdout.write(as_changeset(changes))
    else:
        sys.stdout.write(as_text(changes, old, new, settings.lang))
    return 0
