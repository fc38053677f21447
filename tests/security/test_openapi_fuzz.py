"""Schemathesis against the server's own ``/openapi.json``: every documented operation (the saved
queries and their catalogue), called with parameters generated from the document, answers without a 5xx;
no worker crashes (a crashed worker is replaced by a new process) and the store is unchanged.

Bounded examples per operation keep the run to seconds; the examples are derived from a fixed seed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import Server, latest_version, start_server
from tests.security.test_client_errors import worker_pids


@schemathesis.serializer("application/sparql-query", "application/sparql-update", "text/turtle")
def _text_body(ctx: object, value: object) -> bytes:
    """A query, an update or a Turtle document sent as the body: whatever text was generated, as UTF-8
    (the server must answer any of it without a 5xx)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def described(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("openapi-fuzz") / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    running = start_server(store)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def workers(described: Server) -> set[int]:
    """The worker processes before any generated call."""
    return worker_pids(described)


@pytest.fixture(scope="module")
def api(described: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(described.url + "/openapi.json")


BOUNDED = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_every_documented_operation_answers_without_a_server_error(
    api: schemathesis.BaseSchema, described: Server, workers: set[int]
) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 20, "the saved queries are documented"
    for operation in operations:

        @BOUNDED
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            before = latest_version(described.store)
            case.call_and_validate(checks=[not_a_server_error])
            assert latest_version(described.store) == before, "a read changed the store"

        call()
    assert worker_pids(described) == workers, "a worker crashed (it was replaced by a new process)"
