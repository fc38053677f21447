"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description suites, against a live server.

The suites (copied in tests/conformance) drop everything between tests, so the server gets a store of
its own. One test per case; none is skipped or expected to fail.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conftest import TOKEN, start_server
from tests.w3c import protocol

CASES = protocol.cases()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[protocol.Endpoint]:
    server = start_server(tmp_path_factory.mktemp("protocol") / "store", seed=False)
    logging.disable(logging.CRITICAL)  # rdflib logs a traceback for each ill-formed answer it is given
    try:
        yield protocol.Endpoint(
            server.url + "/sparql",
            server.url + "/update",
            server.url + "/graphs",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    finally:
        logging.disable(logging.NOTSET)
        server.stop()


def test_the_copy_holds_the_three_suites() -> None:
    assert Counter(case.suite for case in CASES) == {
        "protocol": 34,
        "graph-store": 13,
        "service-description": 3,
    }
    assert len({case.id for case in CASES}) == 50


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_w3c_protocol_case(endpoint: protocol.Endpoint, case: protocol.Case) -> None:
    problem = endpoint.problem(case)
    assert problem is None, problem


def test_a_wrong_answer_is_caught(endpoint: protocol.Endpoint) -> None:
    """The runner is not blind: the update URL given as the query URL fails the query tests."""
    broken = protocol.Endpoint(endpoint.update_url, endpoint.update_url, endpoint.gsp_url, endpoint.headers)
    query_get = next(case for case in CASES if case.name == "query_get")
    assert broken.problem(query_get) is not None
