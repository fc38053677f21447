"""The Reconciliation Service API 0.2 at ``/reconcile`` on a real server, every request and answer checked
against the spec's JSON schemas (tests/conformance/reconciliation-api); and ``coopgraph reconcile``."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.conftest import Server, conformance_path, coopgraph
from tests.search_fixtures import COUNTRY, ORG, PROVINCE, names_server, names_store

__all__ = ["names_server"]  # the fixture, imported for pytest

HA_LONG = ORG + "ha-long-university"
TSINGHUA = ORG + "tsinghua-university"
VNU = ORG + "vnu-hanoi"


@cache
def schema(name: str) -> Draft7Validator:
    """A validator for one of the spec's schemas, its references resolved among the vendored files."""
    folder = conformance_path("reconciliation-api/0.2/schemas")
    registry: Registry = Registry()
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = DRAFT7.create_resource(contents)
        for uri in {contents["$id"], contents["$id"].rstrip("#")}:
            registry = registry.with_resource(uri, resource)
    contents = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(contents, registry=registry)


def valid(name: str, document: Any) -> Any:
    errors = sorted(schema(name).iter_errors(document), key=str)
    assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return document


def reconcile(server: Server, queries: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    valid("reconciliation-query-batch", queries)
    data = {"queries": json.dumps(queries)}
    if method == "POST":
        reply = requests.post(server.url + "/reconcile", data=data, timeout=60)
    else:
        reply = requests.get(server.url + "/reconcile", params=data, timeout=60)
    assert reply.status_code == 200, reply.text
    return valid("reconciliation-result-batch", reply.json())


def test_the_schemas_reject_what_they_should() -> None:
    """The validators are not empty: an answer without scores and a manifest without versions fail."""
    assert not schema("reconciliation-result-batch").is_valid({"q0": {"result": [{"id": "x", "name": "y"}]}})
    assert not schema("manifest").is_valid({"name": "x", "identifierSpace": "x", "schemaSpace": "x"})
    assert not schema("reconciliation-query-batch").is_valid({"q0": {"query": "x", "color": "red"}})


def test_the_manifest(names_server: Server) -> None:
    reply = requests.get(names_server.url + "/reconcile", timeout=60)
    manifest = valid("manifest", reply.json())
    assert manifest["versions"] == ["0.2"]
    assert {t["id"] for t in manifest["defaultTypes"]} >= {"institution", "person", "agreement", "place"}
    assert manifest["suggest"]["entity"]["service_url"] == names_server.url


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_single_and_batch_queries_with_types_and_match_flags(names_server: Server, method: str) -> None:
    answer = reconcile(
        names_server,
        {
            "q0": {"query": "Trường Đại học Hạ Long"},
            "q1": {"query": "thanh hoa", "type": "institution", "limit": 3},
            "q2": {"query": "lang son", "type": ["place"]},
            "q3": {"query": "nothing like this name"},
        },
        method,
    )
    assert set(answer) == {"q0", "q1", "q2", "q3"}
    first = answer["q0"]["result"][0]
    assert (first["id"], first["score"], first["match"]) == (HA_LONG, 100.0, True)
    assert first["type"] == [{"id": "institution", "name": "Institution"}]
    assert answer["q1"]["result"][0]["id"] == TSINGHUA and len(answer["q1"]["result"]) <= 3
    assert [c["id"] for c in answer["q2"]["result"]] == [PROVINCE + "lang-son"]
    assert answer["q3"]["result"] == []


def test_a_prefix_is_a_candidate_not_a_match(names_server: Server) -> None:
    result = reconcile(names_server, {"q": {"query": "Tsinghua"}})["q"]["result"]
    assert result[0]["id"] == TSINGHUA and result[0]["match"] is False and result[0]["score"] < 90


def test_property_constraints(names_server: Server) -> None:
    answer = reconcile(
        names_server,
        {
            "in_china": {"query": "Tsinghua", "properties": [{"pid": "country", "v": "cn"}]},
            "in_japan": {"query": "Tsinghua", "properties": [{"pid": "country", "v": "Japan"}]},
            "by_country_iri": {
                "query": "university",
                "properties": [{"pid": "country", "v": {"id": COUNTRY + "jp"}}],
            },
            "by_ror": {
                "query": "Tsinghua University",
                "properties": [{"pid": "ror", "v": "https://ror.org/03cve4549"}],
            },
            "ror_only": {"properties": [{"pid": "ror", "v": "03cve4549"}]},
            "by_city": {"query": "university", "properties": [{"pid": "city", "v": "Quảng Ninh"}]},
        },
    )
    china, japan = answer["in_china"]["result"][0], answer["in_japan"]["result"][0]
    assert china["id"] == japan["id"] == TSINGHUA
    assert {"id": "country", "value": True} in china["features"]
    assert {"id": "country", "value": False} in japan["features"]
    assert china["score"] > japan["score"], "a contradicted property lowers the score"
    assert answer["by_country_iri"]["result"][0]["id"] == ORG + "osaka-university"
    by_ror = answer["by_ror"]["result"][0]
    assert (by_ror["id"], by_ror["match"]) == (TSINGHUA, True)
    assert [c["id"] for c in answer["ror_only"]["result"]] == [TSINGHUA]
    assert answer["by_city"]["result"][0]["id"] == HA_LONG


@pytest.mark.parametrize(
    ("queries", "message"),
    [
        ("{not json", "not JSON"),
        ("[]", "JSON object"),
        ('{"q": {"query": "x", "type": "planet"}}', "unknown type"),
        ('{"q": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}', "unknown property"),
        ('{"q": {"query": 5}}', "'query' is a string"),
        ('{"q": {}}', "needs 'query'"),
        ('{"q": {"query": "x", "limit": "many"}}', "limit"),
    ],
)
def test_bad_queries_are_400(names_server: Server, queries: str, message: str) -> None:
    reply = requests.post(names_server.url + "/reconcile", data={"queries": queries}, timeout=60)
    assert reply.status_code == 400 and message in reply.json()["error"]


@pytest.mark.parametrize("text", ['"', 'NEAR("a" "b")', "x* ^y", "ha long " * 1300])
def test_hostile_query_strings(names_server: Server, text: str) -> None:
    answer = reconcile(names_server, {"q": {"query": text}})
    assert isinstance(answer["q"]["result"], list)


def test_suggest_entities_types_and_properties(names_server: Server) -> None:
    names = {"entity": "entities", "type": "types", "property": "properties"}

    def suggest(kind: str, prefix: str) -> dict[str, Any]:
        reply = requests.get(
            f"{names_server.url}/reconcile/suggest/{kind}", params={"prefix": prefix}, timeout=60
        )
        assert reply.status_code == 200, reply.text
        return valid(f"suggest-{names[kind]}-response", reply.json())

    entities = suggest("entity", "hạ lo")["result"]
    assert entities[0]["id"] == HA_LONG and entities[0]["notable"] == [
        {"id": "institution", "name": "Institution"}
    ]
    assert [t["id"] for t in suggest("type", "inst")["result"]] == ["institution"]
    assert [p["id"] for p in suggest("property", "coun")["result"]] == ["country"]
    reply = requests.get(f"{names_server.url}/reconcile/suggest/colour", params={"prefix": "x"}, timeout=60)
    assert reply.status_code == 404


def test_preview(names_server: Server) -> None:
    reply = requests.get(names_server.url + "/reconcile/preview", params={"id": TSINGHUA}, timeout=60)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert "Tsinghua University" in reply.text and "03cve4549" in reply.text and "China" in reply.text
    missing = requests.get(names_server.url + "/reconcile/preview", params={"id": ORG + "nobody"}, timeout=60)
    assert missing.status_code == 404


def test_data_extension(names_server: Server) -> None:
    propose = requests.get(
        names_server.url + "/reconcile/extend/propose", params={"type": "institution"}, timeout=60
    )
    proposed = valid("data-extension-property-proposal", propose.json())
    assert {"country", "website", "ror", "founded"} <= {p["id"] for p in proposed["properties"]}
    request = {
        "ids": [HA_LONG, TSINGHUA, ORG + "nobody"],
        "properties": [{"id": "country"}, {"id": "website"}, {"id": "ror"}, {"id": "founded"}],
    }
    valid("data-extension-query", request)
    reply = requests.post(names_server.url + "/reconcile", data={"extend": json.dumps(request)}, timeout=60)
    assert reply.status_code == 200, reply.text
    answer = valid("data-extension-response", reply.json())
    assert [m["id"] for m in answer["meta"]] == ["country", "website", "ror", "founded"]
    assert answer["rows"][HA_LONG] == {
        "country": [{"id": COUNTRY + "vn", "name": "Vietnam"}],
        "website": [{"str": "https://daihochalong.edu.vn/"}],
        "ror": [],
        "founded": [{"str": "2014"}],
    }
    assert answer["rows"][TSINGHUA]["ror"] == [{"str": "03cve4549"}]
    assert answer["rows"][ORG + "nobody"] == {"country": [], "website": [], "ror": [], "founded": []}
    bad = requests.post(
        names_server.url + "/reconcile", data={"extend": '{"ids": [], "properties": [{"id": "colour"}]}'}
    )
    assert bad.status_code == 400


def test_reconcile_a_table_from_the_command_line(tmp_path: Path) -> None:
    store = names_store(tmp_path)
    table = tmp_path / "partners.csv"
    table.write_text(
        "name,country,note\n"
        "Trường Đại học Hạ Long,vn,first\n"
        "ĐHQGHN,,second\n"
        'Tsinghua,cn,"with, a comma"\n'
        "Nobody University of Nowhere,,fourth\n",
        encoding="utf-8",
    )
    out = tmp_path / "partners-reconciled.csv"
    result = coopgraph(
        "reconcile", str(table), "--column", "name", "--country-column", "country",
        "--type", "institution", "-o", str(out), store=store,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["name", "country", "note", "name_iri", "name_label", "name_score", "name_match"]
    assert [r["name_iri"] for r in rows] == [HA_LONG, VNU, TSINGHUA, ""]
    assert [r["name_match"] for r in rows] == ["true", "true", "false", ""]
    assert (
        rows[2]["note"] == "with, a comma" and rows[1]["name_label"] == "Vietnam National University, Hanoi"
    )
    assert float(rows[0]["name_score"]) == 100.0
    missing = coopgraph("reconcile", str(table), "--column", "nom", store=store)
    assert missing.returncode == 2 and "no column 'nom'" in missing.stderr
