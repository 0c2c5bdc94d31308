"""The warm-up before the service takes requests: every page without parameters is opened once,
so the server workers start with the label and search indexes and the pages' answers cached."""

from __future__ import annotations

import gc
import json
import urllib.request

from pflegegraph.web import create_app
from pflegegraph.web.warmup import page_urls, warm
from servers import clean_env, pflegegraph_service


def test_warm_opens_every_page_and_later_visits_are_cache_hits(settings, store):
    app = create_app(settings.replace(result_cache_mb=8), store=store)
    runner = app.extensions["pflegegraph.runner"]
    try:
        urls = page_urls(app)
        assert {"/", "/views/isek", "/views/timeline", "/queries/isek-cross-reference",
                "/queries/timeline"} <= set(urls)
        assert "/queries/provenance" not in urls  # needs a parameter without a default
        warmed = warm(app)
        assert gc.get_freeze_count() > 0  # what the warm-up built is out of the collector's scans
        gc.unfreeze()  # (the rest of the test session is not a server about to fork)
        assert warmed.pages == len(urls) and warmed.failed == [] and warmed.skipped == []
        assert runner.entries >= 10 and "pflegegraph.browse" in app.extensions
        hits, misses = runner.hits, runner.misses
        page = app.test_client().get("/views/timeline")
        assert "Zeitleiste" in page.get_data(as_text=True)
        assert runner.hits > hits and runner.misses == misses
    finally:
        runner.stop()


def test_warm_pages_off_warms_nothing(settings, store):
    app = create_app(settings.replace(warm_pages=False), store=store)
    try:
        assert warm(app) is None
        assert app.extensions["pflegegraph.runner"].entries == 0
    finally:
        app.extensions["pflegegraph.runner"].stop()


def _cached_answers(url: str) -> int:
    with urllib.request.urlopen(url + "/health", timeout=10) as response:  # noqa: S310 - loopback
        return json.loads(response.read())["result_cache"]["answers"]


def test_served_workers_start_with_the_answers_of_the_warm_up(tmp_path):
    with pflegegraph_service(tmp_path) as url:
        # /health runs one query of its own; every other answer came with the fork
        assert _cached_answers(url) >= 10
        log = next(tmp_path.glob("serve-*.log")).read_text()
        assert "pages in" in log and "to warm the indexes and the result cache" in log
        assert "not cached" not in log
    with pflegegraph_service(tmp_path, env=clean_env(PFLEGEGRAPH_WARM_PAGES="false")) as url:
        assert _cached_answers(url) <= 1


def test_a_slow_graph_does_not_hold_up_the_start(settings, store, monkeypatch):
    """Queries stopped early during the warm-up leave their pages uncached (and listed), the
    deadline is the setting again afterwards, and past the time budget no page is opened."""
    from pflegegraph.web import warmup

    app = create_app(settings.replace(result_cache_mb=8), store=store)
    runner = app.extensions["pflegegraph.runner"]
    try:
        monkeypatch.setattr(warmup, "QUERY_SECONDS", 0.0001)
        warmed = warm(app)
        gc.unfreeze()
        assert "/views/isek (503)" in warmed.failed and "/queries/timeline (503)" in warmed.failed
        assert runner.timeout == settings.query_timeout
        assert warmed.skipped == []
        monkeypatch.setattr(warmup, "BUDGET_SECONDS", 0.0)
        warmed = warm(app)
        gc.unfreeze()
        assert warmed.pages == 0 and warmed.skipped == page_urls(app)
    finally:
        runner.stop()
