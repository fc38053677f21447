"""The write token over HTTP: anything but exactly ``Authorization: Bearer <token>``, once, is a 401
with ``WWW-Authenticate`` on every write route, and changes nothing; the right token writes."""

from __future__ import annotations

import base64
import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import TOKEN, Server, latest_version, start_server

EX = "http://example.org/auth/"
TRIPLE = f'<{EX}s> <{EX}name> "written" .\n'

#: Authorization headers that must not authorise a write (each sent alone).
WRONG = {
    "empty bearer": "Bearer ",
    "scheme only": "Bearer",
    "no space": "Bearer" + TOKEN,
    "a prefix": "Bearer " + TOKEN[:-1],
    "the first letter": "Bearer " + TOKEN[0],
    "the token plus a suffix": "Bearer " + TOKEN + "x",
    "the token twice": f"Bearer {TOKEN}{TOKEN}",
    "another letter case": "Bearer " + TOKEN.upper(),
    "one letter changed": "Bearer " + TOKEN[:-1] + chr(ord(TOKEN[-1]) + 1),
    "Basic": "Basic " + base64.b64encode(f"user:{TOKEN}".encode()).decode(),
    "Basic with the bare token": "Basic " + TOKEN,
    "Token scheme": "Token " + TOKEN,
    "the token without a scheme": TOKEN,
    "two tokens": f"Bearer {TOKEN} {TOKEN}",
    "a comma list": f"Bearer {TOKEN}, Bearer {TOKEN}",
}


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a write token on an empty store (what is written does not matter here)."""
    running = start_server(tmp_path_factory.mktemp("auth") / "store", seed=False)
    yield running
    running.stop()


def generation(server: Server) -> int:
    """The store's latest version: a write that lands adds one."""
    return latest_version(server.store)


def send(server: Server, route: str, headers: list[tuple[str, str]]) -> http.client.HTTPResponse:
    """One write request with exactly these headers (repeated names included), read whole."""
    method, path, body, media = {
        "update": ("POST", "/update", f"INSERT DATA {{ GRAPH <{EX}g> {{ {TRIPLE} }} }}", None),
        "put": ("PUT", f"/graphs?graph={EX}g", TRIPLE, "application/n-triples"),
        "post": ("POST", f"/graphs?graph={EX}g", TRIPLE, "application/n-triples"),
        "delete": ("DELETE", f"/graphs?graph={EX}g", "", None),
    }[route]
    media = media or ("application/sparql-update" if route == "update" else None)
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.putrequest(method, path)
    for name, value in [*headers, *([("Content-Type", media)] if media else [])]:
        connection.putheader(name, value)
    data = body.encode()
    connection.putheader("Content-Length", str(len(data)))
    connection.endheaders(data)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


ROUTES = ["update", "put", "post", "delete"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", [*WRONG, "no header"])
def test_anything_but_the_token_is_401(writer: Server, route: str, case: str) -> None:
    before = generation(writer)
    headers = [] if case == "no header" else [("Authorization", WRONG[case])]
    response = send(writer, route, headers)
    assert response.status == 401, (case, route, response.status)
    assert response.getheader("WWW-Authenticate", "").startswith("Bearer")
    assert generation(writer) == before


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "values",
    [
        [f"Bearer {TOKEN}", f"Bearer {TOKEN}"],
        [f"Bearer {TOKEN}", "Bearer nope"],
        ["Bearer nope", f"Bearer {TOKEN}"],
    ],
    ids=["twice the token", "token then another", "another then the token"],
)
def test_a_duplicated_authorization_header_is_401(writer: Server, route: str, values: list[str]) -> None:
    """Authorization is not a list header: two of them are a malformed request, whatever they hold."""
    before = generation(writer)
    response = send(writer, route, [("Authorization", v) for v in values])
    assert response.status == 401, (values, route, response.status)
    assert response.getheader("WWW-Authenticate", "").startswith("Bearer")
    assert generation(writer) == before


def test_the_token_in_the_url_is_not_a_token(writer: Server) -> None:
    before = generation(writer)
    r = requests.put(
        writer.url + "/graphs",
        params={"graph": EX + "g", "access_token": TOKEN, "token": TOKEN},
        data=TRIPLE,
        headers={"Content-Type": "application/n-triples"},
    )
    assert r.status_code == 401
    assert generation(writer) == before


def test_the_right_token_writes_on_every_route(writer: Server) -> None:
    """Exactly the token succeeds, whatever the case of the scheme (RFC 7235: schemes are caseless)."""
    graph = EX + "right"
    url = writer.url + "/graphs"
    nt = {"Content-Type": "application/n-triples"}

    def listed() -> dict[str, int]:
        rows = requests.get(url, params={"format": "json"}).json()["graphs"]
        return {g["graph"]: g["triples"] for g in rows}

    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = requests.put(url, params={"graph": graph}, data=TRIPLE, headers={**auth, **nt})
    assert r.status_code == 201, r.text
    assert listed()[graph] == 1
    more = f'<{EX}t> <{EX}name> "more" .\n'
    r = requests.post(
        url, params={"graph": graph}, data=more, headers={"Authorization": f"bearer {TOKEN}", **nt}
    )
    assert r.status_code == 204, r.text
    assert listed()[graph] == 2
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}u> <{EX}name> "u" }} }}'
    r = requests.post(
        writer.url + "/update", data={"update": update}, headers={"Authorization": f"BEARER {TOKEN}"}
    )
    assert r.status_code == 204, r.text
    assert listed()[graph] == 3
    r = requests.delete(url, params={"graph": graph}, headers=auth)
    assert r.status_code == 204, r.text
    assert graph not in listed()
