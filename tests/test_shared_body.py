"""Whole answers come from the query worker through a shared memory region (sharedbody.py): the
bytes are the engine's own, a body larger than the region still arrives whole through the
socket, and an answer stays intact when its worker has already written the next one."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pflegegraph.execution import QueryRequest, WorkerPool, answer, sharedbody
from pflegegraph.execution.core import head_answer
from pflegegraph.execution.sharedbody import SharedBody

SMALL = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> } ORDER BY ?f"
OTHER = "SELECT ?f ?type WHERE { ?f a ?type, <https://w3id.org/pflegegraph/def#ActionField> }"
LARGE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 1500"

pytestmark = pytest.mark.skipif(SharedBody.create(16) is None, reason="no memfd on this system")


def engine_json(store, query: str) -> bytes:
    return store.store.query(query, use_default_graph_as_union=True).serialize(
        format=ox.QueryResultsFormat.JSON)


def test_a_body_that_fits_is_passed_in_the_region(store):
    region = SharedBody.create(1 << 20)
    try:
        messages = list(answer(store, QueryRequest(SMALL, accept=("json",)), region))
        assert [m[0] for m in messages] == ["shared"]
        assert region.take(messages[0][-1]) == engine_json(store, SMALL)
        whole = head_answer(iter(messages), shared=region)
        assert (whole.length, b"".join(whole.chunks)) == (messages[0][-1], engine_json(store, SMALL))
    finally:
        region.close()


def test_a_body_larger_than_the_region_comes_whole_through_the_socket(store):
    region = SharedBody.create(4096)
    try:
        expected = engine_json(store, LARGE)
        assert len(expected) > 4096
        messages = list(answer(store, QueryRequest(LARGE, accept=("json",)), region))
        assert [m[0] for m in messages] == ["whole"]
        assert messages[0][-1] == expected
    finally:
        region.close()


def test_a_length_past_the_region_is_refused(store):
    region = SharedBody.create(4096)
    try:
        with pytest.raises(ValueError, match="does not fit"):
            region.take(4097)
    finally:
        region.close()


@pytest.fixture()
def one_worker(store, monkeypatch):
    """A pool of one worker whose region holds the small answer but not the large one."""
    small, large = len(engine_json(store, SMALL)), len(engine_json(store, LARGE))
    monkeypatch.setattr(sharedbody, "SIZE", (small + large) // 2)
    pool = WorkerPool(store, size=1, max_size=1, timeout=30)
    pool.start()
    yield pool
    pool.stop()


def test_answers_through_the_pool_are_the_engines_bytes_both_ways(store, one_worker):
    for query in (SMALL, LARGE, SMALL, LARGE):
        got = one_worker.run(QueryRequest(query, accept=("json",)))
        assert b"".join(got.chunks) == engine_json(store, query)


def test_an_answer_read_after_its_worker_wrote_the_next_one_is_intact(store, one_worker):
    """The region is copied out before the worker is free again: the first answer's body is
    read only after the same worker has written another answer into the region."""
    first = one_worker.run(QueryRequest(SMALL, accept=("json",)))
    other = one_worker.run(QueryRequest(OTHER, accept=("tsv",)))
    assert b"".join(other.chunks).startswith(b"?f\t?type\n")
    assert b"".join(first.chunks) == engine_json(store, SMALL)


GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(("query", "fmt"), [("ASK { ?s ?p ?o }", "xml"), (GRAPH, "turtle")])
def test_ask_and_construct_answers_come_whole_with_their_length(store, query, fmt):
    """Not only SELECT: a written ASK or CONSTRUCT answer is one message, so it goes out with
    its Content-Length instead of in chunks."""
    region = SharedBody.create(1 << 22)
    try:
        messages = list(answer(store, QueryRequest(query, accept=(fmt,)), region))
        assert [m[0] for m in messages] == ["shared"]
        got = head_answer(iter(messages), shared=region)
        body = b"".join(got.chunks)
        assert got.length == len(body) and got.fmt == fmt
        if fmt == "turtle":
            parsed = ox.Store()
            parsed.load(body, format=ox.RdfFormat.TURTLE)
            triples = {(q.subject, q.predicate, q.object)
                       for q in store.store.quads_for_pattern(None, None, None)}
            assert len(parsed) == len(triples)
        else:
            assert b"<boolean>true</boolean>" in body
    finally:
        region.close()


def test_a_graph_answer_past_the_whole_limit_is_streamed_in_its_pieces(store, monkeypatch):
    from pflegegraph.execution import core

    small = b"".join(m[-1] for m in answer(store, QueryRequest(GRAPH, accept=("ntriples",))))
    monkeypatch.setattr(core, "WHOLE_MAX", len(small) // 3)
    messages = list(answer(store, QueryRequest(GRAPH, accept=("ntriples",))))
    kinds = [m[0] for m in messages]
    assert kinds[0] == "head" and kinds[-1] == "end" and set(kinds[1:-1]) == {"chunk"}
    assert b"".join(m[1] for m in messages[1:-1]) == small
    streamed = head_answer(iter(messages))
    assert streamed.length is None  # sent in chunks: the length is not known up front
    assert b"".join(streamed.chunks) == small
