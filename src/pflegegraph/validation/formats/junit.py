"""JUnit XML: every top-level shape is a test case, so CI systems show failures natively.

A shape fails when it has results at or above --fail-on; results below it go to system-out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only write XML, never parse it

from pflegegraph.validation.formats.text import _result_lines
from pflegegraph.validation.messages import text


def render(run) -> str:
    report, lang = run.report, run.lang
    by_shape: dict = {shape: [] for shape in run.index.top_level}
    for r in report.results:
        by_shape.setdefault(run.group(r), []).append(r)
    seconds = sum(report.seconds.values())
    failures = sum(1 for items in by_shape.values() if any(report.failing(r) for r in items))
    suites = ET.Element("testsuites", name="pflegegraph validate", tests=str(len(by_shape)),
                        failures=str(failures), errors="0", time=f"{seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="pflegegraph validate", tests=str(len(by_shape)),
                          failures=str(failures), errors="0", skipped="0", time=f"{seconds:.3f}")
    for shape in sorted(by_shape, key=run.shape_name):
        items = by_shape[shape]
        name = run.shape_name(shape)
        title = run.index.label(shape, lang)
        case = ET.SubElement(suite, "testcase", classname="pflegegraph.shapes", name=name, time="0")
        if title:
            ET.SubElement(case, "properties").append(ET.Element("property", name="label", value=title))
        failing = [r for r in items if report.failing(r)]
        other = [r for r in items if not report.failing(r)]
        if failing:
            counts = {}
            for r in failing:
                counts[r.severity] = counts.get(r.severity, 0) + 1
            summary = text("results_in_shape", lang, count=len(failing)) + ": " + \
                "; ".join(run.message(r) for r in failing[:3]) + (" …" if len(failing) > 3 else "")
            failure = ET.SubElement(case, "failure", message=summary, type=report.fail_on)
            failure.text = "\n".join(line for r in failing for line in _result_lines(run, r))
        if other:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(line for r in other for line in _result_lines(run, r))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
