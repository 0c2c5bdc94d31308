"""Every fact of FACTS.md's seed section (the administration statement on DS 24-22983) is asked
for here, as a SPARQL ASK on the shipped graph. One test case per fact."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

PREFIXES = """
PREFIX pg:      <https://w3id.org/pflegegraph/def#>
PREFIX pgv:     <https://w3id.org/pflegegraph/vocab/>
PREFIX bs:      <https://w3id.org/pflegegraph/id/03101000/>
PREFIX bshf:    <https://w3id.org/pflegegraph/id/03101000/handlungsfeld/>
PREFIX bsm:     <https://w3id.org/pflegegraph/id/03101000/massnahme/>
PREFIX bsdoc:   <https://w3id.org/pflegegraph/id/03101000/dokument/>
PREFIX bsorg:   <https://w3id.org/pflegegraph/id/03101000/akteur/>
PREFIX bsev:    <https://w3id.org/pflegegraph/id/03101000/termin/>
PREFIX ndsfp:   <https://w3id.org/pflegegraph/id/03/foerderprogramm/>
PREFIX dedoc:   <https://w3id.org/pflegegraph/id/de/dokument/>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX schema:  <https://schema.org/>
"""

SEED = "bsdoc:ds-24-22983-01"

FACTS = {
    "motion by SPD and Greens, dated 19.01.2024": f"""
        bsdoc:ds-24-22983 a pg:Motion ; pg:paperNumber "24-22983" ;
            dcterms:creator bsorg:fraktion-spd , bsorg:fraktion-gruene ;
            dcterms:date "2024-01-19"^^xsd:date ; dcterms:source {SEED} .""",
    "the statement answers the motion": f"""
        {SEED} a pg:AdministrationStatement ; pg:respondsTo bsdoc:ds-24-22983 ; pg:paperNumber "24-22983-01" .""",
    "care conference of 15.03.2023 commissioned the working group": f"""
        bsev:pflegekonferenz-2023-03-15 schema:startDate "2023-03-15"^^xsd:date ; dcterms:source {SEED} .
        bsorg:arbeitskreis-quartier a pg:WorkingGroup ; pg:commissionedBy bsev:pflegekonferenz-2023-03-15 ;
            rdfs:label ?name .
        FILTER(CONTAINS(STR(?name), "Innovative quartiersorientierte Betreuungs- und Pflegekonzepte – Vision für Braunschweig"))""",
    "working-group members from Sozialreferat and freie Wohlfahrtspflege": """
        bsorg:arbeitskreis-quartier pg:memberFrom bsorg:sozialreferat , bsorg:freie-wohlfahrtspflege .""",
    "working group worked June to November 2023": """
        bsev:arbeitsphase-arbeitskreis-2023 schema:organizer bsorg:arbeitskreis-quartier ;
            schema:startDate "2023-06"^^xsd:gYearMonth ; schema:endDate "2023-11"^^xsd:gYearMonth .""",
    "the working group produced the Ergebnispapier": """
        bsdoc:ergebnispapier a pg:ResultsPaper ; dcterms:creator bsorg:arbeitskreis-quartier .""",
    "the plan calls itself Fahrplan and Arbeitsdokument, p. 78": """
        bsdoc:pflegeplanung-2020-2035 pg:selfDescription "Fahrplan"@de , "Arbeitsdokument"@de ;
            prov:qualifiedDerivation [ prov:entity bsdoc:pflegeplanung-2020-2035 ; pg:page "78" ] .""",
    "some of its themes and measures tie in with the ISEK": """
        bsdoc:pflegeplanung-2020-2035 pg:tiesInWith bsdoc:isek-2030 .""",
    "time priorities 1, 2, 3 and 1 – 3 (Dauerthema)": """
        bsdoc:pflegeplanung-2020-2035 pg:priorityLegend "1 = kurzfristig, 2 = mittelfristig, 3 = langfristig, 1 – 3 Dauerthema"@de .
        pgv:short-term skos:notation "1" ; skos:prefLabel "kurzfristig"@de .
        pgv:medium-term skos:notation "2" ; skos:prefLabel "mittelfristig"@de .
        pgv:long-term skos:notation "3" ; skos:prefLabel "langfristig"@de .
        pgv:ongoing skos:notation "1 – 3" ; skos:prefLabel "Dauerthema"@de .""",
    "cross-cutting theme Öffentlichkeitsarbeit": f"""
        bsdoc:pflegeplanung-2020-2035 pg:hasCrossCuttingTheme ?t .
        ?t a pg:CrossCuttingTheme ; skos:prefLabel "Öffentlichkeitsarbeit"@de ; dcterms:source {SEED} .""",
    "the motion names three model projects, numbered 1 to 3": """
        bsm:gesundheitslotsinnen pg:ordinal 1 ; pg:proposedIn bsdoc:ds-24-22983 .
        bsm:oeffnung-infrastruktur-quartier pg:ordinal 2 ; pg:proposedIn bsdoc:ds-24-22983 .
        bsm:wohn-pflege-gemeinschaften pg:ordinal 3 ; pg:proposedIn bsdoc:ds-24-22983 .
        bsm:wohn-pflege-gemeinschaften rdfs:label ?l .
        FILTER(CONTAINS(?l, "Wohn-Pflege-Gemeinschaften in bestehenden Gebäuden und Neubauten"))""",
    "the Ergebnispapier already names them": """
        bsm:gesundheitslotsinnen pg:namedIn bsdoc:ergebnispapier ; pg:examinationStatus pgv:already-named .
        bsm:oeffnung-infrastruktur-quartier pg:namedIn bsdoc:ergebnispapier .
        bsm:wohn-pflege-gemeinschaften pg:namedIn bsdoc:ergebnispapier .""",
    "they address many of the action fields (stated without naming them)": """
        bsm:gesundheitslotsinnen skos:note ?n . FILTER(CONTAINS(?n, "Vielzahl der Handlungsfelder"))""",
    "Sozialreferat and Seniorenbüro already work on them": """
        bsm:gesundheitslotsinnen pg:workedOnBy bsorg:sozialreferat , bsorg:seniorenbuero ;
            pg:examinationStatus pgv:in-progress .
        bsm:wohn-pflege-gemeinschaften pg:workedOnBy bsorg:sozialreferat , bsorg:seniorenbuero .""",
    "Sozialreferat focuses on the staff shortage that overlays everything": f"""
        bsorg:sozialreferat pg:hasFocus ?c . ?c a pg:Challenge ; dcterms:source {SEED} ;
            rdfs:label "Personalmangel in der Pflege und im pflegenahen Dienstleistungssektor"@de ; skos:note ?n .
        FILTER(CONTAINS(?n, "alle anderen Punkte"))""",
    "proposals examined by working group, steering group and administration": """
        bsm:pruefung-umsetzung pg:examines bsm:gesundheitslotsinnen ;
            pg:examinedBy bsorg:arbeitskreis-quartier , bsorg:steuerungsgruppe , bsorg:verwaltung .
        bsorg:steuerungsgruppe rdfs:label "Steuerungsgruppe Altenhilfe- und Pflegeplanung"@de .""",
    "funding guidelines under examination: Wohnen und Pflege im Alter, ZILE 2023, § 8 Abs. 3a SGB XI": """
        bsm:pruefung-finanzierung pg:examines ndsfp:wohnen-und-pflege-im-alter , ndsfp:zile-2023 ,
            ndsfp:modellprogramm-sgb-xi-8-3a .
        ndsfp:modellprogramm-sgb-xi-8-3a pg:legalBasis dedoc:sgb-xi-8-3a ; pg:examinationStatus pgv:under-examination .
        dedoc:sgb-xi-8-3a schema:legislationIdentifier "§ 8 Abs. 3 a SGB XI" .""",
    "funding covers only part; the city must contribute its own share": """
        ndsfp:wohnen-und-pflege-im-alter pg:requiresOwnContribution true .
        ndsfp:zile-2023 pg:requiresOwnContribution true .
        ndsfp:modellprogramm-sgb-xi-8-3a pg:requiresOwnContribution true .
        bsm:pruefung-finanzierung skos:note ?n . FILTER(CONTAINS(?n, "Eigenanteil"))""",
    "implementation plan and funding-review result due by the end of 2024": """
        bsev:frist-umsetzungsplan-2024 a pg:Deadline ; pg:dueDate "2024-12-31"^^xsd:date ;
            pg:statedDate "bis Ende 2024"@de ; pg:concerns bsdoc:umsetzungsplan-2025-2030 , bsm:pruefung-finanzierung .""",
    "the implementation plan is expected to run at least until 2030": """
        bsdoc:umsetzungsplan-2025-2030 pg:periodEnd "2030"^^xsd:gYear ; skos:note ?n .
        FILTER(CONTAINS(?n, "mindestens bis 2030"))""",
    "results presented at the care conference on 24.04.2024": """
        bsev:pflegekonferenz-2024-04-24 schema:startDate "2024-04-24"^^xsd:date ;
            pg:concerns bsdoc:ergebnispapier ; pg:eventStatus pgv:scheduled .""",
    "a theme evening of the steering group with the social-policy speakers is being planned": """
        bsev:themenabend-steuerungsgruppe schema:attendee bsorg:steuerungsgruppe , bsorg:sozialpolitische-sprecherinnen ;
            pg:eventStatus pgv:being-planned .""",
    "the working group offers to present to the committee after the care conference": """
        bsev:vorstellung-ergebnispapier-ausschuss schema:organizer bsorg:arbeitskreis-quartier ;
            schema:attendee bsorg:ausschuss-soziales-gesundheit ; pg:eventStatus pgv:offered ;
            pg:followUpOf bsev:pflegekonferenz-2024-04-24 .""",
}

ACTION_FIELDS = [
    ("infrastruktur-mobilitaet", "Infrastruktur/Mobilität", "1"),
    ("beratung-information", "Beratung/Information", "1 – 3"),
    ("teilhabe", "Teilhabe", "1"),
    ("praevention", "Prävention", "1 – 3"),
    ("buergerschaftliches-engagement", "Bürgerschaftliches Engagement", "1 bzw. 1 – 3"),
    ("wohnen", "Wohnen", "1"),
    ("unterstuetzung-im-alltag", "Unterstützung im Alltag", "1"),
    ("betreuung-und-pflege", "Betreuung und Pflege", "1 – 3"),
    ("entlastung-von-angehoerigen", "Entlastung von Angehörigen", "2"),
    ("integrierte-versorgungsangebote", "Integrierte Versorgungsangebote", "2 – 3"),
    ("hospiz-und-palliativversorgung", "Hospiz und Palliativversorgung", "1 bzw. 1 – 3"),
    ("besondere-zielgruppen",
     "besondere Zielgruppen (Migrant:innen, Menschen mit Behinderungen, LSBTIQ*)", "1 – 3"),
    ("digitalisierung", "Digitalisierung", "1 – 3"),
    ("vernetzung", "Vernetzung", "1"),
]


def ask(store, pattern: str) -> bool:
    result = store.query(PREFIXES + "ASK {" + pattern + "}")
    return bool(result.boolean)


@pytest.mark.parametrize("fact", list(FACTS))
def test_seed_fact_is_in_the_graph(store, fact):
    assert ask(store, FACTS[fact]), f"the graph does not state: {fact}"


@pytest.mark.parametrize(("slug", "label", "priority"), ACTION_FIELDS, ids=[a[0] for a in ACTION_FIELDS])
def test_action_field_with_stated_priority(store, slug, label, priority):
    pattern = f"""
        bsdoc:pflegeplanung-2020-2035 pg:hasActionField bshf:{slug} .
        bshf:{slug} a pg:ActionField ; skos:prefLabel ?label ; pg:statedPriority ?p ; dcterms:source {SEED} .
        FILTER(?label = "{label}"@de && STR(?p) = "{priority}")"""
    assert ask(store, pattern)


def test_exactly_fourteen_action_fields(store):
    result = store.query(PREFIXES + "SELECT (COUNT(?f) AS ?n) WHERE { ?f a pg:ActionField }")
    assert result.rows[0]["n"].value == "14"


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML,
                                 ox.RdfFormat.JSON_LD], ids=lambda f: f.name)
def test_stated_priorities_survive_a_round_trip_exactly(store, fmt):
    """Serialise the plan graph, parse it back with another toolkit, and compare the strings."""
    graph = ox.NamedNode("https://w3id.org/pflegegraph/graph/braunschweig/plan")
    triples = [q.triple for q in store.store.quads_for_pattern(None, None, None, graph)]
    text = ox.serialize(triples, format=fmt)
    parsed = rdflib.Graph().parse(data=text, format={"Turtle": "turtle", "N-Triples": "nt",
                                                     "RDF/XML": "xml", "JSON-LD": "json-ld"}[fmt.name])
    stated = {str(o) for o in parsed.objects(None, rdflib.URIRef("https://w3id.org/pflegegraph/def#statedPriority"))}
    assert stated == {"1", "2", "1 – 3", "2 – 3", "1 bzw. 1 – 3"}


def test_short_term_fields_include_shared_values_and_exclude_medium_term(store):
    rows = store.query(PREFIXES + """SELECT ?f WHERE { ?f pg:priorityHorizon pgv:short-term }""").rows
    fields = {r["f"].value.rsplit("/", 1)[1] for r in rows}
    assert "vernetzung" in fields and "buergerschaftliches-engagement" in fields
    assert "entlastung-von-angehoerigen" not in fields
    only_medium = store.query(PREFIXES + """SELECT ?h WHERE { bshf:entlastung-von-angehoerigen pg:priorityHorizon ?h }""")
    assert [r["h"].value for r in only_medium.rows] == ["https://w3id.org/pflegegraph/vocab/medium-term"]
