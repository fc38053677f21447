"""Values that name nothing, and files that would silently take another's place.

A saved query's IRI parameter whose value the store holds nothing about answers 404 over HTTP (and an
error on the command line) naming the parameter and the closest resources by label, never an empty 200.
A file loaded from one folder that would replace the graph of a file of the same name loaded from another
folder is warned about, both paths named: the catalogue records the folder each file came from.
"""

from __future__ import annotations

import json
from pathlib import Path

import requests

from coopgraph.store import open_store
from tests.conftest import Server, coopgraph

ORGANIZATION = "https://w3id.org/coopgraph/id/organization/"


def test_an_iri_value_named_nowhere_is_a_404_naming_the_parameter_and_the_closest(server: Server) -> None:
    r = requests.get(
        server.url + "/queries/institution-profile", params={"institution": "ha-long-univ"}, timeout=60
    )
    assert r.status_code == 404, (r.status_code, r.text[:300])
    assert r.text.startswith(f"institution: no resource <{ORGANIZATION}ha-long-univ> in the store"), r.text
    assert "the closest: 'ha-long-university' (Ha Long University)" in r.text, r.text


def test_the_closest_are_found_by_label_too(server: Server) -> None:
    """The IRI of VNU Hanoi ends in vnu-hanoi, nothing like the name written out: its label is."""
    r = requests.get(
        server.url + "/queries/institution-profile",
        params={"institution": "vietnam-national-university-hanoi"},
        timeout=60,
    )
    assert r.status_code == 404, r.text
    assert "the closest: 'vnu-hanoi' (Vietnam National University, Hanoi)" in r.text, r.text


def test_an_iri_value_that_exists_still_answers_its_rows(server: Server) -> None:
    r = requests.get(
        server.url + "/queries/institution-profile",
        params={"institution": "ha-long-university", "format": "json"},
        timeout=60,
    )
    assert r.status_code == 200, r.text[:300]
    assert r.json()["results"]["bindings"], "the institution's profile has rows"


def test_the_command_line_names_the_parameter_and_the_closest(seeded_store: Path) -> None:
    result = coopgraph(
        "query", "institution-profile", "--param", "institution=ha-long-univ", store=seeded_store
    )
    assert result.returncode == 3, result.stdout
    assert f"error: institution: no resource <{ORGANIZATION}ha-long-univ> in the store" in result.stderr
    assert "'ha-long-university' (Ha Long University)" in result.stderr, result.stderr
    found = coopgraph(
        "query", "institution-profile", "--param", "institution=ha-long-university", store=seeded_store
    )
    assert found.returncode == 0 and "Ha Long" in found.stdout, found.stderr


ORGANIZATIONS = '<http://example.org/organization/{name}> <http://example.org/name> "{name}" .\n'


def _loaded_from(store: Path) -> dict[str, str | None]:
    opened = open_store(store, create=False)
    try:
        return {r.key: r.loaded_from for r in opened.records().values() if r.role == "data"}
    finally:
        opened.close()


def test_a_file_replacing_one_of_the_same_name_from_another_folder_is_warned_about(
    tmp_path: Path, store_copy: Path
) -> None:
    for folder in ("partners-a", "partners-b"):
        (tmp_path / folder).mkdir()
        text = ORGANIZATIONS.format(name=folder)
        (tmp_path / folder / "organizations.ttl").write_text(text, encoding="utf-8")
    first = coopgraph("ingest", str(tmp_path / "partners-a"), store=store_copy)
    assert first.returncode == 0, first.stderr
    assert "warning" not in first.stderr, first.stderr
    assert _loaded_from(store_copy)["organizations.ttl"] == "partners-a/organizations.ttl"

    again = coopgraph("ingest", str(tmp_path / "partners-a"), "--force", store=store_copy)
    assert again.returncode == 0 and "warning" not in again.stderr, again.stderr  # the same file again

    other = coopgraph("ingest", str(tmp_path / "partners-b"), store=store_copy)
    assert other.returncode == 0, other.stderr
    assert (
        "warning: partners-b/organizations.ttl replaces the graph "
        "<https://w3id.org/coopgraph/graph/data/organizations.ttl> loaded from partners-a/organizations.ttl"
    ) in other.stderr, other.stderr
    assert "--prefix" in other.stderr  # how to keep both
    assert _loaded_from(store_copy)["organizations.ttl"] == "partners-b/organizations.ttl"


def test_the_catalogue_records_the_folder_not_this_machines_path(tmp_path: Path, store_copy: Path) -> None:
    folder = tmp_path / "partners-c"
    folder.mkdir()
    (folder / "one.ttl").write_text(ORGANIZATIONS.format(name="c"), encoding="utf-8")
    assert coopgraph("ingest", str(folder / "one.ttl"), store=store_copy).returncode == 0
    catalogue = coopgraph(
        "query",
        "SELECT ?from WHERE { GRAPH <https://w3id.org/coopgraph/graph/catalog> "
        "{ ?a <http://www.w3.org/ns/prov#atLocation> ?from } }",
        "--format",
        "tsv",
        store=store_copy,
    ).stdout
    assert '"partners-c/one.ttl"' in catalogue, catalogue
    assert str(tmp_path) not in catalogue
    listed = json.loads(coopgraph("graphs", "--format", "json", store=store_copy, check=True).stdout)
    assert {"key": "one.ttl", "loadedFrom": "partners-c/one.ttl"}.items() <= next(
        r for r in listed if r["key"] == "one.ttl"
    ).items()
