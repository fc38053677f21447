"""``/query/schema``: what the query builder offers, as JSON, read from the ontology and the shapes.

The builder (``static/ui/builder.js``) lets people who do not write SPARQL pick a class, put
conditions on its properties and pick columns. What each class has is not kept in Python: four
SPARQL queries read it from the store's system graphs (the ontology, the vocabularies and the shapes
as loaded from ``ontology/`` and ``shapes/``), so a class or a shape added there shows in the builder:

- the classes (``owl:Class``) with their labels and superclasses;
- each class's own properties: the paths of the property shapes that target it or a superclass
  (``sh:targetClass``), and the properties whose ``rdfs:domain`` is it or a superclass, with what the
  class's shapes say of the values (``sh:class``, ``sh:datatype``, a vocabulary through ``sh:node``);
- every property, with its label, its kind (object or datatype), its ``rdfs:range`` and the datatypes
  any shape allows it (``sh:datatype``, ``sh:or``);
- the concepts of the vocabularies the shapes name, for values picked from a list.

Each property gets a ``kind`` the builder's controls follow: ``concept`` (a list from a vocabulary),
``resource`` (found by the search index), ``date`` (a date picker), ``number`` or ``text``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from coopgraph import iris
from server.http.query_page import reader_language
from server.http.state import State
from server.http.worker_calls import whole_answer
from server.workers.messages import Query

RESULTS_JSON = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATES = {XSD + "date", XSD + "gYear", XSD + "gYearMonth", XSD + "dateTime", iris.ONTOLOGY + "PartialDate"}
NUMBERS = {
    XSD + n for n in ("integer", "nonNegativeInteger", "positiveInteger", "decimal", "double", "float")
}
TEXTS = {XSD + "string", iris.PREFIXES["rdf"] + "langString", iris.PREFIXES["rdfs"] + "Literal"}
OWL_DATATYPE_PROPERTY = iris.PREFIXES["owl"] + "DatatypeProperty"
OWL_OBJECT_PROPERTY = iris.PREFIXES["owl"] + "ObjectProperty"
OWL_THING = iris.PREFIXES["owl"] + "Thing"


def _in(role: str, graph: str = "?g") -> str:
    """A filter keeping ``graph`` to the system graphs of one role (ontology, vocabulary, shapes)."""
    return f'FILTER (STRSTARTS(STR({graph}), "{iris.GRAPH}{role}/"))'


PROLOGUE = iris.sparql_prologue(iris.PREFIXES)
#: Labels in English and in the reader's language ($lang, substituted when the schema is asked for).
LANGS = 'FILTER (LANG(?label) IN ("en", "$lang"))'

CLASSES = (
    PROLOGUE
    + f"""SELECT ?class ?label ?super WHERE {{
  GRAPH ?g {{ ?class a owl:Class }} {_in("ontology")} FILTER isIRI(?class)
  OPTIONAL {{ GRAPH ?l {{ ?class rdfs:label ?label }} {_in("ontology", "?l")} {LANGS} }}
  OPTIONAL {{ GRAPH ?s {{ ?class rdfs:subClassOf ?super }} {_in("ontology", "?s")} FILTER isIRI(?super) }}
}}"""
)

#: Each class's own properties, with what the shapes targeting the class say of their values.
CLASS_PROPERTIES = (
    PROLOGUE
    + f"""SELECT DISTINCT ?class ?property ?valueClass ?scheme ?datatype WHERE {{
  {{
    GRAPH ?g {{
      ?shape sh:targetClass ?target ; sh:property ?ps . ?ps sh:path ?property .
      OPTIONAL {{ ?ps sh:class ?valueClass }}
      OPTIONAL {{ ?ps sh:node/sh:property ?in . ?in sh:path skos:inScheme ; sh:hasValue ?scheme }}
      OPTIONAL {{ ?ps sh:datatype|(sh:or/rdf:rest*/rdf:first/sh:datatype) ?datatype }}
    }} {_in("shapes")}
  }} UNION {{
    GRAPH ?g {{ ?property rdfs:domain ?target }} {_in("ontology")}
  }}
  FILTER isIRI(?property)
  GRAPH ?o {{ ?class a owl:Class ; rdfs:subClassOf* ?target }} {_in("ontology", "?o")}
}}"""
)

#: Every property: its label, its kind and range in the ontology, the datatypes any shape allows it.
PROPERTIES = (
    PROLOGUE
    + f"""SELECT DISTINCT ?property ?label ?type ?range ?datatype ?scheme WHERE {{
  {{
    GRAPH ?g {{ ?property a ?type VALUES ?type {{ owl:ObjectProperty owl:DatatypeProperty }} }}
    {_in("ontology")}
  }} UNION {{
    GRAPH ?g {{ ?ps sh:path ?property }} {_in("shapes")} FILTER isIRI(?property)
  }}
  OPTIONAL {{ GRAPH ?l {{ ?property rdfs:label ?label }} {_in("ontology", "?l")} {LANGS} }}
  OPTIONAL {{ GRAPH ?r {{ ?property rdfs:range ?range }} {_in("ontology", "?r")} FILTER isIRI(?range) }}
  OPTIONAL {{
    GRAPH ?d {{ ?ds sh:path ?property ; sh:datatype|(sh:or/rdf:rest*/rdf:first/sh:datatype) ?datatype }}
    {_in("shapes", "?d")}
  }}
  OPTIONAL {{
    GRAPH ?v {{
      ?vs sh:path ?property ; sh:node/sh:property ?in . ?in sh:path skos:inScheme ; sh:hasValue ?scheme
    }}
    {_in("shapes", "?v")}
  }}
}}"""
)

#: The concepts of the vocabularies the shapes name, with their labels.
CONCEPTS = (
    PROLOGUE
    + f"""SELECT ?scheme ?schemeLabel ?concept ?label WHERE {{
  {{ SELECT DISTINCT ?scheme WHERE {{
    GRAPH ?s {{ ?in sh:path skos:inScheme ; sh:hasValue ?scheme }} {_in("shapes", "?s")}
  }} }}
  GRAPH ?g {{ ?concept skos:inScheme ?scheme }} {_in("vocabulary")}
  OPTIONAL {{ GRAPH ?l {{ ?concept skos:prefLabel ?label }} {_in("vocabulary", "?l")} {LANGS} }}
  OPTIONAL {{
    GRAPH ?k {{ ?scheme skos:prefLabel ?schemeLabel }} {_in("vocabulary", "?k")}
    {LANGS.replace("?label", "?schemeLabel")}
  }}
}}"""
)


class Labels:
    """The label of each IRI in the reader's language, else in English, else its local name."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.found: dict[str, dict[str, str]] = defaultdict(dict)

    def add(self, iri: str, label: dict[str, str] | None) -> None:
        if label is not None:
            self.found[iri].setdefault(label.get("xml:lang", ""), label["value"])

    def __call__(self, iri: str) -> str:
        names = self.found.get(iri, {})
        local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return names.get(self.lang) or names.get("en") or names.get("") or local


def value_kind(datatypes: set[str], ranges: set[str], value_classes: set[str], scheme: str | None) -> str:
    """How the builder asks for a value of the property: from a list, by search, a date, a number, text."""
    if scheme:
        return "concept"
    if datatypes & DATES or ranges & DATES:
        return "date"
    if datatypes & NUMBERS or ranges & NUMBERS:
        return "number"
    if datatypes & TEXTS or ranges & TEXTS or datatypes:
        return "text"
    if value_classes or ranges:
        return "resource"
    return "text"


def build(
    classes: list[dict[str, Any]],
    class_properties: list[dict[str, Any]],
    properties: list[dict[str, Any]],
    concepts: list[dict[str, Any]],
    lang: str,
) -> dict[str, Any]:
    """The builder's schema from the four queries' rows (SPARQL JSON bindings)."""
    label = Labels(lang)
    supers: dict[str, set[str]] = defaultdict(set)
    for row in classes:
        iri = row["class"]["value"]
        label.add(iri, row.get("label"))
        supers[iri]
        if "super" in row:
            supers[iri].add(row["super"]["value"])
    info: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in properties:
        iri = row["property"]["value"]
        label.add(iri, row.get("label"))
        for key in ("type", "range", "datatype", "scheme"):
            if key in row:
                info[iri][key].add(row[key]["value"])
    Facts = dict[str, set[str]]
    own: dict[str, dict[str, Facts]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    for row in class_properties:
        facts = own[row["class"]["value"]][row["property"]["value"]]
        for key in ("valueClass", "scheme", "datatype"):
            if key in row:
                facts[key].add(row[key]["value"])
    schemes: dict[str, dict[str, Any]] = {}
    for row in concepts:
        scheme = row["scheme"]["value"]
        label.add(scheme, row.get("schemeLabel"))
        label.add(row["concept"]["value"], row.get("label"))
        schemes.setdefault(scheme, {"concepts": set()})["concepts"].add(row["concept"]["value"])

    def describe(prop: str, facts: dict[str, set[str]] | None) -> dict[str, Any]:
        facts = facts or {}
        general = info.get(prop, {})
        # the class's shapes name the vocabulary; else the one vocabulary any shape names for the property
        anywhere = general.get("scheme", set())
        scheme = min(facts.get("scheme") or (anywhere if len(anywhere) == 1 else ()), default=None)
        datatypes = set(facts.get("datatype", set())) | set(general.get("datatype", set()))
        ranges = set(general.get("range", set()))
        value_classes = set(facts.get("valueClass", set()))
        if not (datatypes or ranges or value_classes):  # the ontology's kind of property decides
            if OWL_DATATYPE_PROPERTY in general.get("type", set()):
                datatypes = {XSD + "string"}
            elif OWL_OBJECT_PROPERTY in general.get("type", set()):
                value_classes = {OWL_THING}
        kind = value_kind(datatypes, ranges, value_classes, scheme)
        entry: dict[str, Any] = {"iri": prop, "label": label(prop), "name": iris.compact(prop), "kind": kind}
        if scheme:
            entry["scheme"] = scheme
        return entry

    result_classes = []
    for iri in sorted(supers, key=lambda c: label(c).lower()):
        props = own.get(iri, {})
        result_classes.append(
            {
                "iri": iri,
                "label": label(iri),
                "name": iris.compact(iri),
                "superclasses": sorted(supers[iri]),
                "properties": sorted(
                    (describe(p, props[p]) for p in props), key=lambda e: e["label"].lower()
                ),
            }
        )
    return {
        "lang": lang,
        "classes": result_classes,
        "properties": sorted((describe(p, None) for p in info), key=lambda e: e["label"].lower()),
        "schemes": {
            scheme: {
                "label": label(scheme),
                "concepts": sorted(
                    ({"iri": c, "label": label(c)} for c in found["concepts"]),
                    key=lambda e: e["label"].lower(),
                ),
            }
            for scheme, found in schemes.items()
        },
    }


async def _rows(state: State, text: str) -> list[dict[str, Any]] | Response:
    # strict_dataset off whatever the setting: the system graphs are named graphs of the union dataset
    message = Query(query=text, max_bytes=state.settings.max_result_bytes, results_type=RESULTS_JSON)
    answered = await whole_answer(state, message)
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status != 200:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status)
    return json.loads(body)["results"]["bindings"]


async def schema(request: Request) -> Response:
    state: State = request.app.state.coop
    answers = []
    lang = reader_language(request)  # two or three letters: safe in the query's text
    for text in (CLASSES, CLASS_PROPERTIES, PROPERTIES, CONCEPTS):
        rows = await _rows(state, text.replace("$lang", lang))
        if isinstance(rows, Response):
            return rows
        answers.append(rows)
    return JSONResponse(
        build(*answers, lang=lang),
        headers={"Cache-Control": "no-cache", "Vary": "Accept-Language"},
    )
