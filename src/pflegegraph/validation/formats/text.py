"""Plain text, grouped by shape: what is wrong, where, and in plain words."""

from __future__ import annotations

from itertools import groupby

from rdflib import URIRef

from pflegegraph.validation.messages import text
from pflegegraph.validation.report import severity_name


def render(run) -> str:
    report, lang = run.report, run.lang
    counts = report.counts()
    files = len(run.inputs.data_files)
    lines: list[str] = []
    if report.conforms:
        lines.append(text("ok", lang, triples=report.triples, files=files, shapes=len(run.index.top_level)))
        return "\n".join(lines) + "\n"
    lines.append(text("summary", lang, violations=counts["violation"], warnings=counts["warning"],
                      infos=counts["info"], triples=report.triples, files=files))
    ordered = sorted(report.results, key=lambda r: (run.shape_name(run.group(r)), r.sort_key()))
    for group, items in groupby(ordered, key=lambda r: run.shape_name(run.group(r))):
        items = list(items)
        title = run.index.label(run.group(items[0]), lang)
        lines.append("")
        lines.append(f"{group}" + (f" – {title}" if title else "") + f" ({len(items)})")
        for r in items:
            lines.extend(_result_lines(run, r))
    lines.append("")
    key = "verdict_fail" if report.failed else "verdict_pass"
    lines.append(text(key, lang, fail_on=report.fail_on))
    return "\n".join(lines) + "\n"


def _result_lines(run, r) -> list[str]:
    lang = run.lang
    severity = text(severity_name(r.severity), lang) if severity_name(r.severity) in (
        "violation", "warning", "info") else run.term(r.severity)
    label = run.label(r.focus)
    focus = f"<{r.focus}>" if isinstance(r.focus, URIRef) else run.term(r.focus)
    head = f"  [{severity}] " + (f"{label} {focus}" if label else focus)
    out = [head]
    if r.path is not None:
        out.append(f"      {text('path', lang)}: {run.path(r)}")
    if r.value is not None:
        out.append(f"      {text('value', lang)}: {run.term(r.value)}")
    out.append(f"      {text('shape', lang)}: {run.shape_name(r.source_shape)}")
    out.append(f"      → {run.message(r)}")
    return out
