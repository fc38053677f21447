"""One body limit (``max_body_bytes``) for every body form: direct, form, multipart, with or without a
Content-Length. A declared length over the limit is answered 413 before any of the body is read; a body
without one is cut off with a 413 once it passes the limit. Nothing is written.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import Server, start_server
from tests.security.test_system_graphs import graph_dump

LIMIT = 100_000
GRAPH = "http://example.org/uploaded"


def ntriples(size: int, tag: str) -> bytes:
    """N-Triples of about ``size`` bytes."""
    lines = []
    total = n = 0
    while total < size:
        line = f'<http://example.org/{tag}{n}> <http://example.org/p> "padding padding padding {n}" .\n'
        lines.append(line)
        total += len(line)
        n += 1
    return "".join(lines).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("body-limit") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store, extra_env={"COOPGRAPH_MAX_BODY_BYTES": str(LIMIT)})
    yield running
    running.stop()


def multipart(sizes: list[int]) -> dict[str, tuple[str, bytes, str]]:
    return {
        f"part{n}": (f"part{n}.nt", ntriples(size, f"m{n}-"), "application/n-triples")
        for n, size in enumerate(sizes)
    }


def test_a_multipart_body_over_the_limit_is_a_413(server: Server) -> None:
    r = requests.post(
        server.url + "/graphs",
        params={"graph": GRAPH},
        files=multipart([60_000, 60_000]),
        headers=server.auth,
    )
    assert r.status_code == 413, r.text
    assert f"{LIMIT:,}" in r.text
    assert graph_dump(server, GRAPH) == []


def test_a_multipart_body_without_a_length_is_cut_off(server: Server) -> None:
    prepared = requests.Request(
        "POST",
        server.url + "/graphs",
        params={"graph": GRAPH},
        files=multipart([60_000, 60_000]),
        headers=server.auth,
    ).prepare()
    body = prepared.body
    assert isinstance(body, bytes)
    del prepared.headers["Content-Length"]
    prepared.body = (body[i : i + 8192] for i in range(0, len(body), 8192))  # sent chunked
    r = requests.Session().send(prepared)
    assert r.status_code == 413, r.text
    assert graph_dump(server, GRAPH) == []


def test_a_multipart_body_inside_the_limit_is_loaded(server: Server) -> None:
    r = requests.post(
        server.url + "/graphs",
        params={"graph": GRAPH + "/small"},
        files=multipart([20_000, 20_000]),
        headers=server.auth,
    )
    assert r.status_code in (201, 204), r.text
    assert len(graph_dump(server, GRAPH + "/small")) > 100


def _head_only(server: Server, request_line: str, headers: dict[str, str]) -> str:
    """Send a request's head announcing a huge body, none of it, and read the answer."""
    host, port = server.url.removeprefix("http://").split(":")
    lines = [request_line, f"Host: {host}:{port}", "Content-Length: 10000000000", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode("latin-1")


@pytest.mark.parametrize(
    "request_line, content_type",
    [
        (f"PUT /graphs?graph={GRAPH} HTTP/1.1", "application/n-triples"),
        (f"POST /graphs?graph={GRAPH} HTTP/1.1", "multipart/form-data; boundary=x"),
        ("POST /update HTTP/1.1", "application/sparql-update"),
        ("POST /update HTTP/1.1", "application/x-www-form-urlencoded"),
        ("POST /sparql HTTP/1.1", "application/sparql-query"),
        ("POST /sparql HTTP/1.1", "application/x-www-form-urlencoded"),
    ],
)
def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    server: Server, request_line: str, content_type: str
) -> None:
    answer = _head_only(server, request_line, {"Content-Type": content_type, **server.auth})
    assert answer.startswith("HTTP/1.1 413"), answer
