"""What changed between two versions of a dataset, resource by resource, with labels.

Either side may be an export folder (its N-Quads dump is read) or a data folder (its RDF files).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from pflegegraph.errors import UnreadableInputError
from pflegegraph.loader import read_folders
from pflegegraph.namespaces import PREFIXES, compact

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PRIORITY = "https://w3id.org/pflegegraph/def#statedPriority"
SOURCE = "http://purl.org/dc/terms/source"
CS = "http://purl.org/vocab/changeset/schema#"


@dataclass
class ResourceChange:
    resource: str
    label: str
    kind: str  # "added", "removed" or "changed"
    types: list[str]
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)


def read_side(path: Path) -> set[ox.Triple]:
    """The triples of an export folder (N-Quads dump) or a data folder."""
    if not path.exists():
        raise UnreadableInputError(f"{path}: no such folder")
    dumps = sorted(path.glob("pflegegraph-*.nq"))
    dumps = [d for d in dumps if "ontology" not in d.name]
    triples: list[ox.Triple] = []
    if dumps:
        for dump in dumps:
            try:
                triples += [q.triple for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)]
            except SyntaxError as exc:
                raise UnreadableInputError(f"{dump}:{exc.lineno}: {exc.msg}") from exc
    else:
        triples = [t for f in read_folders("urn:pflegegraph:diff:", None, [path], None) for t in f.triples]
    return _normalised(triples)


def _normalised(triples: list[ox.Triple]) -> set[ox.Triple]:
    """Literals in the store's canonical form and blank nodes canonically named (RDFC-1.0), so that
    an export and the folder it came from compare equal."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset = ox.Dataset(store.quads_for_pattern(None, None, None))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {q.triple for q in dataset}


def diff(old: set[ox.Triple], new: set[ox.Triple], lang: str = "de") -> list[ResourceChange]:
    added, removed = new - old, old - new
    subjects = {t.subject for t in added | removed if isinstance(t.subject, ox.NamedNode)}
    labels = _labels(old | new, lang)
    old_subjects = {t.subject for t in old}
    new_subjects = {t.subject for t in new}
    changes = []
    for subject in sorted(subjects, key=lambda s: s.value):
        if subject not in old_subjects:
            kind = "added"
        else:
            kind = "removed" if subject not in new_subjects else "changed"
        types = sorted({t.object.value for t in (new if kind != "removed" else old)
                        if t.subject == subject and t.predicate.value == RDF_TYPE})
        changes.append(ResourceChange(
            subject.value, labels.get(subject.value, ""), kind, types,
            sorted((t for t in added if t.subject == subject), key=str),
            sorted((t for t in removed if t.subject == subject), key=str)))
    return changes


def _labels(triples, lang: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for t in triples:
        if t.predicate.value == LABEL and isinstance(t.object, ox.Literal):
            current = labels.get(t.subject.value)
            if current is None or t.object.language == lang:
                labels[t.subject.value] = t.object.value
    return labels


def _term(term, labels: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        label = labels.get(term.value)
        return f"{label} ({compact(term.value)})" if label else compact(term.value)
    if isinstance(term, ox.Literal):
        return f'"{term.value}"' + (f"@{term.language}" if term.language else "")
    return str(term)


def as_text(changes: list[ResourceChange], old: set[ox.Triple], new: set[ox.Triple],
            lang: str = "de") -> str:
    if not changes:
        return "no changes\n"
    labels = _labels(old | new, lang)
    lines = []
    counts = {k: sum(c.kind == k for c in changes) for k in ("added", "removed", "changed")}
    lines.append(f"{counts['added']} added, {counts['removed']} removed, "
                 f"{counts['changed']} changed resources")
    for c in changes:
        sign = {"added": "+", "removed": "-", "changed": "~"}[c.kind]
        kinds = ", ".join(compact(t) for t in c.types)
        title = f"\n{sign} {c.label or compact(c.resource)} <{c.resource}>"
        lines.append(title + (f" [{kinds}]" if kinds else ""))
        if c.kind != "changed":
            continue
        old_p = [t for t in c.removed if t.predicate.value == PRIORITY]
        new_p = [t for t in c.added if t.predicate.value == PRIORITY]
        if old_p and new_p:
            before, after = _term(old_p[0].object, labels), _term(new_p[0].object, labels)
            lines.append(f"    priority changed: {before} -> {after}")
        for t in c.added:
            if t.predicate.value == PRIORITY and old_p:
                continue
            what = "new source" if t.predicate.value == SOURCE else compact(t.predicate.value, PREFIXES)
            lines.append(f"    + {what}: {_term(t.object, labels)}")
        for t in c.removed:
            if t.predicate.value == PRIORITY and new_p:
                continue
            lines.append(f"    - {compact(t.predicate.value, PREFIXES)}: {_term(t.object, labels)}")
    return "\n".join(lines) + "\n"


def as_json(changes: list[ResourceChange]) -> str:
    def triple(t):
        return {"predicate": t.predicate.value, "object": str(t.object)}
    doc = [{"resource": c.resource, "label": c.label, "change": c.kind, "types": c.types,
            "added": [triple(t) for t in c.added], "removed": [triple(t) for t in c.removed]}
           for c in changes]
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def as_changeset(changes: list[ResourceChange]) -> str:
    """A Turtle changeset (Talis changeset vocabulary): one cs:ChangeSet per changed resource."""
    out: list[ox.Triple] = []
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    for i, c in enumerate(changes):
        cs = ox.BlankNode(f"change{i}")
        out.append(ox.Triple(cs, ox.NamedNode(rdf + "type"), ox.NamedNode(CS + "ChangeSet")))
        out.append(ox.Triple(cs, ox.NamedNode(CS + "subjectOfChange"), ox.NamedNode(c.resource)))
        for j, (prop, triples) in enumerate((("addition", c.added), ("removal", c.removed))):
            for k, t in enumerate(triples):
                st = ox.BlankNode(f"change{i}-{j}-{k}")
                out += [ox.Triple(cs, ox.NamedNode(CS + prop), st),
                        ox.Triple(st, ox.NamedNode(rdf + "type"), ox.NamedNode(rdf + "Statement")),
                        ox.Triple(st, ox.NamedNode(rdf + "subject"), t.subject),
                        ox.Triple(st, ox.NamedNode(rdf + "predicate"), t.predicate),
                        ox.Triple(st, ox.NamedNode(rdf + "object"), t.object)]
    prefixes = {"cs": CS, "rdf": rdf, **PREFIXES}
    return ox.serialize(out, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")


def as_markdown(changes: list[ResourceChange], title: str) -> str:
    """A section for a human-readable data changelog."""
    lines = [f"## {title}", ""]
    if not changes:
        return "\n".join(lines + ["No changes.", ""])
    for kind, heading in (("added", "Added"), ("removed", "Removed"), ("changed", "Changed")):
        items = [c for c in changes if c.kind == kind]
        if not items:
            continue
        lines += [f"### {heading}", ""]
        for c in items:
            detail = ""
            if kind == "changed":
                before = [t.object.value for t in c.removed if t.predicate.value == PRIORITY]
                after = [t.object.value for t in c.added if t.predicate.value == PRIORITY]
                if before and after:
                    detail = f": priority {before[0]} → {after[0]}"
                else:
                    detail = f": {len(c.added)} statements added, {len(c.removed)} removed"
            lines.append(f"- {c.label or compact(c.resource)} (`{compact(c.resource)}`){detail}")
        lines.append("")
    return "\n".join(lines)
