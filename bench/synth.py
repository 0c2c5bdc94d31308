"""The content of one synthetic state and one synthetic municipality, shaped like data/braunschweig/.

Every name, number, date and link here is invented by a seeded random generator. Keys are AGS-like
but start with a state code from 90 to 99, which no real German state has, so nothing here can be
taken for Braunschweig (03101000) or any other real place.
"""

from __future__ import annotations

import random

from synth_plan import write_isek, write_measures, write_plan
from ttlwriter import Turtle, date, de_en, lit, year

ID = "https://w3id.org/pflegegraph/id/"
SYNTHETIC = [lit("synthetic benchmark data", "en"), lit("synthetische Benchmark-Daten", "de")]


def state_prefixes(key: str) -> dict[str, str]:
    return {
        "st": f"{ID}{key}/",
        "stfp": f"{ID}{key}/foerderprogramm/",
        "storg": f"{ID}{key}/akteur/",
        "stdoc": f"{ID}{key}/dokument/",
    }


def muni_prefixes(key: str) -> dict[str, str]:
    base = f"{ID}{key}/"
    return {
        "m": base,
        "hf": base + "handlungsfeld/",
        "ms": base + "massnahme/",
        "doc": base + "dokument/",
        "ak": base + "akteur/",
        "ev": base + "termin/",
        "isek": base + "isek/",
        "zg": base + "zielgruppe/",
        "ed": base + "redaktionell/",
    }


def write_state(f: dict[str, Turtle], key: str, rng: random.Random) -> None:
    """A synthetic state: its ministries, law, funding guidelines and programmes, and its editors."""
    for t in f.values():
        t.prefixes(state_prefixes(key))
    name = f"Synthetisches Land {key}"
    src = "stdoc:portal"
    f["municipality"].add(
        "st:land",
        ("a", "pg:Municipality"),
        ("rdfs:label", de_en(name, f"Synthetic state {key}")),
        ("pg:ags", lit(key)),
        ("dcterms:description", SYNTHETIC),
        ("dcterms:source", src),
    )
    for slug, de, en in [
        ("sozialministerium", "Sozialministerium", "Social ministry"),
        ("landesamt", "Landesamt für Soziales", "State social office"),
        ("agrarministerium", "Agrarministerium", "Agriculture ministry"),
    ]:
        f["actors"].add(
            f"storg:{slug}",
            ("a", "pg:PublicAuthority"),
            ("rdfs:label", de_en(f"{de} ({name})", f"{en} (synthetic state {key})")),
            ("org:subOrganizationOf", "st:land"),
            ("dcterms:source", src),
        )
    f["actors"].add(
        "storg:redaktion",
        ("a", ["org:Organization", "prov:Agent"]),
        ("rdfs:label", de_en(f"Synthetische Redaktion {key}", f"Synthetic editors {key}")),
        ("dcterms:source", src),
    )
    d = f["documents"]
    d.add(
        src,
        ("a", "pg:WebPage"),
        ("rdfs:label", de_en(f"Portal des Landes {key}", f"Portal of state {key}")),
        ("dcterms:publisher", "st:land"),
        ("dcterms:source", src),
    )
    d.add(
        "stdoc:pflegegesetz",
        ("a", "pg:Law"),
        ("rdfs:label", de_en(f"Pflegegesetz {key}", f"Care act {key}")),
        ("schema:legislationIdentifier", lit(f"PflG-{key}")),
        ("dcterms:source", "stdoc:pflegegesetz"),
    )
    for n in (3, 4):
        d.add(
            f"stdoc:pflegegesetz-{n}",
            ("a", "pg:LegalProvision"),
            ("rdfs:label", de_en(f"§ {n} Pflegegesetz {key}", f"§ {n} care act {key}")),
            ("dcterms:isPartOf", "stdoc:pflegegesetz"),
            ("dcterms:source", "stdoc:pflegegesetz"),
            ("pg:verificationStatus", "pgv:unverified" if n == 4 else "pgv:verified"),
            (
                "skos:editorialNote",
                de_en("Wortlaut nicht verifiziert.", "Wording unverified.") if n == 4 else None,
            ),
        )
    programmes = [
        ("wohnen-pflege", "Wohnen und Pflege im Alter", "Housing and care in old age", "sozialministerium"),
        ("laendliche-entwicklung", "Ländliche Entwicklung", "Rural development", "agrarministerium"),
        ("modellprogramm", "Modellprogramm Pflege", "Care model programme", "sozialministerium"),
    ]
    for slug, de, en, op in programmes:
        start = rng.randint(2015, 2026)
        d.add(
            f"stdoc:rl-{slug}",
            ("a", "pg:FundingGuideline"),
            ("rdfs:label", de_en(f"Richtlinie {de} ({key})", f"Guideline {en} ({key})")),
            ("dcterms:publisher", f"storg:{op}"),
            ("schema:validFrom", date(f"{start}-01-01")),
            ("schema:validThrough", date(f"{start + rng.randint(4, 7)}-12-31")),
            ("dcterms:spatial", "st:land"),
            ("dcterms:source", f"stdoc:rl-{slug}"),
        )
        rules = [f"stfp:{slug}-quote-{i}" for i in range(rng.randint(1, 2))]
        f["funding"].add(
            f"stfp:{slug}",
            ("a", "pg:FundingProgramme"),
            ("rdfs:label", de_en(f"{de} ({key})", f"{en} ({key})")),
            ("pg:operator", f"storg:{op}"),
            ("pg:grantingBody", "storg:landesamt"),
            ("pg:legalBasis", "stdoc:pflegegesetz-4" if slug == "modellprogramm" else f"stdoc:rl-{slug}"),
            ("pg:maxGrantAmount", f"{rng.randint(5, 50) * 10000}.0"),
            ("pg:hasFundingShareRule", rules),
            ("pg:requiresOwnContribution", "true"),
            ("pg:examinationStatus", "pgv:under-examination"),
            ("dcterms:spatial", "st:land"),
            ("dcterms:source", f"stdoc:rl-{slug}"),
        )
        for i, rule in enumerate(rules):
            share = [50, 80][i]
            f["funding"].add(
                rule,
                ("a", "pg:FundingShareRule"),
                ("pg:maxShare", f"0.{share}"),
                ("rdfs:label", de_en(f"Förderquote bis {share} %", f"Funding share up to {share} %")),
                (
                    "pg:appliesTo",
                    de_en(
                        ["förderfähige Kosten", "Quartiersprojekte"][i],
                        ["eligible costs", "neighbourhood projects"][i],
                    ),
                ),
                ("dcterms:source", f"stdoc:rl-{slug}"),
            )


def write_municipality(f: dict[str, Turtle], key: str, state: str, rng: random.Random) -> dict:
    """One synthetic municipality across all files. Returns a few IRIs the runner can use."""
    for t in f.values():
        t.prefixes(muni_prefixes(key))
    name = f"Beispielkommune {key}"
    stm = "doc:stellungnahme"  # the main source, as the administration statement is for Braunschweig
    y0 = rng.randint(2012, 2024)
    # --- municipality --------------------------------------------------------------------------
    f["municipality"].add(
        "m:kommune",
        ("a", "pg:Municipality"),
        ("rdfs:label", de_en(f"{name} (synthetisch)", f"Sample municipality {key} (synthetic)")),
        ("pg:ags", lit(key)),
        ("dcterms:isPartOf", "st:land"),
        ("dcterms:description", SYNTHETIC),
        ("pg:councilInformationSystem", "m:ratsinfo"),
        ("dcterms:source", "doc:ratsinfo-web"),
    )
    f["municipality"].add(
        "m:ratsinfo",
        ("a", "pg:InformationSystem"),
        ("rdfs:label", de_en(f"Ratsinformationssystem {name}", f"Council information system {key}")),
        ("schema:name", lit(rng.choice(["ALLRIS", "SessionNet", "Mandatos"]))),
        ("dcterms:spatial", "m:kommune"),
        ("dcterms:source", "doc:ratsinfo-web"),
    )
    f["municipality"].add(
        "m:stmt-software",
        ("a", "rdf:Statement"),
        (
            "rdfs:label",
            de_en(
                "Software des Ratsinformationssystems (nicht verifiziert)",
                "Software of the council information system (unverified)",
            ),
        ),
        ("rdf:subject", "m:ratsinfo"),
        ("rdf:predicate", "pg:apiStandard"),
        ("rdf:object", lit("OParl 1.1")),
        ("pg:verificationStatus", "pgv:unverified"),
        ("skos:editorialNote", de_en("Vermutet, nicht geprüft.", "Assumed, not checked.")),
        ("dcterms:source", "doc:ratsinfo-web"),
    )
    # --- actors -----------------------------------------------------------------------------------
    a = f["actors"]
    units = [
        ("verwaltung", "org:OrganizationalUnit", "Verwaltung", "Administration"),
        ("sozialamt", "org:OrganizationalUnit", "Sozialamt", "Social affairs office"),
        ("seniorenbuero", "org:Organization", "Seniorenbüro", "Seniors' office"),
        ("rat", "pg:Council", "Rat", "Council"),
        ("ausschuss", "pg:Committee", "Sozialausschuss", "Social affairs committee"),
        ("pflegekonferenz", "pg:CareConference", "Pflegekonferenz", "Care conference"),
        ("steuerungsgruppe", "pg:SteeringGroup", "Steuerungsgruppe", "Steering group"),
        ("arbeitskreis", "pg:WorkingGroup", "Arbeitskreis Quartier", "Neighbourhood working group"),
        ("wohlfahrt", "org:Organization", "Freie Wohlfahrtspflege", "Welfare organisations"),
        ("agentur", "org:FormalOrganization", "Planungsagentur", "Planning agency"),
    ]
    parties = rng.sample(["a", "b", "c", "d", "e", "f"], rng.randint(3, 5))
    units += [
        (f"fraktion-{p}", "pg:CouncilGroup", f"Fraktion {p.upper()}", f"Group {p.upper()}") for p in parties
    ]
    for slug, kind, de, en in units:
        parent = (
            "org:unitOf" if kind == "org:OrganizationalUnit" else "org:subOrganizationOf",
            "ak:rat"
            if slug.startswith("fraktion")
            else "m:kommune"
            if slug in ("verwaltung", "sozialamt", "rat")
            else None,
        )
        a.add(
            f"ak:{slug}",
            ("a", kind),
            ("rdfs:label", de_en(f"{de} {name}", f"{en} {key}")),
            parent,
            ("pg:hasFocus", "ms:personalmangel" if slug == "sozialamt" else None),
            ("pg:memberFrom", ["ak:sozialamt", "ak:wohlfahrt"] if slug == "arbeitskreis" else None),
            ("dcterms:spatial", "m:kommune"),
            ("dcterms:source", stm),
        )
    # --- documents --------------------------------------------------------------------------------
    d = f["documents"]
    yy = y0 % 100
    papers = [("antrag", "pg:Motion", "Antrag", "Motion", f"{yy}-{rng.randint(10000, 29999)}")]
    papers.append(
        ("stellungnahme", "pg:AdministrationStatement", "Stellungnahme", "Statement", papers[0][4] + "-01")
    )
    papers.append(("aenderungsantrag", "pg:Amendment", "Änderungsantrag", "Amendment", papers[0][4] + "-02"))
    papers += [
        (f"mitteilung-{i}", "pg:Notice", "Mitteilung", "Notice", f"{yy}-{rng.randint(10000, 29999)}")
        for i in range(rng.randint(1, 4))
    ]
    papers += [
        (f"antrag-{i}", "pg:Motion", "Antrag", "Motion", f"{yy + 1}-{rng.randint(10000, 29999)}")
        for i in range(rng.randint(1, 4))
    ]
    for slug, kind, de, en, number in papers:
        d.add(
            f"doc:{slug}",
            ("a", kind),
            ("rdfs:label", de_en(f"{de} DS {number}", f"{en} DS {number}")),
            ("pg:paperNumber", lit(number)),
            (
                "dcterms:creator",
                [f"ak:fraktion-{p}" for p in parties[:2]] if kind == "pg:Motion" else "ak:verwaltung",
            ),
            ("dcterms:date", date(f"{y0}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")),
            ("pg:respondsTo", "doc:antrag" if slug == "stellungnahme" else None),
            ("dcterms:replaces", "doc:antrag" if slug == "aenderungsantrag" else None),
            ("dcterms:spatial", "m:kommune"),
            ("dcterms:source", [f"doc:{slug}", "doc:ratsinfo-web"]),
        )
    for slug, kind, de, en in [
        ("ergebnispapier", "pg:ResultsPaper", "Ergebnispapier", "Results paper"),
        ("pflegebericht", "pg:CareReport", "Pflegebericht", "Care report"),
        ("umsetzungsplan", "pg:ImplementationPlan", "Umsetzungsplan", "Implementation plan"),
        ("fruehere-planung", "pg:CarePlan", "Frühere Planung", "Earlier plan"),
    ]:
        d.add(
            f"doc:{slug}",
            ("a", kind),
            ("rdfs:label", de_en(f"{de} {name}", f"{en} {key}")),
            ("dcterms:creator", "ak:arbeitskreis" if slug == "ergebnispapier" else "ak:sozialamt"),
            ("dcterms:issued", year(y0 - 15 if slug == "fruehere-planung" else y0 + 1)),
            ("pg:legalBasis", "stdoc:pflegegesetz-3" if slug == "pflegebericht" else None),
            ("pg:reportsFigure", "zg:figure-65plus" if slug == "pflegebericht" else None),
            ("dcterms:spatial", "m:kommune"),
            ("dcterms:source", stm),
        )
    for slug, kind, de in [
        ("ratsinfo-web", "pg:WebPage", "Ratsinformationssystem (Webauftritt)"),
        ("pressemitteilung", "pg:PressRelease", "Pressemitteilung zur Pflegeplanung"),
        ("zeitungsartikel", "pg:PressArticle", "Zeitungsartikel zum ISEK"),
    ]:
        d.add(
            f"doc:{slug}",
            ("a", kind),
            ("rdfs:label", de_en(f"{de}, {name}", f"{de}, {key}")),
            ("dcterms:publisher", "m:kommune"),
            ("dcterms:issued", year(y0)),
            ("dcterms:source", f"doc:{slug}"),
        )
    hf, groups = write_plan(f, rng, name, key, stm, y0)
    write_measures(f, rng, name, hf, groups, stm, y0)
    write_isek(f, rng, name, key, hf, stm, state)
    return {"key": key, "action_field": hf[0].replace("hf:", muni_prefixes(key)["hf"])}
