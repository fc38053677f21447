"""A store version shown to people (text grouped by resource, with labels) and to programs (JSON, RDF Patch).

The version and its delta come from :mod:`coopgraph.store.history`; labels from the store as it is now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad

from coopgraph import iris, rdf_patch
from coopgraph.store import DEFAULT_GRAPH, ReadView
from coopgraph.store.history import Delta, Version, graph_name

__all__ = [
    "activity",
    "as_json",
    "as_patch",
    "as_text",
    "labels",
    "labels_in",
    "listing",
    "resources",
    "touches",
    "verdict",
]

_LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  VALUES ?p { skos:prefLabel rdfs:label schema:name }
  ?s ?p ?label .
}"""


def labels(view: ReadView, resources: Iterable[str], lang: str = "en") -> dict[str, str]:
    """A label for each resource that has one in the store now (the reader's language first)."""
    wanted = sorted(set(resources))
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(wanted), 200):
        values = " ".join(f"<{r}>" for r in wanted[start : start + 200])
        for row in view.query(_LABEL_QUERY % values):
            label = row["label"]
            if isinstance(label, Literal):
                found.setdefault(row["s"].value, {}).setdefault(label.language or "", label.value)
    return {r: next(ls[t] for t in (lang, "en", "", *ls) if t in ls) for r, ls in found.items()}


_LABELS = {iris.PREFIXES["skos"] + "prefLabel", iris.PREFIXES["rdfs"] + "label", "https://schema.org/name"}


def labels_in(delta: Delta, lang: str = "en") -> dict[str, str]:
    """Labels the change itself holds (added or removed), for a view that does not read the store."""
    found: dict[str, dict[str, str]] = {}
    for q in [*delta.removed, *delta.added]:
        if (
            q.predicate.value in _LABELS
            and isinstance(q.subject, NamedNode)
            and isinstance(q.object, Literal)
        ):
            found.setdefault(q.subject.value, {})[q.object.language or ""] = q.object.value
    return {r: next(ls[t] for t in (lang, "en", "", *ls) if t in ls) for r, ls in found.items()}


def _term(term: Any) -> str:
    if isinstance(term, NamedNode):
        short = iris.compact(term.value)
        return short if short != term.value else f"<{term.value}>"
    return str(term)


def _graph(name: str) -> str:
    return name.removeprefix(iris.GRAPH) if name.startswith(iris.GRAPH) else name


def touches(delta: Delta, resource: str) -> bool:
    """Whether the change added or removed a statement about ``resource`` (as subject or object)."""
    node = NamedNode(resource)
    return any(q.subject == node or q.object == node for q in [*delta.added, *delta.removed])


def listing(versions: Iterable[Version]) -> str:
    """One line a version, for the terminal."""
    lines = []
    for v in versions:
        verdict = ""
        if v.validation is not None:
            counts = v.validation.get("counts") or {}
            verdict = (
                f"  valid ({counts.get('Warning', 0)} warning(s))" if v.validation.get("conforms") else ""
            )
        message = f"  “{v.message}”" if v.message else ""
        lines.append(f"v{v.number}  {v.time}  {v.kind:<7} {v.who}{message}{verdict}")
        for g, c in v.graphs.items():
            lines.append(f"    +{c['added']:<6} -{c['removed']:<6} {_graph(g)}")
        if not v.graphs:
            lines.append("    no change")
    return "\n".join(lines)


def verdict(version: Version) -> str:
    """The validation summary of a version in a few words."""
    summary = version.validation
    if summary is None:
        return "not validated"
    counts = summary.get("counts") or {}
    focus = summary.get("focusNodes")
    checked = f", {focus} node(s) checked" if focus is not None else ""
    return (
        f"{'valid' if summary.get('conforms') else 'INVALID'}: {counts.get('Violation', 0)} violation(s), "
        f"{counts.get('Warning', 0) + counts.get('Info', 0)} warning(s){checked}"
    )


def activity(version: Version) -> dict[str, Any]:
    """A version's report summary as a PROV activity (JSON-LD): who, when, counts."""
    return {
        "@context": {"prov": "http://www.w3.org/ns/prov#"},
        "@id": f"{iris.BASE}history/{version.number}",
        "@type": "prov:Activity",
        "version": version.number,
        "kind": version.kind,
        "prov:wasAssociatedWith": version.who,
        "prov:endedAtTime": version.time,
        "message": version.message,
        "statements": {"added": version.added, "removed": version.removed},
        "validation": version.validation,
    }


def as_text(version: Version, delta: Delta, names: dict[str, str]) -> str:
    """The change grouped by resource (subject), with its label: ``+`` added, ``-`` removed."""
    by_subject: dict[str, list[tuple[str, Quad]]] = {}
    for sign, quads in (("-", delta.removed), ("+", delta.added)):
        for q in quads:
            if graph_name(q) != iris.CATALOG_GRAPH:  # the provenance records, counted in the heading
                by_subject.setdefault(_term(q.subject), []).append((sign, q))
    head = f"v{version.number}  {version.time}  {version.kind}  by {version.who}"
    if version.message:
        head += f"\n    {version.message}"
    out = [head]
    catalogue = version.graphs.get(iris.CATALOG_GRAPH)
    if catalogue:
        out.append(f"    (the catalogue: +{catalogue['added']} -{catalogue['removed']} statements)")
    for subject in sorted(by_subject):
        first = by_subject[subject][0][1].subject
        label = names.get(first.value) if isinstance(first, NamedNode) else None
        out.append(f"\n{label}  ({subject})" if label else f"\n{subject}")
        for sign, q in sorted(by_subject[subject], key=lambda e: (str(e[1].predicate), e[0], str(e[1]))):
            graph = "" if isinstance(q.graph_name, DefaultGraph) else f"   [{_graph(graph_name(q))}]"
            shown = _term(q.object)
            if isinstance(q.object, NamedNode) and q.object.value in names:
                shown += f" ({names[q.object.value]})"
            out.append(f"  {sign} {_term(q.predicate)} {shown}{graph}")
    return "\n".join(out) + "\n"


def resources(delta: Delta) -> set[str]:
    """The IRIs a change mentions as subject or object (to look their labels up)."""
    found: set[str] = set()
    for q in [*delta.added, *delta.removed]:
        for term in (q.subject, q.object):
            if isinstance(term, NamedNode):
                found.add(term.value)
    return found


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != iris.PREFIXES["xsd"] + "string":
        out["datatype"] = term.datatype.value
    return out


def _json_quads(quads: list[Quad]) -> Iterator[dict[str, Any]]:
    for q in sorted(quads, key=str):
        g = graph_name(q)
        yield {
            "subject": _json_term(q.subject),
            "predicate": _json_term(q.predicate),
            "object": _json_term(q.object),
            "graph": None if g == DEFAULT_GRAPH else g,
        }


def as_json(version: Version, delta: Delta | None) -> dict[str, Any]:
    """The version, and (when given) its statements in SPARQL JSON results' term form."""
    out = version.as_dict()
    if delta is not None:
        out["added"] = list(_json_quads(delta.added))
        out["removed"] = list(_json_quads(delta.removed))
    return out


def as_patch(version: Version, delta: Delta) -> str:
    headers = {"id": f"<{iris.BASE}history/{version.number}>"}
    return "".join(rdf_patch.rows(delta.added, delta.removed, headers))
