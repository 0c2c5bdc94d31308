"""Pushing the loaded graph to a remote store, replacing what was there, all or nothing.

With SPARQL 1.1 Update (the default), the triples first go to a staging graph per target graph
in batches of INSERT DATA; only when every batch has arrived does one update request replace
each target graph by its staging graph (DROP + MOVE). Until then the previous content is
untouched: a failure while loading (the store refuses a batch, goes away, the connection breaks)
leaves it intact on any store. The staging graphs are then dropped; if the store is gone and
they cannot be, the message names them, and the next push of the same graphs drops them first.
The final request is atomic on stores that run one update request as one transaction (Oxigraph,
Fuseki/TDB2, Virtuoso in its default mode): if it fails, every target graph holds either its
previous or its new content, complete.

With the Graph Store Protocol, each graph is sent in one ``PUT``, which Oxigraph applies as one
transaction; graphs are replaced one after the other.

Pushing twice gives the same graphs and the same counts: a push replaces, it never adds.
Triples that share a blank node travel in the same request, so the blank node stays one node.
"""

from __future__ import annotations

import base64
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from pflegegraph.errors import EXIT_REMOTE, PflegegraphError
from pflegegraph.remote import RemoteStore, connection_failure

STAGING = "urn:x-pflegegraph:staging:"
BATCH_TRIPLES = 2000


class PushFailed(PflegegraphError):
    """The push stopped part-way; the message says what state the store is left in."""

    exit_code = EXIT_REMOTE


@dataclass
class GraphPush:
    graph: str
    sent: int
    before: int | None = None
    after: int | None = None


@dataclass
class PushReport:
    method: str
    graphs: list[GraphPush] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(g.sent for g in self.graphs)

    @property
    def stored(self) -> int:
        return sum(g.after or 0 for g in self.graphs)


def _iri(iri: str) -> str:
    """An IRI as SPARQL text; pyoxigraph refuses anything that is not a valid IRI."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        raise PflegegraphError(f"{iri!r} is not a valid IRI: {exc}") from None


def staging_graph(graph: str) -> str:
    return STAGING + urllib.parse.quote(graph, safe="")


def _components(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Groups of triples such that triples sharing a blank node are in one group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in triples:
        nodes = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
    groups: dict[str, list[ox.Triple]] = {}
    plain: list[list[ox.Triple]] = []
    for t in triples:
        node = next((n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)), None)
        if node is None:
            plain.append([t])
        else:
            groups.setdefault(find(node), []).append(t)
    return plain + list(groups.values())


def batches(triples: list[ox.Triple], size: int = BATCH_TRIPLES) -> Iterable[list[ox.Triple]]:
    batch: list[ox.Triple] = []
    for group in _components(triples):
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _ntriples(triples: list[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _insert(graph: str, triples: list[ox.Triple]) -> str:
    """INSERT DATA, or, when blank nodes are present, INSERT ... WHERE {} (Virtuoso refuses
    blank nodes in INSERT DATA; in a template they become one fresh node each, per request)."""
    body = f"GRAPH {_iri(graph)} {{\n{_ntriples(triples)}}}"
    has_bnode = any(isinstance(n, ox.BlankNode) for t in triples for n in (t.subject, t.object))
    return f"INSERT {{ {body} }} WHERE {{ }}" if has_bnode else f"INSERT DATA {{ {body} }}"


def push_update(remote: RemoteStore, graphs: dict[str, list[ox.Triple]],
                batch_size: int = BATCH_TRIPLES) -> PushReport:
    """Load ``graphs`` (target IRI -> triples) with SPARQL Update, staging first."""
    started = time.perf_counter()
    report = PushReport("SPARQL 1.1 Update")
    report.graphs = _before(remote, graphs)
    stage = "preparing the staging graphs"
    touched: list[str] = []  # graphs whose staging graph may hold triples of this push
    try:
        for graph in graphs:
            remote.update(f"DROP SILENT GRAPH {_iri(staging_graph(graph))}")
            report.requests += 1
        for graph, triples in graphs.items():
            parts = list(batches(triples, batch_size))
            touched.append(graph)
            for number, batch in enumerate(parts, 1):
                stage = f"loading <{graph}> (request {number} of {len(parts)})"
                remote.update(_insert(staging_graph(graph), batch))
                report.requests += 1
    except PflegegraphError as exc:
        left = _drop_staging(remote, touched)
        raise PushFailed(f"the push failed while {stage}: {exc.message}. Nothing was replaced: "
                         "the previous content of every target graph is unchanged. "
                         f"{_staging_note(left)}") from None
    swap = " ;\n".join(f"DROP SILENT GRAPH {_iri(g)} ;\n"
                       f"MOVE SILENT GRAPH {_iri(staging_graph(g))} TO GRAPH {_iri(g)}" for g in graphs)
    try:
        remote.update(swap)
        report.requests += 1
    except PflegegraphError as exc:
        left = _drop_staging(remote, graphs)
        raise PushFailed("the final request, which replaces the target graphs with the new "
                         f"content, failed: {exc.message}. On stores that run one update request "
                         "as one transaction (Oxigraph, Fuseki, Virtuoso) every target graph holds "
                         "either its previous content or the new one, each complete, never a mix; "
                         f"push again to be sure it is the new one. {_staging_note(left)}") from None
    _after(remote, report)
    report.seconds = time.perf_counter() - started
    return report


def _before(remote: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> list[GraphPush]:
    try:
        return [GraphPush(graph, len(triples), before=remote.count(graph))
                for graph, triples in graphs.items()]
    except PflegegraphError as exc:
        raise PushFailed(f"the push did not start: {exc.message}. Nothing was sent, and the store "
                         "is unchanged.") from None


def _after(remote: RemoteStore, report: PushReport) -> None:
    remote.forget_graphs()
    try:
        for item in report.graphs:
            item.after = remote.count(item.graph)
    except PflegegraphError as exc:
        raise PushFailed("the graphs were replaced (the store confirmed every request), but "
                         f"counting them afterwards failed: {exc.message}. Push again to see "
                         "the counts.") from None


def _drop_staging(remote: RemoteStore, graphs: Iterable[str]) -> list[str]:
    """Remove the staging graphs; the ones that could not be removed (store gone, say)."""
    left = []
    for graph in graphs:
        try:
            remote.update(f"DROP SILENT GRAPH {_iri(staging_graph(graph))}")
        except PflegegraphError:
            left.append(staging_graph(graph))
    return left


def _staging_note(left: list[str]) -> str:
    if not left:
        return "No staging graph is left behind."
    names = ", ".join(f"<{g}>" for g in left)
    return (f"The staging graphs could not be removed, and may hold part of the new content: "
            f"{names}. Where the default graph is the union of all graphs (Oxigraph "
            "--union-default-graph, Virtuoso), queries see them until they are gone: the next "
            "push of the same graphs removes them first, or remove them with "
            "DROP SILENT GRAPH <IRI>.")


def push_gsp(remote: RemoteStore, gsp_endpoint: str, graphs: dict[str, list[ox.Triple]]) -> PushReport:
    """Replace each graph with one Graph Store Protocol PUT (applied as a whole by the store)."""
    if not gsp_endpoint.startswith(("http://", "https://")):
        raise PflegegraphError(f"the Graph Store endpoint must be an http(s) URL, got {gsp_endpoint!r}")
    started = time.perf_counter()
    report = PushReport("Graph Store Protocol")
    report.graphs = _before(remote, graphs)
    done: list[str] = []
    for graph, triples in graphs.items():
        url = gsp_endpoint + ("&" if "?" in gsp_endpoint else "?") + urllib.parse.urlencode({"graph": graph})
        request = urllib.request.Request(url, data=_ntriples(triples).encode("utf-8"), method="PUT",  # noqa: S310
                                         headers={"Content-Type": "application/n-triples"})
        if remote.user:
            token = base64.b64encode(f"{remote.user}:{remote.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=max(60, remote.timeout)) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            _gsp_failed(graph, done, f"{gsp_endpoint} answered {exc.code}: "
                                     f"{exc.read().decode('utf-8', 'replace')[:500]}")
        except urllib.error.URLError as exc:
            _gsp_failed(graph, done, connection_failure(gsp_endpoint, exc.reason).message)
        except (OSError, http.client.HTTPException) as exc:
            _gsp_failed(graph, done, connection_failure(gsp_endpoint, exc).message)
        report.requests += 1
        done.append(graph)
    _after(remote, report)
    report.seconds = time.perf_counter() - started
    return report


def _gsp_failed(graph: str, done: list[str], reason: str) -> None:
    replaced = ", ".join(f"<{g}>" for g in done) or "none"
    raise PushFailed(f"the PUT of <{graph}> failed: {reason}. On stores that apply a PUT as one "
                     f"transaction (Oxigraph does) that graph is unchanged; graphs already "
                     f"replaced: {replaced}. Push again.")


def graphs_to_push(store, graph: str | None) -> dict[str, list[ox.Triple]]:
    """Target graph IRI -> triples: every source file to its own graph, or all into ``graph``."""
    if graph is None:
        return {f.graph.value: store.triples_of(f.graph) for f in store.files}
    _iri(graph)  # refuses an invalid IRI
    merged: dict[ox.Triple, None] = {}
    for f in store.files:
        merged.update(dict.fromkeys(store.triples_of(f.graph)))
    return {graph: list(merged)}
