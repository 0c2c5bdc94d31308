"""Content negotiation for /sparql: the client's Accept header (with q-values) or a ``format``.

The result's kind (solutions or a graph) is only known once the query has run, so negotiation
gives an ordered list of acceptable format names; the runner takes the first one that fits.
"""

from __future__ import annotations

import functools

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from pflegegraph.errors import UserError

# Media types per format, the first being the one the service sends.
MEDIA = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle", "application/x-turtle", "text/n3", "application/n3"),
    "ntriples": ("application/n-triples", "text/plain"),
    "jsonld": ("application/ld+json", "application/json"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
}
# The service's order of preference when the client has none.
PREFERENCE = ("json", "turtle", "xml", "rdfxml", "csv", "tsv", "ntriples", "jsonld")

# Values of the ``format`` parameter: a format name, a usual alias, or a media type. An alias may
# mean one format for solutions and another for graphs (SPARQLWrapper sends "xml" and "json"
# for CONSTRUCT too). Each value maps to the formats it may stand for, in order.
_ALIASES = {
    "json": ("json", "jsonld"), "srj": ("json",), "xml": ("xml", "rdfxml"), "srx": ("xml",),
    "csv": ("csv",), "tsv": ("tsv",),
    "turtle": ("turtle",), "ttl": ("turtle",), "n3": ("turtle",),
    "ntriples": ("ntriples",), "nt": ("ntriples",), "n-triples": ("ntriples",),
    "jsonld": ("jsonld",), "json-ld": ("jsonld",),
    "rdfxml": ("rdfxml",), "rdf+xml": ("rdfxml",), "rdf": ("rdfxml",), "rdf/xml": ("rdfxml",),
}


def format_choices(value: str) -> tuple[str, ...]:
    """The formats a ``format`` parameter value stands for, or a UserError naming the choices.

    A value may list several names or media types separated by commas (SPARQLWrapper does).
    """
    found: list[str] = []
    for part in value.split(","):
        key = part.strip().lower()
        media = key.split(";")[0].strip()
        for fmt in _ALIASES.get(key) or tuple(f for f in PREFERENCE if media in MEDIA[f]):
            if fmt not in found:
                found.append(fmt)
    if not found:
        raise UserError(f"unknown format {value!r}; use one of {', '.join(PREFERENCE)} "
                        "or one of their media types")
    return tuple(found)


def format_override(values: list[str]) -> tuple[str, ...]:
    """The formats several ``format``/``output``/``results`` values agree on (clients such as
    SPARQLWrapper send a name and a media type for the same format)."""
    choices = format_choices(values[0])
    for value in values[1:]:
        common = tuple(f for f in choices if f in format_choices(value))
        if not common:
            raise UserError(f"the format parameters disagree: {values[0]!r} and {value!r}; give one")
        choices = common
    return choices


def accepted(accept: MIMEAccept) -> tuple[str, ...]:
    """Format names in the order the client prefers them; empty if none is acceptable."""
    if not accept:
        return PREFERENCE
    return ranked(accept, {fmt: MEDIA[fmt] for fmt in PREFERENCE})


@functools.lru_cache(maxsize=128)
def accepted_header(header: str | None) -> tuple[str, ...]:
    """``accepted`` for the text of an Accept header (None: no header). A client sends the same
    header with every request: it is read once."""
    return accepted(parse_accept_header(header, MIMEAccept))


def best(accept: MIMEAccept, offers: dict[str, tuple[str, ...]]) -> str | None:
    """The offer the client prefers (see ``ranked``); None if it accepts none of them."""
    order = ranked(accept, offers)
    return order[0] if order else None


def ranked(accept: MIMEAccept, offers: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The acceptable ``offers`` (a name and its media types, in the server's order of
    preference), best first: by q; at equal q a type the client named beats one it only matched
    with ``type/*`` or ``*/*`` (``Accept: text/csv, */*`` gets CSV); then the server's order."""
    scored = []
    for rank, (name, types) in enumerate(offers.items()):
        q, specific = max(quality(accept, media) for media in types)
        if q > 0:
            scored.append((-q, -specific, rank, name))
    return tuple(name for *_, name in sorted(scored))


def quality(accept: MIMEAccept, media: str) -> tuple[float, int]:
    """The q the client gives ``media`` and how specifically: 2 for the type named, 1 for
    ``type/*``, 0 for ``*/*`` (or no match, with q 0). The most specific entry decides, as RFC 9110
    says: ``text/*, text/html;q=0`` refuses HTML."""
    kind = media.partition("/")[0]
    found: dict[int, float] = {}
    for value, q in accept:
        v = value.split(";")[0].strip().lower()
        level = 2 if v == media else 1 if v == f"{kind}/*" else 0 if v in {"*/*", "*"} else -1
        if level >= 0:
            found[level] = max(found.get(level, 0.0), q)
    if not found:
        return 0.0, 0
    level = max(found)
    return found[level], level


def media_type(fmt: str) -> str:
    return MEDIA[fmt][0]
