"""The quicker reading of CSVW mappings (ingest.csvw_fast) gives what csvw and uritemplate give: the same
IRIs from the same templates and values, and the same triples from a table whose cells need escaping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from csvw.metadata import URITemplate
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.csvw_fast import PlainTemplate
from ingest.csvw_rdf import table_cells, table_quads

TEMPLATES = (
    "https://w3id.org/coopgraph/id/organization/{id}",
    "https://example.org/{a}/{b}#{c}",
    "{a}",
    "https://example.org/fixed",
    "urn:x:{a}-{b}",
)
values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.lists(st.text(max_size=4), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(
    uri=st.sampled_from(TEMPLATES),
    a=values,
    b=values,
    c=values,
    id_=values,
)
def test_a_plain_template_expands_to_what_uritemplate_gives(
    uri: str, a: object, b: object, c: object, id_: object
) -> None:
    general = URITemplate(uri)
    plain = PlainTemplate.of(general)
    assert isinstance(plain, PlainTemplate)
    row = {"a": a, "b": b, "id": id_}
    assert plain.expand(row, c=c, _row=3) == general.expand(row, c=c, _row=3)


@pytest.mark.parametrize(
    "uri", ["https://example.org/{+a}", "https://example.org{/a}", "https://example.org/{a,b}", "x/{a:3}"]
)
def test_templates_with_operators_stay_with_uritemplate(uri: str) -> None:
    template = URITemplate(uri)
    assert PlainTemplate.of(template) is template


def test_a_table_whose_identifiers_need_escaping_gives_the_iris_of_its_templates(tmp_path: Path) -> None:
    ids = ["hà-nội", "a b", "x/y#z", "50%", "Đại học?q=1&r"]
    table = tmp_path / "things.csv"
    table.write_text("id,name\n" + "".join(f'"{i}",Name {n}\n' for n, i in enumerate(ids)), encoding="utf-8")
    about = "https://example.org/thing/{id}"
    mapping = tmp_path / "things.csv-metadata.json"
    mapping.write_text(
        json.dumps(
            {
                "@context": "http://www.w3.org/ns/csvw",
                "url": "things.csv",
                "tableSchema": {
                    "aboutUrl": about,
                    "columns": [
                        {"name": "id", "titles": "id", "suppressOutput": True},
                        {"name": "name", "titles": "name", "propertyUrl": "rdfs:label", "lang": "en"},
                        {
                            "name": "same",
                            "virtual": True,
                            "propertyUrl": "http://www.w3.org/2002/07/owl#sameAs",
                            "valueUrl": "https://example.org/same/{id}",
                        },
                    ],
                },
            }
        ),
        encoding="utf-8",
    )
    quads = list(table_quads(table, mapping, "https://example.org/graph"))
    subjects = {q.subject.value for q in quads}
    assert subjects == {URITemplate(about).expand(id=i) for i in ids}
    same = {q.object.value for q in quads if q.predicate.value.endswith("#sameAs")}
    assert same == {URITemplate("https://example.org/same/{id}").expand(id=i) for i in ids}
    labels = {q.object.value for q in quads if q.predicate.value.endswith("#label")}
    assert labels == {f"Name {n}" for n in range(len(ids))}


def test_locating_cells_reads_every_row_about_the_subjects_and_only_those(tmp_path: Path) -> None:
    """table_cells maps only the rows whose subject is wanted: it finds what mapping every row finds,
    in every row that describes a wanted subject (here twice the same one), at its line."""
    table = tmp_path / "staff.csv"
    rows = [("a", "Ann", "x"), ("b", "Bo", "y"), ("a", "Ann again", "z"), ("c", "Cy", "x")]
    table.write_text("id,name,unit\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    mapping = tmp_path / "staff.csv-metadata.json"
    mapping.write_text(
        json.dumps(
            {
                "@context": "http://www.w3.org/ns/csvw",
                "url": "staff.csv",
                "tableSchema": {
                    "aboutUrl": "https://example.org/person/{id}",
                    "columns": [
                        {"name": "id", "titles": "id", "suppressOutput": True},
                        {"name": "name", "titles": "name", "propertyUrl": "http://example.org/name"},
                        {
                            "name": "unit",
                            "titles": "unit",
                            "propertyUrl": "http://example.org/unit",
                            "valueUrl": "https://example.org/unit/{unit}",
                        },
                        {
                            "name": "kind",
                            "virtual": True,
                            "propertyUrl": "rdf:type",
                            "valueUrl": "https://example.org/Person",
                        },
                    ],
                },
            }
        ),
        encoding="utf-8",
    )
    wanted = {"https://example.org/person/a", "https://example.org/person/c"}
    _, cells = table_cells(table, mapping, wanted | {"https://example.org/person/nobody"})
    located = {
        (subject, line, c[2].value, c[3].value) for subject, found in cells.items() for line, c in found
    }
    mapped = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in table_quads(table, mapping, "https://example.org/graph")
        if q.subject.value in wanted
    }
    assert {(s, p, o) for s, _, p, o in located} == mapped
    assert {(s, line) for s, line, _, _ in located} == {
        ("https://example.org/person/a", 2),
        ("https://example.org/person/a", 4),
        ("https://example.org/person/c", 5),
    }
    assert set(cells) == wanted
