"""A batch that changes nodes re-checks the stored nodes that point at them, every one of them.

The store is padded so that the batch is far below the gate's large-batch threshold: only the nodes the
batch touches, and the stored statements that point at them, are checked. Changing the type of several
organisations must re-check every agreement that names one of them as a party, not only the agreements
of one of them; the report counts each shape's results by severity.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import coopgraph, latest_version
from tests.test_gate_shapes_changed import PADDING, write

EX = "http://example.org/"
SHAPES = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:AgreementShape a sh:NodeShape ; sh:targetClass ex:Agreement ;
    sh:property ex:PartyShape , ex:NoteShape .
ex:PartyShape sh:path ex:party ; sh:class ex:Organisation ;
    sh:message "The party is not an organisation."@en .
ex:NoteShape sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "No note."@en .
"""
AGREEMENTS = f"""\
@prefix ex: <{EX}> .
ex:a1 a ex:Agreement ; ex:party ex:b1 ; ex:note "one" .
ex:a2 a ex:Agreement ; ex:party ex:b2 ; ex:note "two" .
ex:a3 a ex:Agreement ; ex:party ex:b3 ; ex:note "three" .
ex:a4 a ex:Agreement ; ex:party ex:b4 .
"""
ORGANISATIONS = f"""\
@prefix ex: <{EX}> .
ex:b1 a ex:Organisation . ex:b2 a ex:Organisation . ex:b3 a ex:Organisation . ex:b4 a ex:Organisation .
"""
#: b1, b2 and b3 stop being organisations; b4 stays one (its agreement has no note: a warning).
RETYPED = f"""\
@prefix ex: <{EX}> .
ex:b1 a ex:Person . ex:b2 a ex:Person . ex:b3 a ex:Person . ex:b4 a ex:Organisation .
"""
#: b1, b2 and b3 are no longer described at all: who still points at them is looked up by name.
WITHDRAWN = f"""\
@prefix ex: <{EX}> .
ex:b4 a ex:Organisation .
"""


@pytest.mark.parametrize("change", [RETYPED, WITHDRAWN], ids=["retyped", "withdrawn"])
def test_every_agreement_naming_a_changed_party_is_checked_again(tmp_path: Path, change: str) -> None:
    store = tmp_path / "store"
    shapes = write(tmp_path / "shapes" / "agreements-shapes.ttl", SHAPES)
    assert coopgraph("ingest", str(shapes), "--role", "shapes", store=store).returncode == 0
    data = tmp_path / "data"
    write(data / "bulk.nt", "".join(f'<{EX}row/{i}> <{EX}value> "{i}" .\n' for i in range(PADDING)))
    write(data / "agreements.ttl", AGREEMENTS)
    write(data / "organisations.ttl", ORGANISATIONS)
    loaded = coopgraph("ingest", str(data), store=store)
    assert loaded.returncode == 0, loaded.stderr
    before = latest_version(store)

    changed = write(tmp_path / "changes" / "organisations.ttl", change)  # replaces data/organisations.ttl
    result = coopgraph("ingest", str(changed), "--format", "json", store=store)
    assert result.returncode == 4, result.stderr
    report = json.loads(result.stdout)["rejected"]
    assert report["focusNodes"] < PADDING // 100, "the batch was checked whole, not by what it touches"
    violations = sorted(r["focusNode"] for r in report["results"] if r["severity"] == "Violation")
    assert violations == [f"<{EX}a1>", f"<{EX}a2>", f"<{EX}a3>"]
    warnings = [r["focusNode"] for r in report["results"] if r["severity"] == "Warning"]
    assert warnings == [f"<{EX}a4>"]
    assert report["counts"] == {"Violation": 3, "Warning": 1}
    assert report["byShape"] == {f"<{EX}PartyShape>": {"Violation": 3}, f"<{EX}NoteShape>": {"Warning": 1}}
    assert "rejected: 3 violation(s), 1 warning(s)" in result.stderr
    assert latest_version(store) == before, "a rejected batch wrote a version"
