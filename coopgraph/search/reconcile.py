"""Reconciliation on the search index: candidates with scores and match flags, property constraints, data
extension, suggestions and previews, in the shapes of the W3C Reconciliation Service API 0.2.

The HTTP service (``/reconcile``) and ``coopgraph reconcile`` both use it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coopgraph.search.kinds import KINDS
from coopgraph.search.normalise import compact_key, search_key
from coopgraph.search.query import Hit, SearchIndex

#: A candidate at or above this score, well ahead of the next one and not contradicted by a property, is a
#: match (the ``match`` flag: a tool may accept it without asking).
MATCH_SCORE = 90.0
MATCH_LEAD = 10.0
MAX_LIMIT = 100
MAX_BATCH = 1000


class BadQuery(ValueError):
    """A reconciliation request that does not follow the protocol (the message says why)."""


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str


PROPERTIES: dict[str, Property] = {
    p.id: p
    for p in (
        Property("country", "Country", "the country: ISO 3166-1 code (vn), name, or country IRI"),
        Property("city", "City or place", "where the resource is: the name of its city or province"),
        Property(
            "ror", "ROR id", "Research Organization Registry id (03cve4549 or its https://ror.org/ link)"
        ),
        Property("wikidata", "Wikidata id", "Wikidata item (Q16955 or its link)"),
        Property("website", "Website", "the resource's website"),
        Property("founded", "Founding date", "year or date of founding"),
    )
}

_LINK_PREFIX = re.compile(r"^(https?://)?(www\.)?(ror\.org/|wikidata\.org/(wiki|entity)/)?", re.IGNORECASE)


def type_entry(kind: str) -> dict[str, str]:
    return {"id": kind, "name": KINDS[kind].label}


def manifest(base_url: str) -> dict[str, Any]:
    """The service manifest; ``base_url`` is where ``/reconcile`` is served, and ``/search`` beside it."""
    root = base_url.rstrip("/")
    service = root + "/reconcile"
    return {
        "versions": ["0.2"],
        "name": "coopgraph: international cooperation in education",
        "identifierSpace": "https://w3id.org/coopgraph/id/",
        "schemaSpace": "https://w3id.org/coopgraph/ontology#",
        "documentation": root + "/docs",
        "view": {"url": "{{id}}"},
        "defaultTypes": [type_entry(k) for k in KINDS],
        "preview": {"url": service + "/preview?id={{id}}", "width": 400, "height": 200},
        "suggest": {
            "entity": {"service_url": root, "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": root, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": root, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/reconcile/extend/propose"},
            "property_settings": [],
        },
    }


# ---------------------------------------------------------------------- queries
def _types(value: Any) -> list[str]:
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if names is None or not all(isinstance(n, str) for n in names):
        raise BadQuery("'type' is a type id or a list of them")
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        raise BadQuery(f"unknown type {unknown[0]!r}; the types are {', '.join(KINDS)}")
    return names


def _values(v: Any) -> list[str]:
    items = v if isinstance(v, list) else [v]
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            out.append(item["id"])
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            out.append(str(item))
        else:
            raise BadQuery("a property value is a string, a number, or an object with an 'id'")
    return out


def parse_query(query: Any) -> tuple[str, list[str], int, list[tuple[str, list[str]]]]:
    """One query of a batch: (text, types, limit, [(property, values)]); BadQuery if it is not one."""
    if not isinstance(query, dict):
        raise BadQuery("a query is a JSON object")
    extra = set(query) - {"query", "type", "limit", "properties", "type_strict"}
    if extra:
        raise BadQuery(f"unknown member {sorted(extra)[0]!r} in a query")
    text = query.get("query", "")
    if not isinstance(text, str):
        raise BadQuery("'query' is a string")
    types = _types(query["type"]) if query.get("type") is not None else []
    limit = query.get("limit", 5)
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit < 0:
        raise BadQuery("'limit' is a number of candidates")
    constraints = []
    properties = query.get("properties", [])
    if not isinstance(properties, list):
        raise BadQuery("'properties' is a list of {pid, v}")
    for prop in properties:
        if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
            raise BadQuery("each property constraint is an object with 'pid' and 'v'")
        pid = prop["pid"]
        if pid not in PROPERTIES:
            raise BadQuery(f"unknown property {pid!r}; the properties are {', '.join(PROPERTIES)}")
        constraints.append((pid, _values(prop["v"])))
    if not text.strip() and not constraints:
        raise BadQuery("a query needs 'query' text or property constraints")
    return text, types, min(int(limit), MAX_LIMIT), constraints


def parse_batch(batch: Any) -> dict[str, tuple[str, list[str], int, list[tuple[str, list[str]]]]]:
    if not isinstance(batch, dict):
        raise BadQuery("a batch of queries is a JSON object: {key: query}")
    if len(batch) > MAX_BATCH:
        raise BadQuery(f"at most {MAX_BATCH} queries in one batch")
    return {str(key): parse_query(q) for key, q in batch.items()}


def _identifier(value: str) -> str:
    return _LINK_PREFIX.sub("", value.strip()).strip("/").casefold()


def _matches(pid: str, wanted: list[str], facts: Mapping[str, Any]) -> bool | None:
    """Whether a candidate's facts agree with a constraint (None: the candidate has no such fact)."""
    if pid == "country":
        have = facts.get("country", [])
        keys = {k for c in have for k in (c["code"], c["id"].casefold(), search_key(c["name"]))}
        probe = {search_key(w) if not w.startswith("http") else w.casefold() for w in wanted}
        return bool(keys & probe) if have else None
    if pid == "city":
        places = facts.get("place", [])
        return any(search_key(w) in places for w in wanted) if places else None
    if pid in ("ror", "wikidata"):
        have = facts.get(pid, [])
        return bool({_identifier(h) for h in have} & {_identifier(w) for w in wanted}) if have else None
    if pid == "website":
        have = facts.get("website", [])
        norm = {compact_key(search_key(_LINK_PREFIX.sub("", h))) for h in have}
        return (
            bool(norm & {compact_key(search_key(_LINK_PREFIX.sub("", w))) for w in wanted}) if have else None
        )
    have = facts.get("founded", [])
    return any(h[:4] == w.strip()[:4] for h in have for w in wanted) if have else None


def _description(hit: Hit) -> str:
    kinds = ", ".join(KINDS[k].label for k in hit.kinds if k in KINDS)
    countries = ", ".join(c["name"] for c in hit.facts.get("country", []))
    return " · ".join(part for part in (kinds, countries, hit.why) if part)


def reconcile(
    index: SearchIndex,
    text: str,
    types: list[str],
    limit: int,
    constraints: list[tuple[str, list[str]]],
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Candidates for one query, best first, in the shape of the API's results."""
    if not text.strip():  # properties only: an identifier is a name the index knows
        text = next((v[0] for pid, v in constraints if pid in ("ror", "wikidata") and v), "")
    hits = index.search(text, kinds=types, lang=lang, limit=max(limit * 4, 20)) if text.strip() else []
    scored = []
    for hit in hits:
        features: list[dict[str, Any]] = [{"id": "name", "value": round(hit.score, 1)}]
        agree = disagree = 0
        for pid, wanted in constraints:
            result = _matches(pid, wanted, hit.facts)
            if result is not None:
                features.append({"id": pid, "value": result})
                agree, disagree = agree + result, disagree + (not result)
        score = hit.score
        if constraints:
            share = 30.0 / len(constraints)
            score = max(0.0, min(100.0, 0.7 * hit.score + share * agree - share * disagree))
            if agree == len(constraints) and hit.score >= MATCH_SCORE:
                score = max(score, hit.score)
        scored.append((score, disagree, hit, features))
    scored.sort(key=lambda s: (-s[0], s[2].iri))
    scored = scored[:limit]
    results = []
    for number, (score, disagree, hit, features) in enumerate(scored):
        runner_up = scored[number + 1][0] if number + 1 < len(scored) else 0.0
        results.append(
            {
                "id": hit.iri,
                "name": hit.label,
                "description": _description(hit),
                "score": round(score, 1),
                "match": number == 0
                and score >= MATCH_SCORE
                and not disagree
                and score - runner_up >= MATCH_LEAD,
                "type": [type_entry(k) for k in hit.kinds if k in KINDS],
                "features": features,
            }
        )
    return results


# ---------------------------------------------------------------------- suggest, preview, extend
def suggest_entities(index: SearchIndex, prefix: str, lang: str = "en", limit: int = 10) -> dict[str, Any]:
    hits = index.search(prefix, lang=lang, limit=limit)
    return {
        "result": [
            {
                "id": h.iri,
                "name": h.label,
                "description": _description(h),
                "notable": [type_entry(k) for k in h.kinds if k in KINDS],
            }
            for h in hits
        ]
    }


def suggest_types(prefix: str) -> dict[str, Any]:
    key = search_key(prefix)
    return {
        "result": [
            {**type_entry(k.name), "description": k.description}
            for k in KINDS.values()
            if key in search_key(k.name) or key in search_key(k.label)
        ]
    }


def suggest_properties(prefix: str) -> dict[str, Any]:
    key = search_key(prefix)
    return {
        "result": [
            {"id": p.id, "name": p.name, "description": p.description}
            for p in PROPERTIES.values()
            if key in search_key(p.id) or key in search_key(p.name)
        ]
    }


def propose_properties(type_id: str, limit: int = 10) -> dict[str, Any]:
    return {
        "type": type_id,
        "limit": limit,
        "properties": [{"id": p.id, "name": p.name} for p in list(PROPERTIES.values())[:limit]],
    }


def _extension_values(pid: str, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    if pid == "country":
        return [{"id": c["id"], "name": c["name"]} for c in facts.get("country", [])]
    if pid == "city":
        return [{"str": p} for p in facts.get("place", [])]
    if pid == "founded":
        return [
            {"date": f"{v}T00:00:00Z"} if re.fullmatch(r"\d{4}-\d\d-\d\d", v) else {"str": v}
            for v in facts.get("founded", [])
        ]
    return [{"str": v} for v in facts.get(pid, [])]


def extend(index: SearchIndex, request: Any, lang: str = "en") -> dict[str, Any]:
    """A data extension request ({ids, properties}) answered from the index."""
    if not isinstance(request, dict) or not isinstance(request.get("ids"), list):
        raise BadQuery("an extension request is {ids: [...], properties: [{id}]}")
    props = request.get("properties")
    if not isinstance(props, list) or not all(isinstance(p, dict) and "id" in p for p in props):
        raise BadQuery("'properties' is a list of {id}")
    pids = [p["id"] for p in props]
    unknown = [p for p in pids if p not in PROPERTIES]
    if unknown:
        raise BadQuery(f"unknown property {unknown[0]!r}; the properties are {', '.join(PROPERTIES)}")
    if len(request["ids"]) > MAX_BATCH or not all(isinstance(i, str) for i in request["ids"]):
        raise BadQuery(f"'ids' is a list of at most {MAX_BATCH} entity ids")
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for iri in request["ids"]:
        found = index.resource(iri, lang)
        facts = found["facts"] if found else {}
        rows[iri] = {pid: _extension_values(pid, facts) for pid in pids}
    meta = [{"id": pid, "name": PROPERTIES[pid].name} for pid in pids]
    for entry in meta:
        if entry["id"] == "country":
            entry["type"] = type_entry("place")
    return {"meta": meta, "rows": rows}


def preview(index: SearchIndex, iri: str, lang: str = "en") -> str | None:
    """A small HTML page about one resource (None: the index does not hold it)."""
    found = index.resource(iri, lang)
    if found is None:
        return None
    facts = found["facts"]
    lines = [
        ("Type", ", ".join(KINDS[k].label for k in found["types"] if k in KINDS)),
        ("Country", ", ".join(c["name"] for c in facts.get("country", []))),
        ("Also", "; ".join(sorted({n["text"] for n in found["names"]} - {found["label"]})[:6])),
        ("ROR", ", ".join(facts.get("ror", []))),
        ("Website", ", ".join(facts.get("website", []))),
        ("Founded", ", ".join(facts.get("founded", []))),
    ]
    rows = "".join(f"<dt>{k}</dt><dd>{html.escape(v)}</dd>" for k, v in lines if v)
    return (
        f'<!doctype html><html lang="{html.escape(found["lang"] or "en")}"><meta charset="utf-8">'
        f"<title>{html.escape(found['label'])}</title>"
        '<body style="font: 14px sans-serif; margin: 8px">'
        f'<a href="{html.escape(iri)}" target="_blank">{html.escape(found["label"])}</a>'
        f"<dl>{rows}</dl></body></html>"
    )


__all__ = [
    "PROPERTIES",
    "BadQuery",
    "extend",
    "manifest",
    "parse_batch",
    "parse_query",
    "preview",
    "propose_properties",
    "reconcile",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
]
