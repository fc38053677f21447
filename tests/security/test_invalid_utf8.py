"""Invalid UTF-8 in every text format is bad input that names the file and the line (CSV, Turtle and
JSON are covered with their columns in tests/test_ingest_errors.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.cli import exits
from tests.conftest import coopgraph

EX = "http://example.org/"
RDF_XML = (
    '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    f' xmlns:ex="{EX}">\n<rdf:Description rdf:about="{EX}a"><ex:p>Universit\xe9</ex:p></rdf:Description>\n'
    "</rdf:RDF>\n"
)
FILES = {
    "a.nt": f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> "Universit\xe9" .\n',
    "a.nq": f'<{EX}a> <{EX}p> "ok" <{EX}g> .\n<{EX}a> <{EX}p> "Universit\xe9" <{EX}g> .\n',
    "a.trig": f'@prefix ex: <{EX}> .\nex:g {{ ex:a ex:p "Universit\xe9" . }}\n',
    "a.n3": f'@prefix ex: <{EX}> .\nex:a ex:p "Universit\xe9" .\n',
    "a.rdf": RDF_XML,
    "a.jsonld": f'{{"@id": "{EX}a",\n "{EX}p": "Universit\xe9"}}\n',
    "a.yaml": f'"@id": {EX}a\n{EX}p: Universit\xe9\n',
}


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    folder = tmp_path_factory.mktemp("latin1")
    for name, text in FILES.items():
        (folder / name).write_bytes(text.encode("latin-1"))
    result = coopgraph("ingest", *(str(folder / n) for n in FILES), store=folder / "store")
    return folder, result.stderr, result.returncode


@pytest.mark.parametrize("name", list(FILES))
def test_invalid_utf8_names_file_and_line(refused: tuple[Path, str, int], name: str) -> None:
    folder, stderr, code = refused
    assert code == exits.BAD_INPUT, stderr
    text = FILES[name]
    line = text[: text.index("\xe9")].count("\n") + 1
    (shown,) = [s for s in stderr.splitlines() if s.startswith(f"error: {folder / name}:")]
    assert shown.startswith(f"error: {folder / name}:{line}:"), shown
    assert "utf-8" in shown.lower()
