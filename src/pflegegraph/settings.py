"""Settings, declared once.

Each setting has a name, a type, a default and a help text. Its environment variable is
``PFLEGEGRAPH_<NAME>``. Every command reads its settings from here; command-line options
override the environment, which overrides the default. ``pflegegraph settings`` lists them and
docs/settings.md is generated from the same declarations.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pflegegraph.errors import UserError
from pflegegraph.resources import shipped

ENV_PREFIX = "PFLEGEGRAPH_"


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def _parse_list(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def _parse_path_list(text: str) -> list[Path]:
    return [Path(p) for p in text.split(os.pathsep) if p]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    kind: str = "text"

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    def default_text(self) -> str:
        value = self.default() if callable(self.default) else self.default
        if isinstance(value, list):
            return os.pathsep.join(str(v) for v in value) or "(empty)"
        if isinstance(value, Path):
            return str(value)
        return str(value) if value != "" else "(empty)"


SETTINGS: tuple[Setting, ...] = (
    Setting("data", lambda: [shipped("data", "braunschweig")],
            "Data folders to load, separated by the path separator. Each Turtle file becomes "
            "its own named graph. Default: the shipped Braunschweig data.",
            _parse_path_list, "paths"),
    Setting("ontology", lambda: shipped("ontology"),
            "Folder with the ontology (always loaded beside the data).", Path, "path"),
    Setting("shapes", lambda: shipped("shapes"),
            "Folder with the SHACL shapes (loaded beside the data, used by validate).", Path, "path"),
    Setting("queries", lambda: shipped("queries"),
            "Folder with the named SPARQL queries (.rq files with a metadata header).", Path, "path"),
    Setting("base_iri", "https://w3id.org/pflegegraph/",
            "Base IRI. Terms live under <base>def#, instances under <base>id/, named graphs "
            "under <base>graph/."),
    Setting("store_path", "",
            "Folder for an on-disk embedded store. Empty: keep the store in memory."),
    Setting("backend", "local",
            "Where queries run: 'local' (embedded pyoxigraph) or 'remote' (the SPARQL endpoint "
            "given by 'endpoint')."),
    Setting("endpoint", "", "Remote SPARQL 1.1 query endpoint URL, used when backend is 'remote'."),
    Setting("update_endpoint", "", "Remote SPARQL 1.1 update endpoint URL, used by push."),
    Setting("endpoint_user", "", "User name for the remote endpoint (prefer the environment)."),
    Setting("endpoint_password", "", "Password for the remote endpoint (prefer the environment)."),
    Setting("endpoint_auth", "basic",
            "HTTP authentication for the remote endpoint when a user is set: 'basic' or 'digest' "
            "(Virtuoso's /sparql-auth wants digest)."),
    Setting("query_timeout", 30.0,
            "Hard deadline for one query, in seconds. Past it the query is stopped.", float, "number"),
    Setting("row_limit", 10000,
            "Most result rows returned by the service; a truncated result is marked.", int, "integer"),
    Setting("max_body_bytes", 1_000_000, "Largest request body the service accepts, in bytes.",
            int, "integer"),
    Setting("service_allowlist", [],
            "Endpoints that SERVICE, FROM and FROM NAMED may reach, separated by spaces or "
            "commas. Empty: none.", _parse_list,
            "list"),
    Setting("host", "127.0.0.1", "Address the service listens on."),
    Setting("port", 8080, "Port the service listens on.", int, "integer"),
    Setting("workers", 2, "Number of worker processes of the service.", int, "integer"),
    Setting("threads", 16, "Threads per service worker process; each serves one request at a time. "
            "Keep it above client_max_queries, so that one client's long queries never hold every "
            "thread of a worker.", int, "integer"),
    Setting("client_max_queries", 4,
            "Most queries one client address (an IPv6 client: its /64) may run at once, over all "
            "service worker processes, counting /sparql and the pages that run queries. Past it "
            "the client gets 429 at once. 0: no bound.", int, "integer"),
    Setting("proxy_hops", 0,
            "Reverse proxies in front of the service that append the client's address to "
            "X-Forwarded-For (nginx, Apache: usually 1). The address of a client is read from "
            "there instead of the connection, for client_max_queries. 0: use the connection's "
            "address (a proxy's own address would then count for all its clients).", int,
            "integer"),
    Setting("query_workers", 2,
            "Query processes per service worker (embedded store). A query past its deadline is "
            "stopped by killing its process, which is replaced at once.", int, "integer"),
    Setting("query_workers_max", 0,
            "Most query processes per service worker. When every process is busy (runaway queries "
            "waiting for their deadline, or a steady load), extra ones are forked up to this number; "
            "an extra one idle for 10 s is stopped. Past it a request waits, and gets 503 Busy after "
            "query_timeout. 0: one per thread (the setting threads), so that every request a "
            "service worker has taken can run its query.", int, "integer"),
    Setting("result_cache_mb", 64,
            "Megabytes of complete query answers kept in memory per service worker process and "
            "given again without running the query (embedded store only; a remote store is never "
            "cached). A request with 'Cache-Control: no-cache' bypasses it. 0: off.", int, "integer"),
    Setting("warm_pages", True,
            "Before the service workers start (embedded store only), build the label and search "
            "indexes and open every page that needs no parameter once (home, views, named-query "
            "pages), so the workers begin with them in the result cache instead of the first "
            "visitors waiting for whole-graph queries. false: start at once, warm nothing.",
            _parse_bool, "boolean"),
    Setting("query_max_nesting", 100,
            "Deepest nesting of braces, parentheses and brackets a query may have; deeper "
            "queries are refused with 400 (the query engine overflows its stack from some "
            "hundreds of levels on). 0: no limit.", int, "integer"),
    Setting("validate_fail_on", "violation",
            "Lowest severity at which 'pflegegraph validate' fails (exit 1): 'violation', 'warning' "
            "or 'info'."),
    Setting("validate_jobs", 0,
            "Worker processes for 'pflegegraph validate' (shapes are shared out among them). "
            "0: one per available CPU core; 1: validate in this process.", int, "integer"),
    Setting("lang", "de", "Language for labels and messages: 'de' or 'en'."),
    Setting("license", "https://creativecommons.org/licenses/by/4.0/",
            "Licence IRI of the published dataset."),
    Setting("public_url", "http://127.0.0.1:8080/",
            "Public address of the service or web server, used in the DCAT description for "
            "download and access URLs."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _from_text(name: str, value: Any) -> Any:
    """A value given as text for a setting of another type (``{"data": "a/b"}``, ``{"port":
    "8080"}``) is read the way its environment variable is; any other value is kept as given."""
    setting = _BY_NAME[name]
    if not isinstance(value, str) or setting.parse is str:
        return value
    try:
        return setting.parse(value)
    except ValueError as exc:
        raise UserError(f"setting {name}={value!r} is not a valid {setting.kind}: {exc}") from exc


_CHOICES = {"backend": {"local", "remote"}, "lang": {"de", "en"}, "endpoint_auth": {"basic", "digest"},
            "validate_fail_on": {"violation", "warning", "info"}}


class Settings(Mapping[str, Any]):
    """Resolved settings: default, then environment, then explicit overrides."""

    def __init__(self, values: dict[str, Any], origins: dict[str, str]):
        self._values = values
        self._origins = origins

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for setting in SETTINGS:
            value = setting.default() if callable(setting.default) else setting.default
            origin = "default"
            if setting.env in environ:
                raw = environ[setting.env]
                try:
                    value = setting.parse(raw)
                except ValueError as exc:
                    raise UserError(f"{setting.env}={raw!r} is not a valid {setting.kind}: {exc}") from exc
                origin = f"env {setting.env}"
            values[setting.name] = value
            origins[setting.name] = origin
        for name, value in (overrides or {}).items():
            if name not in _BY_NAME:
                raise UserError(f"unknown setting {name!r}")
            if value is None:
                continue
            values[name] = _from_text(name, value)
            origins[name] = "option"
        for name, allowed in _CHOICES.items():
            if values[name] not in allowed:
                raise UserError(f"setting {name} must be one of {', '.join(sorted(allowed))}, "
                                f"got {values[name]!r}")
        return cls(values, origins)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def origin(self, key: str) -> str:
        return self._origins[key]

    def replace(self, **changes: Any) -> Settings:
        values = dict(self._values)
        origins = dict(self._origins)
        for name, value in changes.items():
            if name not in _BY_NAME:
                raise UserError(f"unknown setting {name!r}")
            values[name] = _from_text(name, value)
            origins[name] = "option"
        return Settings(values, origins)

    @property
    def ontology_namespace(self) -> str:
        return self._values["base_iri"] + "def#"

    @property
    def graph_namespace(self) -> str:
        return self._values["base_iri"] + "graph/"


def settings_markdown() -> str:
    """The settings reference, as written to docs/settings.md."""
    lines = [
        "# Settings",
        "",
        "Generated from `src/pflegegraph/settings.py` by `pflegegraph settings --markdown`.",
        "Each setting is read from its environment variable; command-line options override it.",
        "",
        "| name | environment variable | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for s in SETTINGS:
        default = s.default_text()
        if callable(s.default):
            default = "(shipped) " + default.replace(str(shipped("")), "").lstrip("/\\")
        lines.append(f"| `{s.name}` | `{s.env}` | `{default}` | {s.help} |")
    return "\n".join(lines) + "\n"
