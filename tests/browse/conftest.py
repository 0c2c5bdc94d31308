"""Fixtures for the browsing pages: the app from create_app with the browse blueprints, on the
shipped graph and on the shipped graph plus a folder of hostile data."""

from __future__ import annotations

from pathlib import Path

import pytest
from browse_helpers import make_app

from pflegegraph.store import GraphStore

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "braunschweig"
HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"


@pytest.fixture(scope="session")
def browse_app(settings, store):
    app = make_app(settings, store)
    yield app
    app.extensions["pflegegraph.runner"].stop()  # the pages' query workers


@pytest.fixture()
def web(browse_app):
    return browse_app.test_client()


@pytest.fixture(scope="session")
def hostile_settings(settings):
    return settings.replace(data=[DATA, HOSTILE_DIR])


@pytest.fixture(scope="session")
def hostile_app(hostile_settings):
    app = make_app(hostile_settings, GraphStore.from_settings(hostile_settings))
    yield app
    app.extensions["pflegegraph.runner"].stop()


@pytest.fixture()
def hostile(hostile_app):
    return hostile_app.test_client()
