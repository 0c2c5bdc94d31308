"""Shared fixtures: the shipped store, the settings, the Flask app and client, and the CLI as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pflegegraph.settings import Settings
from pflegegraph.store import GraphStore
from shipped import DATA, ONTOLOGY, QUERIES, ROOT, SHAPES  # noqa: F401 - re-exported for older imports


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings for the shipped graph, unaffected by the caller's PFLEGEGRAPH_* variables."""
    return Settings.load({"data": [DATA], "ontology": ONTOLOGY, "shapes": SHAPES, "queries": QUERIES},
                         environ={})


@pytest.fixture(scope="session")
def store(settings) -> GraphStore:
    """The shipped Braunschweig graph in the embedded store (shared; do not modify)."""
    return GraphStore.from_settings(settings)


@pytest.fixture(scope="session")
def app(settings, store):
    from pflegegraph.web import create_app

    application = create_app(settings, store=store)
    application.config.update(TESTING=True)
    yield application
    application.extensions["pflegegraph.runner"].stop()  # its query workers and their sockets


@pytest.fixture()
def client(app):
    return app.test_client()


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def run_cli():
    """Run ``pflegegraph ARGS`` as a separate process and return code, stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PFLEGEGRAPH_")}
    env["PYTHONIOENCODING"] = "utf-8"

    def run(*args: str, input: str | None = None, timeout: float = 120, cwd: Path | None = None,
            extra_env: dict[str, str] | None = None) -> Completed:
        proc = subprocess.run(
            [sys.executable, "-m", "pflegegraph", *args], input=input, capture_output=True,
            text=True, encoding="utf-8", timeout=timeout, cwd=cwd or ROOT,
            env={**env, **(extra_env or {})})
        return Completed(proc.returncode, proc.stdout, proc.stderr)

    return run
