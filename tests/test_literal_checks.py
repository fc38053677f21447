"""The literal checks ingest makes before loading (``ingest.literals``), each read field by field: the
text scan of N-Triples and N-Quads (escapes, line numbers, the cap on problems), the parsed check of
the other formats and of records, and the check of triples a SPARQL update writes.

The checks read real files written here; the pipeline and the command line that report these
problems are tested in ``test_ingest_errors.py``, the update route in ``security/test_update_literals.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from ingest.errors import Problem
from ingest.limits import literal_message
from ingest.literals import LIMIT, check_document, check_file, check_triples
from ingest.sources import Source, describe

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATE = f"<{XSD}date>"


def source(path: Path, text: str | bytes) -> Source:
    """The source ingest makes of the file ``path``, written with ``text``."""
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    found = describe(path, path.name, "data")
    assert isinstance(found, Source), found
    return found


def nt_line(subject: str, text: str, datatype: str = DATE) -> str:
    return f'<{EX}{subject}> <{EX}signed> "{text}"^^{datatype} .\n'


# --------------------------------------------------------------------------- N-Triples, N-Quads: a text scan


def test_a_scanned_problem_names_file_line_value_kind_and_hint(tmp_path: Path) -> None:
    text = nt_line("a", "2024-01-02") + f'<{EX}a> <{EX}p> "x" .\n' + nt_line("b", "31/12/2024")
    checked = source(tmp_path / "dates.nt", text)
    assert check_file(checked) == [
        Problem(
            str(checked.path),
            "'31/12/2024' is not a valid date",
            line=3,
            kind="literal",
            value="31/12/2024",
            hint="Write the date as YYYY-MM-DD: 2024-12-31.",
        )
    ]


def test_each_scanned_problem_has_its_own_line(tmp_path: Path) -> None:
    lines = [nt_line(f"s{i}", "2024-01-01") for i in range(9)]
    for at in (1, 2, 6):  # two bad literals on lines that follow each other, then one further on
        lines[at] = nt_line(f"s{at}", f"2024-13-0{at}")
    checked = source(tmp_path / "dates.nt", "".join(lines))
    assert [(p.line, p.value) for p in check_file(checked)] == [
        (2, "2024-13-01"),
        (3, "2024-13-02"),
        (7, "2024-13-06"),
    ]


def test_problems_in_a_file_read_in_several_blocks_have_their_lines(tmp_path: Path) -> None:
    """The scan reads a block of whole lines at a time: a line's number runs on across blocks."""
    lines = [nt_line(f"s{i}", "2024-01-01") for i in range(120_000)]  # about 10 MB: three blocks
    for at in (0, 60_000, 119_999):
        lines[at] = nt_line(f"s{at}", "2024-02-30")
    checked = source(tmp_path / "dates.nt", "".join(lines))
    assert checked.path.stat().st_size > 2 * (1 << 22)
    assert [p.line for p in check_file(checked)] == [1, 60_001, 120_000]


def test_two_bad_literals_on_one_line_of_n_quads_give_that_line_twice(tmp_path: Path) -> None:
    line = f'<{EX}a> <{EX}p> "no"^^<{XSD}integer> <{EX}g> .\n'
    text = f'<{EX}a> <{EX}p> "1"^^<{XSD}integer> <{EX}g> .\n' + line + line
    checked = source(tmp_path / "numbers.nq", text)
    problems = check_file(checked)
    assert [(p.line, p.message) for p in problems] == [
        (2, "'no' is not a valid integer"),
        (3, "'no' is not a valid integer"),
    ]


def test_a_blank_first_line_counts(tmp_path: Path) -> None:
    checked = source(tmp_path / "blank.nt", "\n" + nt_line("a", "2024-02-30"))
    assert [p.line for p in check_file(checked)] == [2]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (r"\t2024-01-01", "\t2024-01-01"),
        (r"\n2024-01-01", "\n2024-01-01"),
        (r"\r2024-01-01", "\r2024-01-01"),
        (r"\b2024-01-01", "\b2024-01-01"),
        (r"\f2024-01-01", "\f2024-01-01"),
        (r"\"2024-01-01\"", '"2024-01-01"'),
        (r"\\2024", "\\2024"),
        (r"2024-01-0\u00e9", "2024-01-0é"),
        (r"2024-01-0\u00C9", "2024-01-0É"),
        (r"2024-01-\U0001F600", "2024-01-\U0001f600"),
        (r"2024-01-\u2013", "2024-01-\u2013"),  # a first hex digit that is not 0
        (r"2024-01-\U0010FFFD", "2024-01-\U0010fffd"),
    ],
)
def test_an_escaped_literal_is_checked_and_reported_as_it_reads(
    tmp_path: Path, written: str, value: str
) -> None:
    checked = source(tmp_path / "escaped.nt", nt_line("a", written))
    (problem,) = check_file(checked)
    assert (problem.value, problem.line) == (value, 1)
    assert problem.message == f"'{value}' is not a valid date"


@pytest.mark.parametrize("written", [r"2024-01-0\u0031", r"\u0032024-01-01", r"2024-01-0\U00000031"])
def test_a_valid_literal_written_with_escapes_passes(tmp_path: Path, written: str) -> None:
    assert check_file(source(tmp_path / "escaped.nt", nt_line("a", written))) == []


def test_the_longest_datatype_name_is_the_one_checked(tmp_path: Path) -> None:
    """``xsd:dateTime`` begins like ``xsd:date``: a valid date-time is not read as a bad date."""
    text = nt_line("a", "2024-01-02T10:00:00", f"<{XSD}dateTime>") + nt_line(
        "b", "2024-01-02", f"<{XSD}gYear>"
    )
    (problem,) = check_file(source(tmp_path / "times.nt", text))
    assert (problem.line, problem.message) == (2, "'2024-01-02' is not a valid gYear")


def test_the_scan_stops_at_the_cap_on_problems(tmp_path: Path) -> None:
    text = "".join(nt_line(f"s{i}", f"bad-{i}") for i in range(LIMIT + 5))
    problems = check_file(source(tmp_path / "many.nt", text))
    assert LIMIT == 50
    assert [p.line for p in problems] == list(range(1, LIMIT + 1))


# --------------------------------------------------------------------------- other formats: parsed

TURTLE = f"""\
@prefix ex: <{EX}> .
@prefix xsd: <{XSD}> .

ex:fine ex:signed "2024-01-02"^^xsd:date .
ex:late
    ex:signed "2024-13-45"^^xsd:date .
[] ex:count "twelve"^^xsd:integer .
"""


def test_a_parsed_problem_names_the_resource_and_property(tmp_path: Path) -> None:
    checked = source(tmp_path / "dates.ttl", TURTLE)
    assert check_file(checked) == [
        Problem(
            str(checked.path),
            f"'2024-13-45' is not a valid date (in <{EX}late> <{EX}signed>)",
            line=5,
            kind="literal",
            value="2024-13-45",
            hint="Write the date as YYYY-MM-DD (or YYYY-MM, or YYYY for a year).",
        ),
        Problem(
            str(checked.path),
            f"'twelve' is not a valid integer (in a blank node <{EX}count>)",
            line=None,
            kind="literal",
            value="twelve",
            hint="Write a number: digits, a dot before any decimals, no unit or currency sign.",
        ),
    ]


def test_a_known_namespace_is_written_compact(tmp_path: Path) -> None:
    text = (
        "@prefix cg: <https://w3id.org/coopgraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/coopgraph/id/agreement/a> cg:dateSigned "2024-13-45"^^xsd:date .\n'
    )
    (problem,) = check_file(source(tmp_path / "agreement.ttl", text))
    assert problem.message == (
        "'2024-13-45' is not a valid date (in <https://w3id.org/coopgraph/id/agreement/a> cg:dateSigned)"
    )


def test_a_literal_over_the_limit_is_the_one_problem_reported(tmp_path: Path) -> None:
    text = TURTLE + f'ex:long ex:note "{"x" * 40}" .\n'
    checked = source(tmp_path / "long.ttl", text)
    assert check_file(checked, max_literal=39) == [
        Problem(str(checked.path), literal_message(40, 39), line=len(TURTLE.splitlines()) + 1)
    ]
    assert len(check_file(checked, max_literal=40)) == 2
    assert len(check_file(checked)) == 2  # no limit given


def test_the_limit_applies_to_literals_not_to_iris(tmp_path: Path) -> None:
    text = f'<{EX}a> <{EX}partner> <{EX}{"x" * 100}> .\n<{EX}a> <{EX}name> "A" .\n'
    assert check_file(source(tmp_path / "iris.ttl", text), max_literal=10) == []


def test_an_over_long_literal_of_a_blank_node_has_no_line(tmp_path: Path) -> None:
    checked = source(tmp_path / "blank.ttl", f'[] <{EX}note> "{"é" * 10}" .\n')
    assert check_file(checked, max_literal=19) == [Problem(str(checked.path), literal_message(20, 19))]


def test_the_parsed_check_stops_at_the_cap_on_problems(tmp_path: Path) -> None:
    text = f"@prefix ex: <{EX}> .\n" + "".join(
        f'ex:s{i} ex:n "n{i}"^^<{XSD}integer> .\n' for i in range(LIMIT + 5)
    )
    problems = check_file(source(tmp_path / "many.ttl", text))
    assert [p.line for p in problems] == list(range(2, LIMIT + 2))


def test_a_file_that_does_not_parse_is_left_to_the_load(tmp_path: Path) -> None:
    text = TURTLE + "ex:broken ex:p .\n"
    assert check_file(source(tmp_path / "broken.ttl", text)) == []


# --------------------------------------------------------------------------- records: a JSON-LD document


def document(*nodes: str) -> bytes:
    return ('{"@graph": [' + ", ".join(nodes) + "]}").encode()


def node(subject: str, value: str, datatype: str = "date") -> str:
    return f'{{"@id": "{subject}", "{EX}signed": {{"@value": "{value}", "@type": "{XSD}{datatype}"}}}}'


def test_a_record_problem_names_the_property_and_the_line(tmp_path: Path) -> None:
    records = source(tmp_path / "records.yaml", f"- id: {EX}fine\n- id: {EX}leap\n  dateSigned: 2025-02-29\n")
    found = check_document(
        records, document(node(f"{EX}fine", "2024-02-29"), node(f"{EX}leap", "2025-02-29"))
    )
    assert found == [
        Problem(
            str(records.path),
            f"'2025-02-29' is not a valid date (property <{EX}signed>)",
            line=2,
            kind="literal",
            value="2025-02-29",
            hint="Write the date as YYYY-MM-DD (or YYYY-MM, or YYYY for a year).",
        )
    ]


def test_a_record_of_a_blank_node_has_no_line(tmp_path: Path) -> None:
    records = source(tmp_path / "records.yaml", "- name: x\n")
    (problem,) = check_document(records, document(node("_:b", "soon")))
    assert (problem.line, problem.value) == (None, "soon")


def test_an_over_long_record_literal_is_the_one_problem_reported(tmp_path: Path) -> None:
    records = source(tmp_path / "records.yaml", f"- id: {EX}a\n")
    made = document(node(f"{EX}b", "bad"), node(f"{EX}a", "y" * 30, "string"))
    assert check_document(records, made, max_literal=29) == [
        Problem(str(records.path), literal_message(30, 29), line=1)
    ]
    assert [p.value for p in check_document(records, made, max_literal=30)] == ["bad"]
    assert [p.value for p in check_document(records, made)] == ["bad"]


def test_the_record_check_stops_at_the_cap_on_problems(tmp_path: Path) -> None:
    records = source(tmp_path / "records.yaml", "- name: x\n")
    made = document(*(node(f"{EX}s{i}", f"bad-{i}") for i in range(LIMIT + 5)))
    assert len(check_document(records, made)) == LIMIT


def test_a_document_that_does_not_parse_is_left_to_the_load(tmp_path: Path) -> None:
    records = source(tmp_path / "records.yaml", "- name: x\n")
    assert check_document(records, b'{"@graph": [') == []


# --------------------------------------------------------------------------- triples of an update

A, SIGNED = NamedNode(f"{EX}a"), NamedNode(f"{EX}signed")


def typed(text: str, datatype: str = "date") -> Literal:
    return Literal(text, datatype=NamedNode(XSD + datatype))


def test_an_ill_typed_triple_is_named_with_its_hint() -> None:
    triples = [
        (A, SIGNED, typed("2024-01-02")),
        (A, SIGNED, NamedNode(f"{EX}b")),
        (BlankNode(), SIGNED, typed("31/12/2024")),
        (A, NamedNode(f"{EX}note"), Literal("x", datatype=NamedNode(f"{EX}own"))),
    ]
    assert check_triples(triples) == [
        f"'31/12/2024' is not a valid date (in a blank node <{EX}signed>): "
        "Write the date as YYYY-MM-DD: 2024-12-31."
    ]


def test_an_ill_typed_triple_without_a_hint_has_none() -> None:
    triples = [(A, SIGNED, typed("maybe", "boolean"))]
    assert check_triples(triples) == [f"'maybe' is not a valid boolean (in <{EX}a> <{EX}signed>)"]


def test_an_over_long_triple_literal_is_named_once() -> None:
    long_bad = typed("z" * 20)
    assert check_triples([(A, SIGNED, long_bad)], max_literal=19) == [
        f"{literal_message(20, 19)} (in <{EX}a> <{EX}signed>)"
    ]
    assert check_triples([(A, SIGNED, long_bad)], max_literal=20) == [
        f"'{'z' * 20}' is not a valid date (in <{EX}a> <{EX}signed>): "
        "Write the date as YYYY-MM-DD (or YYYY-MM, or YYYY for a year)."
    ]


def test_the_triple_check_stops_at_the_cap_on_problems() -> None:
    triples = [(NamedNode(f"{EX}s{i}"), SIGNED, typed(f"bad-{i}")) for i in range(LIMIT + 5)]
    problems = check_triples(triples)
    assert len(problems) == LIMIT and problems[-1].startswith(f"'bad-{LIMIT - 1}'")
