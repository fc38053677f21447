"""The HTML page of a resource, for people: from the description a query worker sends
(:func:`server.workers.describe.page_data`).

Every IRI is shown by its label in the reader's language (with the language shown when the label
falls back to another one) and linked: the project's IRIs to this server's pages, other ``http``,
``https`` and ``mailto`` IRIs to themselves, anything else not at all. Values are grouped by property
under the ontology's label, dates are written out, each statement names the graph it comes from and
the article its subject cites, incoming links are counted (up to a cap) and the first of them listed,
with a link to all of them as a triple pattern fragment, and schema.org JSON-LD is embedded for
search engines. Every value is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from coopgraph import iris
from server.http.memento_links import timemap_url
from server.http.query_page import SERVER_DIR, script_json
from server.http.resource_network import network_section
from server.http.resource_text import TEXT, format_count, format_date

TEMPLATE = SERVER_DIR / "templates" / "resource.html"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
#: The languages pages are written in; labels in other languages are shown as fallbacks.
LANGUAGES = ("en", "vi", "fr")
XSD = iris.PREFIXES["xsd"]
RDF_TYPE = iris.RDF_TYPE
SOURCE = iris.PREFIXES["dcterms"] + "source"
LINKABLE = ("http://", "https://", "mailto:")
#: The RDF formats a page links to, by their ``?format=`` name.
FORMAT_LINKS = (
    ("ttl", "Turtle"),
    ("jsonld", "JSON-LD"),
    ("nt", "N-Triples"),
    ("rdfxml", "RDF/XML"),
    ("trig", "TriG"),
    ("nq", "N-Quads"),
)
#: schema.org types for search engines, from the ontology's classes (schema.org's own pass as they are).
SCHEMA_TYPES = {
    iris.ONTOLOGY + "University": "CollegeOrUniversity",
    iris.ONTOLOGY + "HigherEducationInstitution": "CollegeOrUniversity",
    iris.ONTOLOGY + "Agreement": "CreativeWork",
    iris.ONTOLOGY + "Network": "Organization",
    iris.ONTOLOGY + "Conference": "Event",
    iris.ONTOLOGY + "Meeting": "Event",
    iris.ONTOLOGY + "Ceremony": "Event",
    iris.PREFIXES["org"] + "Organization": "Organization",
    iris.PREFIXES["org"] + "FormalOrganization": "Organization",
    iris.PREFIXES["schema"] + "Person": "Person",
}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@lru_cache(maxsize=1)
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def fill(**values: str) -> str:
    """The template with each ``{{name}}`` replaced, in one pass (no value is ever scanned again)."""
    return _PLACEHOLDER.sub(lambda m: values[m[1]], _template())


@dataclass
class Page:
    """What the page is rendered with: the data, the reader's language, and where links lead."""

    data: dict[str, Any]
    lang: str
    base: str  #: this server's public URL, which the project's IRIs map to

    @property
    def text(self) -> dict[str, str]:
        return TEXT[self.lang]

    # -- names and links ------------------------------------------------------------------------
    def label(self, iri: str) -> tuple[str, str | None]:
        """The label of ``iri`` in the reader's language, else a fallback and its language tag (None:
        no fallback needed), else a short form of the IRI."""
        found = self.data["labels"].get(iri, {})
        if iri == RDF_TYPE and not found:
            return self.text["type"], None
        if self.lang in found:
            return found[self.lang], None
        for tag in ("", "en", *LANGUAGES, *sorted(found)):
            if tag in found:
                return found[tag], tag or None
        return short_name(iri), None

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` leads: the project's IRIs to this server, other web IRIs as they are."""
        if iri.startswith(iris.ONTOLOGY):
            return f"{self.base}/ontology?lang={self.lang}#{iri[len(iris.ONTOLOGY) :]}"
        if iri.startswith(iris.BASE) and iri[len(iris.BASE) :].startswith(("id/", "vocab/", "graph/")):
            return self.base + "/" + iri[len(iris.BASE) :]
        if iri.lower().startswith(LINKABLE):
            return iri
        return None

    def link(self, iri: str) -> str:
        text, tag = self.label(iri)
        shown = esc(text) + (f' <span class="lang">{esc(tag)}</span>' if tag else "")
        target = self.href(iri)
        if target is None:
            return f'<span title="{esc(iri)}">{shown}</span>'
        return f'<a href="{esc(target)}" title="{esc(iri)}">{shown}</a>'

    def value(self, term: list[str], nested: Callable[[str], str]) -> str:
        kind, value = term[0], term[1]
        if kind == "iri":
            return self.link(value)
        if kind == "bnode":
            return nested(value)
        if kind == "lang":
            return f'{esc(value)} <span class="lang">{esc(term[2])}</span>'
        datatype = term[2] if len(term) > 2 else XSD + "string"
        dated = format_date(value, datatype, self.lang)
        if dated is not None:
            return f'<time datetime="{esc(value)}">{esc(dated)}</time>'
        if datatype == XSD + "anyURI" and value.lower().startswith(LINKABLE):
            return f'<a href="{esc(value)}">{esc(value)}</a>'
        return esc(value)

    def provenance(self, subject: str | None, graph: str) -> str:
        """Where a statement comes from: its graph, and the article its subject cites."""
        parts = [f'<span class="graph">{self.text["graph"]}: {self.link(graph)}</span>']
        for article in self.data["sources"].get(subject, [])[:2] if subject else []:
            parts.append(f'<span class="article">{self.text["source"]}: {self.link(article)}</span>')
        return '<span class="prov">' + " · ".join(parts) + "</span>"


def short_name(iri: str) -> str:
    compact = iris.compact(iri)
    if not compact.startswith("<"):
        return compact
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _grouped(rows: list[list[Any]], key: int) -> dict[str, list[list[Any]]]:
    groups: dict[str, list[list[Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def _pick_languages(rows: list[list[Any]], lang: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """Language-tagged values in the reader's language (else in one fallback language) first; the rest
    are folded away."""
    tagged = [r for r in rows if r[2][0] == "lang"]
    if len(tagged) < 2:
        return rows, []
    tags = [r[2][2].lower() for r in tagged]
    chosen = next((t for t in (lang, "en", *tags) if t in tags), tags[0])
    shown = [r for r in rows if r[2][0] != "lang" or r[2][2].lower() == chosen]
    return shown, [r for r in tagged if r[2][2].lower() != chosen]


def _property_rows(page: Page, rows: list[list[Any]], nested: Callable[[str], str]) -> str:
    out = []
    order = sorted(
        _grouped(rows, 1).items(), key=lambda kv: (kv[0] != RDF_TYPE, page.label(kv[0])[0].lower())
    )
    for predicate, values in order:
        shown, folded = _pick_languages(values, page.lang)
        items = [
            f"<li>{page.value(r[2], nested)} {page.provenance(_subject(r[0]), r[3])}</li>" for r in shown
        ]
        if folded:
            more = "".join(f"<li>{page.value(r[2], nested)}</li>" for r in folded)
            items.append(
                f"<li><details><summary>{esc(page.text['other_languages'])} ({len(folded)})</summary>"
                f"<ul>{more}</ul></details></li>"
            )
        out.append(_row(page.link(predicate), "".join(items)))
    return '<table class="statements">' + "".join(out) + "</table>"


def _row(heading: str, items: str) -> str:
    return f'<tr><th scope="row">{heading}</th><td><ul class="values">{items}</ul></td></tr>'


def _subject(term: list[str]) -> str | None:
    return term[1] if term[0] == "iri" else None


def _body(page: Page) -> str:
    data = page.data
    by_bnode: dict[str, list[list[Any]]] = {}
    for row in data["outgoing"]:
        if row[0][0] == "bnode":
            by_bnode.setdefault(row[0][1], []).append(row)
    seen: set[str] = set()

    def nested(bnode: str) -> str:
        rows = by_bnode.get(bnode, [])
        if bnode in seen or not rows:
            return '<span class="bnode">[…]</span>'
        seen.add(bnode)
        return '<div class="bnode">' + _property_rows(page, rows, nested) + "</div>"

    own = [r for r in data["outgoing"] if r[0] == ["iri", data["iri"]]]
    parts = [
        network_section(page),
        f"<h2>{esc(page.text['statements'])}</h2>",
        _property_rows(page, own, nested),
    ]
    if data["incoming"]:
        parts.append(_incoming_heading(page))
        rows = []
        for predicate, links in sorted(
            _grouped(data["incoming"], 1).items(), key=lambda kv: page.label(kv[0])[0]
        ):
            items = "".join(
                f"<li>{page.value(r[0], lambda b: esc(page.text['anonymous']))} "
                f"{page.provenance(_subject(r[0]), r[2])}</li>"
                for r in links
            )
            rows.append(_row(page.link(predicate), items))
        parts.append('<table class="statements incoming">' + "".join(rows) + "</table>")
    parts.append(_sources(page))
    return "".join(parts)


def _incoming_heading(page: Page) -> str:
    """The heading of the incoming links with their count; when the page lists only the first of them,
    says so and links to all of them, page by page (the triple pattern fragment ``?s ?p <iri>``)."""
    data = page.data
    shown = len(data["incoming"])
    count = max(int(data.get("incoming_count", shown)), shown)
    exact = bool(data.get("incoming_exact", True))
    written = format_count(count, exact, page.lang)
    heading = f'<h2 id="incoming">{esc(page.text["incoming"])} ({esc(written)})</h2>'
    if exact and count <= shown:
        return heading
    every = f"{page.base}/fragments?{urlencode({'object': data['iri']})}"
    note = page.text["incoming_shown"].format(shown=format_count(shown, True, page.lang), count=written)
    return (
        heading + f'<p class="incoming-more">{esc(note)} '
        f'<a rel="related" href="{esc(every)}">{esc(page.text["incoming_all"])}</a></p>'
    )


def _sources(page: Page) -> str:
    """The graphs the statements come from, with the file or request each graph was loaded from."""
    data = page.data
    graphs = sorted({r[3] for r in data["outgoing"]} | {r[2] for r in data["incoming"]})
    items = []
    for graph in graphs:
        loaded = "".join(f" ← <code>{esc(s)}</code>" for s in data["sources"].get(graph, []))
        items.append(f"<li>{page.link(graph)}{loaded}</li>")
    articles = sorted({a for r in data["outgoing"] for a in data["sources"].get(_subject(r[0]) or "", [])})
    article_items = "".join(f"<li>{page.link(a)}</li>" for a in articles)
    return (
        f'<h2 id="sources">{esc(page.text["sources"])}</h2>'
        + (f"<h3>{esc(page.text['articles'])}</h3><ul>{article_items}</ul>" if articles else "")
        + f"<h3>{esc(page.text['graphs'])}</h3><ul>{''.join(items)}</ul>"
    )


def schema_org(page: Page) -> dict[str, Any]:
    """A schema.org description of the resource for search engines: type, names, same-as."""
    data = page.data
    iri = data["iri"]
    types = [
        r[2][1] for r in data["outgoing"] if r[0] == ["iri", iri] and r[1] == RDF_TYPE and r[2][0] == "iri"
    ]
    schema_type = next(
        (t[len(iris.PREFIXES["schema"]) :] for t in types if t.startswith(iris.PREFIXES["schema"])), None
    ) or next((SCHEMA_TYPES[t] for t in types if t in SCHEMA_TYPES), "Thing")
    names = [
        {"@value": r[2][1], "@language": r[2][2]}
        for r in data["outgoing"]
        if r[0] == ["iri", iri] and r[1] == iris.PREFIXES["rdfs"] + "label" and r[2][0] == "lang"
    ]
    described: dict[str, Any] = {"@context": "https://schema.org", "@type": schema_type, "@id": iri}
    if names:
        described["name"] = names
    described["url"] = page.href(iri) or iri
    return described


def render(data: dict[str, Any], lang: str, base: str, formats_url: str) -> str:
    """The whole page. ``formats_url`` is the page's own URL, to which ``?format=`` is added."""
    page = Page(data, lang if lang in TEXT else "en", base)
    iri = data["iri"]
    title, tag = page.label(iri)
    types = [
        r[2][1] for r in data["outgoing"] if r[0] == ["iri", iri] and r[1] == RDF_TYPE and r[2][0] == "iri"
    ]
    formats = " ".join(
        f'<a href="{esc(formats_url)}?format={name}">{esc(label)}</a>' for name, label in FORMAT_LINKS
    )
    changes = f"{base}/history?{urlencode({'resource': iri})}"
    formats += f' <a rel="version-history" href="{esc(changes)}">history</a>'
    if iri.startswith(iris.BASE):
        formats += f' <a rel="timemap" href="{esc(timemap_url(base, iri))}">versions in time</a>'
    current = ' aria-current="true"'
    languages = " ".join(
        f'<a href="{esc(formats_url)}?lang={code}"{current if code == page.lang else ""}>{code}</a>'
        for code in LANGUAGES
    )
    return fill(
        lang=page.lang,
        base=esc(base),
        title=esc(title),
        title_lang=f' <span class="lang">{esc(tag)}</span>' if tag else "",
        iri=esc(iri),
        types=", ".join(page.link(t) for t in types),
        formats=formats,
        languages=languages,
        nav=_nav(page),
        body=_body(page),
        schema=script_json(schema_org(page)),
    )


def _nav(page: Page) -> str:
    t = page.text
    links = (
        ("/", t["query"]),
        ("/ontology?lang=" + page.lang, t["ontology"]),
        ("/.well-known/void", t["dataset"]),
        ("/dumps/", t["dumps"]),
    )
    return " ".join(f'<a href="{esc(page.base + path)}">{esc(label)}</a>' for path, label in links)


def render_not_found(data: dict[str, Any], lang: str, base: str) -> str:
    """The 404 page: what was asked, the IRIs it may have meant, and where to look instead."""
    page = Page({"labels": data.get("labels", {}), "sources": {}}, lang if lang in TEXT else "en", base)
    t = page.text
    suggestions = "".join(f"<li>{page.link(s)}</li>" for s in data.get("suggestions", []))
    body = (
        f"<p>{esc(t['not_found'])}</p>"
        + (f"<h2>{esc(t['did_you_mean'])}</h2><ul>{suggestions}</ul>" if suggestions else "")
        + f"<p>{esc(t['look_elsewhere'])}</p>"
    )
    return fill(
        lang=page.lang,
        base=esc(base),
        title=esc(t["not_found_title"]),
        title_lang="",
        iri=esc(data.get("iri", "")),
        types="",
        formats="",
        languages="",
        nav=_nav(page),
        body=body,
        schema="{}",
    )
