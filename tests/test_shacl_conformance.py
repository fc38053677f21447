"""The W3C SHACL test suite (core and SHACL-SPARQL), copied in tests/conformance, against ingest.shacl.

One test per case of the suite; the cases listed in shacl_xfail.txt (each with its reason) are expected
to fail, strictly: a listed case that passes fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.shacl.conformance import validate
from tests.w3c import shacl

XFAIL_FILE = Path(__file__).resolve().parent / "shacl_xfail.txt"
CASES = shacl.cases()


def expected_failures() -> dict[str, str]:
    """The case ids of shacl_xfail.txt, each with its reason (the text after ``#``)."""
    listed = {}
    for line in XFAIL_FILE.read_text(encoding="utf-8").splitlines():
        case_id, _, reason = line.partition("#")
        if case_id.strip():
            listed[case_id.strip()] = reason.strip()
    return listed


XFAIL = expected_failures()


@pytest.fixture(autouse=True)
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each of the suite's deliberately ill-typed literals."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def test_the_copy_holds_the_whole_suite() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)) == 120  # 97 core, 22 SHACL-SPARQL, and core/misc/shapesGraph-001
    assert sum(case.id.startswith("/sparql/") for case in CASES) == 22
    for case_id, reason in XFAIL.items():
        assert case_id in ids, f"shacl_xfail.txt lists {case_id}, which is not a case of the suite"
        assert reason, f"shacl_xfail.txt lists {case_id} without a reason"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case.id])] if case.id in XFAIL else [],
        )
        for case in CASES
    ],
)
def test_w3c_shacl_case(case: shacl.Case) -> None:
    problem = shacl.problem(case, validate)
    assert problem is None, problem


#: The SHACL-SPARQL cases the join form (a server without LATERAL) gets wrong, each with its reason.
JOIN_XFAIL = dict.fromkeys(
    [
        "/sparql/pre-binding/pre-binding-002",
        "/sparql/pre-binding/pre-binding-003",
        "/sparql/pre-binding/pre-binding-005",
        "/sparql/pre-binding/pre-binding-007",
    ],
    "a nested group (UNION branch, inner group, sub-SELECT) filters on $this without binding it: SPARQL 1.1 "
    "evaluates it before the join that binds $this",
)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=JOIN_XFAIL[case.id])]
            if case.id in JOIN_XFAIL
            else [],
        )
        for case in CASES
        if case.id.startswith("/sparql/") and case.id not in XFAIL
    ],
)
def test_sparql_case_without_lateral(case: shacl.Case) -> None:
    """The form a SPARQL server without LATERAL gets (the remote store on Virtuoso, for one)."""
    found = shacl.problem(case, lambda data, shapes: validate(data, shapes, lateral=False))
    assert found is None, found


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=case.id)
        for case in CASES
        if case.id.startswith(("/core/node/class-", "/core/property/class-")) and case.id not in XFAIL
    ],
)
def test_class_case_without_lateral(case: shacl.Case) -> None:
    """sh:class in the form a SPARQL server without LATERAL gets (the one Virtuoso compiles)."""
    found = shacl.problem(case, lambda data, shapes: validate(data, shapes, lateral=False))
    assert found is None, found
