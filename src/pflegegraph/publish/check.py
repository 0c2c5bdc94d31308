"""Check the dataset description against the DCAT-AP.de 2.0 shapes (pySHACL over an rdflib Graph)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

SHAPES = Path(__file__).with_name("dcat-ap-de-2.0.shapes.ttl")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Finding:
    severity: str  # "Violation", "Warning" or "Info"
    focus: str
    path: str
    message: str


def check_description(triples: list[ox.Triple], lang: str = "de") -> list[Finding]:
    from pyshacl import validate

    data = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    _conforms, report, _text = validate(data, shacl_graph=shapes, advanced=False, inference="none")
    findings = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        messages = list(report.objects(result, SH.resultMessage))
        message = next((str(m) for m in messages if getattr(m, "language", None) == lang),
                       str(messages[0]) if messages else "")
        findings.append(Finding(str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1],
                                str(report.value(result, SH.focusNode)),
                                str(report.value(result, SH.resultPath)), message))
    return sorted(findings, key=lambda f: (f.severity, f.focus, f.path))
