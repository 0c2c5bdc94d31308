"""Fixtures of the robustness suite: an app with a short deadline and a small body limit, and
the report of cases tried per fuzz target (written to PFLEGEGRAPH_FUZZ_REPORT when set)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from robustness_support import CASES

from pflegegraph.store import GraphStore

FUZZ_TIMEOUT = 3.0
FUZZ_BODY_LIMIT = 65536


@pytest.fixture(scope="session")
def fuzz_settings(settings):
    return settings.replace(
        query_timeout=FUZZ_TIMEOUT, row_limit=500, max_body_bytes=FUZZ_BODY_LIMIT, query_workers=2
    )


@pytest.fixture(scope="session")
def fuzz_app(fuzz_settings, store: GraphStore):
    from pflegegraph.web import create_app

    application = create_app(fuzz_settings, store=store)
    application.config.update(TESTING=True)
    yield application
    application.extensions["pflegegraph.runner"].stop()


@pytest.fixture(scope="session")
def fuzz_client(fuzz_app):
    return fuzz_app.test_client()


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("PFLEGEGRAPH_FUZZ_REPORT")
    if target and CASES:
        Path(target).write_text(json.dumps(dict(sorted(CASES.items())), indent=2) + "\n")


def pytest_terminal_summary(terminalreporter):
    if CASES:
        terminalreporter.write_line(
            "robustness cases tried: "
            + ", ".join(f"{name}={n}" for name, n in sorted(CASES.items()))
            + f" (total {sum(CASES.values())})"
        )
