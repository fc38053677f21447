"""Limits on one input: a literal over ``max_literal_bytes``, a line over ``max_line_bytes``, nesting
deeper than ``max_nesting_depth`` (and YAML aliases that multiply a record) are refused in every format,
with the file, the line and the limit named; the store is left as it was.

The limits are set low through the settings (``COOPGRAPH_MAX_*``) so that the inputs stay small. Each
case runs through the pipeline in this process (to read the problem) and, all together in one batch,
through the real ``coopgraph ingest`` (exit 3, one line per file). Inputs just inside the limits load.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from coopgraph.cli import exits
from coopgraph.settings import load_settings
from coopgraph.store.local import LocalStore
from ingest.batch import BatchOptions, run
from ingest.errors import IngestError
from ingest.limits import InputLimits
from ingest.sources import discover
from tests.conftest import coopgraph

ENV = {
    "COOPGRAPH_MAX_LITERAL_BYTES": "1000",
    "COOPGRAPH_MAX_LINE_BYTES": "4000",
    "COOPGRAPH_MAX_NESTING_DEPTH": "16",
}
LIMITS = InputLimits.from_settings(load_settings(environ=ENV))
EX = "http://example.org/"
BIG = "x" * 1200  # over the literal limit, well inside the line limit
PREFIX = f"@prefix ex: <{EX}> .\n"
MAPPING = """{{"@context": "http://www.w3.org/ns/csvw", "url": "{table}", "tableSchema": {{
  "aboutUrl": "http://example.org/thing/{{id}}",
  "columns": [{{"name": "id", "titles": "id"}},
              {{"name": "name", "titles": "name", "propertyUrl": "http://example.org/name"}}]}}}}
"""


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def yaml_laughs() -> str:
    lines = [
        f'"@id": {EX}laughs',
        'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for level in range(1, 9):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    lines.append(f"{EX}p: *l8")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]  # the first is the one ingested
    line: int
    words: str  # a regular expression the message must match
    column: str | None = None


LITERAL = r"literal of [\d,]+ bytes is longer than the limit of 1,000 bytes \(max_literal_bytes\)"
LINE = r"line \d+ is [\d,]+ bytes long, over the limit of 4,000 bytes \(max_line_bytes\)"
DEPTH = r"nested 21 levels deep, deeper than the limit of 16 \(max_nesting_depth\)"

CASES: dict[str, Case] = {
    "turtle-literal": Case({"t.ttl": PREFIX + f'\nex:a ex:p """\n{BIG}\n""" .\n'}, 3, LITERAL),
    "ntriples-literal": Case({"t.nt": f'<{EX}a> <{EX}p> "short" .\n<{EX}a> <{EX}p> "{BIG}" .\n'}, 2, LITERAL),
    "nquads-literal": Case({"t.nq": f'\n<{EX}a> <{EX}p> "{BIG}"@en <{EX}g> .\n'}, 2, LITERAL),
    "trig-literal": Case({"t.trig": PREFIX + f'ex:g {{\n  ex:a ex:p "{BIG}" .\n}}\n'}, 3, LITERAL),
    "rdfxml-literal": Case(
        {
            "t.rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            f' xmlns:ex="{EX}">\n<rdf:Description rdf:about="{EX}a">\n<ex:p>{BIG}</ex:p>\n'
            "</rdf:Description>\n</rdf:RDF>\n"
        },
        3,
        LITERAL,
    ),
    "jsonld-literal": Case({"t.jsonld": f'{{\n"@id": "{EX}a",\n"{EX}p": "{BIG}"\n}}\n'}, 2, LITERAL),
    "json-record-literal": Case({"r.json": f'[\n{{"@id": "{EX}a",\n"{EX}p": "{BIG}"}}\n]\n'}, 2, LITERAL),
    "yaml-record-literal": Case({"r.yaml": f'"@id": {EX}a\n{EX}p: {BIG}\n'}, 1, LITERAL),
    "csv-cell": Case(
        {
            "c.csv": f'id,name\na,short\nb,"{BIG[:600]}\n{BIG[:600]}"\n',
            "c.csv-metadata.json": MAPPING.format(table="c.csv"),
        },
        3,
        r"a cell is longer than the limit of 1,000 bytes \(max_literal_bytes\)",
    ),
    "csv-cell-bytes": Case(
        {
            "d.csv": "id,name\na,short\nb," + "\u00e9" * 600 + "\n",
            "d.csv-metadata.json": MAPPING.format(table="d.csv"),
        },
        3,
        LITERAL,
        column="name",
    ),
    "ntriples-line": Case({"l.nt": f'<{EX}a> <{EX}p> "short" .\n# {"y" * 4100}\n'}, 2, LINE),
    "turtle-line": Case({"l.ttl": PREFIX + "ex:a ex:p " + ", ".join(['"v"'] * 1400) + " .\n"}, 2, LINE),
    "csv-line": Case(
        {"l.csv": f"id,name\na,{'z' * 4100}\n", "l.csv-metadata.json": MAPPING.format(table="l.csv")}, 2, LINE
    ),
    "yaml-line": Case({"l.yaml": f'"@id": {EX}a\n{EX}p: [{", ".join(["v"] * 1400)}]\n'}, 2, LINE),
    "json-record-depth": Case({"n.json": f'{{"@id": "{EX}a",\n"{EX}p":\n{nested(20)}}}\n'}, 3, DEPTH),
    "jsonld-depth": Case(
        {"n.jsonld": f'{{"@id": "{EX}a",\n"{EX}p": "[[[ in a string",\n"{EX}q": {nested(20)}}}'}, 3, DEPTH
    ),
    "yaml-depth": Case({"n.yaml": f'"@id": {EX}a\n{EX}p:\n  {nested(20)}\n'}, 3, DEPTH),
    "yaml-aliases": Case(
        {"a.yaml": yaml_laughs()}, 5, r"aliases expand the record to [\d,]+ nodes from the \d+ written"
    ),
}

#: Just inside every limit: these load.
INSIDE: dict[str, str] = {
    "ok.nt": f'<{EX}ok> <{EX}p> "{"x" * 1000}" .\n',
    "ok.ttl": PREFIX + 'ex:ok2 ex:p """' + "\u00e9" * 500 + '""" .\n',
    "ok.json": f'{{"@id": "{EX}ok3", "{EX}p": {nested(15)}}}',
    "ok.yaml": f'"@id": {EX}ok4\n{EX}p: {nested(15)}\n',
    "ok.jsonld": f'{{"@id": "{EX}ok5", "{EX}p": "{"x" * 1000}"}}',
}


@dataclass
class Bench:
    folder: Path
    store: Path
    dump: bytes
    cli: subprocess.CompletedProcess[str]


def _dump(store: LocalStore) -> bytes:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return out.getvalue()


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    root = tmp_path_factory.mktemp("limits")
    targets = []
    for name, case in CASES.items():
        for file, content in case.files.items():
            path = root / name / file
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)  # type: ignore[operator]
        targets.append(str(root / name / next(iter(case.files))))
    store = LocalStore(root / "store")
    with store.transaction():
        pass  # an empty, published store
    dump = _dump(store)
    store.close()
    cli = coopgraph("ingest", *targets, store=root / "store", env=ENV)
    return Bench(root, root / "store", dump, cli)


@pytest.mark.parametrize("name", list(CASES))
def test_input_over_a_limit_is_refused(bench: Bench, name: str) -> None:
    case = CASES[name]
    path = bench.folder / name / next(iter(case.files))
    store = LocalStore(bench.store, create=False)
    sources, problems = discover([path])
    assert problems == []
    with pytest.raises(IngestError) as refused:
        run(store, sources, BatchOptions(limits=LIMITS))
    assert _dump(store) == bench.dump
    store.close()
    (problem,) = refused.value.problems
    assert problem.path == str(path)
    assert re.search(case.words, problem.message), problem.message
    assert (problem.line, problem.column) == (case.line, case.column), str(problem)

    assert bench.cli.returncode == exits.BAD_INPUT, bench.cli.stderr
    assert f"error: {problem}" in bench.cli.stderr.splitlines()


def test_the_command_line_wrote_nothing(bench: Bench) -> None:
    assert bench.cli.stderr.splitlines()[-1] == "nothing was written"
    assert "Traceback" not in bench.cli.stderr
    store = LocalStore(bench.store, create=False)
    assert _dump(store) == bench.dump
    store.close()


def test_input_just_inside_the_limits_loads(tmp_path: Path) -> None:
    for name, text in INSIDE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = coopgraph("ingest", str(tmp_path), store=tmp_path / "store", env=ENV)
    assert result.returncode == exits.OK, result.stderr
    assert f"loaded {len(INSIDE)} graph(s)" in result.stdout


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("deep.json", f'{{"@id": "{EX}a", "{EX}p": {nested(100_000)}}}', 1),
        ("deep.yaml", f'"@id": {EX}a\n{EX}p: {nested(100_000)}\n', 2),
        ("deep.jsonld", f'{{"@id": "{EX}a", ' + f'"{EX}p": {{' * 30_000 + '"@id": "x"' + "}" * 30_001, 1),
    ],
    ids=["json-record", "yaml-record", "jsonld"],
)
def test_deep_nesting_is_refused_with_the_default_limit(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    """Today's parsers overflow (JSON, YAML records) or stall (JSON-LD) on these; the default limit
    refuses them before."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = coopgraph("ingest", str(path), store=tmp_path / "store")
    assert result.returncode == exits.BAD_INPUT, result.stderr
    assert f"{path}:{line}: " in result.stderr
    limit = InputLimits().depth
    shown = rf"nested (more than )?[\d,]+ levels deep, deeper than the limit of {limit} "
    assert re.search(shown, result.stderr)
