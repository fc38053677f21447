"""Mistakes a steward makes, each answered with a message that says how to put it right: a value outside a
vocabulary (agreement type, country, status) lists the allowed values and names the closest; a party
described nowhere is "no such organisation"; a misspelt saved query, parameter or parameter value names
the closest ones; a value wrong in one of two files that describe the same IRI names that file; spaces at
the start or end of a cell are removed, with a warning."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import requests

from coopgraph.closest import closest
from tests.conftest import PROJECT, Server, coopgraph
from tests.test_ingest_errors import mapping

STEWARD = PROJECT / "tests" / "steward"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> list[dict[str, str]]:
    """The CSV report of ``coopgraph validate`` on the steward's table, with one status misspelt too."""
    folder = tmp_path_factory.mktemp("steward-mistakes")
    shutil.copy(STEWARD / "partners.csv-metadata.json", folder)
    lines = (STEWARD / "partners.csv").read_bytes().split(b"\n")
    assert b",in-force," in lines[2]
    lines[2] = lines[2].replace(b",in-force,", b",inforce,")  # row 3
    (folder / "partners.csv").write_bytes(b"\n".join(lines))
    out = folder / "report.csv"
    result = coopgraph("validate", str(folder / "partners.csv"), "--report", str(out), store=seeded_store)
    assert result.returncode == 3, result.stderr  # bad input (the encoding) and violations
    return list(csv.DictReader(out.open(encoding="utf-8-sig")))


def _finding(report: list[dict[str, str]], row: str, column: str) -> dict[str, str]:
    (found,) = [r for r in report if r["row"] == row and r["column"] == column]
    return found


def test_an_unknown_agreement_type_lists_the_allowed_values_and_the_closest(
    report: list[dict[str, str]],
) -> None:
    fix = _finding(report, "13", "agreement_type")["fix"]
    assert "'partnership-agreement' is not in the agreement-type vocabulary" in fix, fix
    assert "allowed: cooperation-agreement, memorandum-of-understanding, network-founding-agreement" in fix, (
        fix
    )
    assert "the closest: 'cooperation-agreement'" in fix, fix


def test_an_unknown_country_names_the_closest_code(report: list[dict[str, str]]) -> None:
    fix = _finding(report, "22", "country")["fix"]
    assert "'Germany' is not in the country vocabulary (one of its 249 codes" in fix, fix
    assert "the closest: 'de'" in fix, fix


def test_an_unknown_status_lists_the_allowed_values_and_the_closest(report: list[dict[str, str]]) -> None:
    fix = _finding(report, "3", "status")["fix"]
    assert "'inforce' is not in the status vocabulary; allowed: " in fix, fix
    assert "in-force" in fix and "planned" in fix
    assert "the closest: 'in-force'" in fix, fix


def test_an_unknown_party_is_no_such_organisation(report: list[dict[str, str]]) -> None:
    found = _finding(report, "5", "party")
    assert found["message"].startswith(
        "No such organisation: <https://w3id.org/coopgraph/id/organization/"
    ), found
    assert "not an organisation" not in found["message"]


def test_a_malformed_ror_id_shows_the_expected_form(report: list[dict[str, str]]) -> None:
    found = _finding(report, "10", "ror")
    assert "0xxxxxx99" in found["message"] and "e.g. 03cve4549" in found["fix"], found


def test_closest_names_ignore_case_and_take_parts() -> None:
    names = ["agreement-contents", "agreement-signatories", "funders", "institution-profile"]
    assert closest("agrement-contents", names)[0] == "agreement-contents"
    assert closest("FUNDER", names) == ["funders"]
    assert closest("signatories", names) == ["agreement-signatories"]
    assert closest("zzzz", names) == []


def test_an_unknown_saved_query_is_a_404_naming_the_closest(server: Server) -> None:
    for path in ("/queries/agreement-signatory", "/queries/agreement-signatory.rq"):
        r = requests.get(server.url + path)
        assert r.status_code == 404, (path, r.status_code)
        assert r.text.startswith("no saved query 'agreement-signatory'"), r.text
        assert "did you mean 'agreement-signatories'" in r.text, r.text
    r = requests.get(server.url + "/queries/qqqqqq")
    assert r.status_code == 404 and "listed at /queries" in r.text, r.text


def test_an_unknown_parameter_or_value_is_a_400_naming_the_closest(server: Server) -> None:
    r = requests.get(server.url + "/queries/cooperation-by-status", params={"statu": "planned"})
    assert r.status_code == 400, r.text
    assert "unknown parameter(s) statu" in r.text and "did you mean 'status'" in r.text, r.text
    r = requests.get(server.url + "/queries/cooperation-by-status", params={"status": "in_force"})
    assert r.status_code == 400, r.text
    assert "'in_force' is not one of under-consideration, planned" in r.text, r.text
    assert "did you mean 'in-force'" in r.text, r.text


A_TTL = """@prefix cg: <https://w3id.org/coopgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/coopgraph/id/organization/test-x> a cg:University ;
    rdfs:label "Test X University"@en , "Đại học X"@vi ;
    cg:country <https://w3id.org/coopgraph/vocab/country/vn> .
"""
B_TTL = """@prefix cg: <https://w3id.org/coopgraph/ontology#> .
@prefix org: <https://w3id.org/coopgraph/id/organization/> .
org:test-x cg:foundingYear 1956 .
org:test-x cg:country <https://w3id.org/coopgraph/vocab/country/Germany> .
"""


def test_an_iri_described_in_two_files_names_the_file_that_states_the_wrong_value(
    tmp_path: Path, seeded_store: Path
) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.ttl").write_text(A_TTL, encoding="utf-8")  # described first here, with a good country
    (folder / "b.ttl").write_text(B_TTL, encoding="utf-8")  # the wrong country is stated here
    out = tmp_path / "report.csv"
    result = coopgraph("validate", str(folder), "--report", str(out), store=seeded_store)
    assert result.returncode == 4, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    (wrong,) = [r for r in rows if r["value"].endswith("/vocab/country/Germany>")]
    assert Path(wrong["file"]).name == "b.ttl", wrong


def test_spaces_around_a_label_or_an_identifier_are_removed_with_a_warning(
    tmp_path: Path, store_copy: Path
) -> None:
    table = tmp_path / "spaced.csv"
    table.write_text("id,name,signed\n hue ,  Đại học Huế ,2024-08-27\n", encoding="utf-8")
    (tmp_path / "spaced.csv-metadata.json").write_text(mapping("spaced.csv"), encoding="utf-8")
    result = coopgraph("ingest", str(table), store=store_copy)
    assert result.returncode == 0, result.stderr
    assert "stray spaces at the start or end of ' hue '" in result.stderr + result.stdout
    assert "'  Đại học Huế '" in result.stderr + result.stdout
    stored = coopgraph(
        "query",
        "SELECT ?s ?name WHERE { ?s <http://example.org/name> ?name }",
        "--format",
        "tsv",
        store=store_copy,
    ).stdout
    assert "<http://example.org/thing/hue>" in stored and '"Đại học Huế"@vi' in stored, stored
    assert "%20" not in stored


@pytest.mark.parametrize("name", ["dates.nt", "dates.ttl"])
def test_a_date_error_shows_the_accepted_form_not_a_pattern(tmp_path: Path, name: str) -> None:
    data = tmp_path / name
    date = "<http://www.w3.org/2001/XMLSchema#date>"
    data.write_text(
        f'<http://example.org/b> <http://example.org/d> "14/04/2025"^^{date} .\n', encoding="utf-8"
    )
    out = tmp_path / "report.csv"
    result = coopgraph("validate", str(data), "--report", str(out), store=tmp_path / "no-store")
    assert result.returncode == 3, result.stderr
    (found,) = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert found["message"].startswith("'14/04/2025' is not a valid date"), found
    assert found["fix"] == "Write the date as YYYY-MM-DD: 2025-04-14.", found
    assert "\\d" not in found["message"] + found["fix"]
