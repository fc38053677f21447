"""Idle and slow connections are closed, and connections past ``max_connections`` are refused at once:
a thousand idle sockets must not lock everyone else out. The timeouts are set short for the test; each
socket read has a generous timeout of its own, only so that a server that never closes fails the test
instead of hanging it."""

from __future__ import annotations

import contextlib
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server, start_server

CAP = 12
ENV = {
    "COOPGRAPH_HEADER_TIMEOUT": "2",
    "COOPGRAPH_BODY_TIMEOUT": "2",
    "COOPGRAPH_KEEP_ALIVE_TIMEOUT": "2",
    "COOPGRAPH_MAX_CONNECTIONS": str(CAP),
}
HANG = 60  # seconds a socket read may wait before the test calls the server hung


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("connections") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store, extra_env=ENV)
    yield running
    running.stop()


def connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=HANG)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_an_idle_connection_is_closed(server: Server) -> None:
    with connect(server) as sock:
        assert read_until_closed(sock).startswith((b"", b"HTTP/1.1 408"))


def test_slow_headers_are_cut_off(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\n")  # never ends
        assert read_until_closed(sock).startswith(b"HTTP/1.1 408")


def test_a_stalled_body_is_cut_off(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK"
        )
        answer = read_until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 408") or answer == b"", answer


def test_an_idle_keep_alive_connection_is_closed(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n"
        )
        answer = read_until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert answer.count(b"HTTP/1.1") == 1


def test_connections_past_the_cap_are_refused(server: Server) -> None:
    with contextlib.ExitStack() as stack:
        held = [stack.enter_context(connect(server)) for _ in range(CAP)]
        with connect(server) as extra:
            extra.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_until_closed(extra)
        assert answer.startswith(b"HTTP/1.1 503"), answer
        assert b"retry-after" in answer.lower()
        assert len(held) == CAP
    with connect(server) as sock:  # once they are gone, the server answers again
        sock.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200")
