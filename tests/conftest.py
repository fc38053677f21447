"""Shared fixtures: real stores, and a real ``coopgraph serve`` on a loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parent.parent
#: The files of the W3C test suites the tests run, copied into the repository (its README.md names
#: the upstream commits and licences).
CONFORMANCE = PROJECT / "tests" / "conformance"
COOPGRAPH = [sys.executable, "-m", "coopgraph.cli.main"]
TOKEN = "test-write-token"


def conformance_path(path: Path | str) -> Path:
    """A file or folder of the W3C suites (relative to ``CONFORMANCE``, or absolute).

    The test fails, naming it, when it is absent: the suites are part of the repository, never skipped.
    """
    full = CONFORMANCE / path
    if not full.exists():
        pytest.fail(
            f"{full} is missing: the W3C suites the tests run are part of the repository, "
            f"in {CONFORMANCE} (its README.md lists the files taken from upstream)",
            pytrace=False,
        )
    return full


def latest_version(store: Path) -> int:
    """The number of the store's latest version: a write that lands adds one. (Not the generation's
    name: the server's background compaction publishes new generations that change nothing.)"""
    from coopgraph.store.history import History

    history = History(store)
    latest = history.latest(history.published())
    return latest.number if latest is not None else 0


def comunica_command() -> str:
    """The ``comunica-sparql`` command the client tests run (``make comunica`` installs it with npm into
    .venv/comunica; ``COMUNICA_SPARQL`` names another); the test fails, saying so, without it."""
    for candidate in (
        os.environ.get("COMUNICA_SPARQL"),
        str(PROJECT / ".venv" / "comunica" / "node_modules" / ".bin" / "comunica-sparql"),
        shutil.which("comunica-sparql"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("comunica-sparql is not installed: run 'make comunica' (make test does)", pytrace=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def coopgraph(
    *args: str,
    store: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, in a process of its own."""
    full_env = dict(os.environ, **(env or {}))
    if store is not None:
        full_env["COOPGRAPH_STORE"] = str(store)
    return subprocess.run(
        [*COOPGRAPH, *args],
        cwd=PROJECT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


@dataclass
class Server:
    url: str
    store: Path
    process: subprocess.Popen[bytes]
    token: str | None
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    store: Path,
    *,
    seed: bool = True,
    token: str | None = TOKEN,
    workers: int = 2,
    query_timeout: float = 30.0,
    extra_env: dict[str, str] | None = None,
    extra_args: list[str] | None = None,
) -> Server:
    port = free_port()
    env = dict(
        os.environ,
        COOPGRAPH_STORE=str(store),
        COOPGRAPH_WORKERS=str(workers),
        COOPGRAPH_QUERY_TIMEOUT=str(query_timeout),
        **(extra_env or {}),
    )
    env.pop("COOPGRAPH_WRITE_TOKEN", None)
    if token:
        env["COOPGRAPH_WRITE_TOKEN"] = token
    log = store.parent / f"server-{port}.log"
    args = [*COOPGRAPH, "serve", "--port", str(port)] + ([] if seed else ["--no-seed"]) + (extra_args or [])
    with open(log, "wb") as out:
        process = subprocess.Popen(args, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", store, process, token, log, env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"coopgraph serve exited: {log.read_text(errors='replace')}")
        try:  # ready: the store is open and the workers are up
            if requests.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or listening while it prepares the store (the port is bound first)
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"coopgraph serve did not answer in time: {log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the ontology, vocabularies, shapes and seed data, loaded once per session.

    Tests copy it (``store_copy``) rather than change it.
    """
    store = tmp_path_factory.mktemp("seeded") / "store"
    result = coopgraph("init", store=store)
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture
def store_copy(seeded_store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(seeded_store, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    """One server for read-only tests: the seed dataset; writes take a token (tests must not write)."""
    store = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


@pytest.fixture
def writable_server(store_copy: Path) -> Iterator[Server]:
    """A server of its own for a test that writes."""
    running = start_server(store_copy)
    yield running
    running.stop()


@pytest.fixture(scope="session", autouse=True)
def _stop_sparql_servers() -> Iterator[None]:
    """Stop the SPARQL servers the remote store's tests started (tests/remote_servers.py)."""
    yield
    from tests import remote_servers

    remote_servers.stop_all()


@pytest.fixture(scope="module")
def evil() -> Iterator[str]:
    """The URL of a local HTTP server that records every request made to it (tests/http_recorder.py):
    whether Oxigraph really contacts a SERVICE or LOAD target."""
    from tests import http_recorder

    server, url = http_recorder.serve()
    yield url
    server.shutdown()
    server.server_close()
