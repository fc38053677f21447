"""The W3C SPARQL 1.1 query, update and result-format evaluation tests (tests/conformance), over HTTP
against ``coopgraph serve``, in both dataset modes (tests/w3c/evaluation.py runs them).

- ``strict`` (``--strict-dataset``): every test of the suite; the tests coopgraph fails are listed with
  the reason in ``tests/conformance/sparql11-evaluation-xfail.txt``.
- ``union`` (the default): the query evaluation tests (the dataset mode changes what a query reads, not
  what an update or the parser does); the tests that fail only because the default graph is the union are
  listed in ``tests/conformance/sparql11-evaluation-xfail-union.txt``, each reason starting "union".

A listed test that passes fails too (take it off the list). Each mode runs its tests once, on a server of
its own, in one fixed order; the test cases then read the outcomes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

from tests.conftest import TOKEN, conformance_path, start_server
from tests.w3c import evaluation

CASES = evaluation.cases()
UNION_CASES = [case for case in CASES if case.kind == "query"]
STRICT_LIST = Path("sparql11-evaluation-xfail.txt")
UNION_LIST = Path("sparql11-evaluation-xfail-union.txt")
EXPECTED = evaluation.read_expected_failures(conformance_path(STRICT_LIST))
EXPECTED_UNION = evaluation.read_expected_failures(conformance_path(UNION_LIST))

Outcomes = dict[str, str | None]


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Outcomes]]:
    """The outcome of every test of a mode (None: passed, else the problem), run on first use."""
    done: dict[str, Outcomes] = {}

    def run(mode: str) -> Outcomes:
        if mode not in done:
            store = tmp_path_factory.mktemp(f"evaluation-{mode}") / "store"
            # union: a query written for one small graph can match across the system graphs in the union
            # and produce hundreds of megabytes; a small answer limit and time limit fail it early
            server = start_server(
                store,
                seed=False,
                query_timeout=30 if mode == "strict" else 5,
                extra_args=["--strict-dataset"] if mode == "strict" else None,
                extra_env=None
                if mode == "strict"
                else {
                    "COOPGRAPH_MAX_RESULT_BYTES": str(4 << 20),
                    "COOPGRAPH_WORKER_MEMORY_BYTES": str(1 << 30),
                },
            )
            endpoint = evaluation.Endpoint(
                server.url + "/sparql",
                server.url + "/update",
                server.url + "/graphs",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            logging.disable(logging.CRITICAL)  # rdflib logs a traceback for each ill-formed answer
            try:
                selected = CASES if mode == "strict" else UNION_CASES
                done[mode] = {case.id: problem for case, problem in evaluation.run_all(endpoint, selected)}
            finally:
                logging.disable(logging.NOTSET)
                server.stop()
        return done[mode]

    yield run


def _check(problem: str | None, reason: str | None, listed_in: Path) -> None:
    if reason is None:
        assert problem is None, problem
    else:
        assert problem is not None, f"passes now: take it off {listed_in} (listed because: {reason})"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_w3c_evaluation_strict(outcomes: Callable[[str], Outcomes], case: evaluation.Case) -> None:
    _check(outcomes("strict")[case.id], EXPECTED.get(case.id), STRICT_LIST)


@pytest.mark.parametrize("case", UNION_CASES, ids=[case.id for case in UNION_CASES])
def test_w3c_evaluation_union(outcomes: Callable[[str], Outcomes], case: evaluation.Case) -> None:
    reason = EXPECTED_UNION.get(case.id) or EXPECTED.get(case.id)
    _check(outcomes("union")[case.id], reason, UNION_LIST if case.id in EXPECTED_UNION else STRICT_LIST)


def test_the_lists_name_tests_of_the_suite_with_reasons() -> None:
    ids = {case.id for case in CASES}
    assert len(ids) == len(CASES) == 495
    assert set(EXPECTED) <= ids and set(EXPECTED_UNION) <= {case.id for case in UNION_CASES}
    assert not set(EXPECTED) & set(EXPECTED_UNION), "a test fails in both modes: list it once, as strict"
    assert all(reason.startswith("union") for reason in EXPECTED_UNION.values())


def _select(*rows: dict[str, object]) -> Result:
    result = Result("SELECT")
    result.vars = sorted({Variable(name) for row in rows for name in row})
    result.bindings = [{Variable(k): v for k, v in row.items()} for row in rows]
    return result


def test_the_comparison_is_not_blind() -> None:
    """Bags, not sets; one blank-node mapping for the whole answer; numbers by value, other literals not."""
    a, b = BNode(), BNode()
    one = Literal("1", datatype=evaluation.XSD.decimal)
    assert evaluation.compare_results(_select({"x": a}, {"x": a}), _select({"x": b}, {"x": b})) is None
    assert evaluation.compare_results(_select({"x": a}, {"x": a}), _select({"x": a}, {"x": b})) is not None
    assert evaluation.compare_results(_select({"x": one}), _select({"x": one}, {"x": one})) is not None
    decimal = Literal("1.0", datatype=evaluation.XSD.decimal)
    assert evaluation.compare_results(_select({"x": one}), _select({"x": decimal})) is None
    assert evaluation.compare_results(_select({"x": Literal("a")}), _select({"x": Literal("A")})) is not None
    assert evaluation.compare_results(_select({"x": URIRef("http://a")}), _select({"x": Literal("http://a")}))
