"""Mistakes a steward makes, each answered with a message that says how to put it right: a misspelt saved
query, parameter or parameter value names the closest ones; ..."""

from __future__ import annotations

import requests

from coopgraph.closest import closest
from tests.conftest import Server


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
