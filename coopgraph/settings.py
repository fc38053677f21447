"""Settings: command-line flags over ``COOPGRAPH_*`` environment variables over a TOML file over defaults.

Every setting has one name, used as the TOML key, the flag (``--query-timeout``) and the
variable (``COOPGRAPH_QUERY_TIMEOUT``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_store() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "coopgraph" / "store"


def default_workers() -> int:
    return min(8, 2 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class Settings:
    store: Path = field(default_factory=default_store)
    #: Bearer token that authorises writes; no token means the server is read-only.
    write_token: str | None = None
    #: The name the store's history records as the author of a write made with that token.
    write_token_name: str = "write-token"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Seconds a query may run before its worker is stopped.
    query_timeout: float = 30.0
    #: Seconds a write (update, graph-store request, upload) may run.
    write_timeout: float = 600.0
    #: Query worker processes; each runs one query at a time. Two per core (a worker waits on its pipe
    #: part of the time), at most 8: point lookups at 8 connections measured 35% faster with 4 than 2
    #: workers on 2 cores (bench/RESULTS.md).
    workers: int = field(default_factory=default_workers)
    #: Queries one client (its bearer token, else its address) may have running at once, its others
    #: waiting; 0: one fewer than the workers (at least one), so that runaway queries from one client
    #: never hold them all.
    max_client_queries: int = 0
    #: The memory (address space, bytes) each worker process may use; a query that needs more is stopped
    #: (503). 0: no cap. Oxigraph maps its files into that space too: leave room for the store.
    worker_memory_bytes: int = 4 * 1024 * 1024 * 1024
    #: Requests a query worker serves before a fresh one replaces it (0: never).
    worker_max_requests: int = 0
    #: Resident memory (bytes) past which a query worker is replaced by a fresh one once its request is
    #: answered (0: never): what its store keeps in memory grows with what it has read (bench/RESULTS.md).
    worker_recycle_bytes: int = 0
    max_body_bytes: int = 64 * 1024 * 1024
    max_result_bytes: int = 256 * 1024 * 1024
    #: The longest literal an input may hold (UTF-8 bytes): files, records, cells, graph-store bodies.
    max_literal_bytes: int = 1024 * 1024
    #: The longest line of a line-based input (N-Triples, N-Quads, Turtle, TriG, N3, CSV/TSV, YAML).
    max_line_bytes: int = 8 * 1024 * 1024
    #: The deepest nesting of arrays and objects in a JSON, JSON-LD or YAML input.
    max_nesting_depth: int = 64
    #: Seconds a client may take to send a request's line and headers (from the connection's opening).
    header_timeout: float = 10.0
    #: The longest pause, in seconds, between two parts of a request body.
    body_timeout: float = 30.0
    #: Seconds an idle connection is kept open between requests.
    keep_alive_timeout: int = 5
    #: Connections open at once; more are answered 503 and closed (keep it under the open-file limit).
    max_connections: int = 512
    #: Browser origins allowed by CORS; "*" allows any origin, without credentials.
    cors_origins: tuple[str, ...] = ()
    #: The dataset of a query that names none (coopgraph.store.dataset): False, the union of all graphs as
    #: its default graph; True, SPARQL's own (the store's default graph; the graphs coopgraph maintains
    #: itself, ontology, vocabularies, shapes, catalogue, only when the query names them).
    strict_dataset: bool = False
    #: Whether the catalogue graph is part of every query's dataset (else only when a query names it).
    dataset_includes_catalog: bool = False
    #: SERVICE endpoints a query may call; empty means none.
    service_allowlist: tuple[str, ...] = ()
    #: The public URL the server is reached at, when behind a proxy.
    public_url: str | None = None
    #: A SPARQL server to keep the store on instead of ``store`` (which then holds only local files: the
    #: write lock, quarantined batches): ``sparql+http://host:port/path``. ``store = "sparql+http://..."``
    #: says the same. Its endpoints are ``path/query``, ``path/update`` and ``path/store`` unless named below.
    remote_store: str | None = None
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_graph_store_url: str | None = None
    #: Credentials for the SPARQL server: a user and password (``remote_auth``: "basic" or "digest"), or a
    #: bearer token. Never logged, and left out of this object's repr.
    remote_user: str | None = None
    remote_password: str | None = field(default=None, repr=False)
    remote_token: str | None = field(default=None, repr=False)
    remote_auth: str = "basic"
    #: Seconds the remote store keeps a replaced version of a graph for the readers still reading it.
    remote_keep_seconds: float = 600.0
    #: The access log on standard error, a line per request: "plain" (words), "json" (JSON lines) or "off".
    access_log: str = "plain"
    #: Serve ``/metrics`` to anyone; otherwise only to loopback clients and holders of the write token.
    metrics_public: bool = False
    #: Seconds a stopping server (SIGTERM, SIGINT) gives the requests in flight to finish; the queries
    #: still running then are stopped and answered 503.
    shutdown_timeout: float = 10.0
    #: The HTTP server in front of the app: "uvicorn" (httptools, uvloop; every connection limit above)
    #: or "granian" (Rust; see server/http/granian_front.py for the limits it does not keep).
    front: str = "uvicorn"

    @property
    def client_queries(self) -> int:
        """:attr:`max_client_queries`, its default resolved."""
        return self.max_client_queries or max(1, self.workers - 1)

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    kind = str(_TYPES[name])
    if value is None:
        return None
    if "Path" in kind:
        if str(value).startswith("sparql+"):  # a remote store's location, placed by load_settings
            return str(value)
        return Path(value).expanduser()
    if "tuple" in kind:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return tuple(value)
    if kind == "bool":
        return _boolean(name, value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name}: {value!r} is not true or false")


#: The settings a worker process needs to open the same store as the server that starts it.
STORE_SETTINGS = (
    "remote_store",
    "remote_query_url",
    "remote_update_url",
    "remote_graph_store_url",
    "remote_user",
    "remote_password",
    "remote_token",
    "remote_auth",
    "remote_keep_seconds",
    "query_timeout",
    "write_timeout",
)


def store_environment(settings: Settings) -> dict[str, str]:
    """The ``COOPGRAPH_*`` variables that give a child process the store settings of ``settings``."""
    found = {name: getattr(settings, name) for name in STORE_SETTINGS}
    return {"COOPGRAPH_" + name.upper(): str(value) for name, value in found.items() if value is not None}


def load_settings(
    config: Path | None = None, environ: dict[str, str] | None = None, **flags: Any
) -> Settings:
    """Build settings from a TOML file, the environment and explicit flags, in rising precedence."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config = config or (Path(env["COOPGRAPH_CONFIG"]) if env.get("COOPGRAPH_CONFIG") else None)
    if config is not None:
        with open(config, "rb") as fh:
            table = tomllib.load(fh)
        unknown = set(table) - set(_TYPES)
        if unknown:
            raise ValueError(f"{config}: unknown setting(s) {', '.join(sorted(unknown))}")
        values.update({k: _coerce(k, v) for k, v in table.items()})
    for name in _TYPES:
        var = "COOPGRAPH_" + name.upper()
        if env.get(var):
            values[name] = _coerce(name, env[var])
    values.update({k: _coerce(k, v) for k, v in flags.items() if v is not None and k in _TYPES})
    if str(values.get("store", "")).startswith("sparql+"):
        values["remote_store"] = str(values.pop("store"))
    if values.get("remote_store"):
        _credentials_out_of_location(values)
    return Settings(**values)


def _credentials_out_of_location(values: dict[str, Any]) -> None:
    """``sparql+http://user:password@host/...``: the user and password become settings of their own, so
    that the location can be shown."""
    parts = urlsplit(values["remote_store"])
    if parts.username is None:
        return
    values.setdefault("remote_user", unquote(parts.username))
    values.setdefault("remote_password", unquote(parts.password or ""))
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port is not None else ""
    values["remote_store"] = urlunsplit(parts._replace(netloc=netloc))
