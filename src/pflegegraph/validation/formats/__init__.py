"""Output formats of a validation run: text for people, json for machines, turtle for RDF
tools (the standard sh:ValidationReport), junit for CI systems."""

from __future__ import annotations

from pflegegraph.validation.formats import jsonfmt, junit, text, turtle

_RENDERERS = {"text": text.render, "json": jsonfmt.render, "turtle": turtle.render, "junit": junit.render}
FORMATS = list(_RENDERERS)


def render(run, fmt: str) -> str:
    return _RENDERERS[fmt](run)
