"""Saved queries read and bound field by field (``coopgraph.saved_queries``): the header of a query
file, each way a file is refused, the binding of each parameter type, the defaults written into the
query and the catalogue entry. The routes that serve them are tested in ``test_saved_queries.py``.

Each query here is a real ``.rq`` file written to a temporary folder and read by ``parse``, and every
bound query runs on a real store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from coopgraph.saved_queries import (
    PATTERNS,
    BadParameter,
    Parameter,
    SavedQuery,
    SavedQueryError,
    load_all,
    parse,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"


def write(folder: Path, text: str, name: str = "test-query") -> Path:
    path = folder / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    """The message of the :class:`SavedQueryError` ``parse`` raises for ``path``, checked to name it."""
    with pytest.raises(SavedQueryError) as error:
        parse(path)
    message = str(error.value)
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


# ------------------------------------------------------------------------------------------ the header

FULL = """\
#+ title:  Partners of a thing
#+ description: |
#+   Things that share
#+   an agreement.
#+ tags: [partners, things]
#+ params:
#+   thing:
#+     type: iri
#+     base: http://example.org/
#+     default: hue
#+     description: "  The thing.  "
#+   lang:
#+     default: en
#+   year:
#+     type: gYear
#+     required: true
#+   kind:
#+     values: [a, b]
#+ example: /queries/test-query?thing=vinh
#+ view: " map "
# a plain comment stays in the query
PREFIX ex: <http://example.org/>
#+ not: a header line, once the query began
SELECT ?thing ?partner ?lang ?year ?kind WHERE {
  ?thing ex:partner ?partner .
}
ORDER BY ?partner
"""


def test_a_full_header_is_read_field_by_field(tmp_path: Path) -> None:
    saved = parse(write(tmp_path, FULL))
    assert saved.name == "test-query"
    assert saved.title == "Partners of a thing"
    assert saved.description == "Things that share\nan agreement."
    assert saved.tags == ("partners", "things")
    assert saved.example == "/queries/test-query?thing=vinh"
    assert saved.view == "map"
    assert saved.parameters == (
        Parameter("thing", "iri", "The thing.", "hue", False, EX),
        Parameter("lang", "string", "", "en"),
        Parameter("year", "gYear", required=True),
        Parameter("kind", "string", values=("a", "b")),
    )
    assert saved.query == (
        "# a plain comment stays in the query\n"
        "PREFIX ex: <http://example.org/>\n"
        "SELECT ?thing ?partner ?lang ?year ?kind WHERE {\n"
        "  ?thing ex:partner ?partner .\n"
        "}\n"
        "ORDER BY ?partner\n"
    )


def test_a_header_without_the_space_after_the_mark_is_read(tmp_path: Path) -> None:
    saved = parse(write(tmp_path, "#+title: Compact\n#+tags: one\nSELECT ?s WHERE { ?s ?p ?o }\n"))
    assert (saved.title, saved.tags, saved.description, saved.parameters) == ("Compact", ("one",), "", ())
    assert (saved.view, saved.example) == ("table", None)


def test_a_header_may_mix_lines_with_and_without_the_space_after_the_mark(tmp_path: Path) -> None:
    text = "#+ title: Mixed\n#+tags: [a, b]\n#+ description: D\n" + ANY
    saved = parse(write(tmp_path, text))
    assert (saved.title, saved.tags, saved.description) == ("Mixed", ("a", "b"), "D")


def test_a_query_with_a_star_may_take_any_variable_it_uses(tmp_path: Path) -> None:
    text = "#+ title: Star\n#+ params:\n#+   o:\n#+     type: string\nSELECT * WHERE { ?s ?p ?o }\n"
    assert [p.name for p in parse(write(tmp_path, text)).parameters] == ["o"]


T = "#+ title: T\n"
ANY = "SELECT ?s WHERE { ?s ?p ?o }\n"
OF_X = "SELECT ?x WHERE { ?s ?p ?x }\n"
PARAMS = "#+ params:\n"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("#+ title: [unclosed\n" + ANY, "the #+ header is not valid YAML"),
        ("#+ - a list\n" + ANY, "the #+ header must be a YAML mapping"),
        (T + "#+ colour: red\n#+ size: 2\n" + ANY, "unknown header field(s) colour, size"),
        ("#+ description: no title\n" + ANY, "the header needs a title"),
        ("#+ title: ''\n" + ANY, "the header needs a title"),
        (
            T + "#+ view: pie\n" + ANY,
            "view must be one of table, bar, line, timeline, map, network, not 'pie'",
        ),
        (T + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\n", "a saved query is a SELECT query"),
        (T + "#+ params: [x]\n" + OF_X, "params must be a mapping"),
        (T + PARAMS + "#+   x: text\n" + OF_X, "parameter x: its fields must be a mapping"),
        (
            T + PARAMS + "#+   x:\n#+     type: colour\n" + OF_X,
            "parameter x: type must be one of iri, string, integer",
        ),
        (T + PARAMS + "#+   x:\n" + ANY, "parameter x must be a variable the query selects (?x)"),
        (
            T + PARAMS + "#+   x:\nSELECT ?xy WHERE { ?s ?p ?xy }\n",
            "parameter x must be a variable the query selects",
        ),
        (
            T
            + PARAMS
            + "#+   n:\n#+     type: integer\n#+     default: many\nSELECT ?n WHERE { ?s ?p ?n }\n",
            "default of n: 'many' is not a valid integer",
        ),
        (
            T
            + PARAMS
            + "#+   x_1:\n#+     type: iri\n#+     default: not an iri\nSELECT ?x_1 WHERE { ?s ?p ?x_1 }\n",
            "default of x_1: 'not an iri' is not an IRI",
        ),
    ],
)
def test_an_ill_formed_query_file_is_refused_naming_the_problem(tmp_path: Path, text: str, says: str) -> None:
    assert refused(write(tmp_path, text)).startswith(says)


@pytest.mark.parametrize("name", ["Upper", "with space", "2025-report", "-dash"])
def test_a_file_name_must_be_lowercase_words_joined_by_hyphens(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "#+ title: T\nSELECT ?s WHERE { ?s ?p ?o }\n", name)
    assert refused(path) == "a query's file name must be lowercase words joined by hyphens"


def test_a_parameter_taken_from_the_where_clause_of_a_select_without_where(tmp_path: Path) -> None:
    """``SELECT ?x { … }``: the projection ends at the brace."""
    text = "#+ title: T\n#+ params:\n#+   x:\nSELECT ?s { ?s ?p ?x }\n"
    assert refused(write(tmp_path, text)).startswith("parameter x must be a variable the query selects")


def test_load_all_reads_every_query_file_of_a_folder_by_name(tmp_path: Path) -> None:
    write(tmp_path, "#+ title: B\nSELECT ?s WHERE { ?s ?p ?o }\n", "bee")
    write(tmp_path, "#+ title: A\nSELECT ?s WHERE { ?s ?p ?o }\n", "ant")
    (tmp_path / "notes.txt").write_text("#+ title: not a query\n", encoding="utf-8")
    loaded = load_all(tmp_path)
    assert list(loaded) == ["ant", "bee"]
    assert loaded["bee"].title == "B" and loaded["bee"].path == tmp_path / "bee.rq"


def test_the_same_query_read_from_two_folders_is_the_same_query(tmp_path: Path) -> None:
    """Where a file was read from is kept, but is no part of what the query is."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ours, theirs = (parse(write(tmp_path / side, FULL)) for side in ("a", "b"))
    assert ours.path != theirs.path
    assert ours == theirs


def test_a_query_once_read_cannot_be_changed(tmp_path: Path) -> None:
    """The server shares one catalogue between all requests: no request may change a query in it."""
    from dataclasses import FrozenInstanceError

    saved = parse(write(tmp_path, FULL))
    with pytest.raises(FrozenInstanceError):
        saved.query = "SELECT * WHERE { ?s ?p ?o }"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        saved.parameters[0].default = "vinh"  # type: ignore[misc]
    assert len({saved, parse(write(tmp_path, FULL))}) == 1
    assert len(set(saved.parameters)) == len(saved.parameters)


def test_blank_lines_and_comments_between_header_lines_are_passed_over(tmp_path: Path) -> None:
    text = "#+ title: T\n\n#+ description: D\n#defaultView:Table\n#+ tags: [a]\n" + ANY
    saved = parse(write(tmp_path, text))
    assert (saved.title, saved.description, saved.tags) == ("T", "D", ("a",))


def test_header_lines_after_the_start_of_the_query_are_not_read(tmp_path: Path) -> None:
    text = "#+ title: T\nPREFIX ex: <http://example.org/>\n#+ colour: red\nSELECT ?s WHERE { ?s ex:p ?o }\n"
    saved = parse(write(tmp_path, text))
    assert saved.title == "T"
    assert saved.query == "PREFIX ex: <http://example.org/>\nSELECT ?s WHERE { ?s ex:p ?o }\n"


# ----------------------------------------------------------------------------------------- the binding


@pytest.mark.parametrize(
    ("parameter", "value", "term"),
    [
        (Parameter("p", "iri", base=EX), "hue", NamedNode(f"{EX}hue")),
        (Parameter("p", "iri", base=EX), "urn:x:hue", NamedNode("urn:x:hue")),
        (Parameter("p", "iri"), f"{EX}vinh", NamedNode(f"{EX}vinh")),
        (Parameter("p", "string"), " any text ", Literal(" any text ")),
        (Parameter("p", "integer"), "-12", Literal("-12", datatype=NamedNode(XSD + "integer"))),
        (Parameter("p", "decimal"), "2.50", Literal("2.50", datatype=NamedNode(XSD + "decimal"))),
        (Parameter("p", "decimal"), "0", Literal("0", datatype=NamedNode(XSD + "decimal"))),
        (Parameter("p", "boolean"), "true", Literal("true", datatype=NamedNode(XSD + "boolean"))),
        (Parameter("p", "date"), "2024-02-29", Literal("2024-02-29", datatype=NamedNode(XSD + "date"))),
        (Parameter("p", "gYear"), "2025", Literal("2025", datatype=NamedNode(XSD + "gYear"))),
        (Parameter("p", "gYearMonth"), "2025-01Z", Literal("2025-01Z", datatype=NamedNode(XSD + "gYearMonth"))),  # noqa: E501
        (Parameter("p", "string", values=("a", "b")), "b", Literal("b")),
    ],
)  # fmt: skip
def test_each_type_binds_a_typed_term(parameter: Parameter, value: str, term: object) -> None:
    assert parameter.bind(value) == term


KIND = Parameter("kind", "string", values=("agreement", "project"))


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        (KIND, "agreements", "kind: 'agreements' is not one of agreement, project; did you mean 'agreement'?"),  # noqa: E501
        (KIND, "zzz", "kind: 'zzz' is not one of agreement, project"),
        (Parameter("thing", "iri"), "hue", "thing: 'hue' is not an IRI"),
        (Parameter("thing", "iri", base=EX), "a b", "thing: 'a b' is not an IRI"),
        (Parameter("thing", "iri", base="not a base "), "x", "thing: 'x' is not an IRI"),
        (Parameter("n", "integer"), "", "n: '' is not a valid integer"),
        (Parameter("n", "integer"), "١٢", "n: '١٢' is not a valid integer"),
        (Parameter("n", "integer"), "1.5", "n: '1.5' is not a valid integer"),
        (Parameter("flag", "boolean"), "yes", "flag: 'yes' is not a valid boolean"),
        (Parameter("day", "date"), "2025-02-29", "day: '2025-02-29' is not a valid date"),
        (Parameter("year", "gYear"), "２０２５", "year: '２０２５' is not a valid gYear"),
        (Parameter("month", "gYearMonth"), "2025-13", "month: '2025-13' is not a valid gYearMonth"),
        (Parameter("n", "integer"), "1e65", "n: '1e65' is out of range for a integer"),
        (Parameter("x", "decimal"), "1e-65", "x: '1e-65' is out of range for a decimal"),
        (Parameter("n", "integer"), "123456789e60", "n: '123456789e60' is out of range for a integer"),
        (Parameter("x", "decimal"), "1.0000000000e-60", "x: '1.0000000000e-60' is out of range for a decimal"),  # noqa: E501
    ],
)  # fmt: skip
def test_a_bad_value_is_refused_naming_the_parameter(parameter: Parameter, value: str, message: str) -> None:
    with pytest.raises(BadParameter) as error:
        parameter.bind(value)
    assert str(error.value) == message


def test_an_iri_the_term_refuses_is_a_bad_parameter() -> None:
    """The pattern lets through an IRI with a bad percent escape; the RDF term does not."""
    with pytest.raises(BadParameter, match=r"^thing: 'http://example.org/%zz' is not an IRI \(.+\)$"):
        Parameter("thing", "iri").bind("http://example.org/%zz")


@pytest.mark.parametrize(
    ("parameter", "value", "bound"),
    [
        (Parameter("n", "integer"), "1e64", "1" + "0" * 64),
        (Parameter("n", "integer"), "12E1", "120"),
        (Parameter("x", "decimal"), "1e-64", "0." + "0" * 63 + "1"),
        (Parameter("x", "decimal"), "1.5e1", "15"),
        (Parameter("x", "decimal"), "-2E-1", "-0.2"),
    ],
)
def test_a_json_number_is_bound_as_xsd_writes_it(parameter: Parameter, value: str, bound: str) -> None:
    assert parameter.bind(value).value == bound


@pytest.mark.parametrize(
    ("kind", "value", "json"),
    [
        ("integer", "12", 12),
        ("decimal", "12.0", 12),
        ("decimal", "12.5", 12.5),
        ("decimal", "-12.5", -12.5),
        ("decimal", "-12", -12),
        ("decimal", "1e1", 10),
        ("boolean", "true", True),
        ("boolean", "1", True),
        ("boolean", "false", False),
        ("boolean", "0", False),
        ("string", "en", "en"),
        ("gYear", "2025", "2025"),
    ],
)
def test_a_value_as_the_json_its_schema_describes(kind: str, value: str, json: object) -> None:
    got = Parameter("p", kind).json_value(value)
    assert got == json and type(got) is type(json)


def test_the_patterns_of_year_types_refuse_what_their_checks_refuse() -> None:
    import re

    for kind, good, bad in (("gYear", "-0044", "44"), ("gYearMonth", "2025-01+14:00", "2025-1")):
        assert re.fullmatch(PATTERNS[kind], good) and not re.fullmatch(PATTERNS[kind], bad)


# ------------------------------------------------------------------------ bindings, defaults, catalogue

QUERY = SavedQuery(
    name="test-query",
    title="T",
    description="D",
    query="SELECT ?thing ?lang ?year WHERE { ?thing ?p ?lang }\n",
    parameters=(
        Parameter("thing", "iri", default="hue", base=EX),
        Parameter("lang", "string", default="en"),
        Parameter("year", "gYear"),
    ),
)


def test_bindings_take_the_values_given_then_the_defaults() -> None:
    assert QUERY.bindings({}) == {"thing": NamedNode(f"{EX}hue"), "lang": Literal("en")}
    assert QUERY.bindings({"thing": "", "lang": "vi", "year": "2024"}) == {
        "thing": NamedNode(f"{EX}hue"),
        "lang": Literal("vi"),
        "year": Literal("2024", datatype=NamedNode(XSD + "gYear")),
    }


def test_bindings_refuse_unknown_names_and_missing_required_values() -> None:
    with pytest.raises(BadParameter) as unknown:
        QUERY.bindings({"yaer": "2024", "zzz": "1"})
    assert str(unknown.value) == (
        "unknown parameter(s) yaer, zzz; this query takes lang, thing, year; did you mean 'year'?"
    )
    bare = SavedQuery("q", "T", "D", "SELECT ?s WHERE { ?s ?p ?o }\n")
    with pytest.raises(BadParameter) as none:
        bare.bindings({"s": "x"})
    assert str(none.value) == "unknown parameter(s) s; this query takes none"
    needed = SavedQuery(
        "q", "T", "D", "SELECT ?n WHERE { ?s ?p ?n }\n", (Parameter("n", "integer", required=True),)
    )
    for values in ({}, {"n": ""}):
        with pytest.raises(BadParameter) as missing:
            needed.bindings(values)
        assert str(missing.value) == "n is required"
    assert needed.bindings({"n": "3"}) == {"n": Literal("3", datatype=NamedNode(XSD + "integer"))}


def test_the_defaults_are_written_into_the_where_clause_and_run(tmp_path: Path) -> None:
    text = (
        "#+ title: T\n#+ params:\n#+   thing:\n#+     type: iri\n#+     base: http://example.org/\n"
        "#+     default: hue\n#+   lang:\n#+     default: en\n#+   other:\n"
        "PREFIX ex: <http://example.org/>\n"
        "SELECT ?thing ?name ?lang ?other WHERE # a { in a comment\n"
        '{ ?thing ex:name ?name . FILTER(?name != "{") '
        "FILTER(lang(?name) = ?lang) OPTIONAL { ?thing ex:other ?other } }\n"
    )
    saved = parse(write(tmp_path, text))
    written = saved.with_defaults()
    opening = saved.query.index("{ ?thing ex:name") + 1
    assert written == (
        saved.query[:opening]
        + "\n  # The parameters' defaults (GET /queries/test-query binds the values given)\n"
        + f'  VALUES (?thing ?lang) {{ (<{EX}hue> "en") }}'
        + saved.query[opening:]
    )
    store = Store()
    for subject, name in (("hue", '"Huế"@en'), ("hue", '"Huế"@vi'), ("vinh", '"Vinh"@en')):
        store.update(f"INSERT DATA {{ <{EX}{subject}> <{EX}name> {name} }}")
    rows = [(r["thing"], r["name"], r["lang"]) for r in store.query(written)]
    assert rows == [(NamedNode(f"{EX}hue"), Literal("Huế", language="en"), Literal("en"))]


def test_a_query_without_defaults_is_run_as_written() -> None:
    plain = SavedQuery("q", "T", "D", "SELECT ?s WHERE { ?s ?p ?o }\n", (Parameter("s", "iri"),))
    assert plain.with_defaults() == plain.query


@pytest.mark.parametrize(
    "before",
    [
        "SELECT ?s ?o WHERE",
        "PREFIX ex: <http://example.org/{}> SELECT ?s ?o WHERE",
        "SELECT ?s ?o WHERE # { a brace in a comment\n",
        "SELECT ?s ?o (\"{\" AS ?b) ('}' AS ?c) (\"\"\"{\"\"\" AS ?d) ('''{''' AS ?e) WHERE",
        "select ?s ?o where",
        "SELECT ?s ?o (BOUND(?s) || BOUND(?o) AS ?either) WHERE",  # "|" sorts after "{"
    ],
)
def test_the_defaults_go_into_the_first_group_after_select(before: str) -> None:
    saved = SavedQuery("q", "T", "D", f"{before} {{ ?s ?p ?o }}\n", (Parameter("o", "string", default="x"),))
    written = saved.with_defaults()
    assert written.startswith(f"{before} {{\n  # The parameters' defaults")
    assert written.endswith('  VALUES (?o) { ("x") } ?s ?p ?o }\n')


def test_the_catalogue_entry_holds_every_field() -> None:
    saved = SavedQuery(
        "q",
        "T",
        "D",
        "SELECT ?k WHERE { ?s ?p ?k }\n",
        (Parameter("k", "string", "The kind.", "a", True, None, ("a", "b")), Parameter("n", "integer")),
        ("t1",),
        "/queries/q?k=b",
        "bar",
    )
    assert saved.as_dict() == {
        "name": "q",
        "title": "T",
        "description": "D",
        "tags": ["t1"],
        "query": "SELECT ?k WHERE { ?s ?p ?k }\n",
        "example": "/queries/q?k=b",
        "view": "bar",
        "parameters": [
            {
                "name": "k",
                "type": "string",
                "description": "The kind.",
                "default": "a",
                "required": True,
                "base": None,
                "values": ["a", "b"],
            },
            {
                "name": "n",
                "type": "integer",
                "description": "",
                "default": None,
                "required": False,
                "base": None,
                "values": None,
            },
        ],
    }


def test_parameters_read_from_a_file_bind_and_give_json_by_their_type(tmp_path: Path) -> None:
    """The types come from the YAML header (strings made at run time, not the constants of the code)."""
    kinds = ("iri", "string", "integer", "decimal", "boolean", "date", "gYear", "gYearMonth")
    header = "".join(f"#+   p_{kind.lower()}:\n#+     type: {kind}\n" for kind in kinds)
    selected = " ".join(f"?p_{kind.lower()}" for kind in kinds)
    saved = parse(write(tmp_path, f"{T}{PARAMS}{header}SELECT {selected} WHERE {{ ?s ?p ?o }}\n"))
    given = ("http://example.org/a", "x", "5.0", "2.50", "1", "2024-01-02", "2024", "2024-01")
    bound = saved.bindings({p.name: value for p, value in zip(saved.parameters, given, strict=True)})
    assert [(term.value, getattr(term, "datatype", None)) for term in bound.values()] == [
        ("http://example.org/a", None),
        ("x", NamedNode(XSD + "string")),
        ("5", NamedNode(XSD + "integer")),
        ("2.50", NamedNode(XSD + "decimal")),
        ("1", NamedNode(XSD + "boolean")),
        ("2024-01-02", NamedNode(XSD + "date")),
        ("2024", NamedNode(XSD + "gYear")),
        ("2024-01", NamedNode(XSD + "gYearMonth")),
    ]
    as_json = [p.json_value(term.value) for p, term in zip(saved.parameters, bound.values(), strict=True)]
    assert as_json == ["http://example.org/a", "x", 5, 2.5, True, "2024-01-02", "2024", "2024-01"]
    assert [type(v) for v in as_json] == [str, str, int, float, bool, str, str, str]
