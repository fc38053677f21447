"""The OpenAPI document covers every route of the route table, each with an example."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from coopgraph.saved_queries import load_all
from coopgraph.settings import Settings
from server.http.route_docs import openapi_path
from server.http.routes import Route, route_table
from server.http.state import State
from server.workers.pool import Pool
from tests.conftest import Server


@pytest.fixture(scope="module")
def document(server: Server) -> dict[str, Any]:
    r = requests.get(server.url + "/openapi.json")
    assert r.status_code == 200
    return r.json()


@pytest.fixture(scope="module")
def table(server: Server) -> list[Route]:
    settings = Settings(store=server.store, write_token="x")
    return route_table(State(settings=settings, queries=Pool(server.store, "query", 1)), load_all())


def _examples(operation: dict[str, Any]) -> list[Any]:
    """Every example an operation gives: of its parameters, its body and its answers."""
    found = [p["example"] for p in operation.get("parameters", []) if "example" in p]
    for part in (operation.get("requestBody", {}), *operation.get("responses", {}).values()):
        found += [c["example"] for c in part.get("content", {}).values() if "example" in c]
    return found


def test_every_route_of_the_table_is_in_the_openapi_document(
    document: dict[str, Any], table: list[Route]
) -> None:
    paths = document["paths"]
    missing = [route.path for route in table if openapi_path(route) not in paths]
    assert not missing
    for route in table:
        documented = paths[openapi_path(route)]
        methods = {m.upper() for m in documented}
        served = set(route.allow or route.methods) - {"HEAD", "OPTIONS"}
        assert served <= methods, (route.path, served, methods)
        for method, operation in documented.items():
            assert operation.get("summary"), (route.path, method)
            if route.kind != "openapi":  # the hand-written descriptions carry examples
                assert _examples(operation), (route.path, method)


def test_the_main_routes_are_described_with_examples(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path, methods in {
        "/sparql": ("get", "post"),
        "/update": ("post",),
        "/graphs": ("get", "put", "post", "delete"),
        "/ontology": ("get",),
        "/context.jsonld": ("get",),
        "/search": ("get",),
        "/reconcile": ("get", "post"),
        "/metrics": ("get",),
        "/healthz": ("get",),
        "/readyz": ("get",),
        "/id/{path}": ("get",),
    }.items():
        for method in methods:
            assert _examples(paths[path][method]), (path, method)
    query = next(p for p in paths["/sparql"]["get"]["parameters"] if p["name"] == "query")
    assert query["example"].startswith("PREFIX cg:")
    assert "bearer" in document["components"]["securitySchemes"]
    assert paths["/update"]["post"]["security"] == [{"bearer": []}]
