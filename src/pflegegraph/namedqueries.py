"""Named queries: .rq files whose leading ``#+`` comment lines hold YAML metadata.

Example header::

    #+ title:
    #+   de: Handlungsfelder nach Priorität
    #+   en: Action fields by priority
    #+ description:
    #+   de: ...
    #+   en: ...
    #+ params:
    #+   horizon:
    #+     type: iri
    #+     default: pgv:short-term
    #+     label: {de: Zeithorizont, en: Time horizon}

A parameter ``name`` is the query variable ``?name``. Values are turned into RDF terms of the
declared type and substituted by the engine; they are never pasted into the query text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from pflegegraph.errors import UnreadableInputError, UserError
from pflegegraph.namespaces import PREFIXES, expand

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "year", "boolean", "lang")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    required: bool
    label: dict[str, str]
    description: dict[str, str]
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    title: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...] = field(default_factory=tuple)

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("de") or self.name

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description.get("de") or ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def bindings(self, values: Mapping[str, str], prefixes: Mapping[str, str] = PREFIXES) -> dict[str, Any]:
        """Check the given values against the declared parameters and make RDF terms of them."""
        unknown = [k for k in values if self.param(k) is None]
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise UserError(f"query {self.name!r} has no parameter {unknown[0]!r} "
                            f"(its parameters: {known})")
        result: dict[str, Any] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None or raw == "":
                if p.required:
                    raise UserError(f"query {self.name!r} needs the parameter {p.name!r} "
                                    f"({p.type}): give it as --param {p.name}=VALUE")
                continue
            result[p.name] = to_term(p, str(raw), prefixes)
        return result


def to_term(param: Param, raw: str, prefixes: Mapping[str, str] = PREFIXES):
    """An RDF term of the parameter's type, or a UserError naming the parameter."""
    def bad(expected: str) -> UserError:
        return UserError(f"parameter {param.name!r} expects {expected}, got {raw!r}")

    kind = param.type
    if param.choices and raw not in param.choices:
        expanded = expand(raw, dict(prefixes)) if kind == "iri" else None
        allowed = {expand(c, dict(prefixes)) or c for c in param.choices} if kind == "iri" else set()
        if expanded not in allowed and raw not in allowed:
            raise UserError(f"parameter {param.name!r} must be one of {', '.join(param.choices)}; "
                            f"got {raw!r}")
    if kind == "iri":
        text = raw.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) or text.startswith("urn:"):
            if re.search(r'[\s<>"{}|\\^`]', text):
                raise bad("an IRI without spaces or <>\"{}|\\^` characters")
            return ox.NamedNode(text)
        iri = expand(text, dict(prefixes))
        if iri is None:
            raise bad("an IRI (https://…) or a prefixed name with a known prefix such as bshf:wohnen")
        return ox.NamedNode(iri)
    if kind == "string":
        return ox.Literal(raw)
    if kind == "lang":
        if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*", raw):
            raise bad("a language tag such as de or en")
        return ox.Literal(raw.lower())
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise bad("a whole number")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise bad("a decimal number") from None
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "date":
        try:
            value = dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise bad("a date as YYYY-MM-DD") from None
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if kind == "year":
        if not re.fullmatch(r"\d{4}", raw.strip()):
            raise bad("a year such as 2024")
        return ox.Literal(raw.strip(), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "boolean":
        lowered = raw.strip().lower()
        if lowered not in {"true", "false", "1", "0"}:
            raise bad("true or false")
        return ox.Literal("true" if lowered in {"true", "1"} else "false",
                          datatype=ox.NamedNode(XSD + "boolean"))
    raise UserError(f"parameter {param.name!r} has unknown type {kind!r}")


def _header_yaml(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() == "" or line.startswith("#"):
            if lines:
                continue
        else:
            break
    return "\n".join(lines)


def _lang_map(value: Any, field_name: str, path: Path) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"de": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise UnreadableInputError(f"{path}: header field {field_name!r} must be text or a map of languages")


def parse_query_file(path: Path, require_title: bool = True) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInputError(f"{path}: cannot read: {exc}") from exc
    try:
        meta = yaml.safe_load(_header_yaml(text)) or {}
    except yaml.YAMLError as exc:
        raise UnreadableInputError(f"{path}: the #+ header is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise UnreadableInputError(f"{path}: the #+ header must be a YAML mapping")
    params = []
    for name, spec in (meta.get("params") or {}).items():
        spec = spec or {}
        if not _NAME.match(str(name)):
            raise UnreadableInputError(f"{path}: parameter name {name!r} is not a SPARQL variable name")
        kind = spec.get("type", "string")
        if kind not in PARAM_TYPES:
            raise UnreadableInputError(f"{path}: parameter {name!r} has unknown type {kind!r}; "
                                       f"use one of {', '.join(PARAM_TYPES)}")
        default = spec.get("default")
        params.append(Param(
            name=str(name), type=kind,
            default=None if default is None else str(default),
            required=bool(spec.get("required", False)),
            label=_lang_map(spec.get("label"), f"params.{name}.label", path) or {"de": str(name)},
            description=_lang_map(spec.get("description"), f"params.{name}.description", path),
            choices=tuple(str(c) for c in spec.get("choices", []) or []),
        ))
    title = _lang_map(meta.get("title"), "title", path)
    if not title and require_title:
        raise UnreadableInputError(f"{path}: the #+ header has no title")
    return NamedQuery(path.stem, path, text, title or {"de": path.stem},
                      _lang_map(meta.get("description"), "description", path), tuple(params))


class QueryCatalog:
    """All named queries of a folder, by name."""

    def __init__(self, folder: Path):
        self.folder = folder
        if not folder.is_dir():
            raise UnreadableInputError(f"{folder}: no such queries folder")
        self.queries = {q.name: q for q in (parse_query_file(p) for p in sorted(folder.glob("*.rq")))}

    def __iter__(self):
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def get(self, name: str) -> NamedQuery:
        if name in self.queries:
            return self.queries[name]
        near = difflib.get_close_matches(name, list(self.queries), n=3, cutoff=0.5)
        near += [q for q in self.queries if name and name in q and q not in near][:3 - len(near)]
        hint = f"; did you mean {', '.join(near)}?" if near else "; run 'pflegegraph queries' to list them"
        raise UserError(f"no named query {name[:200]!r}{hint}")
