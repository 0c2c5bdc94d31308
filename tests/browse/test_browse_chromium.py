"""End-to-end tests in a real headless Chromium (Debian package ``chromium``, never a download),
driven by Playwright's Python API over the system browser. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("PFLEGEGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).exists():
    pytest.skip("no Chromium: install the Debian package (apt-get install -y chromium) to run the "
                "browser tests", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="the test extra (playwright) is not installed")
expect = playwright_api.expect
expect.set_options(timeout=30_000)  # the machine may be busy; waits are for content, never timed


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("browse_server.py")), str(ROOT)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if not k.startswith("PFLEGEGRAPH_")},
                            start_new_session=True)
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        pytest.fail(f"the test server did not start: {line}{proc.stderr.read()}")
    yield f"http://127.0.0.1:{line.split()[1]}"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()


class Page:
    """A browser tab that records console errors and uncaught exceptions."""

    def __init__(self, context, base: str):
        self.tab = context.new_page()
        self.tab.set_default_timeout(60_000)
        self.base = base
        self.errors: list[str] = []
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str):
        response = self.tab.goto(self.base + path, wait_until="load")
        return response

    def shot(self, name: str):
        self.tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture()
def page(browser_context, server):
    p = Page(browser_context, server)
    yield p
    p.tab.close()


MAIN_PAGES = [
    ("/", "home", "pflegegraph: Altenhilfe- und Pflegeplanung als Wissensgraph"),
    ("/id/03101000/handlungsfeld/wohnen", "resource-wohnen", "Wohnen"),
    ("/id/03101000/handlungsfeld/wohnen?lang=en", "resource-wohnen-en", "Housing"),
    ("/views/action-fields", "action-fields", "Handlungsfelder nach Priorität"),
    ("/views/isek", "isek-matrix", "ISEK-Querbezug: Handlungsfelder × Ziele des ISEK"),
    ("/views/timeline", "timeline", "Zeitleiste 2023–2030"),
    ("/views/target-groups", "target-groups", "Abdeckung der Zielgruppen"),
    ("/queries", "queries", "Benannte Abfragen"),
    ("/ontology", "ontology", "Ontologie"),
    ("/search?q=Pflege", "search", "Suche"),
    ("/id/03101000/handlungsfeld/unbekannt", "not-found", "Nichts bekannt über diese Ressource"),
]


@pytest.mark.parametrize(("path", "name", "heading"), MAIN_PAGES)
def test_main_pages_render_without_console_errors(page, path, name, heading):
    page.open(path)
    assert page.tab.locator("h1").first.inner_text().strip() == heading
    assert page.tab.locator("footer").inner_text().count("CC BY 4.0") == 1
    page.shot(name)
    if name == "not-found":  # the browser reports the page's own 404 status
        assert all("404" in e for e in page.errors)
    else:
        assert page.errors == []


@pytest.mark.parametrize(("path", "name"), [("/", "home"), ("/id/03101000/handlungsfeld/wohnen", "resource"),
                                            ("/views/isek", "isek-matrix"), ("/queries/timeline", "query")])
def test_readable_at_375_px(page, path, name):
    page.tab.set_viewport_size({"width": 375, "height": 800})
    page.open(path)
    overflow = page.tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than a 375 px screen"
    page.shot(f"375-{name}")
    assert page.errors == []


def test_keyboard_reaches_skip_link_and_main(page):
    page.open("/")
    page.tab.keyboard.press("Tab")
    assert page.tab.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.tab.keyboard.press("Enter")
    assert page.tab.evaluate("document.activeElement.id") == "main"


def test_named_query_with_a_parameter(page):
    page.open("/queries/action-fields-by-priority")
    page.tab.select_option("#p-horizon", "pgv:short-term")
    page.tab.get_by_role("button", name="Abfrage ausführen").click()
    page.tab.wait_for_url("**horizon=pgv%3Ashort-term**")
    rows = page.tab.locator("table.results tbody tr").all_inner_texts()
    assert any(r.startswith("Wohnen") for r in rows)
    assert not any("Beratung/Information" in r for r in rows)
    share = page.tab.locator("#share").input_value()
    assert "horizon=pgv%3Ashort-term" in share
    page.shot("query-short-term")
    page.tab.get_by_role("link", name="Wohnen").first.click()
    page.tab.wait_for_url("**/id/03101000/handlungsfeld/wohnen")
    assert page.tab.locator("h1").inner_text().strip() == "Wohnen"
    assert page.errors == []


def test_query_result_table_next_page(page):
    page.open("/queries/document-statements")
    expect(page.tab.get_by_role("status")).to_have_text("Zeilen 1–100 von 137")
    page.tab.get_by_role("navigation", name="Seiten des Ergebnisses", exact=True).get_by_role(
        "link", name="nächste Seite").click()
    page.tab.wait_for_url("**/queries/document-statements?page=2")
    expect(page.tab.get_by_role("status")).to_have_text("Zeilen 101–137 von 137")
    first = page.tab.locator("table.results tbody tr").first
    expect(first).to_contain_text("Stellungnahme der Verwaltung DS 24-22983-01")
    expect(first.get_by_role("link", name="Teilhabe")).to_have_attribute("href", "/id/03101000/handlungsfeld/teilhabe")
    assert page.errors == []


def test_editor_highlights_runs_examples_and_typed_queries(page):
    page.open("/editor")
    assert page.tab.locator("#highlight .tok-keyword").count() > 3
    assert "PREFIX pg:" in page.tab.locator("#query").input_value()
    page.tab.get_by_role("button", name="Ausführen").click()
    expect(page.tab.locator("#status")).to_contain_text("Zeilen")
    assert "Wohnen" in page.tab.locator("#results table").inner_text()
    page.tab.select_option("#example", "timeline")
    assert "Zeitleiste" in page.tab.locator("#query").input_value()
    page.tab.get_by_role("button", name="Ausführen").click()
    expect(page.tab.locator("#results tbody tr").nth(5)).to_be_visible()
    page.shot("editor-timeline")
    area = page.tab.locator("#query")
    area.fill("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?l WHERE { ?s rdfs:label ?l } LIMIT 3")
    area.press("Control+Enter")
    expect(page.tab.locator("#status")).to_contain_text("3 Zeilen")
    area.fill("SELECT WHERE {")
    area.press("Control+Enter")
    expect(page.tab.locator("#status")).to_contain_text("Fehler 400")
    page.shot("editor-error")
    # the endpoint's 400 for a bad query is the only error the browser may report
    assert all("400" in e for e in page.errors)
