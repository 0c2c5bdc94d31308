"""``pflegegraph settings``: every setting, its value and where the value came from."""

from __future__ import annotations

import os
from pathlib import Path

from pflegegraph.settings import SETTINGS, settings_markdown


def register(sub, common):
    p = sub.add_parser("settings", parents=[common], help="show the settings and their values",
                       description="Show every setting with its current value, its origin "
                                   "(default, environment or option) and its environment variable.")
    p.add_argument("--markdown", action="store_true", help="print the settings reference (docs/settings.md)")
    p.set_defaults(run=run)


def _text(value) -> str:
    if isinstance(value, list):
        return os.pathsep.join(str(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def run(args, settings) -> int:
    if args.markdown:
        print(settings_markdown(), end="")
        return 0
    for s in SETTINGS:
        value = _text(settings[s.name])
        if "password" in s.name and value:
            value = "********"
        print(f"{s.name} = {value}")
        print(f"    {s.help}")
        print(f"    [{settings.origin(s.name)}; env {s.env}]")
    return 0
