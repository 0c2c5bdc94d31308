"""The validation report: results, severities, and the decision whether a run fails."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, Namespace

from pflegegraph.validation.paths import PathExpr, read_path

SH = Namespace("http://www.w3.org/ns/shacl#")

# Severities from the most to the least serious, with the --fail-on names.
SEVERITIES = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}
_RANK = {SH.Violation: 3, SH.Warning: 2, SH.Info: 1}


def severity_name(severity) -> str:
    for name, iri in SEVERITIES.items():
        if severity == iri:
            return name
    return str(severity)


def severity_rank(severity) -> int:
    """Violation 3, warning 2, info 1; a custom severity counts as a violation."""
    return _RANK.get(severity, 3)


@dataclass(frozen=True)
class Result:
    """One validation result, as in sh:ValidationResult. Terms are rdflib terms."""

    focus: object
    path: PathExpr | None
    value: object
    severity: object
    source_shape: object
    component: object
    source_constraint: object = None
    messages: tuple = ()

    def message_in(self, lang: str) -> str | None:
        """The message in ``lang``, else one without language, else None."""
        plain = None
        for message in self.messages:
            language = getattr(message, "language", None)
            if language and language.lower() == lang:
                return str(message)
            if not language and plain is None:
                plain = str(message)
        return plain

    def sort_key(self) -> tuple:
        return (-severity_rank(self.severity), str(self.source_shape), str(self.focus),
                str(self.path), str(self.value))


@dataclass
class Report:
    """All results of one run, and what the run decided."""

    results: list[Result]
    fail_on: str = "violation"
    seconds: dict[str, float] = field(default_factory=dict)
    triples: int = 0

    def __post_init__(self):
        self.results = sorted(self.results, key=Result.sort_key)

    @property
    def conforms(self) -> bool:
        """SHACL's own verdict: no results at all."""
        return not self.results

    def counts(self) -> dict[str, int]:
        counts = {name: 0 for name in SEVERITIES}
        for r in self.results:
            name = severity_name(r.severity)
            counts[name if name in counts else "violation"] += 1
        return counts

    @property
    def threshold(self) -> int:
        return severity_rank(SEVERITIES[self.fail_on])

    def failing(self, result: Result) -> bool:
        return severity_rank(result.severity) >= self.threshold

    @property
    def failed(self) -> bool:
        """Whether any result is at or above the --fail-on severity."""
        return any(self.failing(r) for r in self.results)


def results_from_graph(graph: Graph) -> list[Result]:
    """The results of a standard sh:ValidationReport graph (from pyshacl or any other engine)."""
    out = []
    # Only the report's own results: nested ones (sh:detail) explain a result, they are not results.
    nodes = set(graph.objects(None, SH.result)) or set(graph.subjects(RDF.type, SH.ValidationResult))
    for node in nodes:
        messages = tuple(sorted((m for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal)),
                                key=lambda m: (m.language or "", str(m))))
        out.append(Result(
            focus=graph.value(node, SH.focusNode),
            path=read_path(graph, graph.value(node, SH.resultPath)),
            value=graph.value(node, SH.value),
            severity=graph.value(node, SH.resultSeverity),
            source_shape=graph.value(node, SH.sourceShape),
            component=graph.value(node, SH.sourceConstraintComponent),
            source_constraint=graph.value(node, SH.sourceConstraint),
            messages=messages,
        ))
    return out
