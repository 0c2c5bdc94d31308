"""What a query may reach: SERVICE, FROM and FROM NAMED are checked before anything runs.

A query is read token by token (comments, strings and IRIs are skipped as wholes, prefixed
names are expanded with the query's own PREFIX and BASE declarations). It is refused when:

- it calls ``SERVICE`` on an endpoint that is not on the allow-list, or on a variable;
- it names a graph in ``FROM`` or ``FROM NAMED`` that is neither loaded nor on the allow-list;
- it carries a store pragma (``DEFINE``, Virtuoso's way to fetch IRIs from the web);
- it is an update (``INSERT``, ``DELETE``, ``LOAD``, ...): the service is read-only;
- it is nested deeper than ``max_nesting`` levels (braces, parentheses, brackets, and runs of
  ``!``): the engine parses by recursion, and from some hundreds of levels on it overflows its
  stack and crashes (``TooDeep``, status 400).

The check runs before the query reaches any engine, so a refused query opens no connection.
A query the scanner cannot make sense of is left to the engine's parser, which reports the
syntax error; the scanner only ever refuses, it never lets the engine skip a check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from pflegegraph.errors import UserError

_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:((?:[\w:%-]|\\.|\.(?=[\w:%-]))*)", re.U)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VAR = re.compile(r"[?$][A-Za-z0-9_]+")
_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


class RefusedQuery(UserError):
    """The query asks for something the service does not do (status 403)."""


class UpdateRefused(RefusedQuery):
    """An update was sent to the read-only query service."""


class TooDeep(UserError):
    """The query is nested deeper than the service accepts (status 400)."""


# Levels of nesting accepted by default. pyoxigraph 0.5.13 crashes (SIGSEGV, stack overflow on an
# 8 MiB stack) from about 830 levels of FILTER EXISTS { ... }, 950 nested function calls, 1300
# sub-SELECTs and 2200 plain groups on; the shipped named queries nest 4 to 7 levels deep.
MAX_NESTING = 100
_OPEN, _CLOSE = "{([", "})]"


@dataclass(frozen=True)
class Token:
    kind: str  # "iri", "word", "var", "punct"
    value: str


_CACHED_TEXT = 8192  # the tokens of queries up to this length are kept, for repeated queries;
# at most 64 of them (about 50 MB at worst: 8192 one-character tokens of some 100 bytes each)


def tokens(text: str) -> Iterable[Token]:
    """The tokens that matter to the policy; strings and comments are dropped."""
    return _cached_tokens(text) if len(text) <= _CACHED_TEXT else _tokens(text)


@functools.lru_cache(maxsize=64)
def _cached_tokens(text: str) -> tuple[Token, ...]:
    return tuple(_tokens(text))


def _tokens(text: str) -> Iterable[Token]:
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            m = _STRING.match(text, i)
            i = m.end() if m else n
        elif c == "<" and (m := _IRIREF.match(text, i)):
            yield Token("iri", m.group(1))
            i = m.end()
        elif c in "?$" and (m := _VAR.match(text, i)):
            yield Token("var", m.group(0))
            i = m.end()
        elif (c.isalpha() or c == ":") and (m := _PNAME.match(text, i)):
            yield Token("pname", m.group(0))
            i = m.end()
        elif (c.isalpha() or c == "_") and (m := _WORD.match(text, i)):
            yield Token("word", m.group(0))
            i = m.end()
        else:
            yield Token("punct", c)
            i += 1


class _Scan:
    def __init__(self, text: str):
        self.items = list(tokens(text))
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None

    def iri_at(self, k: int) -> str | None:
        """The absolute IRI the token at k names, or None if it is not an IRI."""
        if k >= len(self.items):
            return None
        tok = self.items[k]
        if tok.kind == "iri":
            return urljoin(self.base, tok.value) if self.base else tok.value
        if tok.kind == "pname":
            prefix, _, local = tok.value.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
            raise UserError(f"the prefix {prefix + ':'!r} is used but not declared")
        return None


def _word(tok: Token) -> str:
    return tok.value.upper() if tok.kind == "word" else ""


def _allowed(iri: str, allowlist: Iterable[str]) -> bool:
    return any(iri == entry or ((entry == "" or entry.endswith("/")) and iri.startswith(entry))
               for entry in allowlist)


@dataclass(frozen=True)
class Dataset:
    """The graphs a query names in FROM and FROM NAMED (empty if it names none)."""

    default: tuple[str, ...]
    named: tuple[str, ...]

    @property
    def given(self) -> bool:
        return bool(self.default or self.named)


def nesting(items: Iterable[Token]) -> int:
    """How deeply the tokens nest: open braces, parentheses and brackets, plus the longest run
    of ``!`` (each one a level of the engine's recursion). Unbalanced closers count as nothing."""
    depth = deepest = bangs = 0
    for tok in items:
        if tok.kind != "punct":
            bangs = 0
            continue
        if tok.value == "!":
            bangs += 1
            deepest = max(deepest, depth + bangs)
            continue
        bangs = 0
        if tok.value in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif tok.value in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def check_nesting(text: str, max_nesting: int = MAX_NESTING, items: list[Token] | None = None) -> None:
    """TooDeep if the query nests deeper than ``max_nesting`` levels (0 or less: no limit)."""
    if max_nesting <= 0:
        return
    deepest = nesting(tokens(text) if items is None else items)
    if deepest > max_nesting:
        raise TooDeep(f"the query is nested {deepest} levels deep (braces, parentheses, brackets "
                      f"or repeated !); at most {max_nesting} levels are accepted")


def check_query(text: str, graphs: Iterable[str], allowlist: Iterable[str] = (),
                max_nesting: int = MAX_NESTING) -> Dataset:
    """The query's FROM/FROM NAMED dataset; RefusedQuery if it reaches beyond the loaded
    graphs and the allow-list, TooDeep if it nests deeper than ``max_nesting`` (0: no limit)."""
    allowlist = tuple(allowlist)
    scan = _scanned if len(text) <= _CACHED_TEXT else _scan_query
    dataset = scan(text, allowlist, max_nesting)
    if dataset.default or dataset.named:
        graphs = set(graphs)
        for target in dataset.default:
            check_graph(target, graphs, allowlist, "FROM")
        for target in dataset.named:
            check_graph(target, graphs, allowlist, "FROM NAMED")
    return dataset


def _scan_query(text: str, allowlist: tuple[str, ...], max_nesting: int) -> Dataset:
    """Everything ``check_query`` checks that does not depend on the loaded graphs, and the
    dataset the query names."""
    default: list[str] = []
    named: list[str] = []
    scan = _Scan(text)
    items = scan.items
    first_form = None
    for k, tok in enumerate(items):
        word = _word(tok)
        if word == "PREFIX" and k + 2 < len(items) and items[k + 2].kind == "iri":
            name = items[k + 1].value
            if name.endswith(":") and items[k + 1].kind == "pname":
                scan.prefixes[name[:-1]] = scan.iri_at(k + 2) or ""
        elif word == "BASE" and k + 1 < len(items) and items[k + 1].kind == "iri":
            scan.base = scan.iri_at(k + 1)
        elif word == "DEFINE" and first_form is None:
            raise RefusedQuery("store pragmas (DEFINE ...) are not accepted by this service")
        elif first_form is None and word in QUERY_FORMS:
            first_form = word
        elif first_form is None and word in UPDATE_WORDS:
            raise UpdateRefused(f"this is a SPARQL update ({word}); the service is read-only "
                                "and answers queries only")
        elif word == "SERVICE":
            at = k + 1
            if at < len(items) and _word(items[at]) == "SILENT":
                at += 1
            target = scan.iri_at(at)
            if target is None:
                raise RefusedQuery("SERVICE with a variable endpoint is not accepted; name the "
                                   "endpoint, and it must be on the allow-list")
            if not _allowed(target, allowlist):
                raise RefusedQuery(f"SERVICE <{target}> is not on this service's allow-list; "
                                   "federated calls go only to listed endpoints")
        elif word == "FROM":
            at = k + 2 if k + 1 < len(items) and _word(items[k + 1]) == "NAMED" else k + 1
            target = scan.iri_at(at)
            if target is not None:
                (named if at == k + 2 else default).append(target)
    check_nesting(text, max_nesting, items)
    return Dataset(tuple(default), tuple(named))


# A service sees the same query text again and again (a dashboard, the named queries): its scan
# is kept. A refused query is not kept; it is scanned again each time (and refused again).
_scanned = functools.lru_cache(maxsize=256)(_scan_query)


def check_graph(iri: str, graphs: set[str], allowlist: Iterable[str], where: str) -> None:
    if iri in graphs or _allowed(iri, allowlist):
        return
    raise RefusedQuery(f"{where} <{iri}> is not a graph loaded here and not on the allow-list; "
                       "this service does not fetch graphs from elsewhere")


def looks_like_update(text: str) -> bool:
    """True if the text's first operation keyword is an update keyword."""
    for tok in tokens(text):
        word = _word(tok)
        if word in QUERY_FORMS:
            return False
        if word in UPDATE_WORDS:
            return True
    return False


def dataset_of(text: str) -> Dataset:
    """The FROM/FROM NAMED graphs of a query, without any policy check."""
    try:
        return check_query(text, (), ("",), 0)  # "" is a prefix of every IRI: nothing is refused
    except UserError:
        return Dataset((), ())
