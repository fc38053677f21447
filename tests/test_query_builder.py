"""The query builder: its schema from the ontology and the shapes, and five of the analysts' questions
built in a real headless Chromium by clicking and picking, whose rows equal the saved queries' rows.

Each question is built as a person would: open the builder, pick the class, add conditions (a concept
from a vocabulary's list, a resource found by name through the search index, dates from the date
inputs, a number), tick the columns, then "Write and run". The page's answer to the query the builder
wrote into the editor is compared, as a set of rows over the columns that matter, with the saved
query's answer from its own route.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
import requests

from coopgraph import saved_queries
from tests.conftest import Server
from tests.test_result_views import _screenshot
from tests.test_ui import DevTools, _assert_stayed_home, _open_page, browser, needs_chromium

__all__ = ["browser"]

JSON = "application/sparql-results+json"
CG = "https://w3id.org/coopgraph/ontology#"
ORG = "http://www.w3.org/ns/org#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _schema(server: Server, lang: str = "en") -> dict[str, Any]:
    r = requests.get(f"{server.url}/query/schema", params={"lang": lang}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def _sparql(server: Server, query: str) -> list[dict[str, Any]]:
    r = requests.post(server.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=60)
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def _class(schema: dict[str, Any], iri: str) -> dict[str, Any]:
    return next(c for c in schema["classes"] if c["iri"] == iri)


def _property(cls: dict[str, Any], iri: str) -> dict[str, Any]:
    return next(p for p in cls["properties"] if p["iri"] == iri)


def test_the_schema_gives_each_class_what_the_ontology_and_the_shapes_say_it_has(server: Server) -> None:
    schema = _schema(server)
    agreement = _class(schema, CG + "Agreement")
    assert _property(agreement, CG + "dateSigned")["kind"] == "date"  # range cg:PartialDate
    assert _property(agreement, CG + "party")["kind"] == "resource"  # range org:Organization
    agreement_type = _property(agreement, CG + "agreementType")  # sh:node cgsh:InScheme-agreement-type
    assert agreement_type["kind"] == "concept"
    assert agreement_type["scheme"] == "https://w3id.org/coopgraph/vocab/agreement-type"
    # inherited: a university has what every organisation has (the shapes target org:Organization)
    university = _class(schema, CG + "University")
    assert _property(university, CG + "country")["scheme"] == "https://w3id.org/coopgraph/vocab/country"
    assert _property(_class(schema, CG + "ReportedCount"), CG + "countValue")["kind"] == "number"
    # every class of the ontology, and only those
    classes = {
        row["c"]["value"]
        for row in _sparql(
            server,
            "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a <http://www.w3.org/2002/07/owl#Class> } "
            'FILTER (STRSTARTS(STR(?g), "https://w3id.org/coopgraph/graph/ontology/") && isIRI(?c)) }',
        )
    }
    assert {c["iri"] for c in schema["classes"]} == classes
    # a vocabulary's concepts are all offered, with their labels
    countries = _sparql(
        server,
        "SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/coopgraph/vocab/country> }",
    )
    offered = schema["schemes"]["https://w3id.org/coopgraph/vocab/country"]["concepts"]
    assert {c["iri"] for c in offered} == {row["c"]["value"] for row in countries}
    assert {"iri": "https://w3id.org/coopgraph/vocab/country/vn", "label": "Vietnam"} in offered


def test_the_schema_speaks_the_readers_language(server: Server) -> None:
    vi = _schema(server, "vi")
    assert _class(vi, CG + "Agreement")["label"] == "thỏa thuận"
    offered = vi["schemes"]["https://w3id.org/coopgraph/vocab/country"]["concepts"]
    assert {"iri": "https://w3id.org/coopgraph/vocab/country/vn", "label": "Việt Nam"} in offered


# --- building the analysts' questions in the page -----------------------------------------------------
@dataclass(frozen=True)
class Condition:
    property: str
    #: "concept" (picked from the list), "resource" (found by typing ``value`` and clicking ``pick``),
    #: "date" or "number" (``op`` and ``value``)
    how: str
    value: str
    op: str = ""
    pick: str = ""


@dataclass(frozen=True)
class Question:
    saved: str
    params: dict[str, str]
    cls: str
    conditions: list[Condition]
    columns: list[str]  #: the class's own properties ticked
    other_columns: list[str] = field(default_factory=list)  #: picked from the other properties
    #: (the saved query's column, the built query's column), the columns the answers are compared on
    compared: list[tuple[str, str]] = field(default_factory=list)
    lang: str = "en"  #: the reader's language: labels in it, else in English

    @property
    def name(self) -> str:
        return self.saved if self.lang == "en" else f"{self.saved}-{self.lang}"


QUESTIONS = [
    Question(
        "reported-counts",
        {"min_value": "20"},
        CG + "ReportedCount",
        [Condition(CG + "countValue", "number", "20", op="min")],
        [CG + "countSubject", CG + "countValue"],
        compared=[("subject", "countSubjectLabel"), ("value", "countValue")],
    ),
    Question(
        "institutions-per-province",
        {"country": "vn"},
        CG + "Province",
        [Condition(CG + "country", "concept", "https://w3id.org/coopgraph/vocab/country/vn")],
        [CG + "isoCode"],
        compared=[("province", "itemLabel"), ("isoCode", "isoCode")],
    ),
    Question(
        "policy-documents",
        {"issuer": "quang-ninh-doet"},
        CG + "PolicyDocument",
        [
            Condition(
                DCTERMS + "publisher",
                "resource",
                "Quang Ninh Department",
                pick="https://w3id.org/coopgraph/id/organization/quang-ninh-doet",
            )
        ],
        [DCTERMS + "identifier", DCTERMS + "publisher"],
        other_columns=[DCTERMS + "issued"],
        compared=[
            ("document", "itemLabel"),
            ("number", "identifier"),
            ("issuerName", "publisherLabel"),
            ("issued", "issued"),
        ],
    ),
    Question(
        "agreements-in-period",
        {"start": "2025-01-01", "end": "2025-06-30"},
        CG + "Agreement",
        [
            Condition(CG + "dateSigned", "date", "2025-01-01", op="from"),
            Condition(CG + "dateSigned", "date", "2025-06-30", op="until"),
        ],
        [CG + "dateSigned", CG + "agreementType"],
        compared=[
            ("agreement", "itemLabel"),
            ("signed", "dateSigned"),
            ("agreementType", "agreementTypeLabel"),
        ],
    ),
    Question(
        "network-members",
        {"network": "global-mooc-alliance"},
        ORG + "Membership",
        [
            Condition(
                ORG + "organization",
                "resource",
                "Global MOOC",
                pick="https://w3id.org/coopgraph/id/organization/global-mooc-alliance",
            )
        ],
        [ORG + "member", ORG + "role"],
        compared=[("member", "memberLabel"), ("role", "roleLabel")],
    ),
]
#: The same question asked by a reader of Vietnamese: the labels are in Vietnamese where there is one.
QUESTIONS.append(replace(QUESTIONS[-1], params={**QUESTIONS[-1].params, "lang": "vi"}, lang="vi"))


def _pick(browser: DevTools, selector: str, value: str) -> None:
    """Choose the option of a <select> holding ``value``, as the list does when a person picks it."""
    found = browser.evaluate(
        f"""(() => {{ const s = document.querySelector({json.dumps(selector)});
            if (![...s.options].some(o => o.value === {json.dumps(value)})) return false;
            s.focus(); s.value = {json.dumps(value)};
            s.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"""
    )
    assert found, f"{selector} offers no {value}"


def _fill(browser: DevTools, selector: str, value: str) -> None:
    """Enter ``value`` in a date or number input, as its picker does."""
    browser.evaluate(
        f"""(() => {{ const i = document.querySelector({json.dumps(selector)});
            i.focus(); i.value = {json.dumps(value)};
            i.dispatchEvent(new Event('input', {{bubbles: true}}));
            i.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"""
    )


def _build(browser: DevTools, question: Question) -> None:
    browser.click("#cg-builder summary")
    # its schema is asked for when it is opened
    browser.wait_for("document.getElementById('cg-builder').dataset.ready")
    _pick(browser, "#cg-builder-class", question.cls)
    for number, condition in enumerate(question.conditions, start=1):
        browser.click("#cg-builder-add")
        row = f"#cg-builder-conditions .cg-condition:nth-child({number})"
        _pick(browser, f"{row} .cg-cond-property", condition.property)
        if condition.how == "concept":
            _pick(browser, f"{row} .cg-cond-value", condition.value)
        elif condition.how == "resource":
            browser.click(f"{row} .cg-cond-search")
            browser.type(condition.value)
            hit = f"{row} .cg-cond-hit[data-iri='{condition.pick}']"
            browser.wait_for(f"!!document.querySelector({json.dumps(hit)})")
            browser.click(hit)
            assert browser.evaluate(f"document.querySelector('{row}').dataset.value") == condition.pick
        else:
            _pick(browser, f"{row} .cg-cond-op", condition.op)
            assert browser.evaluate(f"document.querySelector('{row} .cg-cond-value').type") == condition.how
            _fill(browser, f"{row} .cg-cond-value", condition.value)
    for column in question.columns:
        browser.click(f"#cg-builder-columns input[value='{column}']")
    for column in question.other_columns:
        _pick(browser, "#cg-builder-other-column", column)
    browser.click("#cg-builder-run")


def _page_answer(browser: DevTools) -> dict[str, Any]:
    """The answer the page shows once the query has run."""
    return browser.wait_for(
        "(() => { const yasr = window.coopgraphYasgui.getTab().getYasr();"
        " return yasr.results && yasr.results.getAsJson ? yasr.results.getAsJson() : null; })()",
        timeout=60,
    )


def _rows(bindings: list[dict[str, Any]], columns: list[str]) -> set[tuple[str, ...]]:
    return {tuple(row.get(c, {}).get("value", "") for c in columns) for row in bindings}


@needs_chromium
@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_the_builder_makes_an_analysts_question_with_the_saved_querys_rows(
    server: Server, browser: DevTools, tmp_path: Any, question: Question
) -> None:
    r = requests.get(
        f"{server.url}/queries/{question.saved}", params=question.params, headers={"Accept": JSON}, timeout=60
    )
    r.raise_for_status()
    saved = _rows(r.json()["results"]["bindings"], [s for s, _ in question.compared])
    assert saved, "the saved query has no rows to compare"
    if question.lang == "vi":  # the labels are Vietnamese ones, not the English fallback
        assert any(not value.isascii() for row in saved for value in row), saved
    _open_page(browser, f"{server.url}/query?lang={question.lang}")
    assert not any("/query/schema" in url for _, url in browser.requests())  # not before it is opened
    _build(browser, question)
    answer = _page_answer(browser)
    built = _rows(answer["results"]["bindings"], [b for _, b in question.compared])
    assert built == saved
    # an ordinary SPARQL query, in the editor: /sparql gives the same rows to anyone who sends it
    text = browser.evaluate("window.coopgraphYasgui.getTab().getQuery()")
    assert "SELECT" in text and "WHERE" in text
    assert _rows(_sparql(server, text), [b for _, b in question.compared]) == saved
    # saved as a .rq file with a saved query's header: the project's own reader takes it
    browser.send("Page.setDownloadBehavior", behavior="allow", downloadPath=str(tmp_path))
    browser.click("#cg-builder-save")
    saved_file = tmp_path / "query.rq"
    deadline = time.monotonic() + 20
    while not (saved_file.exists() and saved_file.read_text(encoding="utf-8").rstrip().endswith("1000")):
        assert time.monotonic() < deadline, "the query was not saved"
        time.sleep(0.1)
    as_saved = saved_queries.parse(saved_file)
    assert as_saved.title.startswith(
        browser.evaluate(
            "document.getElementById('cg-builder-class').selectedOptions[0].textContent.split(' (')[0]"
        )
    )
    assert _rows(_sparql(server, as_saved.query), [b for _, b in question.compared]) == saved
    _screenshot(browser, tmp_path, f"builder-{question.name}")
    _assert_stayed_home(browser, server)
