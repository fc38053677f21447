"""The scale benchmark runs end to end at 100k triples and writes a table, its figures and a plot.

No figure is compared with a time limit: the test checks that every operation ran on the data it was
given and that what the benchmark writes is sound (a growth exponent needs two sizes: "—" at one).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT / "bench" / "bench_scale.py"
OPERATIONS = ("raw", "plain", "validated", "validate", "batch", "queries", "dump", "compact", "search")


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scale", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_growth_exponent_is_the_log_log_slope() -> None:
    bench = _bench_module()
    assert bench.growth_exponent([(1e6, 2.0), (1e7, 20.0)]) == pytest.approx(1.0)
    assert bench.growth_exponent([(1e5, 1.0), (1e6, 10**1.5), (1e7, 1000.0)]) == pytest.approx(1.5)
    assert bench.growth_exponent([(1e6, 3.0)]) is None
    assert bench.parse_size("100k") == 100_000 and bench.parse_size("2.5M") == 2_500_000


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("scale")
    options = ["--sizes", "100k", "--lookups", "20", "--pages", "3", "--query-limit", "120"]
    process = subprocess.run(
        [sys.executable, str(SCRIPT), *options, "--out", str(out), "--work", str(out / "work")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    return out, process.stdout


def test_every_operation_ran_on_the_generated_data(run: tuple[Path, str]) -> None:
    out, _ = run
    (size,) = json.loads((out / "scale.json").read_text(encoding="utf-8"))
    assert 100_000 <= size["triples"] < 100_007  # whole organisations of 7 triples
    ops = size["ops"]
    for op in OPERATIONS:
        assert ops[op]["seconds"] > 0 and ops[op]["rss_mb"] > 10, (op, ops[op])
    assert ops["validated"]["triples"] == size["triples"] and ops["validated"]["violations"] == 0
    assert 0 < ops["validated"]["gate_seconds"] < ops["validated"]["seconds"]
    assert ops["batch"]["focus_nodes"] >= 1000  # the changed organisations, gated on what they touch
    assert ops["dump"]["bytes"] > size["triples"] * 50  # N-Quads of at least every generated triple
    assert ops["search"]["bytes"] > 0 and ops["compact"]["compacted"] is True
    saved = sorted(p.stem for p in (PROJECT / "queries").glob("*.rq"))
    assert sorted(ops["queries"]["each"]) == saved  # each ran, or was stopped at the limit (None)
    finished = {name: rows for name, rows in ops["queries"]["rows"].items() if rows is not None}
    assert len(finished) > len(saved) // 2 and finished.get("institutions-per-province", 0) > 0
    http = ops["http"]
    assert http["lookup_ms"] > 0 and http["page_ms"] > 0 and http["rss_mb"] > 10
    # every saved query ran through both query workers (answered, or stopped at the server's limit)
    assert sum(http["saved_query_statuses"].values()) == 2 * len(saved)
    assert http["saved_query_statuses"].get("200", 0) > len(saved)
    assert list(http["rss_after"]) == ["start", "lookups", "pages", "saved queries"]
    for found in http["rss_after"].values():
        assert found["front"] > 10 and len([p for p in found if p.startswith("query-")]) == 2, found


def test_the_table_and_the_plot_are_written(run: tuple[Path, str]) -> None:
    out, stdout = run
    table = (out / "scale.md").read_text(encoding="utf-8")
    assert table in stdout
    lines = table.splitlines()
    assert lines[0].startswith("| operation | 100k s | slope (time) | 100k peak RSS | slope (RSS) |")
    rows = {line.split(" | ")[0].removeprefix("| ").strip(): line for line in lines[2:]}
    for label in ("raw bulk_load (reference)", "validated ingest", "full validation of the store"):
        cells = rows[label].strip("| ").split(" | ")
        assert cells[1].endswith((" s", " ms")) and cells[2] == "—" and cells[3].endswith(" MB")
    assert any(label.startswith("saved query `") for label in rows)
    assert "HTTP point lookup (median)" in rows and "HTTP resource page (median)" in rows
    png = (out / "scale.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
