"""Plan, action fields, target groups, measures, events and ISEK of one synthetic municipality.

Every name, number, date and link here is invented by a seeded random generator (see synth.py).
"""

from __future__ import annotations

import random

from ttlwriter import Turtle, date, de_en, lit, year

FIELDS = [  # (slug, de, en): a pool of action fields; each municipality takes 12-16 of them
    ("infrastruktur-mobilitaet", "Infrastruktur/Mobilität", "Infrastructure/mobility"),
    ("beratung-information", "Beratung/Information", "Advice/information"),
    ("teilhabe", "Teilhabe", "Participation"),
    ("praevention", "Prävention", "Prevention"),
    ("engagement", "Bürgerschaftliches Engagement", "Civic engagement"),
    ("wohnen", "Wohnen", "Housing"),
    ("alltag", "Unterstützung im Alltag", "Everyday support"),
    ("betreuung-pflege", "Betreuung und Pflege", "Support and care"),
    ("angehoerige", "Entlastung von Angehörigen", "Relief for relatives"),
    ("integrierte-versorgung", "Integrierte Versorgungsangebote", "Integrated care services"),
    ("hospiz-palliativ", "Hospiz und Palliativversorgung", "Hospice and palliative care"),
    ("besondere-zielgruppen", "Besondere Zielgruppen", "Special target groups"),
    ("digitalisierung", "Digitalisierung", "Digitalisation"),
    ("vernetzung", "Vernetzung", "Networking"),
    ("gesundheitsfoerderung", "Gesundheitsförderung", "Health promotion"),
    ("quartiersentwicklung", "Quartiersentwicklung", "Neighbourhood development"),
    ("fachkraefte", "Fachkräftesicherung", "Securing skilled staff"),
    ("demenz", "Leben mit Demenz", "Living with dementia"),
]
PRIORITIES = [
    ("1", ["short-term"]),
    ("2", ["medium-term"]),
    ("3", ["long-term"]),
    ("1 – 3", ["ongoing"]),
    ("1 bzw. 1 – 3", ["short-term", "ongoing"]),
    ("2 – 3", ["medium-term", "long-term"]),
]
PRIORITY_WEIGHTS = [30, 12, 5, 35, 10, 8]
GROUPS = [
    ("aeltere", "Ältere Menschen", "Older people"),
    ("angehoerige", "Angehörige", "Relatives"),
    ("migrantinnen", "Migrant:innen", "Migrants"),
    ("behinderung", "Menschen mit Behinderungen", "People with disabilities"),
    ("lsbtiq", "LSBTIQ*", "LGBTIQ*"),
    ("demenz", "Menschen mit Demenz", "People with dementia"),
    ("alleinlebende", "Alleinlebende Ältere", "Older people living alone"),
]
GOALS = (
    "Kompakt weiterbauen|Chancen für alle sichern|Potenziale stärken|Gesunde Stadt entwickeln|"
    "Mobilität gestalten|Klima schützen".split("|")
)
WORKFIELDS = (
    "Städtebau|Quartiere|Sichere Stadt|Teilhabe und Vielfalt|Bildung und Familie|Wohnraum|Kultur|"
    "Innovation|Umwelt|Sport und Grün|Gesundheit|Mobilität|Digitale Stadt|Nahversorgung"
).split("|")
VERBS = [
    tuple(x.split("/"))
    for x in (
        "Aufbau/Setting up|Ausbau/Expanding|Erprobung/Trying out|Weiterentwicklung/Developing|"
        "Vernetzung/Linking up|Förderung/Promoting"
    ).split("|")
]
THINGS = [
    tuple(x.split("/"))
    for x in (
        "Nachbarschaftshilfe/neighbourly help|Pflegestützpunkte/care support points|"
        "Seniorentreffs/senior meeting places|Fahrdienste/transport services|"
        "Beratungsangebote/advice services|"
        "Wohnberatung/housing advice|Tagespflege/day care|Kurzzeitpflege/short-term care|"
        "digitale Lotsen/digital guides|Ehrenamtsbörse/volunteer exchange"
    ).split("|")
]
STATUSES = ["under-examination", "already-named", "in-progress"]
EVENT_STATUSES = ["held", "scheduled", "being-planned", "offered"]


def write_plan(f: dict[str, Turtle], rng: random.Random, name: str, key: str, stm: str, y0: int):
    """The care plan, its action fields and target groups. Returns (action-field names, groups)."""
    # --- plan and action fields --------------------------------------------------------------------
    p = f["plan"]
    n_fields = rng.randint(12, 16)
    fields = sorted(rng.sample(range(len(FIELDS)), n_fields))
    hf = [f"hf:{FIELDS[i][0]}" for i in fields]
    p.add(
        "doc:pflegeplanung",
        ("a", "pg:CarePlan"),
        ("rdfs:label", de_en(f"Altenhilfe- und Pflegeplanung {name}", f"Elderly-care plan {key}")),
        ("dcterms:issued", date(f"{y0}-{rng.randint(1, 12):02d}-15")),
        ("dcterms:creator", "m:kommune"),
        ("dcterms:contributor", "ak:agentur"),
        ("dcterms:spatial", "m:kommune"),
        ("pg:periodStart", year(y0)),
        ("pg:periodEnd", year(y0 + 15)),
        ("pg:tiesInWith", "doc:isek"),
        ("pg:hasCrossCuttingTheme", "m:querschnitt"),
        ("pg:hasActionField", hf),
        ("pg:earlierPlan", "doc:fruehere-planung"),
        (
            "prov:qualifiedDerivation",
            p.bnode(
                ("a", "prov:Derivation"),
                ("prov:entity", "doc:pflegeplanung"),
                ("pg:page", lit(str(rng.randint(2, 200)))),
            ),
        ),
        ("dcterms:source", [stm, "doc:pressemitteilung"]),
    )
    p.add(
        "m:querschnitt",
        ("a", "pg:CrossCuttingTheme"),
        ("rdfs:label", de_en("Öffentlichkeitsarbeit", "PR")),
        ("dcterms:source", stm),
    )
    p.add(
        "m:handlungsfelder",
        ("a", "skos:ConceptScheme"),
        ("rdfs:label", de_en(f"Handlungsfelder {name}", f"Action fields {key}")),
        ("dcterms:isPartOf", "doc:pflegeplanung"),
        ("skos:hasTopConcept", hf),
        ("dcterms:source", stm),
    )
    groups = [g[0] for g in GROUPS[: rng.randint(5, 7)]]
    for order, (i, iri) in enumerate(zip(fields, hf, strict=True), 1):
        stated, horizons = rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
        labels = de_en(*FIELDS[i][1:])
        p.add(
            iri,
            ("a", "pg:ActionField"),
            ("skos:inScheme", "m:handlungsfelder"),
            ("skos:topConceptOf", "m:handlungsfelder"),
            ("pg:sortOrder", str(order)),
            ("skos:prefLabel", labels),
            ("rdfs:label", labels),
            ("pg:statedPriority", lit(stated)),
            ("pg:priorityHorizon", [f"pgv:{h}" for h in horizons]),
            ("pg:addressesTargetGroup", [f"zg:{g}" for g in rng.sample(groups, rng.choice([0, 0, 1, 2]))]),
            (
                "prov:qualifiedDerivation",
                p.bnode(
                    ("a", "prov:Derivation"),
                    ("prov:entity", "doc:pflegeplanung"),
                    ("pg:page", lit(str(rng.randint(10, 90)))),
                )
                if rng.random() < 0.3
                else None,
            ),
            ("dcterms:source", stm),
        )
    # --- target groups and figures ----------------------------------------------------------------
    t = f["target-groups"]
    t.add(
        "m:zielgruppen",
        ("a", "skos:ConceptScheme"),
        ("rdfs:label", de_en(f"Zielgruppen {name}", f"Groups {key}")),
        ("skos:hasTopConcept", [f"zg:{g}" for g in groups]),
        ("dcterms:source", stm),
    )
    for g in groups:
        _, de, en = next(x for x in GROUPS if x[0] == g)
        t.add(
            f"zg:{g}",
            ("a", "pg:TargetGroup"),
            ("skos:inScheme", "m:zielgruppen"),
            ("skos:prefLabel", de_en(de, en)),
            ("rdfs:label", de_en(de, en)),
            ("dcterms:source", stm),
        )
    for slug, g in [("figure-65plus", "aeltere"), ("figure-angehoerige", "angehoerige")][: rng.randint(1, 2)]:
        t.add(
            f"zg:{slug}",
            ("a", "pg:StatisticalFigure"),
            ("rdfs:label", de_en(f"Kennzahl {slug}", f"Figure {slug}")),
            ("rdf:value", str(rng.randint(2000, 90000))),
            ("pg:referenceYear", year(y0 - rng.randint(0, 3))),
            ("pg:aboutTargetGroup", f"zg:{g}"),
            ("dcterms:spatial", "m:kommune"),
            ("dcterms:source", "doc:pflegebericht"),
        )
    return hf, groups


def write_measures(f, rng, name, hf, groups, stm, y0) -> None:
    ms, e = f["measures"], f["editorial"]
    projects = [f"ms:modellprojekt-{i}" for i in range(1, rng.randint(3, 5) + 1)]
    measures = [f"ms:massnahme-{i}" for i in range(1, rng.randint(10, 36) + 1)]
    for n, iri in enumerate(projects + measures, 1):
        is_project = iri in projects
        (vde, ven), (tde, ten) = rng.choice(VERBS), rng.choice(THINGS)
        targets = rng.sample(hf, rng.randint(1, 3))
        editorial = targets if is_project else [x for x in targets if rng.random() < 0.15]
        ms.add(
            iri,
            ("a", "pg:ModelProject" if is_project else "pg:Measure"),
            ("rdfs:label", de_en(f"{vde} {tde} ({n})", f"{ven} {ten} ({n})")),
            ("pg:ordinal", str(n) if is_project else None),
            ("pg:proposedIn", "doc:antrag" if is_project else None),
            ("pg:namedIn", rng.choice(["doc:ergebnispapier", "doc:pflegeplanung", "doc:umsetzungsplan"])),
            (
                "pg:workedOnBy",
                rng.sample(["ak:sozialamt", "ak:seniorenbuero", "ak:wohlfahrt"], rng.randint(1, 2)),
            ),
            ("pg:examinationStatus", [f"pgv:{s}" for s in rng.sample(STATUSES, rng.randint(1, 3))]),
            ("pg:addressesActionField", [x for x in targets if x not in editorial]),
            ("pg:addressesTargetGroup", rng.sample([f"zg:{g}" for g in groups], rng.randint(0, 2))),
            ("pg:hasDeadline", "ev:frist-konzepte" if n == 1 else None),
            ("dcterms:spatial", "m:kommune"),
            ("dcterms:source", stm),
        )
        for x in editorial:
            stmt = f"ed:{iri[3:]}-{x[3:]}"
            e.add(iri, ("pg:addressesActionField", x))
            e.add(
                stmt,
                ("a", "pg:EditorialStatement"),
                ("rdfs:label", de_en(f"Redaktionell: {stmt[3:]}", stmt[3:])),
                ("rdf:subject", iri),
                ("rdf:predicate", "pg:addressesActionField"),
                ("rdf:object", x),
                ("prov:wasAttributedTo", "storg:redaktion"),
                ("dcterms:created", date(f"{y0 + 2}-06-01")),
                ("pg:justification", de_en("Synthetische Begründung.", "Synthetic justification.")),
            )
    ms.add(
        "ms:personalmangel",
        ("a", "pg:Challenge"),
        ("rdfs:label", de_en("Personalmangel", "Staff shortage")),
        ("dcterms:spatial", "m:kommune"),
        ("dcterms:source", stm),
    )
    programmes = [
        "stfp:wohnen-pflege",
        "stfp:laendliche-entwicklung",
        "stfp:modellprogramm",
        "ms:kommunal-foerderung",
    ]
    f["funding"].add(
        "ms:kommunal-foerderung",
        ("a", "pg:FundingProgramme"),
        ("rdfs:label", de_en(f"Kommunale Förderung {name}", f"Municipal funding {name}")),
        ("pg:operator", "ak:sozialamt"),
        ("pg:requiresOwnContribution", "false"),
        ("pg:examinationStatus", "pgv:under-examination"),
        ("dcterms:source", stm),
    )
    for prog in programmes:
        f["funding"].add(
            prog, ("pg:consideredForFunding", rng.sample(projects + measures, rng.randint(1, 4)))
        )
    for i in range(1, rng.randint(1, 3) + 1):
        ms.add(
            f"ms:pruefung-{i}",
            ("a", "pg:Examination"),
            ("rdfs:label", de_en(f"Prüfung {i}", f"Examination {i}")),
            (
                "pg:examines",
                rng.sample(projects + measures, 3) + ([rng.choice(programmes)] if i == 1 else []),
            ),
            ("pg:examinedBy", rng.sample(["ak:arbeitskreis", "ak:steuerungsgruppe", "ak:verwaltung"], 2)),
            ("pg:examinationStatus", "pgv:under-examination"),
            ("pg:expectedOutcome", "doc:umsetzungsplan"),
            ("pg:hasDeadline", "ev:frist-umsetzungsplan"),
            ("dcterms:source", stm),
        )
    ms.add(
        "ms:luecke-ergebnispapier",
        ("a", "pg:ContentGap"),
        ("rdfs:label", de_en("Maßnahmenliste nicht vollständig erfasst", "Measure list not fully recorded")),
        ("pg:gapIn", "doc:ergebnispapier"),
        ("pg:missingClass", "pg:Measure"),
        ("pg:statedCount", str(len(measures) + rng.randint(5, 40))),
        ("skos:note", de_en("Synthetische Lücke.", "Synthetic gap.")),
        ("dcterms:source", stm),
    )
    ev = f["events"]
    entries = [
        ("ratsbeschluss-plan", "pg:Decision", y0, "ak:rat", "doc:pflegeplanung"),
        ("ausschuss", "pg:Decision", y0 + 1, "ak:ausschuss", "doc:antrag"),
        ("ratsbeschluss-aenderung", "pg:Decision", y0 + 1, "ak:rat", "doc:aenderungsantrag"),
        ("ratsbeschluss-alt", "pg:Decision", y0 - rng.randint(10, 30), "ak:rat", "doc:fruehere-planung"),
    ]
    entries += [(f"pflegekonferenz-{k}", "pg:Event", y0 + k, None, None) for k in range(rng.randint(2, 8))]
    for slug, kind, yr, by, on in entries:
        ev.add(
            f"ev:{slug}",
            ("a", kind),
            ("rdfs:label", de_en(f"{slug} {name}", f"{slug} {name}")),
            ("schema:startDate", date(f"{yr}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")),
            ("pg:decidedBy", by),
            ("pg:decidedOn", on),
            ("schema:organizer", None if by else "ak:pflegekonferenz"),
            ("pg:eventStatus", "pgv:held" if yr <= 2025 else "pgv:scheduled"),
            ("dcterms:spatial", "m:kommune"),
            ("dcterms:source", stm),
        )
    for slug in ["themenabend", "vorstellung-ausschuss"][: rng.randint(1, 2)]:
        ev.add(
            f"ev:{slug}",
            ("a", "pg:Event"),
            ("rdfs:label", de_en(f"{slug} {name}", f"{slug} {name}")),
            ("pg:statedDate", de_en("in Planung, ohne Termin", "being planned, no date")),
            ("pg:eventStatus", f"pgv:{rng.choice(EVENT_STATUSES[2:])}"),
            ("dcterms:source", stm),
        )
    for slug, due in [("frist-umsetzungsplan", f"{y0 + 1}-12-31"), ("frist-konzepte", None)]:
        ev.add(
            f"ev:{slug}",
            ("a", "pg:Deadline"),
            ("rdfs:label", de_en(f"Frist {slug}", f"Deadline {slug}")),
            ("pg:dueDate", date(due) if due else None),
            ("pg:statedDate", de_en(f"bis Ende {y0 + 1}", f"by the end of {y0 + 1}")),
            ("pg:setBy", "ev:ratsbeschluss-aenderung"),
            ("dcterms:source", stm),
        )


def write_isek(f, rng, name, key, hf, stm, state) -> None:
    i = f["isek"]
    goals = [f"isek:leitziel-{n}" for n in range(1, rng.randint(4, 6) + 1)]
    works = [f"isek:arbeitsfeld-{n}" for n in range(1, rng.randint(8, 14) + 1)]
    projects = [f"isek:rahmenprojekt-{n}" for n in range(1, rng.randint(0, 4) + 1)]
    i.add(
        "doc:isek",
        ("a", "pg:DevelopmentConcept"),
        ("rdfs:label", de_en(f"Stadtentwicklungskonzept {name}", f"Urban development concept {key}")),
        ("dcterms:spatial", "m:kommune"),
        ("dcterms:hasPart", ["isek:leitziele", "isek:arbeitsfelder"]),
        ("dcterms:source", ["doc:zeitungsartikel", "doc:ratsinfo-web"]),
    )
    for scheme, members, kind, names in [
        ("isek:leitziele", goals, "pg:GuidingGoal", GOALS),
        ("isek:arbeitsfelder", works, "pg:WorkField", WORKFIELDS),
        ("isek:rahmenprojekte", projects, "pg:FrameworkProject", WORKFIELDS),
    ]:
        i.add(
            scheme,
            ("a", "skos:ConceptScheme"),
            ("rdfs:label", de_en(f"{scheme[5:]} {name}", f"{scheme[5:]} {key}")),
            ("dcterms:isPartOf", "doc:isek"),
            ("skos:hasTopConcept", members),
            ("dcterms:source", "doc:zeitungsartikel"),
        )
        for n, iri in enumerate(members, 1):
            label = names[n - 1] if kind != "pg:FrameworkProject" else f"Rahmenprojekt {names[n - 1]}"
            i.add(
                iri,
                ("a", kind),
                ("skos:inScheme", scheme),
                ("skos:topConceptOf", scheme),
                ("pg:ordinal" if kind == "pg:GuidingGoal" else "pg:sortOrder", str(n)),
                ("skos:prefLabel", de_en(label, label)),
                ("rdfs:label", de_en(label, label)),
                ("dcterms:source", "doc:zeitungsartikel"),
            )
            if kind == "pg:WorkField":
                i.add(
                    f"isek:nummer-{n}",
                    ("a", "rdf:Statement"),
                    ("rdfs:label", de_en(f"Nummer {n}", f"Number {n}")),
                    ("rdf:subject", iri),
                    ("rdf:predicate", "pg:ordinal"),
                    ("rdf:object", str(n)),
                    ("pg:verificationStatus", "pgv:unverified"),
                    ("skos:editorialNote", de_en("Nummerierung nicht verifiziert.", "Numbering unverified.")),
                    ("dcterms:source", "doc:zeitungsartikel"),
                )
    i.add(
        "isek:luecke-rahmenprojekte",
        ("a", "pg:ContentGap"),
        ("rdfs:label", de_en("Rahmenprojekte nicht erfasst", "Framework projects not recorded")),
        ("pg:gapIn", "doc:isek"),
        ("pg:missingClass", "pg:FrameworkProject"),
        ("pg:statedCount", str(len(projects) + rng.randint(10, 30))),
        ("dcterms:source", "doc:zeitungsartikel"),
    )
    objectives = goals + works + projects
    for field in hf:
        if rng.random() < 0.3:
            continue  # a gap: this action field ties in with nothing
        for obj in rng.sample(objectives, rng.randint(1, 2)):
            if rng.random() < 0.2:  # stated by a source, kept with the plan
                f["plan"].add(field, ("pg:tiesInWith", obj))
                continue
            stmt = f"ed:{field[3:]}-{obj[5:]}"
            f["editorial"].add(field, ("pg:tiesInWith", obj))
            f["editorial"].add(
                stmt,
                ("a", "pg:EditorialStatement"),
                (
                    "rdfs:label",
                    de_en(f"Redaktionelle Verknüpfung: {stmt[3:]}", f"Editorial link: {stmt[3:]}"),
                ),
                ("rdf:subject", field),
                ("rdf:predicate", "pg:tiesInWith"),
                ("rdf:object", obj),
                ("prov:wasAttributedTo", "storg:redaktion"),
                ("dcterms:created", date("2026-01-15")),
                ("pg:justification", de_en("Synthetische Begründung.", "Synthetic justification.")),
            )
