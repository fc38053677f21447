"""The MCP server, through the ``mcp`` package's own client: at ``/mcp`` over HTTP on a real server, and
as ``coopgraph mcp`` on standard input/output. Every tool answers; the limits of ``/sparql`` hold; no
write can be made."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
import requests
from mcp import Client, StdioServerParameters

from tests.conftest import Server, start_server

VNU = "https://w3id.org/coopgraph/id/organization/vnu-hanoi"
TSINGHUA = "https://w3id.org/coopgraph/id/organization/tsinghua-university"
TOOLS = {
    "search_entities",
    "describe_resource",
    "list_saved_queries",
    "run_saved_query",
    "run_sparql",
    "ontology_summary",
}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
WRITES = (
    "INSERT DATA { <urn:mcp:s> <urn:mcp:p> <urn:mcp:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "LOAD <http://example.org/data.ttl>",
)


def _run(client_of: Callable[[], Client], work: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with client_of() as client:
            return await work(client)

    return anyio.run(main)


async def _call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {result.content}"
    return result.structured_content  # type: ignore[no-any-return]


async def _refused(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, f"{tool} answered {result.structured_content}"
    return " ".join(getattr(block, "text", "") for block in result.content)


async def _every_tool(client: Client) -> None:
    tools = (await client.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    assert all(t.annotations is not None and t.annotations.read_only_hint for t in tools)

    found = await _call(client, "search_entities", text="dai hoc thanh hoa", lang="vi")
    assert found["results"][0]["iri"] == TSINGHUA  # Đại học Thanh Hoa, without its tones
    assert found["results"][0]["label"] == "Đại học Thanh Hoa"

    described = await _call(client, "describe_resource", iri=VNU, lang="vi")
    assert described["label"] == "Đại học Quốc gia Hà Nội"
    assert any(
        s["property"].endswith("#country") and s.get("label") == "Việt Nam" for s in described["statements"]
    )
    assert described["sources"]["articles"], "the articles the facts come from"
    assert all(files for files in described["sources"]["graphs"].values()), "each graph's source file"
    assert "not in the graph" in await _refused(client, "describe_resource", iri=VNU + "-nowhere")

    listed = await _call(client, "list_saved_queries")
    network = next(q for q in listed["queries"] if q["name"] == "cooperation-network")
    assert network["view"] == "network"
    assert {p["name"]: p["type"] for p in network["parameters"]} == {"relation": "string", "lang": "string"}

    ran = await _call(
        client, "run_saved_query", name="cooperation-network", parameters={"relation": "partnership"}
    )
    assert ran["total_rows"] == 4 and {r["relation"] for r in ran["rows"]} == {"partnership"}
    assert "is not one of" in await _refused(
        client, "run_saved_query", name="cooperation-network", parameters={"relation": "war"}
    )
    assert "not a valid gYear" in await _refused(
        client, "run_saved_query", name="institution-timeline", parameters={"since": "last year"}
    )
    refused = await _refused(
        client, "run_saved_query", name="institution-profile", parameters={"institution": "ha-long-univ"}
    )
    assert "no resource" in refused and "'ha-long-university' (Ha Long University)" in refused, refused

    answer = await _call(
        client,
        "run_sparql",
        query="SELECT ?s WHERE { ?s a <https://w3id.org/coopgraph/ontology#Agreement> }",
        limit=2,
    )
    assert answer["truncated"] and len(answer["rows"]) == 2 and answer["total_rows"] > 2
    assert (await _call(client, "run_sparql", query="ASK { ?s ?p ?o }"))["boolean"] is True

    summary = await _call(client, "ontology_summary")
    classes = {c["class"]: c for c in summary["classes"]}
    assert "https://w3id.org/coopgraph/ontology#Agreement" in classes
    assert any(v["scheme"].endswith("/vocab/country") for v in summary["vocabularies"])
    assert summary["prefixes"]["cg"] == "https://w3id.org/coopgraph/ontology#"


async def _no_write(client: Client) -> list[str]:
    refusals = [await _refused(client, "run_sparql", query=update) for update in WRITES]
    # the graph is as it was
    still = await _call(client, "run_sparql", query="ASK { <urn:mcp:s> ?p ?o }")
    assert still["boolean"] is False
    count = await _call(client, "run_sparql", query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count["rows"][0]["n"]) > 1000
    return refusals


def test_every_tool_answers_over_http(server: Server) -> None:
    _run(lambda: Client(server.url + "/mcp"), _every_tool)


def test_no_write_can_be_made_over_http(server: Server) -> None:
    before = requests.post(
        server.url + "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    refusals = _run(lambda: Client(server.url + "/mcp"), _no_write)
    assert all(refusals)
    after = requests.post(
        server.url + "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    assert before == after


def test_the_limits_of_sparql_hold_over_http(store_copy: Path) -> None:
    limited = start_server(store_copy, query_timeout=1.0, extra_env={"COOPGRAPH_MAX_RESULT_BYTES": "20000"})
    try:

        async def limits(client: Client) -> None:
            slow = await _refused(client, "run_sparql", query=SLOW)
            assert "1 s limit" in slow
            large = await _refused(client, "run_sparql", query="SELECT * WHERE { ?s ?p ?o }")
            assert "20,000-byte limit" in large or "larger" in large
            service = await _refused(
                client,
                "run_sparql",
                query="SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            )
            assert "SERVICE" in service
            # and the server still answers
            assert (await _call(client, "run_sparql", query="ASK { ?s ?p ?o }"))["boolean"] is True

        _run(lambda: Client(limited.url + "/mcp"), limits)
    finally:
        limited.stop()


@pytest.fixture
def stdio(store_copy: Path) -> Callable[[], Client]:
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "coopgraph.cli.main", "mcp", "--store", str(store_copy), "--workers", "1"],
        env={"COOPGRAPH_QUERY_TIMEOUT": "5"},
    )
    return lambda: Client(parameters)


def test_every_tool_answers_on_stdio(stdio: Callable[[], Client]) -> None:
    _run(stdio, _every_tool)


def test_no_write_can_be_made_on_stdio(stdio: Callable[[], Client]) -> None:
    _run(stdio, _no_write)
