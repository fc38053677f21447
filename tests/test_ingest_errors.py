"""Bad input: each kind is refused with a message that names the file, the line or row and column
where there is one, and the problem in words; the store is left exactly as it was.

Every case runs twice: alone through the pipeline in this process (to read each problem's fields),
and through the real ``coopgraph ingest`` command (exit code 3, the text a steward reads, no
traceback). To keep the suite fast the command gets the cases in three batches, by the stage that
refuses them: finding the sources, reading them, and the check for files that hold no triples
(made once every file was read); a batch reports every broken file at once. The places expected
are worked out from the text each case writes.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from pyoxigraph import RdfFormat

from coopgraph.store.local import LocalStore
from ingest.batch import run
from ingest.errors import IngestError, Problem
from ingest.sources import discover
from tests.conftest import coopgraph

EX = "http://example.org/"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
#: ``error: PATH[:LINE[:COLUMN]]: [column 'NAME': ]MESSAGE``, as the command line prints a problem
ERROR_LINE = re.compile(r"^error: (?P<path>[^:]+)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: (?P<rest>.*)$")

CSV_MAPPING = """\
{{
  "@context": "http://www.w3.org/ns/csvw",
  "url": "{table}",
  "tableSchema": {{
    "aboutUrl": "http://example.org/thing/{{id}}",
    "columns": [
      {{"name": "id", "titles": "id", "suppressOutput": true}},
      {{"name": "name", "titles": "name", "propertyUrl": "http://example.org/name", "lang": "vi"}},
      {{"name": "signed", "titles": "signed", "propertyUrl": "http://example.org/signed", "datatype": "date"}}
    ]
  }}
}}
"""


def mapping(table: str) -> str:
    return CSV_MAPPING.format(table=table)


def line_with(text: str | bytes, needle: str | bytes) -> int:
    """1-based number of the line where ``needle`` first occurs."""
    at = text.index(needle)  # type: ignore[arg-type]
    return text[:at].count("\n" if isinstance(text, str) else b"\n") + 1  # type: ignore[arg-type]


def column_of(text: str | bytes, needle: str | bytes) -> int:
    """1-based column, within its line, where ``needle`` first occurs."""
    at = text.index(needle)  # type: ignore[arg-type]
    start = text.rfind("\n" if isinstance(text, str) else b"\n", 0, at) + 1  # type: ignore[arg-type]
    return at - start + 1


@dataclass(frozen=True)
class Bad:
    """One kind of bad input: the files to write, which one to ingest, and what the steward must be told."""

    target: str
    files: dict[str, str | bytes]
    words: tuple[str, ...]  # regular expressions the message must match (case-insensitive)
    line: Callable[[], int | None] = lambda: None
    column: Callable[[], int | str | None] = lambda: None
    reported: str | None = None  # the file named, when not the target (a mapping)
    good: dict[str, str] = field(default_factory=dict)  # a good earlier version, loaded before
    stage: str = "reading"  # "finding" | "reading" | "counting": what refuses it


SYNTAX_TTL = f"""\
@prefix ex: <{EX}> .
ex:a ex:p "x" .
ex:b ex:p "y" ;
  ex:q ex:c ex:d .
"""
PREFIX_TTL = f"@prefix ex: <{EX}> .\nex:a ex:p ex:b .\nex:a nope:p ex:b .\n"
LATIN1_TTL = f'@prefix ex: <{EX}> .\nex:a ex:p "Universit\xe9 de Hu\xe9" .\n'.encode("latin-1")
DATE_TTL = f"""\
@prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:a ex:p "fine" .
ex:b ex:signed "2024-13-45"^^xsd:date .
"""
DATE_NT = f'<{EX}a> <{EX}p> "fine" .\n<{EX}b> <{EX}signed> "2024-13-45"^^<{XSD_DATE}> .\n'
UNKNOWN_CSV = "id,name,colour,signed\nhue,Đại học Huế,red,2024-01-02\n"
CELL_CSV = "id,name,signed\nhue,Đại học Huế,2024-08-27\nvinh,Đại học Vinh,2024-13-45\n"
LATIN1_CSV = "id,name,signed\nhue,Universit\xe9 de Hu\xe9,2024-08-27\n".encode("latin-1")
LATE_LATIN1_CSV = (
    "id,name,signed\n"
    + "".join(f"row-{i},name {i},2024-01-01\n" for i in range(700))
    + "late,Universit\xe9,2024-01-01\n"
).encode("latin-1")
RECORD_JSON = """\
[
  {"id": "cgr:agreement/fine", "type": "Agreement", "dateSigned": "2024-02-29"},
  {"id": "cgr:agreement/leap", "type": "Agreement", "dateSigned": "2025-02-29"}
]
"""
RECORD_YAML = """\
- id: cgr:agreement/fine
  type: Agreement
  dateSigned: 2024-02-29
- id: cgr:agreement/leap
  type: Agreement
  dateSigned: 2024-13-45
"""
BROKEN_JSON = '[\n  {"id": "cgr:agreement/a",\n   "label": {"en": "A"},\n  }\n]\n'
BROKEN_YAML = "- id: cgr:agreement/a\n  label:\n    en: A\n   vi: B\n"
LATIN1_JSON = '[{"id": "cgr:organization/hue", "label": {"fr": "Universit\xe9 de Hu\xe9"}}]'.encode("latin-1")
LATIN1_JSON_OFFSET = LATIN1_JSON.index(b"\xe9")
BROKEN_MAPPING = '{\n  "url": "badmap.csv",\n  "tableSchema": {"columns": [,]}\n}\n'
GOOD_TTL = f"@prefix ex: <{EX}> .\nex:earlier ex:p 1 .\n"

CASES: dict[str, Bad] = {
    "turtle-syntax": Bad(
        "syntax.ttl",
        {"syntax.ttl": SYNTAX_TTL},
        ("expected",),
        line=lambda: line_with(SYNTAX_TTL, "ex:d ."),
        column=lambda: column_of(SYNTAX_TTL, "ex:d ."),
        good={"syntax.ttl": GOOD_TTL},
    ),
    "turtle-undeclared-prefix": Bad(
        "prefix.ttl",
        {"prefix.ttl": PREFIX_TTL},
        ("prefix", "nope"),
        line=lambda: line_with(PREFIX_TTL, "nope:p"),
        column=lambda: column_of(PREFIX_TTL, "nope:p"),
    ),
    "turtle-invalid-utf8": Bad(
        "latin1.ttl",
        {"latin1.ttl": LATIN1_TTL},
        ("utf-8",),
        line=lambda: line_with(LATIN1_TTL, b"\xe9"),
        column=lambda: column_of(LATIN1_TTL, b"\xe9"),
    ),
    "turtle-bad-date": Bad(
        "date.ttl",
        {"date.ttl": DATE_TTL},
        ("'2024-13-45' is not a valid date", "example.org/b"),
        line=lambda: line_with(DATE_TTL, "2024-13-45"),
        good={"date.ttl": GOOD_TTL},
    ),
    "ntriples-bad-date": Bad(
        "date.nt",
        {"date.nt": DATE_NT},
        ("'2024-13-45' is not a valid date",),
        line=lambda: line_with(DATE_NT, "2024-13-45"),
        good={"date.nt": f'<{EX}earlier> <{EX}p> "1" .\n'},
    ),
    "turtle-only-comments": Bad(
        "nothing.ttl",
        {"nothing.ttl": f"@prefix ex: <{EX}> .\n# everything was deleted\n"},
        ("holds no triples",),
        stage="counting",
    ),
    "empty-file": Bad("empty.nt", {"empty.nt": ""}, ("the file is empty",), stage="finding"),
    "unsupported-format": Bad(
        "minutes.docx",
        {"minutes.docx": b"PK\x03\x04 a word processor file"},
        (r"unsupported format '\.docx'", "Turtle", "CSVW|CSV"),
        stage="finding",
    ),
    "csv-unknown-column": Bad(
        "unknown.csv",
        {"unknown.csv": UNKNOWN_CSV, "unknown.csv-metadata.json": mapping("unknown.csv")},
        ("unknown column 'colour'", r"unknown\.csv-metadata\.json"),
        line=lambda: 1,
        column=lambda: UNKNOWN_CSV.splitlines()[0].split(",").index("colour") + 1,
    ),
    "csv-bad-date-cell": Bad(
        "cell.csv",
        {"cell.csv": CELL_CSV, "cell.csv-metadata.json": mapping("cell.csv")},
        ("'2024-13-45' is not a valid date",),
        line=lambda: line_with(CELL_CSV, "2024-13-45"),
        column=lambda: "signed",
        good={
            "cell.csv": "id,name,signed\nhue,Huế,2024-08-27\n",
            "cell.csv-metadata.json": mapping("cell.csv"),
        },
    ),
    "csv-without-mapping": Bad(
        "lonely.csv",
        {"lonely.csv": "id,name\nhue,Huế\n"},
        ("no CSV on the Web mapping", r"lonely\.csv-metadata\.json"),
        stage="finding",
    ),
    "csv-invalid-utf8": Bad(
        "latin1.csv",
        {"latin1.csv": LATIN1_CSV, "latin1.csv-metadata.json": mapping("latin1.csv")},
        ("utf-8",),
        line=lambda: line_with(LATIN1_CSV, b"\xe9"),
        column=lambda: "name",  # the column of the first character that is not UTF-8
    ),
    "csvw-mapping-not-json": Bad(
        "badmap.csv",
        {"badmap.csv": "id,name,signed\nhue,Huế,2024-08-27\n", "badmap.csv-metadata.json": BROKEN_MAPPING},
        ("not a JSON CSVW mapping",),
        line=lambda: line_with(BROKEN_MAPPING, "[,]"),
        reported="badmap.csv-metadata.json",
    ),
    "csvw-mapping-without-url": Bad(
        "nourl.csv",
        {
            "nourl.csv": "id,name,signed\nhue,Huế,2024-08-27\n",
            "nourl.csv-metadata.json": json.dumps(
                {"@context": "http://www.w3.org/ns/csvw", "tableSchema": {}}
            ),
        },
        ("invalid CSVW mapping", "url"),
        reported="nourl.csv-metadata.json",
    ),
    "csvw-mapping-of-another-table": Bad(
        "mine.csv",
        {"mine.csv": "id,name,signed\nhue,Huế,2024-08-27\n", "mine.csv-metadata.json": mapping("theirs.csv")},
        ("describes no table", "'mine.csv'"),
        reported="mine.csv-metadata.json",
    ),
    "json-syntax": Bad(
        "broken.json",
        {"broken.json": BROKEN_JSON},
        ("not valid JSON",),
        line=lambda: line_with(BROKEN_JSON, "  }"),
        column=lambda: column_of(BROKEN_JSON, "  }") + 2,
    ),
    "json-invalid-utf8": Bad(
        "latin1.json",
        {"latin1.json": LATIN1_JSON},
        ("utf-8", f"at byte {LATIN1_JSON_OFFSET}$"),
        line=lambda: line_with(LATIN1_JSON, b"\xe9"),
    ),
    "json-not-records": Bad("scalar.json", {"scalar.json": "42\n"}, ("expected a record",), line=lambda: 1),
    "json-record-bad-date": Bad(
        "record.json",
        {"record.json": RECORD_JSON},
        ("'2025-02-29' is not a valid date", "dateSigned"),
        line=lambda: line_with(RECORD_JSON, "cgr:agreement/leap"),
        good={"record.json": '[{"id": "cgr:agreement/earlier", "type": "Agreement"}]'},
    ),
    "yaml-syntax": Bad(
        "broken.yaml",
        {"broken.yaml": BROKEN_YAML},
        ("not valid YAML",),
        line=lambda: line_with(BROKEN_YAML, "vi: B"),
        column=lambda: column_of(BROKEN_YAML, "vi: B"),
        good={"broken.yaml": "- id: cgr:agreement/earlier\n  type: Agreement\n"},
    ),
    "yaml-record-bad-date": Bad(
        "record.yaml",
        {"record.yaml": RECORD_YAML},
        ("2024-13-45", "date"),
        line=lambda: line_with(RECORD_YAML, "2024-13-45"),
    ),
    "xlsx-not-a-workbook": Bad(
        "book.xlsx",
        {
            "book.xlsx": b"id,name\nthis is a CSV file renamed\n",
            "book.xlsx-metadata.json": mapping("book.xlsx"),
        },
        ("not a readable XLSX workbook",),
    ),
    "no-such-file": Bad("missing.ttl", {}, ("no such file",), stage="finding"),
}

#: Cases that fail because of a known bug, with its description (marked xfail, strict).
BUGS: dict[str, str] = {}


def _case_params() -> Iterator[object]:
    for name in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=BUGS[name])] if name in BUGS else []
        yield pytest.param(name, marks=marks, id=name)


# --------------------------------------------------------------------------- the bench


@dataclass
class Bench:
    folder: Path
    store_dir: Path
    generation: str
    dump: list[bytes]
    cli: dict[str, CompletedProcess[str]]  # by stage

    def path(self, case: str, name: str) -> Path:
        return self.folder / case / name


def _dump(store: LocalStore) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    """A store holding a good earlier version of some of the files; every bad file written; the
    command line run on each of them (several at once, to keep the suite fast)."""
    root = tmp_path_factory.mktemp("bad-input")
    targets = [c.target for c in CASES.values()]
    assert len(set(targets)) == len(targets), "each case needs a key of its own"
    good_paths = []
    for name, case in CASES.items():
        for file, content in case.files.items():
            path = root / "bad" / name / file
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        for file, content in case.good.items():
            path = root / "good" / name / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            if file == case.target:
                good_paths.append(path)
    store_dir = root / "store"
    store = LocalStore(store_dir)
    sources, problems = discover(good_paths)
    assert problems == []
    assert len(run(store, sources).loaded) == len(good_paths)
    generation, dump = store.generation, _dump(store)
    store.close()

    def ingest(stage: str) -> tuple[str, CompletedProcess[str]]:
        paths = [str(root / "bad" / name / c.target) for name, c in CASES.items() if c.stage == stage]
        return stage, coopgraph("ingest", *paths, store=store_dir)

    with ThreadPoolExecutor(max_workers=3) as pool:
        cli = dict(pool.map(ingest, ("finding", "reading", "counting")))
    return Bench(root / "bad", store_dir, generation, dump, cli)


def _problems(bench: Bench, case: Bad, name: str) -> list[Problem]:
    """The problems the pipeline reports for the case, checking that the store did not change."""
    store = LocalStore(bench.store_dir, create=False)
    sources, problems = discover([bench.path(name, case.target)])
    if problems:
        assert sources == []
    else:
        with pytest.raises(IngestError) as refused:
            run(store, sources)
        problems = refused.value.problems
    assert store.generation == bench.generation, "a refused batch published a generation"
    assert _dump(store) == bench.dump, "a refused batch changed the store"
    store.close()
    return problems


@pytest.mark.parametrize("name", list(_case_params()))
def test_bad_input_is_refused_naming_file_place_and_problem(bench: Bench, name: str) -> None:
    case = CASES[name]
    problems = _problems(bench, case, name)
    reported = str(bench.path(name, case.reported or case.target))
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.path == reported
    for words in case.words:
        assert re.search(words, problem.message, re.I), f"{words!r} not in {problem.message!r}"
    expected_column = case.column()
    assert (problem.line, problem.column) == (case.line(), expected_column)

    done = bench.cli[case.stage]
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[-1] == "nothing was written"
    (shown_line,) = [line for line in lines if line.startswith(f"error: {reported}:")]
    assert shown_line == f"error: {problem}"
    shown = ERROR_LINE.match(shown_line)
    assert shown is not None and shown["path"] == reported
    if case.line() is not None:
        assert shown["line"] == str(case.line())
    if isinstance(expected_column, int):
        assert shown["col"] == str(expected_column)
    elif expected_column is not None:
        assert shown["rest"].startswith(f"column '{expected_column}': ")


def test_an_invalid_utf8_byte_deep_in_a_csv_is_placed_where_it_is(tmp_path: Path) -> None:
    (tmp_path / "late.csv").write_bytes(LATE_LATIN1_CSV)
    (tmp_path / "late.csv-metadata.json").write_text(mapping("late.csv"), encoding="utf-8")
    sources, _ = discover([tmp_path / "late.csv"])
    with pytest.raises(IngestError) as refused:
        run(LocalStore(tmp_path / "store"), sources)
    (problem,) = refused.value.problems
    line, offset = line_with(LATE_LATIN1_CSV, b"\xe9"), LATE_LATIN1_CSV.index(b"\xe9")
    assert problem.line == line or f"byte {offset}" in problem.message, str(problem)
    assert problem.line in (None, line), str(problem)


def test_the_store_is_unchanged_after_every_refused_command(bench: Bench) -> None:
    assert [done.returncode for done in bench.cli.values()] == [3, 3, 3]
    for stage, done in bench.cli.items():  # each batch named each of its files, and nothing else
        named = {m["path"] for m in map(ERROR_LINE.match, done.stderr.splitlines()) if m}
        expected = {str(bench.path(n, c.reported or c.target)) for n, c in CASES.items() if c.stage == stage}
        assert named == expected, stage
    store = LocalStore(bench.store_dir, create=False)
    assert store.generation == bench.generation
    assert _dump(store) == bench.dump
    # The good earlier versions are still there, whole.
    graphs = {r.key: r for r in store.records().values()}
    assert set(graphs) == {c.target for c in CASES.values() if c.good}
    assert not (bench.store_dir / "quarantine").exists()


def test_every_bad_file_of_a_batch_is_reported_at_once_and_the_good_ones_are_not_loaded(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.ttl").write_text(GOOD_TTL, encoding="utf-8")
    (folder / "syntax.ttl").write_text(SYNTAX_TTL, encoding="utf-8")
    (folder / "date.nt").write_text(DATE_NT, encoding="utf-8")
    (folder / "broken.json").write_text(BROKEN_JSON, encoding="utf-8")
    store_dir = tmp_path / "store"
    LocalStore(store_dir).close()

    done = coopgraph("ingest", str(folder), store=store_dir)

    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    named = {m["path"] for m in map(ERROR_LINE.match, done.stderr.splitlines()) if m}
    assert named == {str(folder / n) for n in ("syntax.ttl", "date.nt", "broken.json")}
    assert done.stderr.rstrip().endswith("nothing was written")
    store = LocalStore(store_dir, create=False)
    assert store.records() == {}
    assert store.graph_names() == set()


def test_two_files_with_the_same_key_are_refused_before_anything_is_read(tmp_path: Path) -> None:
    for side in ("ours", "theirs"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "partners.ttl").write_text(GOOD_TTL, encoding="utf-8")
    store_dir = tmp_path / "store"
    done = coopgraph("ingest", str(tmp_path / "ours"), str(tmp_path / "theirs"), store=store_dir)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert f"error: {tmp_path / 'theirs' / 'partners.ttl'}: same graph key 'partners.ttl'" in done.stderr
    assert "--prefix" in done.stderr
    assert not (store_dir / "CURRENT").exists(), "a refused first ingest created a store"


# --------------------------------------------------------------------------- the validation gate

SHAPES = f"""\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:ThingName, ex:ThingPartner .

ex:ThingName sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Violation ;
    sh:message "The thing has no name."@en, "Thiếu tên."@vi .

ex:ThingPartner sh:path ex:partner ; sh:class ex:Thing ; sh:severity sh:Violation ;
    sh:name "partner" ;
    sh:description "Point ex:partner at a thing described in the graph." ;
    sh:message "The partner is not a known thing."@en, "Đối tác không phải là một thực thể đã biết."@vi .
"""
DANGLING = f"""\
@prefix ex: <{EX}> .

ex:hue a ex:Thing ;
    ex:name "Đại học Huế"@vi ;
    ex:partner ex:vinh .

ex:vinh-typo ex:name "Đại học Vinh"@vi .
"""


def test_a_dangling_reference_is_rejected_by_the_gate_with_where_and_why(tmp_path: Path) -> None:
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "dangling.ttl").write_text(DANGLING, encoding="utf-8")
    store_dir = tmp_path / "store"
    loaded = coopgraph("ingest", "--role", "shapes", str(tmp_path / "shapes.ttl"), store=store_dir)
    assert loaded.returncode == 0, loaded.stderr
    store = LocalStore(store_dir, create=False)
    generation, before = store.generation, _dump(store)

    done = coopgraph("ingest", str(tmp_path / "dangling.ttl"), store=store_dir)
    vi = coopgraph("ingest", "--lang", "vi", str(tmp_path / "dangling.ttl"), store=store_dir)

    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    text = done.stderr
    assert text.startswith("rejected: 1 violation(s)")
    where = f"{tmp_path / 'dangling.ttl'}:{line_with(DANGLING, 'ex:hue')}"
    assert re.search(rf"^VIOLATION\s+{re.escape(where)}\s+<{EX}hue>", text, re.M), text
    assert f"value <{EX}vinh>" in text
    assert "The partner is not a known thing." in text
    assert "fix: Point ex:partner at a thing described in the graph." in text
    assert "sh:ClassConstraintComponent" in text
    assert text.rstrip().endswith("nothing was written")
    assert vi.returncode == 4
    assert "Đối tác không phải là một thực thể đã biết." in vi.stderr
    assert store.generation == generation
    assert _dump(store) == before
