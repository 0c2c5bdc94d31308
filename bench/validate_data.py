# ruff: noqa: E501 - the Turtle templates read best one statement per line
"""Synthetic care-planning graphs for the validation benchmark, generated at run time.

Each synthetic municipality has a plan with 14 action fields, council papers, measures, events,
deadlines, a funding programme and editorial links, all with sources, like the Braunschweig data.
About one resource in 60 carries a planted fault (a hyphen in a priority, a dangling reference,
a follow-up dated too early, a duplicate paper number ...), so the reports are not empty.

Never committed: files go to bench/generated/ (git-ignored). This is demo data, apart from
data/braunschweig/, and never part of the published graph.
"""

from __future__ import annotations

import random
from pathlib import Path

PREFIXES = """@prefix pg: <https://w3id.org/pflegegraph/def#> .
@prefix pgv: <https://w3id.org/pflegegraph/vocab/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
"""

PRIORITIES = [
    ("1", "pgv:short-term"),
    ("2", "pgv:medium-term"),
    ("3", "pgv:long-term"),
    ("1 – 3", "pgv:ongoing"),
    ("2 – 3", "pgv:medium-term , pgv:long-term"),
    ("1 bzw. 1 – 3", "pgv:short-term , pgv:ongoing"),
]
TRIPLES_PER_TOWN = 320  # measured: what one municipality below adds, roughly


def municipality(i: int, rng: random.Random, fault_rate: float) -> str:
    ns = f"https://example.org/synthetic/{i:06d}/"
    t = f"<{ns}"
    fault = lambda: rng.random() < fault_rate  # noqa: E731
    out = []
    src = f"{t}stellungnahme>"
    out.append(
        f'{t}stadt> a pg:Municipality ; rdfs:label "Gemeinde {i}"@de , "Municipality {i}"@en ; '
        f'pg:ags "{i % 100:02d}{i % 1000:03d}{i % 1000:03d}" ; dcterms:source {t}wiki> .'
    )
    out.append(f'{t}wiki> a pg:WebPage ; rdfs:label "Eintrag {i}"@de ; dcterms:source {t}wiki> .')
    out.append(
        f'{t}rat> a pg:Council ; rdfs:label "Rat {i}"@de ; org:subOrganizationOf {t}stadt> ; '
        f"dcterms:source {src} ."
    )
    out.append(
        f'{t}verwaltung> a org:OrganizationalUnit ; rdfs:label "Verwaltung {i}"@de ; '
        f"org:unitOf {t}stadt> ; dcterms:source {src} ."
    )
    out.append(
        f'{t}redaktion> a prov:Agent , org:Organization ; rdfs:label "Redaktion {i}"@de ; '
        f"dcterms:source {src} ."
    )
    number = f"{20 + i % 6}-{i % 99999:05d}"
    out.append(
        f'{t}antrag> a pg:Motion ; rdfs:label "Antrag {number}"@de , "Motion {number}"@en ; '
        f'pg:paperNumber "{number}" ; dcterms:creator {t}rat> ; dcterms:date "2024-01-19"^^xsd:date ; '
        f"dcterms:spatial {t}stadt> ; dcterms:source {t}antrag> ."
    )
    second = number if fault() else f"{number}-01"
    out.append(
        f'{src} a pg:AdministrationStatement ; rdfs:label "Stellungnahme {number}-01"@de ; '
        f'pg:paperNumber "{second}" ; pg:respondsTo {t}antrag> ; dcterms:creator {t}verwaltung> ; '
        f"dcterms:spatial {t}stadt> ; dcterms:source {src} ."
    )
    fields = []
    for f in range(14):
        stated, horizons = rng.choice(PRIORITIES)
        if fault():
            stated = stated.replace("–", "-")
        fields.append(f"{t}hf/{f}>")
        out.append(
            f"{t}hf/{f}> a pg:ActionField ; skos:inScheme {t}felder> ; pg:sortOrder {f + 1} ; "
            f'skos:prefLabel "Handlungsfeld {f}"@de ; rdfs:label "Handlungsfeld {f}"@de , '
            f'"Action field {f}"@en ; pg:statedPriority "{stated}" ; pg:priorityHorizon {horizons} ; '
            f"dcterms:source {src} ."
        )
    out.append(
        f'{t}felder> a skos:ConceptScheme ; rdfs:label "Handlungsfelder {i}"@de ; '
        f"skos:hasTopConcept {' , '.join(fields)} ; dcterms:source {src} ."
    )
    out.append(
        f'{t}plan> a pg:CarePlan ; rdfs:label "Pflegeplanung {i}"@de ; dcterms:issued "2021"^^xsd:gYear ; '
        f'pg:periodStart "2020"^^xsd:gYear ; pg:periodEnd "2035"^^xsd:gYear ; dcterms:spatial {t}stadt> ; '
        f"pg:hasActionField {' , '.join(fields)} ; "
        f'prov:qualifiedDerivation [ a prov:Derivation ; prov:entity {t}plan> ; pg:page "78" ] ; '
        f"dcterms:source {src} , {t}plan> ."
    )
    for m in range(3):
        worker = f"{t}seniorenbuero>" if fault() else f"{t}verwaltung>"
        out.append(
            f'{t}massnahme/{m}> a pg:ModelProject ; rdfs:label "Modellprojekt {m}"@de ; pg:ordinal {m + 1} ; '
            f"pg:proposedIn {t}antrag> ; pg:workedOnBy {worker} ; pg:examinationStatus pgv:under-examination ; "
            f"pg:hasDeadline {t}frist> ; dcterms:spatial {t}stadt> ; dcterms:source {src} ."
        )
        field = rng.choice(fields)
        out.append(f"{t}massnahme/{m}> pg:addressesActionField {field} .")
        out.append(
            f'{t}link/{m}> a pg:EditorialStatement ; rdfs:label "Verknüpfung {m}"@de ; '
            f"rdf:subject {t}massnahme/{m}> ; rdf:predicate pg:addressesActionField ; rdf:object {field} ; "
            f'prov:wasAttributedTo {t}redaktion> ; dcterms:created "2026-01-02"^^xsd:date ; '
            f'pg:justification "Begründung {m}."@de , "Reason {m}."@en .'
        )
    conference_day = "2023-03-15"
    phase_start = "2023-02" if fault() else "2023-06"
    out.append(
        f'{t}konferenz> a pg:Event ; rdfs:label "Pflegekonferenz {i}"@de ; '
        f'schema:startDate "{conference_day}"^^xsd:date ; pg:eventStatus pgv:held ; '
        f"schema:organizer {t}verwaltung> ; dcterms:spatial {t}stadt> ; dcterms:source {src} ."
    )
    out.append(
        f'{t}phase> a pg:Event ; rdfs:label "Arbeitsphase {i}"@de ; '
        f'schema:startDate "{phase_start}"^^xsd:gYearMonth ; schema:endDate "2023-11"^^xsd:gYearMonth ; '
        f'pg:followUpOf {t}konferenz> ; pg:eventStatus pgv:held ; pg:outcome "Ergebnispapier"@de ; '
        f"dcterms:source {src} ."
    )
    out.append(
        f'{t}beschluss> a pg:Decision ; rdfs:label "Ratsbeschluss {i}"@de ; '
        f'schema:startDate "2024-04-09"^^xsd:date ; pg:decidedBy {t}rat> ; pg:decidedOn {t}antrag> ; '
        f"pg:followUpOf {t}phase> ; pg:eventStatus pgv:held ; dcterms:source {src} ."
    )
    due = "2023-12-31" if fault() else "2024-12-31"
    out.append(
        f'{t}frist> a pg:Deadline ; rdfs:label "Frist {i}"@de ; pg:dueDate "{due}"^^xsd:date ; '
        f'pg:statedDate "bis Ende 2024"@de ; pg:setBy {t}beschluss> ; dcterms:source {src} .'
    )
    out.append(
        f'{t}programm> a pg:FundingProgramme ; rdfs:label "Förderprogramm {i}"@de ; '
        f"pg:operator {t}verwaltung> ; pg:legalBasis {t}antrag> ; pg:maxGrantAmount 100000.0 ; "
        f"pg:requiresOwnContribution true ; pg:hasFundingShareRule {t}quote> ; "
        f"pg:consideredForFunding {t}massnahme/0> , {t}massnahme/1> ; dcterms:source {src} ."
    )
    share = "50.0" if fault() else "0.5"
    out.append(
        f'{t}quote> a pg:FundingShareRule ; rdfs:label "Förderquote {i}"@de ; pg:maxShare {share} ; '
        f'pg:appliesTo "Projekte"@de ; dcterms:source {src} .'
    )
    label = "" if fault() else f'rdfs:label "Zielgruppe {i}"@de ; '
    out.append(
        f'{t}zielgruppe> a pg:TargetGroup ; {label}skos:prefLabel "Zielgruppe {i}"@de ; '
        f"dcterms:source {src} ."
    )
    out.append(
        f"{t}stmt> a rdf:Statement ; rdf:subject {t}stadt> ; rdf:predicate schema:name ; "
        f'rdf:object "Portal {i}" ; pg:verificationStatus pgv:unverified ; dcterms:source {t}wiki> .'
    )
    return "\n".join(out) + "\n"


def generate(
    path: Path,
    triples: int,
    *,
    ontology: list[Path] | None = None,
    seed: int = 20260101,
    fault_rate: float = 0.02,
) -> Path:
    """Write one Turtle file with about ``triples`` triples of synthetic data (plus the ontology)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    towns = max(1, triples // TRIPLES_PER_TOWN)
    with path.open("w", encoding="utf-8") as out:
        out.write(PREFIXES)
        for source in ontology or []:
            out.write(f"\n# --- {source.name}\n")
            out.write(source.read_text(encoding="utf-8"))
        out.write("\n# --- synthetic municipalities\n" + PREFIXES)
        for i in range(towns):
            out.write(municipality(i, rng, fault_rate))
    return path
