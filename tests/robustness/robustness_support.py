"""Shared pieces of the robustness suite: the example budget, the case counter and the
invariants every answer must keep (never a 5xx, never a traceback, a plain 4xx message)."""

from __future__ import annotations

import os
import re
from collections import Counter

from hypothesis import HealthCheck, settings

# Quick by default (the whole folder in well under 90 s); PFLEGEGRAPH_FUZZ_EXAMPLES=2000 for the long run.
LONG = int(os.environ.get("PFLEGEGRAPH_FUZZ_EXAMPLES", "0") or 0)

CASES: Counter[str] = Counter()  # cases tried per fuzz target, written out at session end

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
# The only 5xx the service may give: the documented deadline, for a query that ran too long.
DEADLINE = "ran longer than the limit of"
# What a client reads when the engine crashed on its query (a SIGSEGV in the query worker).
ENGINE_CRASH = "the query engine could not run this query"


def budget(quick: int) -> settings:
    """Hypothesis settings: deterministic, ``quick`` examples unless the long run asks for more."""
    return settings(
        max_examples=LONG or quick,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def count(target: str, n: int = 1) -> None:
    CASES[target] += n


def check(response, *, sparql: bool = False, context: object = "") -> None:
    """The invariants of one HTTP answer from the Flask test client."""
    body = response.get_data()
    text = body.decode("utf-8", "replace")
    where = f"{response.status} for {context!r}: {text[:300]!r}"
    if ENGINE_CRASH in text:  # allowed (a 400, the worker is replaced), but worth knowing
        count("engine crashed on the query: 400, worker replaced")
    head = getattr(getattr(response, "request", None), "method", "") == "HEAD"  # no body by definition
    if response.status_code >= 500:
        assert response.status_code == 503 and (head or DEADLINE in text), where
    assert not TRACEBACK.search(text), where
    if 400 <= response.status_code < 600 and not head:
        assert text.strip(), where
        if sparql:
            assert response.mimetype == "text/plain", where
            assert len(text.strip().splitlines()) <= 3, where  # one plain sentence, not a dump
    assert "root:x:0:0" not in text, where  # path traversal never reads /etc/passwd


def still_answers(client) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {}"},
        # past the result cache: a query worker must answer
        headers={"Accept": "application/sparql-results+json", "Cache-Control": "no-cache"},
    )
    assert response.status_code == 200 and b'"boolean": true' in response.get_data()
