"""Documentation that must stay true: settings reference, README commands, CI script."""

from __future__ import annotations

import re
from pathlib import Path

from pflegegraph.settings import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_settings_reference_is_generated_from_the_declarations():
    written = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert written == settings_markdown(), "run: pflegegraph settings --markdown > docs/settings.md"
    for s in SETTINGS:
        assert f"`{s.env}`" in written and s.help.split(".")[0] in written


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, re.S)


def test_readme_has_the_install_and_serve_command_and_the_test_command():
    blocks = _readme_commands()
    assert any("pip install" in b and "pflegegraph serve" in b for b in blocks)
    assert any(b.strip() == "python -m pytest" for b in blocks)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^python -m pytest\b", ci, re.M), ".ci/run must run the README's test command"
    assert "pip install" in ci and "-e '.[test]'" in ci


def test_changelog_has_an_unreleased_section():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text


def test_every_cli_command_is_in_the_readme_or_help():
    from pflegegraph.cli import COMMAND_MODULES, build_parser

    help_text = build_parser().format_help()
    for module in COMMAND_MODULES:
        name = module.removesuffix("_cmd")
        assert name in help_text
