"""The W3C SHACL test suite (core and SHACL-SPARQL) against ingest.shacl, through the shared runner."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE

ROOT = Path(__file__).resolve().parent.parent
RUNNER = CONFORMANCE / "tools" / "run_shacl_suite.py"
XFAIL = Path(__file__).resolve().parent / "shacl_xfail.txt"


@pytest.mark.skipif(not RUNNER.exists(), reason=f"the W3C conformance suites are not at {CONFORMANCE}")
def test_w3c_shacl_suite() -> None:
    cmd = [
        sys.executable,
        str(RUNNER),
        "--validator",
        "ingest.shacl.conformance:validate",
        "--xfail",
        str(XFAIL),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    output = proc.stdout + proc.stderr
    summary = re.search(r"(\d+) passed, (\d+) failed", output)
    assert summary is not None, output[-3000:]
    assert proc.returncode == 0, output[-3000:]
    passed, failed = map(int, summary.groups())
    assert failed == 0, output[-3000:]
    listed = [line for line in XFAIL.read_text().splitlines() if line.split("#")[0].strip()]
    for line in listed:
        assert "#" in line and line.split("#", 1)[1].strip(), f"xfail entry without a reason: {line!r}"
    assert passed + len(listed) == 120, output[-3000:]
