"""JSON for machines: every result with its terms as full IRIs, plus readable names."""

from __future__ import annotations

import json

from rdflib import BNode, Literal, URIRef

from pflegegraph.validation.report import severity_name


def term_json(node):
    if node is None:
        return None
    if isinstance(node, URIRef):
        return {"type": "iri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    if isinstance(node, Literal):
        out = {"type": "literal", "value": str(node)}
        if node.language:
            out["lang"] = node.language
        elif node.datatype is not None:
            out["datatype"] = str(node.datatype)
        return out
    return {"type": "unknown", "value": str(node)}


def document(run) -> dict:
    report = run.report
    return {
        "conforms": report.conforms,
        "failed": report.failed,
        "failOn": report.fail_on,
        "lang": run.lang,
        "triples": report.triples,
        "counts": report.counts(),
        "seconds": {k: round(v, 4) for k, v in report.seconds.items()},
        "results": [{
            "severity": severity_name(r.severity),
            "focusNode": term_json(r.focus),
            "focusLabel": run.label(r.focus),
            "path": run.path(r) or None,
            "value": term_json(r.value),
            "message": run.message(r),
            "sourceShape": run.shape_name(r.source_shape),
            "shape": run.shape_name(run.group(r)),
            "sourceConstraintComponent": str(r.component) if r.component is not None else None,
        } for r in report.results],
    }


def render(run) -> str:
    return json.dumps(document(run), ensure_ascii=False, indent=2) + "\n"
