"""Reading a SPARQL 1.1 Protocol query request: GET, POST form and POST direct.

Every way a request can be wrong ends in a ``ProtocolError`` with a status and a sentence that
says what is wrong. Parameters are decoded strictly as UTF-8: a body that is not UTF-8 is
refused, never silently repaired.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = ("This service is read-only: it answers SPARQL queries and accepts no update "
             "operation.")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ProtocolRequest:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    formats: list[str]  # values of format, output and results (clients send several)


def _pairs_from(raw: bytes, where: str) -> tuple[tuple[str, str], ...]:
    """The name/value pairs of a query string or form body, decoded strictly as UTF-8."""
    if len(raw) <= _CACHED_FORM:
        return _cached_pairs(raw, where)
    return _decode_pairs(raw, where)


def _decode_pairs(raw: bytes, where: str) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_qsl(raw.decode("utf-8", errors="strict"), keep_blank_values=True,
                               encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        raise ProtocolError(400, f"The {where} is not valid UTF-8; encode the query as UTF-8 "
                                 "(percent-encoded in a form).") from None
    except ValueError as exc:
        raise ProtocolError(400, f"The {where} is not a valid form: {exc}") from None


# Percent-decoding is a Python loop over every escape (some 0.1 ms for a 5 KB query): a form a
# client sends again and again (a dashboard, a script in a loop) is decoded once. A form that
# fails to decode is not kept.
_CACHED_FORM = 16384
_cached_pairs = functools.lru_cache(maxsize=256)(_decode_pairs)


def _body(request: Request, limit: int) -> bytes:
    too_large = ProtocolError(413, f"The request body is larger than the limit of {limit} bytes.")
    length = request.content_length
    if length is not None and length > limit:
        raise too_large
    environ = request.environ
    if length is None and environ.get("wsgi.input_terminated"):
        # A chunked body has no length to check up front, and werkzeug's stream, capped at the
        # limit, would cut it off without a word: read one byte past the limit to tell.
        data = _read_at_most(environ["wsgi.input"], limit + 1)
    else:  # the length was checked above
        data = request.get_data(cache=True)
    if len(data) > limit:
        raise too_large
    return data


def _read_at_most(stream, n: int) -> bytes:
    parts, size = [], 0
    while size < n:
        part = stream.read(n - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _charset_ok(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in {"utf-8", "utf8"}:
        raise ProtocolError(415, f"The request body is declared as {charset}; send the query as "
                                 "UTF-8 (charset=utf-8).")


def parse(request: Request, body_limit: int) -> ProtocolRequest:
    """The query request in ``request``, or a ProtocolError."""
    url_pairs = _pairs_from(request.query_string, "query string")
    pairs = list(url_pairs)  # a copy: the decoded pairs may be shared
    direct = None
    if request.method == "POST":
        mimetype = request.mimetype
        if not mimetype:
            raise ProtocolError(400, "The POST request has no Content-Type; send the query as "
                                     f"{FORM} (query=...) or as {DIRECT}.")
        if mimetype == FORM:
            _charset_ok(request)
            pairs += _pairs_from(_body(request, body_limit), "request body")
        elif mimetype == DIRECT:
            _charset_ok(request)
            try:
                direct = _body(request, body_limit).decode("utf-8", errors="strict")
            except UnicodeDecodeError:
                raise ProtocolError(400, "The request body is not valid UTF-8; send the query "
                                         "as UTF-8.") from None
        elif mimetype == UPDATE:
            raise ProtocolError(403, READ_ONLY)
        else:
            raise ProtocolError(415, f"The Content-Type {mimetype} is not accepted; send the query "
                                     f"as {FORM} (query=...) or as {DIRECT}.")
    names = [name for name, _ in pairs]
    if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
        raise ProtocolError(403, READ_ONLY)
    queries = [value for name, value in pairs if name == "query"]
    if direct is not None:
        if queries:
            raise ProtocolError(400, "The query is in the request body; do not give a 'query' "
                                     "parameter as well.")
        queries = [direct]
    if len(queries) > 1:
        raise ProtocolError(400, f"The 'query' parameter is given {len(queries)} times; give "
                                 "exactly one query per request.")
    formats = [value for name, value in pairs if name in {"format", "output", "results"} and value]
    if request.method == "POST" and not queries:
        raise ProtocolError(400, "The POST request has no query; put it in the 'query' form field "
                                 f"or send it as {DIRECT}.")
    return ProtocolRequest(
        query=queries[0] if queries else None,
        default_graphs=[v for n, v in pairs if n == "default-graph-uri"],
        named_graphs=[v for n, v in pairs if n == "named-graph-uri"],
        formats=formats)
