"""``/.well-known/void`` for people: the dataset description as an HTML page (the same statements as
the RDF, grouped by what they describe: the dataset, its graphs, its distributions)."""

from __future__ import annotations

import html
from collections import defaultdict

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from server.http.resource_page import Page

VOID = "http://rdfs.org/ns/void#"


def render(ntriples: bytes, base: str) -> str:
    """The page, from the description in N-Triples: the dataset first, then each thing it names."""
    page = Page({"labels": {}, "sources": {}}, "en", base)
    by_subject: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for triple in parse(ntriples, format=RdfFormat.N_TRIPLES):
        by_subject[triple.subject.value].append((triple.predicate.value, triple.object))
    dataset = base + "/.well-known/void#dataset"

    def shown(term: object) -> str:
        if isinstance(term, NamedNode):
            return page.link(term.value)
        if isinstance(term, Literal):
            tag = f' <span class="lang">{html.escape(term.language)}</span>' if term.language else ""
            return html.escape(term.value) + tag
        return "<code>_:" + html.escape(term.value if isinstance(term, BlankNode) else str(term)) + "</code>"

    sections = []
    for subject in sorted(by_subject, key=lambda s: (s != dataset, s)):
        rows = "".join(
            f"<tr><th>{page.link(p)}</th><td>{shown(o)}</td></tr>"
            for p, o in sorted(by_subject[subject], key=lambda po: (po[0], str(po[1])))
        )
        sections.append(
            f'<section><h2 id="{html.escape(subject)}">{page.link(subject)}</h2>'
            f'<table class="statements">{rows}</table></section>'
        )
    esc = html.escape
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Dataset description — coopgraph</title>"
        f'<link rel="stylesheet" href="{esc(base)}/static/ui/pages.css">'
        f'<link rel="alternate" type="text/turtle" href="{esc(base)}/.well-known/void?format=ttl"></head>'
        f'<body><p><a href="{esc(base)}/">coopgraph</a> · <a href="{esc(base)}/dumps/">dumps</a> · '
        f'<a href="{esc(base)}/query">query</a></p>'
        "<h1>Dataset description</h1>"
        "<p>VoID and DCAT-AP, also as "
        f'<a href="{esc(base)}/.well-known/void?format=ttl">Turtle</a> and '
        f'<a href="{esc(base)}/.well-known/void?format=jsonld">JSON-LD</a>.</p>'
        + "".join(sections)
        + "</body></html>"
    )
