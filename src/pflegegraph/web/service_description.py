"""The SPARQL 1.1 Service Description of /sparql, answered to a GET without a query."""

from __future__ import annotations

import pyoxigraph as ox

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"

# W3C format IRIs of what /sparql writes.
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def description(endpoint: str, graphs: list[str], union_default: bool,
                limits: dict[str, str]) -> list[ox.Triple]:
    """Triples describing the service at ``endpoint`` over the given named graphs."""
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    out = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(service, ox.NamedNode(DCT + "description"),
                  ox.Literal("pflegegraph SPARQL 1.1 query service (read-only). "
                             + "; ".join(f"{k}: {v}" for k, v in limits.items()), language="en")),
    ]
    if union_default:
        out.append(ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")))
    for name in RESULT_FORMATS:
        out.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for index, iri in enumerate(graphs):
        named = ox.BlankNode(f"graph{index}")
        out += [ox.Triple(dataset, sd("namedGraph"), named),
                ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
                ox.Triple(named, sd("name"), ox.NamedNode(iri))]
    return out
