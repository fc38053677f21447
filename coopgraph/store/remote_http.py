"""The HTTP side of the remote store: SPARQL 1.1 Query, Update and the Graph Store HTTP Protocol.

Only the W3C protocols are spoken; what servers do differently is absorbed here:

* Virtuoso answers ``ASK`` as a one-row SELECT of ``__ASK_RETVAL`` (1 or 0), and writes literals as
  ``typed-literal`` (the JSON format's draft name); its blank nodes are ``nodeID://…``. The answers are
  put back in the W3C JSON format before pyoxigraph reads them.
* A server's error is an HTTP status with a body in its own words: 400 on a query is a
  :class:`SyntaxError` only if pyoxigraph also rejects the text (syntax is checked before sending, with the
  embedded store's parser); every other failure is :class:`RemoteError`.

Credentials (basic, digest or bearer) are given to the client and never appear in a repr or a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

__all__ = ["Endpoints", "RemoteError", "SparqlClient"]

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
_BNODE_CHARS = re.compile(r"[^A-Za-z0-9_]")


class RemoteError(OSError):
    """The SPARQL server could not be reached, or refused or failed a request."""


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store's server answers, and how to authenticate (kept out of the repr)."""

    query: str
    update: str
    graph_store: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    digest: bool = False

    @classmethod
    def from_location(
        cls,
        location: str,
        *,
        query: str | None = None,
        update: str | None = None,
        graph_store: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        digest: bool = False,
    ) -> Endpoints:
        """``sparql+http://host:port/path``: the endpoints ``path/query``, ``path/update`` and ``path/store``
        (Oxigraph server's layout) unless named; user and password in the location are taken out of it."""
        scheme, _, rest = location.partition("+")
        if scheme != "sparql" or not rest.startswith(("http://", "https://")):
            raise ValueError("a remote store location looks like sparql+http://host:port/path")
        parts = urlsplit(rest)
        if parts.username is not None:
            user = user or parts.username
            password = password or (parts.password or "")
            netloc = parts.hostname or ""
            if parts.port is not None:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        base = urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
        return cls(
            query=query or base + "/query",
            update=update or base + "/update",
            graph_store=graph_store or base + "/store",
            user=user,
            password=password,
            token=token,
            digest=digest,
        )

    def auth(self) -> httpx.Auth | None:
        if self.token:
            return _Bearer(self.token)
        if self.user is not None:
            password = self.password or ""
            return (
                httpx.DigestAuth(self.user, password) if self.digest else httpx.BasicAuth(self.user, password)
            )
        return None


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "_Bearer(***)"


def _normalise_term(term: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    kind = term.get("type")
    if kind == "typed-literal":
        term = {**term, "type": "literal"}
    elif kind == "uri" and term["value"] in rename:
        term = {**term, "value": rename[term["value"]]}
    elif kind == "bnode":
        term = {**term, "value": _BNODE_CHARS.sub("_", term["value"])}
    elif kind == "triple":
        term = {**term, "value": {k: _normalise_term(v, rename) for k, v in term["value"].items()}}
    return term


def normalise_results(body: bytes, ask: bool, rename: dict[str, str]) -> bytes:
    """W3C SPARQL JSON results from what the server sent: Virtuoso's ASK and literals, and physical graph
    names given back their logical ones (``rename``)."""
    data = json.loads(body)
    if ask and "boolean" not in data:
        rows = data.get("results", {}).get("bindings", [])
        value = next(iter(rows[0].values()))["value"] if rows else "0"
        return json.dumps({"head": {}, "boolean": value in ("1", "true")}).encode()
    if "results" in data:
        data["results"]["bindings"] = [
            {k: _normalise_term(v, rename) for k, v in row.items()} for row in data["results"]["bindings"]
        ]
    return json.dumps(data).encode()


_LATERAL_PROBE = "ASK { BIND(1 AS ?x) LATERAL { BIND(?x AS ?y) } }"


class SparqlClient:
    """One HTTP connection pool to one server."""

    def __init__(self, endpoints: Endpoints, timeout: float = 30.0, write_timeout: float = 600.0) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.write_timeout = write_timeout
        self._http = httpx.Client(auth=endpoints.auth(), timeout=httpx.Timeout(timeout, connect=10.0))
        self._lateral: bool | None = None

    def __repr__(self) -> str:
        return f"SparqlClient({self.endpoints.query!r})"

    def close(self) -> None:
        self._http.close()

    def _send(self, method: str, url: str, *, timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, timeout=timeout or self.timeout, **kwargs)
        except httpx.HTTPError as e:
            raise RemoteError(f"{url}: {type(e).__name__}: {e}") from None
        if response.status_code >= 400:
            text = response.text.strip().replace("\n", " ")[:500]
            raise RemoteError(f"{url}: HTTP {response.status_code}: {text}")
        return response

    def _query(self, form: dict[str, Any], accept: str) -> httpx.Response:
        """POST a query; an answer the server marks as partial is an error, never a result."""
        url = self.endpoints.query
        response = self._send("POST", url, data=form, headers={"Accept": accept})
        # Virtuoso's "anytime" queries (a ``timeout`` given with the request, as in a query URL ending in
        # ``?timeout=5000``): past it, HTTP 200 with the rows found so far and X-SQL-State S1TAT. Read as
        # a whole answer, the gate would pass data it never looked at. 206 is the same from other versions.
        if response.status_code == 206 or response.headers.get("X-SQL-State", "").upper() == "S1TAT":
            said = response.headers.get("X-SQL-Message", "").split("Activity:")[0].strip()
            raise RemoteError(
                f"{url}: the server answered only part of the result ({said or response.status_code}): "
                "take the 'timeout' parameter off the query URL, or raise it"
            )
        return response

    # ------------------------------------------------------------------ SPARQL 1.1 Query
    def select(
        self, sparql: str, default_graphs: list[str], named_graphs: list[str], *, ask: bool = False,
        rename: dict[str, str] | None = None,
    ) -> Any:  # fmt: skip
        """A SELECT or ASK query on the given dataset: pyoxigraph's QuerySolutions or QueryBoolean."""
        form = {"query": sparql, "default-graph-uri": default_graphs, "named-graph-uri": named_graphs}
        response = self._query(form, SPARQL_JSON)
        body = normalise_results(response.content, ask, rename or {})
        return parse_query_results(body, format=QueryResultsFormat.JSON)

    def construct(self, sparql: str, default_graphs: list[str], named_graphs: list[str]) -> Iterator[Any]:
        """A CONSTRUCT or DESCRIBE query: its triples."""
        form = {"query": sparql, "default-graph-uri": default_graphs, "named-graph-uri": named_graphs}
        response = self._query(form, N_TRIPLES)
        return parse(response.content, format=RdfFormat.N_TRIPLES)

    def supports_lateral(self, empty_graph: str) -> bool:
        """Whether the server evaluates ``LATERAL`` (asked once, on ``empty_graph``: Oxigraph does,
        Virtuoso does not)."""
        if self._lateral is None:
            try:
                self.select(_LATERAL_PROBE, [empty_graph], [empty_graph], ask=True)
                self._lateral = True
            except RemoteError:
                self._lateral = False
        return self._lateral

    # ------------------------------------------------------------------ SPARQL 1.1 Update
    def update(self, sparql: str) -> None:
        self._send("POST", self.endpoints.update, data={"update": sparql}, timeout=self.write_timeout)

    # ------------------------------------------------------------------ Graph Store HTTP Protocol
    def post_graph(self, graph: str, body: IO[bytes], size: int, media_type: str = N_TRIPLES) -> None:
        """Add the ``size`` bytes of ``body`` to ``graph`` (one document: its blank nodes stay one set)."""
        self._send(
            "POST",
            self.endpoints.graph_store,
            params={"graph": graph},
            content=_read_blocks(body),
            headers={"Content-Type": media_type, "Content-Length": str(size)},
            timeout=self.write_timeout,
        )


def _read_blocks(body: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while block := body.read(size):
        yield block
