"""Downloads of an answer as CSV and XLSX with each IRI's label beside it, on a real server."""

from __future__ import annotations

import csv
import io

import requests
from openpyxl import load_workbook

from tests.conftest import Server

JSON = "application/sparql-results+json"
VNU = "https://w3id.org/coopgraph/id/organization/vnu-hanoi"
QUERY = (
    "PREFIX cg: <https://w3id.org/coopgraph/ontology#> "
    "SELECT ?org ?country WHERE { ?org cg:country ?country } ORDER BY ?org"
)


def _rows(server: Server, query: str) -> list[dict[str, dict[str, str]]]:
    r = requests.post(server.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30)
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def test_xlsx_of_any_query_has_labels_in_the_readers_language(server: Server) -> None:
    expected = _rows(server, QUERY)
    r = requests.post(
        server.url + "/download", data={"query": QUERY, "format": "xlsx", "lang": "vi"}, timeout=30
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="results.xlsx"' in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    table = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == ["org", "org_label", "country", "country_label"]
    assert [row[0] for row in table[1:]] == [b["org"]["value"] for b in expected]
    by_org = {row[0]: row for row in table[1:]}
    assert by_org[VNU][1] == "Đại học Quốc gia Hà Nội"
    assert by_org[VNU][3] == "Việt Nam"


def test_csv_download_by_get_falls_back_to_english(server: Server) -> None:
    r = requests.get(
        server.url + "/download", params={"query": QUERY, "format": "csv", "lang": "xx"}, timeout=30
    )
    assert r.status_code == 200, r.text
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    by_org = {row[0]: row for row in table[1:]}
    assert by_org[VNU][1] == "Vietnam National University, Hanoi"
    assert by_org[VNU][3] == "Vietnam"


def test_a_saved_query_downloads_with_its_parameters_and_language(server: Server) -> None:
    answer = requests.get(
        server.url + "/queries/cooperation-network",
        params={"relation": "partnership"},
        headers={"Accept": JSON},
        timeout=30,
    ).json()["results"]["bindings"]
    r = requests.get(
        server.url + "/queries/cooperation-network",
        params={"relation": "partnership", "lang": "vi", "format": "labelled-csv"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert table[0][:4] == ["organisation", "organisation_label", "partner", "partner_label"]
    assert len(table) - 1 == len(answer) == 4
    assert ["https://w3id.org/coopgraph/id/organization/tsinghua-university", "Đại học Thanh Hoa"] in [
        row[:2] for row in table[1:]
    ]
    xlsx = requests.get(server.url + "/queries/cooperation-network", params={"format": "xlsx"}, timeout=30)
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 1 + 23


def test_a_download_runs_queries_only(server: Server) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    r = requests.post(server.url + "/download", data={"query": update, "format": "csv"}, timeout=30)
    assert r.status_code == 400
    r = requests.post(server.url + "/download", data={"update": update}, timeout=30)
    assert r.status_code == 400
    r = requests.post(server.url + "/download", data={"query": QUERY, "format": "pdf"}, timeout=30)
    assert r.status_code == 400 and "csv or xlsx" in r.text
    r = requests.post(server.url + "/download", data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 400 and "ASK" in r.text


def test_a_cell_that_reads_as_a_formula_stays_text(server: Server) -> None:
    query = 'SELECT ?x WHERE { VALUES ?x { "=1+1" "-3" "@cmd" } }'
    r = requests.post(server.url + "/download", data={"query": query, "format": "xlsx"}, timeout=30)
    sheet = load_workbook(io.BytesIO(r.content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == ["'=1+1", "-3", "'@cmd"]
