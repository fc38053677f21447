"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description suites, against a live server.

The runner (shared/conformance/tools) drops everything between tests, so the server gets a store of
its own. No test is skipped or expected to fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE, TOKEN, start_server

RUNNER = CONFORMANCE / "tools" / "run_sparql_protocol.py"


@pytest.mark.skipif(not RUNNER.exists(), reason=f"the W3C conformance suites are not at {CONFORMANCE}")
def test_protocol_graph_store_and_service_description_suites(tmp_path: Path) -> None:
    server = start_server(tmp_path / "store", seed=False)
    try:
        run = subprocess.run(
            [
                sys.executable,
                str(RUNNER),
                "--query-url",
                server.url + "/sparql",
                "--update-url",
                server.url + "/update",
                "--gsp-url",
                server.url + "/graphs",
                "--header",
                f"Authorization: Bearer {TOKEN}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.stop()
    print(run.stdout[-3000:])
    last = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    passed, failed = (int(part.split()[0]) for part in last.split(",")[:2])
    assert failed == 0 and passed == 50, last
