"""What a person sees in a page: its text and its links."""

from __future__ import annotations

import html
import re


def visible_text(body: str) -> str:
    """What a person reads: the page without tags, scripts and styles, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def links(body: str) -> dict[str, str]:
    """Link texts (tags stripped) mapped to their href, as a person follows them."""
    found = {}
    for href, inner in re.findall(r'<a\b[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', body, flags=re.S):
        found.setdefault(visible_text(inner), html.unescape(href))
    return found


def make_app(settings, store):
    """The app with the browse blueprints, for tests (stop its runner when done)."""
    from pflegegraph.web import create_app
    from pflegegraph.web.browse import register

    app = create_app(settings, store=store)
    register(app)
    app.config.update(TESTING=True)
    return app
