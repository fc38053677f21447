"""The IRIs the project mints, and the prefixes it offers to queries and serialisations."""

from __future__ import annotations

from urllib.parse import quote

BASE = "https://w3id.org/coopgraph/"
ONTOLOGY = BASE + "ontology#"
SHAPES = BASE + "shapes#"
RESOURCE = BASE + "id/"
VOCAB = BASE + "vocab/"
GRAPH = BASE + "graph/"
#: Loaded files as published: ``source/{key}``, the file's path below the folder it was loaded from.
SOURCE = BASE + "source/"

CATALOG_GRAPH = GRAPH + "catalog"
GRAPH_ROLE = VOCAB + "graph-role/"

#: The roles a named graph can play; each is a concept of the graph-role scheme.
ROLES = ("data", "ontology", "vocabulary", "shapes", "catalog")
#: The roles of the graphs coopgraph loads from its own files (read-only over HTTP).
SYSTEM_ROLES = ("ontology", "vocabulary", "shapes")
_SYSTEM_PREFIXES = tuple(f"{GRAPH}{role}/" for role in SYSTEM_ROLES)

#: One prefix per type of minted resource (``id/{type}/{slug}``): ``cgr:`` cannot name them, since a
#: local name with ``/`` (``cgr:project/vietmus``) is a SPARQL syntax error.
RESOURCE_PREFIXES: dict[str, str] = {
    prefix: f"{RESOURCE}{kind}/"
    for prefix, kind in (
        ("inst", "organization"),
        ("person", "person"),
        ("post", "post"),
        ("agr", "agreement"),
        ("signing", "signing"),
        ("part", "participation"),
        ("proj", "project"),
        ("prog", "programme"),
        ("act", "activity"),
        ("fund", "funding"),
        ("pship", "partnership"),
        ("event", "event"),
        ("memb", "membership"),
        ("count", "count"),
        ("plan", "plan"),
        ("article", "article"),
        ("src", "source"),
        ("decision", "decision"),
    )
}

PREFIXES: dict[str, str] = {
    "cg": ONTOLOGY,
    "cgsh": SHAPES,
    "cgr": RESOURCE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "http://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}

#: What a query may use without declaring it (the query page's prologue): the project's prefixes and
#: one per type of resource. Names are shown (``compact``) with ``PREFIXES`` alone.
QUERY_PREFIXES: dict[str, str] = {**PREFIXES, **RESOURCE_PREFIXES}

RDF_TYPE = PREFIXES["rdf"] + "type"


def graph_iri(kind: str, key: str) -> str:
    """The named graph of one source: ``graph/{kind}/{key}``, the key percent-encoded but for ``/``."""
    return f"{GRAPH}{kind}/{quote(key, safe='/-._~')}"


def source_iri(key: str) -> str:
    """The published name of a loaded file: ``source/{key}``, so that no catalogue shows the loading
    machine's paths; relative IRIs inside the file resolve against it."""
    return f"{SOURCE}{quote(key, safe='/-._~')}"


def is_system_graph(graph: str) -> bool:
    """A graph coopgraph maintains itself: the catalogue, or one loaded from ontology/ or shapes/."""
    return graph == CATALOG_GRAPH or graph.startswith(_SYSTEM_PREFIXES)


def role_iri(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown graph role {role!r}; expected one of {', '.join(ROLES)}")
    return GRAPH_ROLE + role


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX lines for the given prefixes (default: the project's and the resource types')."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or QUERY_PREFIXES).items())


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``cg:Agreement`` for an IRI in a known namespace, ``<iri>`` otherwise."""
    best = ""
    for prefix, namespace in (prefixes or PREFIXES).items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            local = iri[len(namespace) :]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                best = namespace
                found = f"{prefix}:{local}"
    return found if best else f"<{iri}>"
