"""The MCP tools: search entities, describe a resource with its sources, list and run the saved queries
with typed parameters, run a read-only SPARQL query, summarise the ontology and vocabularies.

Every tool reads; none writes (a SPARQL update is refused as ``/sparql`` refuses it). Answers are
bounded: rows beyond ``limit`` are left out and counted, so an assistant's context is not flooded.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from coopgraph import iris
from coopgraph.saved_queries import (
    BadParameter,
    SavedQuery,
    candidates_query,
    existing_query,
    first_missing,
    unknown_resource,
)
from server.mcp.backend import Backend, ToolError
from server.workers.messages import encode_term

#: Rows a tool returns by default, and at most.
DEFAULT_ROWS = 100
MAX_ROWS = 1000
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)

INSTRUCTIONS = (
    "coopgraph is a knowledge graph of international cooperation in education: institutions, the "
    "agreements they sign, funders, programmes, events, and the source article of every fact. Find "
    "resources by name with search_entities, read one with describe_resource, answer common questions "
    "with the saved queries (list_saved_queries, run_saved_query), and write SPARQL with run_sparql "
    "after reading ontology_summary. Everything is read-only."
)

_SUMMARY_CLASSES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?label ?comment ?super WHERE {
  ?class a owl:Class . FILTER (STRSTARTS(STR(?class), "%(ns)s"))
  OPTIONAL { ?class rdfs:label ?label FILTER (LANG(?label) = "en") }
  OPTIONAL { ?class rdfs:comment ?comment FILTER (LANG(?comment) = "en") }
  OPTIONAL { ?class rdfs:subClassOf ?super FILTER (isIRI(?super)) }
} ORDER BY ?class
"""
_SUMMARY_PROPERTIES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?property ?label ?domain ?range WHERE {
  VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }
  ?property a ?kind . FILTER (STRSTARTS(STR(?property), "%(ns)s"))
  OPTIONAL { ?property rdfs:label ?label FILTER (LANG(?label) = "en") }
  OPTIONAL { ?property rdfs:domain ?domain FILTER (isIRI(?domain)) }
  OPTIONAL { ?property rdfs:range ?range FILTER (isIRI(?range)) }
} ORDER BY ?property
"""
_SUMMARY_SCHEMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?label (COUNT(DISTINCT ?concept) AS ?concepts) WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { ?scheme skos:prefLabel ?label FILTER (LANG(?label) = "en") }
  OPTIONAL { ?concept skos:inScheme ?scheme }
} GROUP BY ?scheme ?label ORDER BY ?scheme
"""


def _bounded(limit: int) -> int:
    return max(1, min(limit, MAX_ROWS))


def _table(answer: dict[str, Any], limit: int) -> dict[str, Any]:
    """A SPARQL JSON answer as columns and rows of plain values, at most ``limit`` rows."""
    if "boolean" in answer:
        return {"boolean": answer["boolean"]}
    variables = answer["head"].get("vars", [])
    bindings = answer.get("results", {}).get("bindings", [])
    rows = [{v: row[v]["value"] for v in variables if v in row} for row in bindings[:limit]]
    return {
        "columns": variables,
        "rows": rows,
        "total_rows": len(bindings),
        "truncated": len(bindings) > limit,
    }


def _column(answer: dict[str, Any], name: str) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]] if name else []


def _label(labels: dict[str, dict[str, str]], iri: str, lang: str) -> str | None:
    by_lang = labels.get(iri, {})
    return by_lang.get(lang) or by_lang.get("en") or by_lang.get("") or next(iter(by_lang.values()), None)


def _value(term: list[str], labels: dict[str, dict[str, str]], lang: str) -> dict[str, Any]:
    kind, value = term[0], term[1]
    shown: dict[str, Any] = {"value": value}
    if kind == "iri":
        label = _label(labels, value, lang)
        if label:
            shown["label"] = label
    elif kind == "lang":
        shown["lang"] = term[2]
    return shown


def saved_query_info(saved: SavedQuery) -> dict[str, Any]:
    return {
        "name": saved.name,
        "title": saved.title,
        "description": saved.description,
        "view": saved.view,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "default": p.default,
                "required": p.required and p.default is None,
                "values": list(p.values) or None,
                "base": p.base,
            }
            for p in saved.parameters
        ],
    }


def build(backend: Backend, queries: dict[str, SavedQuery]) -> MCPServer:
    """The MCP server with every tool, reading through ``backend``."""
    server = MCPServer("coopgraph", instructions=INSTRUCTIONS, version="0.1.0")

    @server.tool(annotations=READ_ONLY)
    async def search_entities(
        text: str, types: list[str] | None = None, lang: str = "en", limit: int = 10
    ) -> dict[str, Any]:
        """Find resources (institutions, agreements, people, events, places ...) by name, in any
        language, with or without accents or tones, or by code. types narrows to kinds such as
        organization, agreement, person, event (the search index's kinds). Best match first."""
        hits = await backend.search(text, list(types or []), lang, max(1, min(limit, 50)))
        return {"results": hits}

    @server.tool(annotations=READ_ONLY)
    async def describe_resource(iri: str, lang: str = "en") -> dict[str, Any]:
        """What the graph states about a resource (given by its IRI, e.g. from search_entities): each
        statement with labels and the named graph that holds it, the statements pointing at it, and
        the sources: the article each fact comes from and the file each graph was loaded from."""
        data = await backend.describe(iri)
        if data is None:
            raise ToolError(f"<{iri}> is not in the graph; find resources with search_entities")
        labels = data.get("labels", {})
        statements = [
            {
                "property": predicate,
                "property_label": _label(labels, predicate, lang),
                **_value(obj, labels, lang),
                "graph": graph,
            }
            for subject, predicate, obj, graph in data["outgoing"]
            if subject[1] == iri
        ]
        incoming = [
            {"subject": s[1], "subject_label": _label(labels, s[1], lang), "property": p, "graph": g}
            for s, p, g in data["incoming"][:MAX_ROWS]
        ]
        sources = data.get("sources", {})
        graphs = sorted({s["graph"] for s in statements})
        return {
            "iri": iri,
            "label": _label(labels, iri, lang),
            "statements": statements,
            "incoming": incoming,
            "sources": {
                "articles": sources.get(iri, []),
                "graphs": {g: sources.get(g, []) for g in graphs},
            },
        }

    @server.tool(annotations=READ_ONLY)
    async def list_saved_queries() -> dict[str, Any]:
        """The saved queries: the questions analysts ask, each with its typed parameters (iri, string,
        integer, decimal, boolean, date, gYear, gYearMonth), their defaults and allowed values."""
        return {"queries": [saved_query_info(q) for q in queries.values()]}

    @server.tool(annotations=READ_ONLY)
    async def run_saved_query(
        name: str, parameters: dict[str, str] | None = None, limit: int = DEFAULT_ROWS
    ) -> dict[str, Any]:
        """Run a saved query by name with parameters (values as strings, checked against each
        parameter's type; an iri parameter with a base takes the local name). Unset parameters take
        their defaults. Returns columns and rows."""
        saved = queries.get(name)
        if saved is None:
            raise ToolError(f"no saved query '{name}'; list_saved_queries names them")
        values = {k: str(v) for k, v in (parameters or {}).items()}
        try:
            bound = saved.bindings(values)
            given = saved.given_iris(values)
        except BadParameter as e:
            raise ToolError(str(e)) from None
        if given:  # an IRI the store says nothing about: named, with the closest, never an empty table
            found = await backend.select(existing_query(given))
            missing = first_missing(given, {row["iri"]["value"] for row in found["results"]["bindings"]})
            if missing is not None:
                parameter = saved.parameter(missing)
                rows = (await backend.select(candidates_query(parameter)))["results"]["bindings"]
                labelled = [(row["s"]["value"], row["label"]["value"]) for row in rows]
                raise ToolError(str(unknown_resource(parameter, values[missing], labelled)))
        answer = await backend.select(saved.query, {k: encode_term(v) for k, v in bound.items()})
        return {"query": name, **_table(answer, _bounded(limit))}

    @server.tool(annotations=READ_ONLY)
    async def run_sparql(query: str, limit: int = DEFAULT_ROWS) -> dict[str, Any]:
        """Run a read-only SPARQL 1.1 SELECT or ASK query on the whole graph (the default graph is the
        union of the named graphs), under the server's time and answer-size limits. Updates are
        refused. The project's prefixes (cg:, org:, skos:, schema:, prov: ...) must be declared."""
        answer = await backend.select(query)
        return _table(answer, _bounded(limit))

    @server.tool(annotations=READ_ONLY)
    async def ontology_summary() -> dict[str, Any]:
        """The ontology's classes (with labels, definitions and superclasses) and properties (with
        domain and range), the vocabularies (SKOS concept schemes and how many concepts each has) and
        the prefixes to write SPARQL with."""
        ns = iris.ONTOLOGY
        classes = await backend.select(_SUMMARY_CLASSES % {"ns": ns})
        properties = await backend.select(_SUMMARY_PROPERTIES % {"ns": ns})
        schemes = await backend.select(_SUMMARY_SCHEMES)
        return {
            "prefixes": dict(iris.PREFIXES),
            "classes": _column(classes, "class"),
            "properties": _column(properties, "property"),
            "vocabularies": _column(schemes, "scheme"),
        }

    return server
