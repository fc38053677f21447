#!/usr/bin/env python3
"""Mutation testing (cosmic-ray) of the modules that guard safety and data, one module at a time.

Each module is mutated in a scratch copy of the checkout, so the working tree is never changed (an
interrupted run leaves no mutant behind), and each mutant is tested only with the test files that
exercise its module (``MODULES``: the one place to change when a module moves or gains tests).

Usage:
  python tests/mutation_run.py [MODULE ...] [--out build/mutation] [--timeout SECONDS]
                               [--sample N [--offset K]]
                               [--resume | --recheck]
  python tests/mutation_run.py MODULE --recheck [--line N ...]

Writes, per module, the cosmic-ray session (``NAME.sqlite``) and ``NAME.survivors.txt`` (the diff of
every surviving mutant) under ``--out``, and prints the score of each module. Slow: hours for all.

The scratch copy holds every tracked file, so the tests read the W3C suites from its own
``tests/conformance``, as they do in the checkout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Module -> the test files (or test ids) run against each of its mutants.
MODULES: dict[str, list[str]] = {
    "server/http/auth.py": [
        "tests/test_write_auth.py",
        "tests/test_sparql_writes.py::test_a_server_without_a_token_is_read_only",
    ],
    "server/http/safety.py": [
        "tests/test_sparql_safety.py",
        "tests/test_sparql_writes.py::test_update_syntax_error_and_catalogue_protection",
        "tests/test_sparql_protocol.py",
    ],
    "coopgraph/store/generations.py": [
        "tests/test_generations_faults.py",
        "tests/test_generations_adopt.py",
        "tests/test_generations_lifecycle.py",
        "tests/test_publish_atomic.py",
        "tests/test_store_generations.py",
    ],
    "ingest/gate.py": [
        "tests/test_gate_checks.py",  # the gate called directly, in process (seconds)
        "tests/test_gate_referrers.py",
        "tests/test_gate_shapes_changed.py",
        "tests/test_ingest_batches.py",
        "tests/test_sparql_writes.py",
    ],
    "ingest/literals.py": [
        "tests/test_literal_checks.py",
        *(
            # the cases of bad input that reach the literal checks
            f"tests/test_ingest_errors.py::test_bad_input_is_refused_naming_file_place_and_problem[{case}]"
            for case in (
                "turtle-bad-date",
                "ntriples-bad-date",
                "json-record-bad-date",
                "yaml-record-bad-date",
            )
        ),
        "tests/security/test_update_literals.py",
    ],
    "coopgraph/saved_queries.py": [
        "tests/test_saved_query_binding.py",
        *(
            f"tests/test_saved_queries.py::{test}"
            for test in (
                "test_every_query_has_cases_with_default_and_other_values",
                "test_every_header_is_complete",
                "test_a_reserved_or_keyword_parameter_name_is_refused",
                "test_an_ill_formed_parameter_is_refused_with_its_file",
                "test_the_names_every_saved_query_may_use",
                "test_numbers_are_bound_in_xsd_form",
                "test_openapi_schemas_agree_with_the_binding",
                "test_catalogue_for_the_query_page_binds_each_querys_defaults",
                "test_a_bad_value_is_a_400_naming_the_parameter",
                "test_an_unknown_parameter_is_a_400",
            )
        ),
    ],
    "coopgraph/sparql_text.py": [
        # the scanner called directly: first the small files written for the mutants (a second), then
        # the traps, every operation and the W3C suites read by rdflib (the last 16 s)
        "tests/test_sparql_text_depth.py",
        "tests/test_sparql_text_service_targets.py",
        "tests/test_sparql_text_escapes.py",
        "tests/test_sparql_text_updates.py",
        "tests/test_sparql_text_operators.py",
        "tests/test_sparql_text_datasets.py",
        "tests/test_sparql_text_resolve.py",
        "tests/test_sparql_text_fallback.py",
        "tests/test_sparql_text_edges.py",
        "tests/test_sparql_text_generated.py",
        "tests/test_sparql_text.py",
    ],
}
PYTEST = "-x -q -p no:randomly -p no:cacheprovider"
SKIPPED_BINARY = "another replacement of this binary operator is tested"
SKIPPED_SAMPLE = "not in the sample (--sample)"


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def scratch_copy(out: Path) -> Path:
    """The checkout's files (tracked, and new ones not ignored) copied to ``out/tree``."""
    tree = out / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    return tree


def test_command(module: str, timeout: float) -> str:
    """The command that tests one mutant of ``module``. ``prlimit`` caps the CPU time of every process
    it starts, so a mutant that loops in a process the tests start in a session of its own (which
    cosmic-ray's kill of the process group does not reach) is stopped as well."""
    cpu = max(1, int(timeout))
    return f"prlimit --cpu={cpu} {sys.executable} -m pytest {PYTEST} {' '.join(MODULES[module])}"


def config(module: str, timeout: float) -> str:
    command = test_command(module, timeout)
    return (
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )


def one_binary_replacement_per_site(session: Path) -> int:
    """Keep one of the ~11 replacements cosmic-ray makes of each binary operator (the first by name),
    mark the others skipped; returns how many were skipped.

    Most binary operators in these modules join paths or combine flags, where every replacement fails
    the same way; testing them all would multiply the run time by five for no information.
    """
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    kept: set[tuple[str, tuple[int, int]]] = set()
    skipped = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = sorted(
            db.pending_work_items,
            key=lambda i: (tuple(i.mutations[0].start_pos), i.mutations[0].operator_name),
        )
        for item in items:
            mutation = item.mutations[0]
            if not mutation.operator_name.startswith("core/ReplaceBinaryOperator"):
                continue
            site = (str(mutation.module_path), tuple(mutation.start_pos))
            if site in kept:
                result = WorkResult(output=SKIPPED_BINARY, worker_outcome=WorkerOutcome.SKIPPED)
                db.set_result(item.job_id, result)
                skipped += 1
            kept.add(site)
    return skipped


def keep_every_nth(session: Path, every: int, offset: int = 0) -> int:
    """Test only every ``every``-th mutant left to test, in the order of their place in the module (line,
    column, operator, occurrence), starting at the ``offset``-th, and mark the others skipped: a
    deterministic sample, for a module whose mutants cannot all be tested in the time there is (another
    offset gives a sample with no mutant in common). Returns how many were skipped."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    skipped = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = sorted(
            db.pending_work_items,
            key=lambda i: (
                tuple(i.mutations[0].start_pos),
                i.mutations[0].operator_name,
                i.mutations[0].occurrence,
            ),
        )
        for index, item in enumerate(items):
            if index % every != offset % every:
                db.set_result(
                    item.job_id, WorkResult(output=SKIPPED_SAMPLE, worker_outcome=WorkerOutcome.SKIPPED)
                )
                skipped += 1
    return skipped


def outcomes(session: Path, tree: Path) -> list[dict]:
    """One record per mutant: where, which operator, the outcome and the diff."""
    dumped = subprocess.run(
        [sys.executable, "-m", "cosmic_ray.cli", "dump", str(session)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    records = []
    for line in dumped.splitlines():
        item, result = json.loads(line)
        mutation = item["mutations"][0]
        records.append(
            {
                "line": mutation["start_pos"][0],
                "operator": mutation["operator_name"],
                "occurrence": mutation["occurrence"],
                "outcome": (result or {}).get("test_outcome")
                or ("skipped" if (result or {}).get("worker_outcome") == "skipped" else "pending"),
                "worker": (result or {}).get("worker_outcome"),
                "diff": (result or {}).get("diff") or "",
                "output": (result or {}).get("output") or "",
            }
        )
    return records


def run_module(
    module: str, tree: Path, out: Path, timeout: float, resume: bool, sample: int = 1, offset: int = 0
) -> dict:
    name = slug(module)
    cfg, session = out / f"{name}.toml", out / f"{name}.sqlite"
    started = time.monotonic()
    baseline = subprocess.run(
        [sys.executable, "-m", "pytest", *PYTEST.split(), *MODULES[module]], cwd=tree, capture_output=True
    )
    if baseline.returncode != 0:
        sys.exit(f"{module}: the tests fail without any mutant:\n{baseline.stdout.decode()[-3000:]}")
    # A mutant that makes the tests hang (a lock never released) counts as killed after this long.
    timeout = min(timeout, max(60.0, 4 * (time.monotonic() - started)))
    cfg.write_text(config(module, timeout), encoding="utf-8")
    if not (resume and session.exists()):
        session.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "-m", "cosmic_ray.cli", "init", str(cfg), str(session)], cwd=tree, check=True
        )
        one_binary_replacement_per_site(session)
        if sample > 1:
            keep_every_nth(session, sample, offset)
    subprocess.run(
        [sys.executable, "-m", "cosmic_ray.cli", "exec", str(cfg), str(session)], cwd=tree, check=True
    )
    records = outcomes(session, tree)
    survivors = [r for r in records if r["outcome"] == "survived"]
    with open(out / f"{name}.survivors.txt", "w", encoding="utf-8") as fh:
        for r in sorted(survivors, key=lambda r: r["line"]):
            fh.write(f"--- {module}:{r['line']} {r['operator']} #{r['occurrence']}\n{r['diff']}\n")
    killed = sum(r["outcome"] == "killed" for r in records)
    skipped = sum(r["outcome"] == "skipped" for r in records)
    unsampled = sum(SKIPPED_SAMPLE in r["output"] for r in records)
    other = len(records) - killed - len(survivors) - skipped
    score = killed / max(1, killed + len(survivors))
    summary = {
        "module": module,
        "mutants": len(records),
        "killed": killed,
        "survived": len(survivors),
        "skipped": skipped,
        "not_sampled": unsampled,
        "other": other,
        "score": score,
    }
    print(
        f"{module}: {killed}/{killed + len(survivors)} killed ({score:.1%}); {skipped} skipped ("
        f"{unsampled} not in the sample, the others other replacements of a binary operator), {other} "
        "incompetent or pending",
        flush=True,
    )
    return summary


def recheck(module: str, tree: Path, out: Path, only: set[int] | None = None) -> None:
    """Test each surviving mutant of the module's session again (those on the lines ``only``, when
    given), with the tests as they are now (after new tests were written for the survivors); writes
    ``NAME.recheck.txt``."""
    from cosmic_ray.testing import run_tests
    from cosmic_ray.work_item import TestOutcome

    name = slug(module)
    session = out / f"{name}.sqlite"
    # The time limit of the run that made the session: a mutant that loops is killed, not waited for.
    timeout = float(
        tomllib.loads((out / f"{name}.toml").read_text(encoding="utf-8"))["cosmic-ray"]["timeout"]
    )
    survivors = [
        r
        for r in outcomes(session, tree)
        if r["outcome"] == "survived" and (only is None or r["line"] in only)
    ]
    lines = []
    for r in sorted(survivors, key=lambda r: r["line"]):
        subprocess.run(
            [sys.executable, "-m", "cosmic_ray.cli", "apply", module, r["operator"], str(r["occurrence"])],
            cwd=tree,
            check=True,
            capture_output=True,
        )
        try:
            with contextlib.chdir(tree):
                tested, output = run_tests(test_command(module, timeout), timeout)
        finally:
            shutil.copy2(ROOT / module, tree / module)
        outcome = "survived" if tested == TestOutcome.SURVIVED else "killed"
        if output == "timeout":
            outcome = "timeout"
        lines.append(f"{outcome:8}  {module}:{r['line']} {r['operator']} #{r['occurrence']}")
        print(lines[-1], flush=True)
    (out / f"{name}.recheck.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "mutation")
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="at most this many seconds per mutant's test run (else 4 times the run without mutant)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=1,
        metavar="N",
        help="test only every N-th mutant (in the order of their place in the module), skip the others",
    )
    parser.add_argument(
        "--offset",
        type=int,
        default=0,
        metavar="K",
        help="with --sample: start the sample at the K-th mutant (a sample disjoint from another offset's)",
    )
    parser.add_argument("--resume", action="store_true", help="go on with the sessions already in --out")
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="test the survivors of the sessions in --out again, with the tests now",
    )
    parser.add_argument(
        "--line",
        type=int,
        action="append",
        help="with --recheck: only the survivors on this line of the module (repeatable)",
    )
    args = parser.parse_args()
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        sys.exit(f"not in MODULES: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    tree = scratch_copy(args.out)
    if args.recheck:
        for module in args.modules or MODULES:
            recheck(module, tree, args.out.resolve(), set(args.line) if args.line else None)
        return
    summaries = [
        run_module(m, tree, args.out.resolve(), args.timeout, args.resume, args.sample, args.offset)
        for m in args.modules or MODULES
    ]
    (args.out / "summary.json").write_text(json.dumps(summaries, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
