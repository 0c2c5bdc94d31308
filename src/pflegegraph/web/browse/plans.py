"""The plan a domain view is about.

The views (action fields, ISEK matrix, timeline, target groups) show one care plan: a
``pg:CarePlan`` with action fields. With one such plan in the graph (the shipped Braunschweig
graph) nothing needs choosing: the views run the named queries over the whole graph, as they
always did, and their URLs carry no plan. With several (many municipalities, as in the benchmark
graphs) a view shows one plan, named in its URL as ``?plan=<IRI>``, and runs the per-plan
variant of its query (``plan-isek-cross-reference`` and so on) with the plan bound; without a
plan it asks which one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, request

from pflegegraph.errors import PflegegraphError
from pflegegraph.labels import PG
from pflegegraph.namespaces import expand
from pflegegraph.web.browse import common

PLANS = f"SELECT DISTINCT ?plan WHERE {{ ?plan a <{PG}CarePlan> ; <{PG}hasActionField> ?field }}"


@dataclass(frozen=True)
class Choice:
    """The plan of a request: ``iri`` None and ``scoped`` False means the whole graph."""

    iri: str | None
    scoped: bool  # the URL names the plan and the per-plan queries run
    plans: tuple[str, ...]

    @property
    def needs_choice(self) -> bool:
        return self.iri is None and len(self.plans) > 1

    def args(self) -> dict[str, str]:
        return {"plan": self.iri} if self.scoped and self.iri else {}


class UnknownPlan(Exception):
    def __init__(self, given: str):
        super().__init__(given)
        self.given = given


def all_plans() -> tuple[str, ...]:
    """The IRIs of the plans with action fields, read once per set of indexes."""
    state = common.state()
    cached = current_app.extensions.get("pflegegraph.plans")
    if cached is not None and cached[0] is state:
        return cached[1]
    rows = common.store().query(PLANS).rows
    plans = tuple(sorted(r["plan"].value for r in rows))
    current_app.extensions["pflegegraph.plans"] = (state, plans)
    return plans


def choice() -> Choice:
    """The plan the request asks for (``?plan=``), the only plan, or none chosen yet.

    Raises UnknownPlan for a ``plan`` that is not one of the plans."""
    plans = all_plans()
    raw = request.args.get("plan", "").strip()[:2000]
    if raw:
        iri = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        if iri not in plans:
            iri = expand(iri, common.state().labels.prefixes) or iri
        if iri not in plans:
            raise UnknownPlan(raw)
        return Choice(iri, len(plans) > 1, plans)
    if len(plans) == 1:
        return Choice(plans[0], False, plans)
    return Choice(None, False, plans)


def options(chosen: str | None = None) -> list[dict]:
    """The plans for a picker, by label."""
    labels = common.state().labels
    lang = common.page_lang()
    items = [{"iri": iri, "label": labels.label(iri, lang), "selected": iri == chosen}
             for iri in all_plans()]
    return sorted(items, key=lambda x: (x["label"].casefold(), x["iri"]))


def keep_plan(url: str) -> str:
    """The URL with the request's ``plan`` argument, so navigation stays with the chosen plan."""
    raw = request.args.get("plan", "").strip()
    if not raw:
        return url
    try:
        if len(all_plans()) < 2:
            return url
    except PflegegraphError:  # the store failed: an error page is being made; links stay plain
        return url
    return url + ("&" if "?" in url else "?") + urlencode({"plan": raw[:2000]})
