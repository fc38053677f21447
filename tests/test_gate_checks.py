"""The validation gate called directly on a real embedded store, in process: which nodes it checks,
when it checks everything, and what each finding says (labels, shape text, file and line, counts).

Fast (a few seconds in all), so that it is the first file the gate's mutation run tries on each mutant;
the slower files of ``tests/mutation_run.py`` run the gate through the command line and the server.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat

from coopgraph.store import DEFAULT_GRAPH, Store, open_store
from ingest.batch import BatchOptions, run
from ingest.gate import DETAILED, Gate, GateReport, _chunks, _path_text
from ingest.locate import LOCATED
from ingest.reports.model import Finding
from ingest.sources import Source, describe

EX = "http://example.org/"
PREFIXES = f"@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <{EX}> .\n"
PREFIXES += "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"

#: An agreement's party must be an organisation (a shape that follows a link); a note is recommended.
AGREEMENT_SHAPES = (
    PREFIXES
    + """
ex:AgreementShape a sh:NodeShape ; sh:targetClass ex:Agreement ; sh:property ex:PartyShape , ex:NoteShape .
ex:PartyShape sh:path ex:party ; sh:class ex:Organisation ;
    sh:name "party"@en , "bên ký"@vi ; sh:description "Name an organisation described in the data."@en ;
    sh:message "The party is not an organisation."@en , "Bên ký không phải là tổ chức."@vi .
ex:NoteShape sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Warning ;
    sh:description "Add a note."@vi , "Add a note (untagged)." ; sh:message "No note." .
"""
)
AGREEMENTS = (
    PREFIXES
    + """
ex:a1 a ex:Agreement ; ex:party ex:b1 ; ex:note "one" .
ex:a2 a ex:Agreement ; ex:party ex:b2 ; ex:note "two" .
ex:a3 a ex:Agreement ; ex:party ex:b3 ; ex:note "three" .
ex:a4 a ex:Agreement ; ex:party ex:b4 .
"""
)
ORGANISATIONS = (
    PREFIXES + "ex:b1 a ex:Organisation . ex:b2 a ex:Organisation .\n"
    "ex:b3 a ex:Organisation . ex:b4 a ex:Organisation .\n"
)
#: Stored statements no shape targets: the store is far larger than a small batch.
PADDING = 2000


def n(local: str) -> NamedNode:
    return NamedNode(EX + local)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def source(path: Path, role: str = "data", key: str | None = None) -> Source:
    found = describe(path, key or path.name, role)
    assert isinstance(found, Source), found
    return found


def ingest(store: Store, *sources: Source) -> None:
    run(store, list(sources))


def dry_run(store: Store, *sources: Source, gate: Gate | None = None) -> GateReport:
    """The gate's report on a batch, nothing written (the batch pipeline, as `ingest --dry-run`)."""
    report = run(store, list(sources), BatchOptions(dry_run=True), gate=gate).report
    assert report is not None
    return report


def thing_store(tmp_path: Path, *properties: str) -> Store:
    """A store whose shapes give each ex:Thing the named property shapes ``properties`` (Turtle)."""
    names = " , ".join(p.split()[0] for p in properties)
    shapes = PREFIXES + f"ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property {names} .\n"
    store = open_store(tmp_path / "store")
    ingest(store, source(write(tmp_path / "shapes.ttl", shapes + "\n".join(properties) + "\n"), "shapes"))
    return store


@pytest.fixture
def agreements(tmp_path: Path) -> Store:
    """Agreements a1-a4 naming organisations b1-b4, padded, with the agreement shapes."""
    store = open_store(tmp_path / "store")
    ingest(store, source(write(tmp_path / "shapes" / "agreements.ttl", AGREEMENT_SHAPES), "shapes"))
    padding = "".join(f'<{EX}row/{i}> <{EX}value> "{i}" .\n' for i in range(PADDING))
    ingest(
        store,
        source(write(tmp_path / "data" / "bulk.nt", padding)),
        source(write(tmp_path / "data" / "agreements.ttl", AGREEMENTS)),
        source(write(tmp_path / "data" / "organisations.ttl", ORGANISATIONS)),
    )
    return store


def focus_of(store: Store, batch: Source, replaced: set[str]) -> set[str]:
    """The nodes the gate checks for ``batch`` (loaded into a transaction that is then discarded)."""
    with store.transaction(replace=replaced) as tx:
        for graph in replaced:
            tx.drop_graph(graph)
        tx.load(batch.path, RdfFormat.TURTLE, batch.graph)
        touched = Gate()._touched(tx, [batch.graph], replaced)
        tx.discard()
    return {t.value for t in touched}


# ------------------------------------------------------------------------------- which nodes
def test_a_batch_checks_its_nodes_their_objects_and_what_points_at_them(
    agreements: Store, tmp_path: Path
) -> None:
    retyped = source(
        write(
            tmp_path / "data" / "organisations.ttl",
            PREFIXES + "ex:b1 a ex:Person . ex:b2 a ex:Organisation . ex:b3 a ex:Organisation .\n"
            "ex:b4 a ex:Organisation .\n",
        )
    )
    focus = focus_of(agreements, retyped, {retyped.graph})
    batch = {EX + f"b{i}" for i in range(1, 5)}
    pointing = {EX + f"a{i}" for i in range(1, 5)}
    assert focus == batch | pointing | {EX + "Person", EX + "Organisation"}
    report = dry_run(agreements, retyped)
    assert report.focus_nodes == len(focus)
    assert [(f.severity, f.focus.value) for f in report.findings] == [
        ("Violation", EX + "a1"),
        ("Warning", EX + "a4"),  # stored, pointing at the changed b4: checked again
    ]


def test_nodes_no_longer_described_are_looked_up_by_name(agreements: Store, tmp_path: Path) -> None:
    """b1-b3 withdrawn: the agreements naming them are found through the nodes the batch stated before."""
    withdrawn = source(
        write(tmp_path / "data" / "organisations.ttl", PREFIXES + "ex:b4 a ex:Organisation .\n")
    )
    focus = focus_of(agreements, withdrawn, {withdrawn.graph})
    assert focus == {EX + f"b{i}" for i in range(1, 5)} | {EX + f"a{i}" for i in range(1, 5)} | {
        EX + "Organisation"
    }
    report = dry_run(agreements, withdrawn)
    assert sorted(f.focus.value for f in report.violations) == [EX + "a1", EX + "a2", EX + "a3"]
    assert report.counts == {"Violation": 3, "Warning": 1}


def test_a_batch_into_the_default_graph_is_checked(agreements: Store, tmp_path: Path) -> None:
    """A write to the default graph (the graph store protocol's ``?default``) is checked like any other."""
    path = write(tmp_path / "put.ttl", PREFIXES + "ex:a9 a ex:Agreement ; ex:note 'n' ; ex:party ex:b9 .\n")
    report = dry_run(agreements, dataclasses.replace(source(path), target=DEFAULT_GRAPH))
    assert report.focus_nodes is not None
    (finding,) = report.violations
    assert (finding.focus.value, finding.file, finding.line) == (EX + "a9", str(path), 4)


def test_nodes_pointing_at_default_graph_nodes_are_found_by_name(agreements: Store, tmp_path: Path) -> None:
    """The default graph has no name to find referrers by graph: they are looked up by node."""
    with agreements.transaction() as tx:
        pointing = PREFIXES + "ex:a9 a ex:Agreement ; ex:note 'n' ; ex:party ex:z .\n"
        tx.load(write(tmp_path / "a9.ttl", pointing), RdfFormat.TURTLE, EX + "graph/a9")
        tx.load(write(tmp_path / "z.ttl", PREFIXES + "ex:z ex:value 1 .\n"), RdfFormat.TURTLE, DEFAULT_GRAPH)
        touched = {t.value for t in Gate()._touched(tx, [DEFAULT_GRAPH], set())}
        tx.discard()
    assert touched == {EX + "z", EX + "a9"}


# ------------------------------------------------------------------------------- checking everything
STRICT_NOTE = (
    PREFIXES
    + "ex:StrictShape a sh:NodeShape ; sh:targetClass ex:Agreement ;\n"
    + ('    sh:property [ sh:path ex:note ; sh:minCount 1 ; sh:message "A note is required."@en ] .\n')
)


def test_new_shapes_are_checked_against_everything(agreements: Store, tmp_path: Path) -> None:
    report = dry_run(agreements, source(write(tmp_path / "shapes" / "strict.ttl", STRICT_NOTE), "shapes"))
    assert report.focus_nodes is None
    assert [(f.severity, f.focus.value) for f in report.violations] == [("Violation", EX + "a4")]
    assert len(report.shapes_graphs) == 2


def test_replaced_shapes_are_checked_as_they_will_be(agreements: Store, tmp_path: Path) -> None:
    """The stored agreement shapes replaced by a file without the party rule: the old rule is gone."""
    lenient = PREFIXES + "ex:AgreementShape a sh:NodeShape ; sh:targetClass ex:Agreement ;\n"
    lenient += "    sh:property [ sh:path ex:party ; sh:maxCount 1 ] .\n"
    shapes = source(write(tmp_path / "shapes" / "agreements.ttl", lenient), "shapes")
    report = dry_run(agreements, shapes)
    assert report.focus_nodes is None and report.findings == []
    assert report.shapes_graphs == [shapes.graph]


def test_removing_one_of_two_shapes_graphs_checks_everything(agreements: Store, tmp_path: Path) -> None:
    ingest(
        agreements,
        source(
            write(tmp_path / "shapes" / "notes.ttl", STRICT_NOTE.replace("minCount 1", "maxCount 2")),
            "shapes",
        ),
    )
    records = agreements.records()
    (notes,) = [g for g, r in records.items() if r.role == "shapes" and g.endswith("notes.ttl")]
    (kept,) = [g for g, r in records.items() if r.role == "shapes" and g != notes]
    with agreements.transaction(replace={notes}) as tx:
        tx.drop_graph(notes)
        report = Gate().check(tx, [], replaced={notes})
        tx.discard()
    assert report.shapes_graphs == [kept]
    assert report.focus_nodes is None  # the shapes changed: every node
    assert [f.focus.value for f in report.findings] == [EX + "a4"]


def test_replacing_a_data_graph_checks_only_what_it_touches(agreements: Store) -> None:
    records = agreements.records()
    (organisations,) = [g for g in records if g.endswith("organisations.ttl")]
    with agreements.transaction(replace={organisations}) as tx:
        tx.drop_graph(organisations)
        report = Gate().check(tx, [], replaced={organisations})
        everything = Gate().check(tx, [], replaced={organisations}, everything=True)
        tx.discard()
    assert report.focus_nodes == 9  # b1-b4, ex:Organisation, a1-a4
    assert everything.focus_nodes is None
    key = sorted((f.severity, f.focus.value) for f in report.findings)
    assert key == sorted((f.severity, f.focus.value) for f in everything.findings)
    assert key == [("Violation", EX + f"a{i}") for i in range(1, 5)] + [("Warning", EX + "a4")]


def stored_triples(store: Store) -> int:
    return sum(r.triples for r in store.records().values())


def batch_of_size(path: Path, size: int) -> Source:
    """A batch of one statement, padded with a comment to ``size`` bytes (the gate reckons 100 a triple)."""
    text = PREFIXES + "ex:b5 a ex:Organisation .\n#"
    return source(write(path, text + "x" * (size - len(text.encode()) - 1) + "\n"))


def test_a_batch_over_a_quarter_of_the_store_is_checked_whole(agreements: Store, tmp_path: Path) -> None:
    stored = stored_triples(agreements)
    pad = (-stored) % 4  # make the store's size a multiple of 4: the batch can be exactly a quarter
    if pad:
        extra = "".join(f'<{EX}extra/{i}> <{EX}value> "{i}" .\n' for i in range(pad))
        ingest(agreements, source(write(tmp_path / "data" / "extra.nt", extra)))
    stored = stored_triples(agreements)
    assert stored % 4 == 0
    quarter = batch_of_size(tmp_path / "q" / "new.ttl", stored // 4 * 100 + 99)
    assert dry_run(agreements, quarter).focus_nodes is not None  # exactly a quarter: not large
    more = batch_of_size(tmp_path / "m" / "new.ttl", (stored // 4 + 1) * 100)
    assert dry_run(agreements, more).focus_nodes is None


def test_without_shapes_nothing_is_checked(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    report = dry_run(store, source(write(tmp_path / "a.ttl", AGREEMENTS)))
    assert report.shapes_graphs == [] and report.focus_nodes is None
    assert report.findings == [] and report.counts == {} and report.raw is None


def test_the_compiled_shapes_follow_the_stored_shapes(agreements: Store, tmp_path: Path) -> None:
    """One gate for many batches (as the server keeps it): shapes added since are compiled and applied."""
    gate = Gate()
    batch = source(write(tmp_path / "data" / "agreements.ttl", AGREEMENTS))
    before = dry_run(agreements, batch, gate=gate)
    assert [(f.severity, f.focus.value) for f in before.findings] == [("Warning", EX + "a4")]
    one_party = PREFIXES + "ex:OnePartyShape a sh:NodeShape ; sh:targetClass ex:Agreement ;\n"
    one_party += "    sh:property [ sh:path ex:party ; sh:maxCount 0 ; sh:severity sh:Info ] .\n"
    ingest(agreements, source(write(tmp_path / "shapes" / "one-party.ttl", one_party), "shapes"))
    after = dry_run(agreements, batch, gate=gate)
    assert after.counts == {"Warning": 1, "Info": 4}


# ------------------------------------------------------------------------------- stored data and writes
def test_the_whole_store_is_checked_with_its_warnings(agreements: Store) -> None:
    report = Gate().check_store(agreements.view())
    assert report.focus_nodes is None
    assert [(f.severity, f.focus.value) for f in report.findings] == [("Warning", EX + "a4")]
    assert report.counts == {"Warning": 1}


def test_a_write_checks_the_nodes_it_touched_and_their_referrers(agreements: Store) -> None:
    records = agreements.records()
    (organisations,) = [g for g in records if g.endswith("organisations.ttl")]
    with agreements.transaction() as tx:
        tx.update(f"DELETE DATA {{ GRAPH <{organisations}> {{ <{EX}b2> a <{EX}Organisation> }} }}")
        report = Gate().check_changes(tx, records, [organisations], {n("b2")})
        tx.discard()
    assert report.focus_nodes == 2  # b2 and a2, which names it
    assert [f.focus.value for f in report.violations] == [EX + "a2"]


def test_a_write_that_touches_nothing_checks_nothing(agreements: Store) -> None:
    records = agreements.records()
    with agreements.transaction() as tx:
        report = Gate().check_changes(tx, records, [], set())
        tx.discard()
    assert report.focus_nodes == 0 and report.raw is None and report.findings == []


def test_a_write_to_the_shapes_checks_everything_with_the_shapes_as_written(agreements: Store) -> None:
    records = agreements.records()
    (shapes,) = [g for g, r in records.items() if r.role == "shapes"]
    with agreements.transaction() as tx:
        warning = (
            f"<{EX}NoteShape> <http://www.w3.org/ns/shacl#severity> <http://www.w3.org/ns/shacl#Warning>"
        )
        tx.update(f"DELETE DATA {{ GRAPH <{shapes}> {{ {warning} }} }}")  # the note becomes required
        report = Gate().check_changes(tx, records, [shapes], {n("b2")})
        tx.discard()
    assert report.focus_nodes is None
    assert [(f.severity, f.focus.value) for f in report.findings] == [("Violation", EX + "a4")]


def test_a_dropped_shapes_graph_no_longer_applies_to_a_write(agreements: Store) -> None:
    records = agreements.records()
    (shapes,) = [g for g, r in records.items() if r.role == "shapes"]
    with agreements.transaction() as tx:
        tx.drop_graph(shapes)
        report = Gate().check_changes(tx, records, [], None)
        tx.discard()
    assert report.shapes_graphs == [] and report.findings == []


# ------------------------------------------------------------------------------- what a finding says
LABELLED = (
    PREFIXES
    + """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:a1 rdfs:label "Thỏa thuận"@vi , "Accord"@fr , "Zeta agreement"@en , "Alpha agreement"@en .
ex:a2 skos:prefLabel "Thỏa thuận hai"@vi ; rdfs:label "Accord deux"@fr .
ex:a3 <http://schema.org/name> "Trois" .
"""
)


def test_findings_carry_labels_shape_text_messages_and_the_file_and_line(
    agreements: Store, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write(data / "labels.ttl", LABELLED)
    withdrawn = write(data / "organisations.ttl", PREFIXES + "ex:b4 a ex:Organisation .\n")
    report = dry_run(agreements, source(data / "labels.ttl"), source(withdrawn))
    by_node = {f.focus.value: f for f in report.findings if f.severity == "Violation"}
    a1, a2, a3 = (by_node[EX + f"a{i}"] for i in range(1, 4))
    assert a1.focus_labels == {"en": "Alpha agreement", "vi": "Thỏa thuận", "fr": "Accord"}
    assert a1.focus_label == "Alpha agreement"
    assert (a2.focus_label, a2.focus_labels) == (
        "Thỏa thuận hai",
        {"vi": "Thỏa thuận hai", "fr": "Accord deux"},
    )
    assert (a3.focus_label, a3.focus_labels) == ("Trois", {"": "Trois"})
    assert a1.shape_name == "party" and a1.shape_names == {"en": "party", "vi": "bên ký"}
    assert a1.fix is not None and a1.fix.startswith("Name an organisation described in the data.")
    assert a1.messages == {"en": "The party is not an organisation.", "vi": "Bên ký không phải là tổ chức."}
    assert (a1.component, a1.shape, a1.shape_iri) == (
        "ClassConstraintComponent",
        f"<{EX}PartyShape>",
        EX + "PartyShape",
    )
    assert (a1.path, a1.path_iri, a1.value) == (f"<{EX}party>", EX + "party", n("b1"))
    # each agreement is stored, and described by the batch's labels.ttl too: the file names it
    assert [(Path(f.file or "").name, f.line) for f in (a1, a2, a3)] == [("labels.ttl", i) for i in (5, 6, 7)]
    (warning,) = [f for f in report.findings if f.severity == "Warning"]
    assert warning.focus.value == EX + "a4"
    assert warning.messages == {"en": "No note."}  # an untagged message is read as English
    assert warning.fix == "Add a note (untagged)." and warning.fixes == {
        "vi": "Add a note.",
        "": "Add a note (untagged).",
    }
    assert report.by_shape == {f"<{EX}PartyShape>": {"Violation": 3}, f"<{EX}NoteShape>": {"Warning": 1}}


def test_the_file_named_is_the_one_that_states_the_offending_value(agreements: Store, tmp_path: Path) -> None:
    data = tmp_path / "batch"
    write(data / "first.ttl", PREFIXES + "\n\nex:a7 a ex:Agreement ; ex:note 'n' .\n")
    write(data / "second.ttl", PREFIXES + "\nex:a7 ex:party ex:nobody .\n")
    write(data / "third.ttl", PREFIXES + "ex:a8 a ex:Agreement ; ex:note 'n' .\nex:a8 ex:party ex:none .\n")
    report = dry_run(agreements, *(source(data / f"{name}.ttl") for name in ("first", "second", "third")))
    where = {f.focus.value: (Path(f.file).name, f.line) for f in report.violations}
    assert where == {EX + "a7": ("second.ttl", 5), EX + "a8": ("third.ttl", 4)}


def test_violations_come_first_and_only_the_first_are_described(tmp_path: Path) -> None:
    """Every result is counted; the first DETAILED are described, the first LOCATED with their line."""
    store = thing_store(
        tmp_path,
        "ex:NameShape sh:path ex:name ; sh:minCount 1 .",
        "ex:ThingNoteShape sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Warning .",
    )
    things = "".join(f"ex:t{i:03} a ex:Thing .\n" for i in range(DETAILED + 1))
    report = dry_run(store, source(write(tmp_path / "things.ttl", PREFIXES + things)))
    assert report.counts == {"Violation": DETAILED + 1, "Warning": DETAILED + 1}
    assert len(report.findings) == DETAILED
    assert {f.severity for f in report.findings} == {"Violation"}
    assert report.by_shape == {
        f"<{EX}NameShape>": {"Violation": DETAILED + 1},
        f"<{EX}ThingNoteShape>": {"Warning": DETAILED + 1},
    }
    lines = [f.line for f in report.findings]
    assert all(isinstance(line, int) and line > 4 for line in lines[:LOCATED])
    assert lines[LOCATED:] == [None] * (DETAILED - LOCATED)
    assert all(f.file is not None for f in report.findings)
    assert len(report.violations) == DETAILED


def test_the_summary_and_the_dictionary_of_a_report() -> None:
    finding = Finding(
        severity="Violation",
        focus=n("a1"),
        path="ex:name",
        value=None,
        component="MinCountConstraintComponent",
        shape="ex:ThingShape",
        messages={"en": "No name."},
    )
    report = GateReport(
        findings=[finding], counts={"Violation": 1, "Warning": 2}, focus_nodes=7, seconds=1.23456
    )
    report.shapes_graphs = ["urn:g"]
    assert report.summary() == {
        "conforms": False,
        "counts": {"Violation": 1, "Warning": 2},
        "focusNodes": 7,
        "seconds": 1.235,
    }
    whole = report.as_dict()
    assert (whole["conforms"], whole["seconds"], whole["shapesGraphs"]) == (False, 1.235, ["urn:g"])
    assert whole["results"] == [finding.as_dict()] and whole["focusNodes"] == 7
    warned = GateReport(counts={"Warning": 2}, focus_nodes=None)
    assert warned.summary()["conforms"] is True and warned.as_dict()["conforms"] is True
    assert report.violations == [finding] and warned.violations == []


def test_paths_and_chunks() -> None:
    assert _path_text(None) is None
    assert _path_text(NamedNode("http://www.w3.org/2000/01/rdf-schema#label")) == "rdfs:label"
    assert list(_chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(_chunks([], 2)) == []


# ------------------------------------------------------------------------------- answers to the mutation run
def vocabulary_graph(store: Store, tmp_path: Path) -> str:
    """A vocabulary graph beside the shapes (the gate must not read it as shapes)."""
    scheme = PREFIXES + "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    scheme += 'ex:kinds a skos:ConceptScheme . ex:mou a skos:Concept ; skos:prefLabel "MoU"@en .\n'
    ingest(store, source(write(tmp_path / "vocab" / "kinds.ttl", scheme), "vocabulary"))
    (graph,) = [g for g, r in store.records().items() if r.role == "vocabulary"]
    return graph


def test_only_shapes_graphs_are_read_as_shapes(agreements: Store, tmp_path: Path) -> None:
    vocabulary_graph(agreements, tmp_path)
    (shapes,) = [g for g, r in agreements.records().items() if r.role == "shapes"]
    assert Gate().check_store(agreements.view()).shapes_graphs == [shapes]
    records = agreements.records()
    with agreements.transaction() as tx:
        assert Gate().check_changes(tx, records, [], {n("a1")}).shapes_graphs == [shapes]
        tx.discard()


def test_a_gate_checking_another_store_compiles_its_shapes(tmp_path: Path) -> None:
    """The compiled shapes are kept while the shapes graphs are the same, whichever way they change."""
    later = PREFIXES + "ex:ZShape a sh:NodeShape ; sh:targetClass ex:A ;\n"
    later += "    sh:property [ sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Warning ] .\n"
    earlier = PREFIXES + "ex:AShape a sh:NodeShape ; sh:targetClass ex:A ;\n"
    earlier += "    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Info ] .\n"
    stores = []
    for name, shapes in (("z", later), ("a", earlier)):  # the second key sorts before the first
        store = open_store(tmp_path / name / "store")
        ingest(
            store, source(write(tmp_path / name / "shapes" / f"{name}.ttl", shapes), "shapes", f"{name}.ttl")
        )
        ingest(store, source(write(tmp_path / name / "data.ttl", PREFIXES + "ex:x a ex:A .\n")))
        stores.append(store)
    gate = Gate()
    assert gate.check_store(stores[0].view()).counts == {"Warning": 1}
    assert gate.check_store(stores[1].view()).counts == {"Info": 1}


@pytest.mark.parametrize("names", [("CViolation", "AInfo"), ("AViolation", "CInfo")])
def test_violations_come_before_warnings_and_information(tmp_path: Path, names: tuple[str, str]) -> None:
    """Whichever order the engine gives its results in (it follows the shapes' names): both are tried."""
    violation, info = names
    store = thing_store(
        tmp_path,
        f"ex:{violation} sh:path ex:a ; sh:minCount 1 .",
        "ex:BWarning sh:path ex:b ; sh:minCount 1 ; sh:severity sh:Warning .",
        f"ex:{info} sh:path ex:c ; sh:minCount 1 ; sh:severity sh:Info .",
    )
    things = "".join(f"ex:t{i} a ex:Thing .\n" for i in range(3))
    report = dry_run(store, source(write(tmp_path / "things.ttl", PREFIXES + things)))
    severities = [f.severity for f in report.findings]
    assert severities[:3] == ["Violation"] * 3
    assert sorted(severities[3:]) == ["Info"] * 3 + ["Warning"] * 3


def test_a_shape_without_an_english_name_is_named_in_the_language_it_has(
    agreements: Store, tmp_path: Path
) -> None:
    shapes = (
        PREFIXES + "ex:NamedShape a sh:NodeShape ; sh:targetClass ex:Agreement ; sh:property ex:MemoShape .\n"
    )
    shapes += 'ex:MemoShape sh:path ex:memo ; sh:minCount 1 ; sh:severity sh:Info ; sh:name "ghi nhớ"@vi .\n'
    ingest(agreements, source(write(tmp_path / "shapes" / "named.ttl", shapes), "shapes"))
    report = Gate().check_store(agreements.view())
    memo = [f for f in report.findings if f.severity == "Info"]
    assert len(memo) == 4 and {f.shape_name for f in memo} == {"ghi nhớ"}


def test_a_blank_focus_node_has_no_file(tmp_path: Path) -> None:
    store = thing_store(tmp_path, "ex:NameShape sh:path ex:name ; sh:minCount 1 .")
    report = dry_run(store, source(write(tmp_path / "things.ttl", PREFIXES + "[] a ex:Thing .\n")))
    (finding,) = report.findings
    assert (finding.file, finding.line) == (None, None)


def test_the_time_a_report_gives_is_the_time_it_took(agreements: Store, tmp_path: Path) -> None:
    """Not a limit: the gate's own measure lies within what the caller measured around it."""
    import time

    started = time.monotonic()
    report = Gate().check_store(agreements.view())
    around = time.monotonic() - started
    assert 0 <= report.seconds <= around
    empty = GateReport()
    assert empty.summary() == {"conforms": True, "counts": {}, "focusNodes": None, "seconds": 0.0}


def test_a_vocabulary_in_a_batch_is_not_read_as_shapes(agreements: Store, tmp_path: Path) -> None:
    """Only a batch's shapes files change the shapes (and make the gate check everything)."""
    vocabulary = vocabulary_graph(agreements, tmp_path)
    scheme = PREFIXES + "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    scheme += 'ex:kinds a skos:ConceptScheme . ex:mou a skos:Concept ; skos:prefLabel "Memorandum"@en .\n'
    changed = source(write(tmp_path / "vocab" / "kinds.ttl", scheme), "vocabulary")
    assert changed.graph == vocabulary
    (shapes,) = [g for g, r in agreements.records().items() if r.role == "shapes"]
    report = dry_run(agreements, changed)
    assert report.shapes_graphs == [shapes]
    assert report.focus_nodes is not None  # the shapes did not change: only what the batch touches
    data = source(write(tmp_path / "data" / "agreements.ttl", AGREEMENTS))  # the vocabulary stays stored
    assert dry_run(agreements, data).shapes_graphs == [shapes]


def test_a_finding_on_a_complex_path_shows_the_path_in_sparql(tmp_path: Path) -> None:
    store = thing_store(tmp_path, "ex:OwnedShape sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 .")
    report = dry_run(store, source(write(tmp_path / "things.ttl", PREFIXES + "ex:t a ex:Thing .\n")))
    (finding,) = report.findings
    assert (finding.path, finding.path_iri) == (f"^<{EX}owns>", None)
