"""A validation report in Vietnamese or French is in that language on every line: the shapes describe
themselves, their mistakes and their fixes in English, Vietnamese and French, and the report's own words
(counts, headers, "see the full report in ...") come from its catalogue of words in each language."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from tests.conftest import PROJECT, coopgraph

SHAPES = sorted((PROJECT / "shapes").glob("*.ttl"))
LANGUAGES = {"en", "vi", "fr"}
CGSH = "https://w3id.org/coopgraph/shapes#"
#: What a shape says about itself, or how it reaches other shapes, rather than a constraint of its own.
NOT_CONSTRAINTS = {
    RDF.type,
    SH.property,
    SH.sparql,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
}
#: Letters only Vietnamese writes (a text with none is not Vietnamese).
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def _texts(graph: rdflib.Graph, node: rdflib.term.Node, prop: rdflib.URIRef) -> dict[str, str]:
    return {str(o.language or ""): str(o) for o in graph.objects(node, prop)}


def _shapes(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    return set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))


@pytest.mark.parametrize("path", SHAPES, ids=[p.name for p in SHAPES])
def test_every_shape_names_describes_and_explains_itself_in_en_vi_and_fr(path: Path) -> None:
    graph = rdflib.Graph().parse(path)
    shapes = _shapes(graph)
    assert len(shapes) > 20
    for shape in shapes:
        for prop in (SH.name, SH.description):
            texts = _texts(graph, shape, prop)
            assert set(texts) == LANGUAGES, (shape, prop, texts)
            if prop == SH.description:  # three texts, not one copied (a name may be a code: "ISO 3166-2")
                assert len(set(texts.values())) == 3, (shape, prop, texts)
                assert VIETNAMESE & set(texts["vi"].lower()), (shape, texts["vi"])
        # a shape whose results carry its own message: one with a constraint of its own (a node shape made
        # only of property shapes and SPARQL constraints reports through theirs, which are checked below)
        if any(p not in NOT_CONSTRAINTS for p in graph.predicates(shape)):
            messages = _texts(graph, shape, SH.message)
            assert set(messages) == LANGUAGES, (shape, messages)
            assert len(set(messages.values())) == 3, (shape, messages)
            assert VIETNAMESE & set(messages["vi"].lower()), (shape, messages["vi"])
    for constraint in graph.objects(None, SH.sparql):
        messages = _texts(graph, constraint, SH.message)
        assert set(messages) == LANGUAGES, (constraint, messages)
        assert VIETNAMESE & set(messages["vi"].lower()), messages["vi"]


BAD_AGREEMENT = """@prefix cg: <https://w3id.org/coopgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/coopgraph/id/agreement/test-languages> a cg:Agreement ;
    rdfs:label "Test agreement"@en ;
    cg:party <https://w3id.org/coopgraph/id/organization/ha-long-univ> ;
    cg:agreementType <https://w3id.org/coopgraph/vocab/agreement-type/partnership-agreement> ;
    cg:status <https://w3id.org/coopgraph/vocab/status/inforce> .
"""


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path) -> dict[str, tuple[str, Path]]:
    """``coopgraph validate`` of one bad agreement in each language: the terminal text and the CSV report."""
    folder = tmp_path_factory.mktemp("report-languages")
    data = folder / "agreement.ttl"
    data.write_text(BAD_AGREEMENT, encoding="utf-8")
    out = {}
    for lang in sorted(LANGUAGES):
        report = folder / f"report-{lang}.csv"
        result = coopgraph("validate", str(data), "--lang", lang, "--report", str(report), store=seeded_store)
        assert result.returncode == 4, result.stderr
        out[lang] = (result.stdout, report)
    return out


@pytest.mark.parametrize("lang", ["vi", "fr"])
def test_no_line_of_the_terminal_report_is_left_in_english(
    validated: dict[str, tuple[str, Path]], lang: str
) -> None:
    english = validated["en"][0].splitlines()
    other = validated[lang][0].splitlines()
    assert len(english) == len(other) > 10, (english, other)
    assert any("fix: " in line for line in english)
    severities = {
        "VIOLATION": {"vi": "VI PHẠM", "fr": "VIOLATION"},
        "WARNING": {"vi": "CẢNH BÁO", "fr": "AVERTISSEMENT"},
    }
    for en, translated in zip(english, other, strict=True):
        severity = en.split(" ", 1)[0]
        if severity in severities:  # the severity, then where and what: a file, an IRI, a label
            assert translated.startswith(severities[severity][lang] + " "), translated
            assert en.split(" ", 1)[1].strip() == translated.split(severities[severity][lang], 1)[1].strip()
        elif en.strip():
            assert en != translated, f"left in English: {en}"
    assert any(("cách sửa: " if lang == "vi" else "correction : ") in line for line in other), other
    assert f"report-{lang}.csv" in other[-1], other[-1]  # "the full report is in ..." in its language


@pytest.mark.parametrize("lang", ["vi", "fr"])
def test_every_cell_of_the_csv_report_that_is_words_is_translated(
    validated: dict[str, tuple[str, Path]], lang: str
) -> None:
    def rows(path: Path) -> list[list[str]]:
        return list(csv.reader(path.open(encoding="utf-8-sig")))

    english, other = rows(validated["en"][1]), rows(validated[lang][1])
    shapes = rdflib.Graph()
    for path in SHAPES:
        shapes.parse(path)
    assert len(english) == len(other) > 5
    head = english[0]
    assert all(a != b for a, b in zip(head, other[0], strict=True) if a not in ("graph", "value")), other[0]
    for en_row, row in zip(english[1:], other[1:], strict=True):
        en, translated = dict(zip(head, en_row, strict=True)), dict(zip(head, row, strict=True))
        for column in ("message", "fix"):
            assert en[column] and translated[column] != en[column], (column, en[column], translated[column])
        shape = rdflib.URIRef(en["shape"].replace("cgsh:", CGSH))
        assert translated["check"] == _texts(shapes, shape, SH.name)[lang], (shape, translated["check"])
    fixes = " ".join(dict(zip(head, row, strict=True))["fix"] for row in other[1:])
    closest = {"vi": "gần nhất: 'cooperation-agreement'", "fr": "le plus proche : 'cooperation-agreement'"}
    assert closest[lang] in fixes, fixes  # the advice from the vocabulary, in the reader's language too


@pytest.mark.parametrize("lang", ["vi", "fr"])
def test_a_file_that_cannot_be_read_is_reported_in_the_readers_language(tmp_path: Path, lang: str) -> None:
    data = tmp_path / "dates.ttl"
    date = "<http://www.w3.org/2001/XMLSchema#date>"
    data.write_text(
        f'<http://example.org/b> <http://example.org/d> "14/04/2025"^^{date} .\n', encoding="utf-8"
    )
    outputs = {}
    for language in ("en", lang):
        result = coopgraph("validate", str(data), "--lang", language, store=tmp_path / "no-store")
        assert result.returncode == 3, result.stderr
        outputs[language] = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    text = "\n".join(outputs[lang])
    assert "2025-04-14" in text  # the hint that names the value to write stays
    written_as = {
        "vi": "Viết ngày theo dạng YYYY-MM-DD: 2025-04-14.",
        "fr": "sous la forme AAAA-MM-JJ : 2025-04-14.",
    }
    assert written_as[lang] in text, text  # and is in the reader's language
    assert "Write the date" not in text, text
    left = set(outputs[lang]) & set(outputs["en"])
    assert not left, f"left in English: {left}"
