"""Hostile data loaded through a data folder shows as text everywhere, and nothing breaks."""

from __future__ import annotations

import re
import unicodedata

import pytest
from browse_helpers import visible_text

PAGES = ("/", "/id/03101000/handlungsfeld/boese", "/id/03101000/handlungsfeld/boese?lang=en",
         "/class/ActionField", "/views/action-fields", "/views/isek",
         "/views/target-groups", "/search?q=Böses", "/search?q=%3Cscript%3E",
         "/queries/action-fields-by-priority", "/queries/isek-cross-reference?lang=en",
         "/id/03101000/dokument/ds-24-22983-01", "/editor?query=%3C/textarea%3E%3Cscript%3Ealert(1)%3C/script%3E",
         "/id/03101000/isek/leitziel-kompakt-weiterbauen", "/id/x%3Cscript%3E")


@pytest.mark.parametrize("url", PAGES)
def test_hostile_labels_show_as_text(hostile, url):
    r = hostile.get(url)
    assert r.status_code in {200, 400, 404}, url
    assert r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "</textarea><script>" not in body
    assert 'href="javascript:' not in body
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in body)


def test_hostile_resource_page_reads_as_text(hostile):
    body = hostile.get("/id/03101000/handlungsfeld/boese").get_data(as_text=True)
    text = visible_text(body)
    assert "<script>alert('xss')</script> Böses Feld" in text
    assert "Pflege␇mit␀Steuerzeichen" in text
    # right-to-left text is isolated, so it cannot turn the rest of the line around
    assert re.search(r"<bdi[^>]*>[^<]*\u202eRTL", body)
    assert "javascript:alert(1)" in text  # shown, not linked


def test_hostile_label_in_matrix_and_overview(hostile):
    text = visible_text(hostile.get("/views/isek").get_data(as_text=True))
    assert "<script>alert('xss')</script> Böses Feld" in text
    body = hostile.get("/views/action-fields").get_data(as_text=True)
    assert "„1 – 3&lt;/td&gt;&lt;td&gt;x“" in body


def test_label_falls_back_to_german(hostile):
    body = hostile.get("/id/03101000/handlungsfeld/nur-deutsch?lang=en").get_data(as_text=True)
    assert "<h1><bdi>Nur auf Deutsch benannt</bdi>" in body
    assert "No label in this language" in body


def test_hostile_label_in_csv_is_plain_text(hostile):
    r = hostile.get("/views/isek.csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert "<script>alert('xss')</script> Böses Feld" in r.get_data(as_text=True)
