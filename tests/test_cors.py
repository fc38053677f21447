"""CORS with named origins: a browser on an allowed origin gets that origin back (never ``*`` together
with credentials); a preflight or a request from any other origin gets no ``Access-Control-Allow-Origin``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.conftest import Server, start_server

PORTAL = "https://portal.example"
OTHER_PORTAL = "http://localhost:8080"
NOT_ALLOWED = [
    "https://evil.example",
    "https://portal.example.evil.example",  # the allowed origin as a prefix
    "https://evil.example/https://portal.example",
    "http://portal.example",  # another scheme
    "https://portal.example:8443",  # another port
    "null",
]
PATHS = ["/sparql", "/update", "/graphs", "/queries"]


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("cors") / "store"
    running = start_server(
        store, seed=False, extra_env={"COOPGRAPH_CORS_ORIGINS": f"{PORTAL},{OTHER_PORTAL}"}
    )
    yield running
    running.stop()


def preflight(server: Server, path: str, origin: str, method: str = "POST") -> requests.Response:
    return requests.options(
        server.url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("origin", NOT_ALLOWED)
def test_a_preflight_from_an_origin_not_allowed_gets_no_allow_origin(
    named: Server, path: str, origin: str
) -> None:
    r = preflight(named, path, origin)
    assert "access-control-allow-origin" not in r.headers, (origin, dict(r.headers))
    assert r.status_code >= 400


@pytest.mark.parametrize("origin", NOT_ALLOWED)
def test_a_request_from_an_origin_not_allowed_gets_no_allow_origin(named: Server, origin: str) -> None:
    r = requests.get(named.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": origin})
    assert r.status_code == 200  # answered, but the browser is not allowed to read it
    # Without Access-Control-Allow-Origin the browser withholds the answer, credentials or not.
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("origin", [PORTAL, OTHER_PORTAL])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_an_allowed_origin_gets_itself_back_with_credentials(
    named: Server, path: str, origin: str, method: str
) -> None:
    r = preflight(named, path, origin, method)
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["access-control-allow-credentials"] == "true"
    assert method in r.headers["access-control-allow-methods"]
    assert "authorization" in r.headers["access-control-allow-headers"].lower()
    assert "origin" in r.headers.get("vary", "").lower()  # caches keep one answer per origin
    r = requests.get(named.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": origin})
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["access-control-allow-credentials"] == "true"


def test_a_wildcard_preflight_never_allows_credentials(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = tmp_path_factory.mktemp("cors-any") / "store"
    server = start_server(store, seed=False, extra_env={"COOPGRAPH_CORS_ORIGINS": "*"})
    try:
        for origin in (PORTAL, "https://evil.example"):
            r = preflight(server, "/sparql", origin)
            assert r.status_code == 200
            assert r.headers["access-control-allow-origin"] == "*"
            assert "access-control-allow-credentials" not in r.headers
    finally:
        server.stop()
