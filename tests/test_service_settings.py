"""The service's query limits come from the settings, and a HEAD request costs no query worker."""

from __future__ import annotations

import json

import pytest

from pflegegraph.settings import Settings

SELECT = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> }"
JSON_TYPE = "application/sparql-results+json"


@pytest.fixture(scope="module")
def strict_app(store):
    from pflegegraph.web import create_app

    settings = Settings.load({"query_max_nesting": 3, "query_workers": 1, "query_workers_max": 2},
                             environ={})
    application = create_app(settings, store=store)
    application.config.update(TESTING=True)
    yield application
    application.extensions["pflegegraph.runner"].stop()


def test_nesting_limit_is_the_setting(strict_app):
    client = strict_app.test_client()
    ok = client.get("/sparql", query_string={"query": "ASK { { { ?s ?p ?o } } }"},
                    headers={"Accept": JSON_TYPE})
    assert json.loads(ok.data) == {"head": {}, "boolean": True}
    deep = client.get("/sparql", query_string={"query": "ASK { { { { ?s ?p ?o } } } }"},
                      headers={"Accept": JSON_TYPE})
    assert deep.status_code == 400
    text = deep.get_data(as_text=True)
    assert "nested 4 levels deep" in text and "at most 3" in text


def test_worker_cap_is_the_setting(strict_app):
    pool = strict_app.extensions["pflegegraph.runner"]
    assert (pool.size, pool.max_size) == (1, 2)


@pytest.mark.parametrize(("threads", "standing", "cap"), [(16, 2, 16), (5, 2, 5), (2, 3, 3)])
def test_by_default_a_server_worker_has_a_query_worker_per_thread(store, threads, standing, cap):
    from pflegegraph.web import build_runner

    settings = Settings.load({"threads": threads, "query_workers": standing}, environ={})
    runner = build_runner(settings, store)
    assert (runner.size, runner.max_size) == (standing, cap)


def test_head_sends_no_body_and_keeps_the_worker(strict_app):
    client = strict_app.test_client()
    pool = strict_app.extensions["pflegegraph.runner"]
    before = (pool.killed, pool.lost)
    for _ in range(3):
        head = client.head("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON_TYPE})
        assert head.status_code == 200
        assert head.mimetype == JSON_TYPE and head.data == b""
    assert (pool.killed, pool.lost) == before  # no worker was stopped for an unread answer
    rows = json.loads(client.get("/sparql", query_string={"query": SELECT},
                                 headers={"Accept": JSON_TYPE}).data)["results"]["bindings"]
    assert len(rows) == 14


def test_settings_given_as_text_are_read_like_their_environment_variables(tmp_path):
    import os
    from pathlib import Path

    from pflegegraph.errors import UserError

    settings = Settings.load({"data": f"{tmp_path}/a{os.pathsep}{tmp_path}/b", "port": "8081",
                              "warm_pages": "false", "service_allowlist": "https://a.example/ x"},
                             environ={})
    assert settings.data == [Path(f"{tmp_path}/a"), Path(f"{tmp_path}/b")]
    assert (settings.port, settings.warm_pages) == (8081, False)
    assert settings.service_allowlist == ["https://a.example/", "x"]
    assert settings.replace(row_limit="50").row_limit == 50
    with pytest.raises(UserError, match="setting port='eighty' is not a valid integer"):
        Settings.load({"port": "eighty"}, environ={})
