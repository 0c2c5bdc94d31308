"""/validate: the SHACL report of the loaded graph, grouped by shape, linked to the focus nodes."""

from __future__ import annotations

import shutil

import pytest

from pflegegraph.settings import Settings
from pflegegraph.store import GraphStore
from shipped import DATA, ONTOLOGY, QUERIES, SHAPES


def test_shipped_graph_is_reported_clean(client):
    text = client.get("/validate").get_data(as_text=True)
    assert "In Ordnung: der Graph erfüllt alle Regeln." in text
    assert "<strong>0</strong> Verstöße" in text


@pytest.fixture(scope="module")
def broken_client(tmp_path_factory):
    from pflegegraph.web import create_app

    folder = tmp_path_factory.mktemp("data") / "braunschweig"
    shutil.copytree(DATA, folder)
    plan = folder / "plan.ttl"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        'pg:statedPriority "2" ; pg:priorityHorizon pgv:medium-term ;',
        'pg:statedPriority "bald" ; pg:priorityHorizon pgv:medium-term ;'), encoding="utf-8")
    settings = Settings.load({"data": [folder], "ontology": ONTOLOGY, "shapes": SHAPES, "queries": QUERIES},
                             environ={})
    app = create_app(settings, store=GraphStore.from_settings(settings))
    app.config.update(TESTING=True)
    return app.test_client()


def test_a_violation_is_shown_with_its_focus_node_path_and_message(broken_client):
    text = broken_client.get("/validate?lang=en").get_data(as_text=True)
    assert "violations" in text and "<strong>0</strong> violations" not in text
    assert 'href="/id/03101000/handlungsfeld/entlastung-von-angehoerigen?lang=en"' in text
    assert "<code>pg:statedPriority</code>" in text
    assert "&#34;bald&#34;" in text or "&quot;bald&quot;" in text
    report = broken_client.get("/validate?format=json").get_json()
    assert report["conforms"] is False
    hits = [r for r in report["results"]
            if r["focusNode"]["value"].endswith("/handlungsfeld/entlastung-von-angehoerigen")]
    assert {(r["path"], r["severity"]) for r in hits} >= {("pg:statedPriority", "violation")}
