"""SPARQL servers for the remote store's tests: Oxigraph server and Virtuoso, each started once on a
loopback port (in a temporary directory), emptied between tests, stopped at the end of the session.

Both are installed by the project's set-up: ``oxigraph`` by the test extras, Virtuoso by
``make system-deps`` (Debian's ``virtuoso-opensource``). A missing one fails the tests that need it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from coopgraph.settings import Settings
from coopgraph.store import Store, open_store
from tests.conftest import free_port

#: Virtuoso's own graphs (present in a new database): kept when the server is emptied.
_VIRTUOSO_SYSTEM = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp", "http://localhost:")

#: Seconds a query may run on the servers' side (the benchmarks raise it for large validated ingests).
SERVER_LIMIT = int(os.environ.get("COOPGRAPH_TEST_SERVER_LIMIT", "60"))

_VIRTUOSO_INI = """\
[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
TransactionAfterImageLimit = 1500000000
MaxVectorSize = 4000000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = .
ServerThreads = 8
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = {limit}
"""


@dataclass
class SparqlServer:
    """One server process and how the store reaches it."""

    name: str
    process: subprocess.Popen[bytes]
    folder: Path
    location: str
    settings: dict[str, str] = field(default_factory=dict)
    update_url: str = ""

    def store_settings(self, root: Path) -> Settings:
        return Settings(store=root, remote_store=self.location, **self.settings)  # type: ignore[arg-type]

    def open(self, root: Path, create: bool = True) -> Store:
        return open_store(self.store_settings(root), create=create)

    def environ(self, root: Path) -> dict[str, str]:
        """The variables that point ``coopgraph`` at this server."""
        env = {"COOPGRAPH_STORE": str(root), "COOPGRAPH_REMOTE_STORE": self.location}
        env.update({"COOPGRAPH_" + k.upper(): v for k, v in self.settings.items()})
        return env

    def empty(self) -> None:
        """Remove every graph but the server's own."""
        if self.name == "oxigraph":
            self.update("DROP ALL")
            return
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        mine = [g for g in rows if not g.startswith(_VIRTUOSO_SYSTEM)]
        if mine:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in mine))

    def update(self, text: str) -> None:
        response = httpx.post(self.update_url, data={"update": text}, timeout=60)
        response.raise_for_status()

    def select(self, text: str) -> list[str]:
        """The values of the first variable of a SELECT query (on the whole server)."""
        query_url = self.settings.get("remote_query_url") or self.location.removeprefix("sparql+") + "/query"
        response = httpx.post(
            query_url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}, timeout=60
        )
        response.raise_for_status()
        data = response.json()
        var = data["head"]["vars"][0]
        return [row[var]["value"] for row in data["results"]["bindings"] if var in row]

    def graphs(self) -> set[str]:
        """Every graph on the server that holds a triple (the server's own excluded)."""
        found = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {g for g in found if not g.startswith(_VIRTUOSO_SYSTEM)}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_until_up(server: SparqlServer, url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    log = server.folder / ("virtuoso.log" if server.name == "virtuoso" else "server.log")
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    server.stop()
    pytest.fail(f"the {server.name} server did not start: {tail}", pytrace=False)


def start_oxigraph() -> SparqlServer:
    command = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if command is None:
        pytest.fail(
            "no 'oxigraph' command: install the test extras (pip install -e '.[test]')", pytrace=False
        )
    folder = Path(tempfile.mkdtemp(prefix="coopgraph-oxigraph-"))
    port = free_port()
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            # in memory: writes ~10x faster than on disk; a query still running after SERVER_LIMIT seconds
            # is stopped by the server (the client gives up at its own limit; an abandoned query runs on)
            [command, "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", str(SERVER_LIMIT)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    server = SparqlServer("oxigraph", process, folder, f"sparql+{base}", update_url=base + "/update")
    _wait_until_up(server, base + "/query")
    return server


def start_virtuoso() -> SparqlServer:
    command = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if command is None or isql is None:
        pytest.fail(
            "Virtuoso is not installed: run 'make system-deps' (Debian's virtuoso-opensource)", pytrace=False
        )
    folder = Path(tempfile.mkdtemp(prefix="coopgraph-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(
        _VIRTUOSO_INI.format(sql_port=sql_port, http_port=http_port, limit=SERVER_LIMIT)
    )
    process = subprocess.Popen(
        [command, "+foreground", "+configfile", "virtuoso.ini"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http_port}"
    server = SparqlServer(
        "virtuoso",
        process,
        folder,
        f"sparql+{base}",
        settings={
            "remote_query_url": base + "/sparql",
            "remote_update_url": base + "/sparql",
            "remote_graph_store_url": base + "/sparql-graph-crud",
        },
        update_url=base + "/sparql",
    )
    _wait_until_up(server, base + "/sparql")
    # a new database's SPARQL user may read only; the tests' server lets it write (see docs/SCALE-OUT.md)
    granted = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if granted.returncode != 0:
        server.stop()
        pytest.fail(f"Virtuoso: the grant failed: {granted.stdout} {granted.stderr}", pytrace=False)
    return server


_STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}
_RUNNING: dict[str, SparqlServer] = {}


def server(name: str) -> SparqlServer:
    """The running server ``name`` (started on first use, stopped when the tests end), emptied.

    A server that does not answer within the client's limit is stopped and started afresh: once in CI,
    Virtuoso 7.2 stopped answering (a saved query it answers in 0.1 s on the seed data ran to the
    client's 30 s limit, then every request timed out for minutes; the cause is not known), and one
    test's stuck server must not fail the tests that share it after that."""
    if name not in _RUNNING:
        _RUNNING[name] = _STARTERS[name]()
    found = _RUNNING[name]
    try:
        found.empty()
    except httpx.TimeoutException:
        found.stop()
        found = _RUNNING[name] = _STARTERS[name]()
        found.empty()
    return found


def stop_all() -> None:
    for running in _RUNNING.values():
        running.stop()
    _RUNNING.clear()


atexit.register(stop_all)  # also when the session ends without the fixture's finaliser
