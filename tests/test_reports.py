"""Validation reports a data steward can act on: every invalid example in every format with where it
comes from; the steward's table with ten typical mistakes, each named by row and column with its fix;
messages in English and Vietnamese; no pass after checking nothing; the quarantine's commands."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from coopgraph.cli import bootstrap
from coopgraph.store import open_store
from ingest.batch import BatchOptions, run
from ingest.errors import IngestError
from ingest.gate import Gate
from ingest.reports.model import INPUT_CHECKS, REPORT, Report
from ingest.reports.render import render
from ingest.sources import describe
from tests.conftest import PROJECT, coopgraph
from tests.test_shapes import BASE, CASES, Case, X, _turtle

STEWARD = PROJECT / "tests" / "steward"
R = rdflib.Namespace(REPORT)
FORMATS = ("ttl", "jsonld", "csv", "html", "json")

#: The ten mistakes of tests/steward/partners.csv: (what, row, column, the shape or check that finds it).
MISTAKES = [
    ("the file is Windows-1258, not UTF-8", 2, "name_vi", "report:EncodingCheck"),
    ("a party missing (not in the data)", 5, "party", "cgsh:Agreement-party-class"),
    ("end before start", 7, "ended", "cgsh:AgreementEndNotBeforeSigned"),
    ("a malformed ROR id", 10, "ror", "cgsh:Identifier-ror-pattern"),
    ("an unknown agreement type", 13, "agreement_type", "cgsh:Agreement-type-inScheme"),
    ("a date written 14/04/2025", 16, "signed", "report:LiteralCheck"),
    ("a duplicate id", 19, "id", "report:MappingCheck"),
    ("a country written as a name", 22, "country", "cgsh:Organization-country-inScheme"),
    ("stray spaces", 25, "name_en", "report:MappingCheck"),
    ("a one-party agreement", 29, "party", "cgsh:Agreement-party-minCount"),
]


# ---------------------------------------------------------------------------------------------- readers
def turtle_results(data: bytes, fmt: str = "turtle") -> list[dict[str, object]]:
    graph = rdflib.Graph().parse(data=data, format=fmt)
    results = []
    for node in graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        results.append(
            {
                "severity": str(graph.value(node, SH.resultSeverity)).removeprefix(str(SH)),
                "focus": str(graph.value(node, SH.focusNode)),
                "shape": str(graph.value(node, SH.sourceShape)),
                "component": str(graph.value(node, SH.sourceConstraintComponent)),
                "file": str(graph.value(node, R.file) or ""),
                "line": graph.value(node, R.line),
                "row": graph.value(node, R.row),
                "column": graph.value(node, R.column),
                "messages": {m.language for m in graph.objects(node, SH.resultMessage)},
            }
        )
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert len(list(graph.objects(report, SH.result))) == len(results)
    return results


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class _Cells(HTMLParser):
    """The text of each row of the findings table of an HTML report, and its data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[dict[str, str | None], list[str]]] = []
        self.table: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.table = dict(attrs).get("id")
        elif tag == "tr" and self.table == "findings" and dict(attrs).get("data-severity"):
            self.rows.append((dict(attrs), []))
        elif tag == "td" and self.rows and self.table == "findings":
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1][1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_rows(data: bytes) -> list[tuple[dict[str, str | None], list[str]]]:
    parser = _Cells()
    parser.feed(data.decode("utf-8"))
    return parser.rows


# ---------------------------------------------------------------------------------------------- examples
@pytest.fixture(scope="module")
def shapes_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store with the project's ontology, vocabularies and shapes (no seed data)."""
    root = tmp_path_factory.mktemp("report-shapes") / "store"
    sources, problems = bootstrap.sources(seed=False)
    assert not problems
    store = open_store(root)
    try:
        run(store, sources)
    finally:
        store.close()
    yield root


#: The cases a file of data can show: one that removes a statement of the vocabularies (which the store
#: already holds, in graphs of their own) cannot be written as a file to ingest.
VOCABULARY_EDITS = ("province:", "country:", "city:")
INVALID = [c for c in CASES if c.expected and not (c.remove or "").startswith(VOCABULARY_EDITS)]


def _case_file(case: Case, folder: Path) -> Path:
    graph = _turtle(BASE)
    if case.remove:
        graph -= _turtle(case.remove)
    if case.add:
        graph += _turtle(case.add)
    graph.bind("x", X)
    path = folder / f"{case.name}.ttl"
    graph.serialize(path, format="turtle")
    return path


def test_enough_invalid_examples() -> None:
    assert len(INVALID) >= 25


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_every_invalid_example_is_in_every_format_with_its_location(
    case: Case, shapes_store: Path, tmp_path: Path
) -> None:
    path = _case_file(case, tmp_path)
    found = describe(path, f"example/{path.name}", "data")
    assert not isinstance(found, type(None))
    store = open_store(shapes_store, create=False)
    try:
        result = run(store, [found], BatchOptions(dry_run=True), gate=_GATE)  # type: ignore[list-item]
    finally:
        store.close()
    report = Report.of(result.report, subject=str(path))
    expected = {e.key() for e in case.expected}
    text = path.read_text(encoding="utf-8")
    turtle = turtle_results(render(report, "turtle"))
    jsonld = turtle_results(render(report, "jsonld"), "json-ld")
    rows = csv_rows(render(report, "csv"))
    html = html_rows(render(report, "html"))
    for focus, _path, component, severity in expected:
        name = severity.removeprefix(str(SH))
        findings = [
            f
            for f in report.findings
            if str(f.focus).strip("<>") == focus
            and f.component == component.removeprefix(str(SH))
            and f.severity == name
        ]
        assert findings, (case.name, focus, component)
        finding = findings[0]
        assert finding.file == str(path) and finding.line is not None
        local = re.split(r"[/#]", focus)[-1]
        assert local in text.splitlines()[finding.line - 1], (case.name, focus, finding.line)
        for results in (turtle, jsonld):
            assert any(
                r["focus"] == focus
                and r["component"] == component
                and r["severity"] == name
                and r["file"] == str(path)
                and r["line"]
                for r in results
            ), (case.name, focus, component)
        assert any(
            r["severity"] == name and focus.replace(X, "") in r["resource"] and r["line"] == str(finding.line)
            for r in rows
        )
        assert any(
            attrs["data-severity"] == name and f"{path}" in cells[1] and f"line {finding.line}" in cells[1]
            for attrs, cells in html
        )


_GATE = Gate()


# ---------------------------------------------------------------------------------------------- languages
def _langs(value: object) -> set[str]:
    return set(getattr(value, "value", "").split())


def test_messages_exist_in_english_and_vietnamese_for_every_shape(shapes_store: Path) -> None:
    """Every shape that can produce a result has its message and its name in en and vi, as the store
    holds them; and so does every check of the input."""
    store = open_store(shapes_store, create=False)
    try:
        rows = store.query(
            """PREFIX sh: <http://www.w3.org/ns/shacl#>
            SELECT ?shape (GROUP_CONCAT(DISTINCT LANG(?m)) AS ?messages)
                          (GROUP_CONCAT(DISTINCT LANG(?n)) AS ?names)
            WHERE { { ?shape sh:path ?p } UNION { ?shape a sh:SPARQLConstraint }
                    OPTIONAL { ?shape sh:message ?m } OPTIONAL { ?shape sh:name ?n } }
            GROUP BY ?shape"""
        )
        shapes = {r["shape"].value: (_langs(r["messages"]), _langs(r["names"])) for r in rows}
    finally:
        store.close()
    assert len(shapes) > 100
    for shape, (messages, names) in shapes.items():
        assert {"en", "vi"} <= messages, f"{shape}: sh:message in en and vi"
        if "#" in shape and not shape.endswith("-sparql"):
            assert {"en", "vi"} <= names, f"{shape}: sh:name in en and vi"
    for kind, (name_en, name_vi, fix_en, fix_vi) in INPUT_CHECKS.items():
        assert all((name_en, name_vi, fix_en, fix_vi)), kind


# ---------------------------------------------------------------------------------------------- steward
@pytest.fixture(scope="module")
def steward(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> dict[str, object]:
    """The steward's table validated against the seeded store, its report written in every format."""
    out = tmp_path_factory.mktemp("steward")
    reports: dict[str, object] = {}
    for fmt in FORMATS:
        target = out / f"report.{fmt}"
        result = coopgraph(
            "validate", str(STEWARD / "partners.csv"), "--report", str(target), store=seeded_store
        )
        assert result.returncode == 3, result.stderr
        reports[fmt] = target.read_bytes()
        reports["stderr"] = result.stderr
    vi = out / "report-vi.csv"
    coopgraph(
        "validate", str(STEWARD / "partners.csv"), "--report", str(vi), "--lang", "vi", store=seeded_store
    )
    reports["csv-vi"] = vi.read_bytes()
    return reports


def test_each_mistake_of_the_steward_table_is_named_by_row_and_column_with_a_fix(
    steward: dict[str, object],
) -> None:
    results = json.loads(steward["json"])["results"]  # type: ignore[arg-type]
    for what, row, column, shape in MISTAKES:
        found = [r for r in results if r["row"] == row and r["column"] == column and r["shape"] == shape]
        assert found, f"{what}: no finding at row {row}, column '{column}' from {shape}"
        assert all(r["file"].endswith("partners.csv") and r["fix"] for r in found), what
        assert all({"en", "vi"} <= set(r["messages"]) for r in found), what


def test_each_mistake_is_in_every_format(steward: dict[str, object]) -> None:
    turtle = turtle_results(steward["ttl"])  # type: ignore[arg-type]
    jsonld = turtle_results(steward["jsonld"], "json-ld")  # type: ignore[arg-type]
    rows = csv_rows(steward["csv"])  # type: ignore[arg-type]
    vi_rows = csv_rows(steward["csv-vi"])  # type: ignore[arg-type]
    assert "dòng" in vi_rows[0] and "cột" in vi_rows[0] and "cách sửa" in vi_rows[0]  # the headers too
    html = html_rows(steward["html"])  # type: ignore[arg-type]
    for what, row, column, _shape in MISTAKES:
        for results in (turtle, jsonld):
            assert any(
                r["row"] is not None and int(r["row"]) == row and str(r["column"]) == column for r in results
            ), what
        assert any(r["row"] == str(row) and r["column"] == column and r["fix"] for r in rows), what
        assert any(r["dòng"] == str(row) and r["cột"] == column for r in vi_rows), what
        assert any(f"row {row}" in cells[1] and f"column '{column}'" in cells[1] for _, cells in html), what
    assert {r["message"] for r in rows} != {r["vấn đề"] for r in vi_rows}  # the messages are translated


def test_the_terminal_output_is_short_and_names_the_report(steward: dict[str, object]) -> None:
    text = str(steward["stderr"])
    assert len(text.splitlines()) <= 40  # of a report of 16 findings
    assert "the full report is in" in text and "report.json" in text
    assert re.search(r"\d+ violation\(s\)", text)


def test_the_example_in_docs_is_the_report_of_the_steward_table(steward: dict[str, object]) -> None:
    """docs/examples holds the report the steward's table produces (made by the command shown there)."""
    example = PROJECT / "docs" / "examples" / "steward-report.csv"
    ours = {(r["row"], r["column"], r["check"], r["message"]) for r in csv_rows(steward["csv"])}  # type: ignore[arg-type]
    theirs = {(r["row"], r["column"], r["check"], r["message"]) for r in csv_rows(example.read_bytes())}
    assert ours == theirs


def test_init_writes_the_report_its_output_points_to(tmp_path: Path) -> None:
    """``coopgraph init`` shows the first findings and names ``--report`` for the rest: it takes it, and
    the file holds every finding the summary counts."""
    report = tmp_path / "init.csv"
    result = coopgraph("init", "--report", str(report), store=tmp_path / "store")
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(report) in result.stdout
    counted = re.search(r"(\d+) violation\(s\), (\d+) warning\(s\)", result.stdout)
    assert counted is not None, result.stdout
    rows = csv_rows(report.read_bytes())
    assert len(rows) == int(counted[1]) + int(counted[2]) > 0
    assert all(r["message"] and r["resource"] for r in rows)
    refused = coopgraph("init", "--report", str(tmp_path / "r.pdf"), store=tmp_path / "other")
    assert refused.returncode == 2 and not (tmp_path / "other").exists()


# ---------------------------------------------------------------------------------------------- no false pass
def test_validating_files_against_an_empty_store_uses_the_project_shapes(tmp_path: Path) -> None:
    empty = tmp_path / "empty-store"
    assert coopgraph("graphs", store=empty).returncode in (0, 5)
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix cg: <https://w3id.org/coopgraph/ontology#> .\n"
        "<https://w3id.org/coopgraph/id/agreement/one-party> a cg:Agreement .\n",
        encoding="utf-8",
    )
    result = coopgraph("validate", str(bad), store=empty)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "0 violation(s)" not in result.stdout + result.stderr
    assert "project's shapes" in result.stdout + result.stderr
    mistyped = coopgraph("validate", str(bad), "--store", str(tmp_path / "no-such-store"))
    assert mistyped.returncode == 4
    assert "there is no store at" in mistyped.stdout + mistyped.stderr
    assert not (tmp_path / "no-such-store").exists()


def test_validating_a_store_without_shapes_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = tmp_path / "one.ttl"
    data.write_text("<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
    assert coopgraph("ingest", str(data), store=store).returncode == 0
    result = coopgraph("validate", store=store)
    assert result.returncode == 5
    assert "nothing was checked" in result.stderr
    assert "0 violation" not in result.stdout


# ---------------------------------------------------------------------------------------------- quarantine
def test_quarantine_show_and_a_fixed_batch_clears_it(tmp_path: Path, store_copy: Path) -> None:
    bad = tmp_path / "agreement.ttl"
    bad.write_text(
        "@prefix cg: <https://w3id.org/coopgraph/ontology#> .\n"
        "<https://w3id.org/coopgraph/id/agreement/test-q> a cg:Agreement .\n",
        encoding="utf-8",
    )
    rejected = coopgraph("ingest", str(bad), "--quarantine", store=store_copy)
    assert rejected.returncode == 4
    batch = re.search(r"quarantine show (\w+)", rejected.stderr)
    assert batch, rejected.stderr
    shown = coopgraph("quarantine", "show", batch.group(1), store=store_copy)
    assert shown.returncode == 0 and "violation(s)" in shown.stdout and "agreement.ttl" in shown.stdout
    html = tmp_path / "q.html"
    assert (
        coopgraph("quarantine", "show", batch.group(1), "--report", str(html), store=store_copy).returncode
        == 0
    )
    assert "test-q" in html.read_text(encoding="utf-8")
    # input that cannot be read is kept too (exit 3)
    broken = tmp_path / "broken" / "agreement.ttl"
    broken.parent.mkdir()
    broken.write_text("<https://w3id.org/coopgraph/id/agreement/test-q> a \n", encoding="utf-8")
    unreadable = coopgraph("ingest", str(broken), "--quarantine", store=store_copy)
    assert unreadable.returncode == 3
    assert "quarantine show" in unreadable.stderr
    assert len(coopgraph("quarantine", "list", store=store_copy).stdout.strip().splitlines()) == 2
    # the fixed file, loaded to the same graph, clears both
    bad.write_text(
        "@prefix cg: <https://w3id.org/coopgraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://example.org/fixed> rdfs:label "fixed"@en .\n',
        encoding="utf-8",
    )
    assert coopgraph("ingest", str(bad), store=store_copy).returncode == 0
    assert coopgraph("quarantine", "list", store=store_copy).stdout.strip() == "no rejected batch is kept"


def test_the_readme_names_only_quarantine_commands_that_exist() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"coopgraph quarantine ?([a-z-]*)", readme)
    assert commands
    assert set(commands) <= {"list", "show", "drop"}, commands


def test_an_unknown_report_extension_is_refused_before_any_work(tmp_path: Path) -> None:
    result = coopgraph("validate", str(STEWARD / "partners.csv"), "--report", str(tmp_path / "r.pdf"))
    assert result.returncode == 2 and ".html" in result.stderr


def test_input_problems_are_reported_in_vietnamese_too(tmp_path: Path, shapes_store: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    found = describe(broken, "broken.ttl", "data")
    store = open_store(shapes_store, create=False)
    try:
        with pytest.raises(IngestError) as caught:
            run(store, [found], BatchOptions(dry_run=True))  # type: ignore[list-item]
    finally:
        store.close()
    report = Report.of(caught.value.report, caught.value.problems)
    (finding,) = report.findings
    assert finding.kind == "parse" and finding.line == 1
    assert finding.message("vi").startswith("Lỗi cú pháp")
