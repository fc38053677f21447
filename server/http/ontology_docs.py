"""Human-readable documentation of the coopgraph ontology and its vocabularies.

``render_ontology_html`` turns the ontology graph (and, optionally, the SKOS
vocabularies) into one self-contained HTML page: no script, no external style
sheet, no image. Every local term has an anchor equal to its local name, so that
``https://w3id.org/coopgraph/ontology#Agreement`` lands on the term's section;
reused terms have their prefixed name (``org:Membership``) as anchor, concept
schemes ``vocab:{scheme}`` and concepts ``vocab:{scheme}/{concept}``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

from server.http.links import is_safe_link, link

CG = "https://w3id.org/coopgraph/ontology#"
VOCAB = "https://w3id.org/coopgraph/vocab/"
PREFIXES = {
    "cg": CG,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "time": "http://www.w3.org/2006/time#",
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "owl": str(OWL),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LANGUAGE_ORDER = ["en", "vi", "fr", "zh", "ja"]
LANGUAGE_NAMES = {"en": "English", "vi": "Tiếng Việt", "fr": "Français", "zh": "中文", "ja": "日本語"}

UI: dict[str, dict[str, str]] = {
    "en": {
        "contents": "Contents",
        "metadata": "About this ontology",
        "classes": "Classes",
        "object_properties": "Object properties",
        "datatype_properties": "Datatype properties",
        "datatypes": "Datatypes",
        "reused": "Reused terms",
        "schemes": "Concept schemes",
        "iri": "IRI",
        "version_iri": "Version IRI",
        "version": "Version",
        "license": "Licence",
        "created": "Created",
        "modified": "Modified",
        "prefix": "Preferred prefix",
        "labels": "Labels",
        "definitions": "Definitions",
        "subclass_of": "Subclass of",
        "subclasses": "Subclasses",
        "domain": "Domain",
        "range": "Range",
        "subproperty_of": "Subproperty of",
        "chain": "Property chain",
        "equivalent": "Equivalent to",
        "defined_by": "Defined by",
        "domain_of": "Properties with this domain",
        "range_of": "Properties with this range",
        "type": "Kind",
        "concepts": "Concepts",
        "broader": "Broader",
        "notation": "Notation",
        "union_of": "union of",
        "description": "Description",
    },
    "vi": {
        "contents": "Mục lục",
        "metadata": "Thông tin về bản thể học",
        "classes": "Lớp",
        "object_properties": "Thuộc tính đối tượng",
        "datatype_properties": "Thuộc tính dữ liệu",
        "datatypes": "Kiểu dữ liệu",
        "reused": "Thuật ngữ dùng lại",
        "schemes": "Bộ từ vựng",
        "iri": "IRI",
        "version_iri": "IRI phiên bản",
        "version": "Phiên bản",
        "license": "Giấy phép",
        "created": "Ngày tạo",
        "modified": "Ngày sửa đổi",
        "prefix": "Tiền tố",
        "labels": "Nhãn",
        "definitions": "Định nghĩa",
        "subclass_of": "Lớp con của",
        "subclasses": "Các lớp con",
        "domain": "Miền",
        "range": "Miền giá trị",
        "subproperty_of": "Thuộc tính con của",
        "chain": "Chuỗi thuộc tính",
        "equivalent": "Tương đương với",
        "defined_by": "Định nghĩa tại",
        "domain_of": "Thuộc tính có miền này",
        "range_of": "Thuộc tính có miền giá trị này",
        "type": "Loại",
        "concepts": "Khái niệm",
        "broader": "Rộng hơn",
        "notation": "Ký hiệu",
        "union_of": "hợp của",
        "description": "Mô tả",
    },
    "fr": {
        "contents": "Sommaire",
        "metadata": "À propos de cette ontologie",
        "classes": "Classes",
        "object_properties": "Propriétés d'objet",
        "datatype_properties": "Propriétés de données",
        "datatypes": "Types de données",
        "reused": "Termes réutilisés",
        "schemes": "Schémas de concepts",
        "iri": "IRI",
        "version_iri": "IRI de version",
        "version": "Version",
        "license": "Licence",
        "created": "Créée",
        "modified": "Modifiée",
        "prefix": "Préfixe",
        "labels": "Libellés",
        "definitions": "Définitions",
        "subclass_of": "Sous-classe de",
        "subclasses": "Sous-classes",
        "domain": "Domaine",
        "range": "Portée",
        "subproperty_of": "Sous-propriété de",
        "chain": "Chaîne de propriétés",
        "equivalent": "Équivalent à",
        "defined_by": "Définie par",
        "domain_of": "Propriétés de ce domaine",
        "range_of": "Propriétés de cette portée",
        "type": "Nature",
        "concepts": "Concepts",
        "broader": "Générique",
        "notation": "Notation",
        "union_of": "union de",
        "description": "Description",
    },
}

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.5;margin:0;
color:#1d2733;background:#fafbfc}
header{background:#17324d;color:#fff;padding:1.5rem 2rem}header h1{margin:0 0 .3rem;font-size:1.6rem}
header p{margin:.2rem 0;opacity:.9}main{max-width:68rem;margin:0 auto;padding:1rem 2rem 4rem}
nav{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:.5rem 1.2rem;margin:1rem 0}
nav ul{columns:3 14rem;padding-left:1rem}nav li{break-inside:avoid}
h2{border-bottom:2px solid #17324d;padding-bottom:.2rem;margin-top:2.5rem}
section.term{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:.8rem 1.2rem;margin:1rem 0}
section.term:target{border-color:#d9822b;box-shadow:0 0 0 3px #f5d7b5}
section.term h3{margin:.1rem 0 .4rem;font-size:1.15rem}
code{background:#eef2f6;padding:0 .25rem;border-radius:3px}
.iri{font-size:.85rem;color:#4a5a6a;word-break:break-all}table{border-collapse:collapse;margin:.3rem 0}
th,td{text-align:left;vertical-align:top;padding:.15rem .8rem .15rem 0}th{font-weight:600;color:#4a5a6a;
white-space:nowrap}.lang{display:inline-block;min-width:2rem;font-size:.75rem;color:#fff;background:#5b7083;
border-radius:3px;text-align:center;margin-right:.4rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;
gap:.2rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0}.kind{font-size:.8rem;color:#fff;
background:#2d6a4f;border-radius:3px;padding:0 .4rem;margin-left:.5rem;vertical-align:middle}
ul.concepts{list-style:none;padding-left:0}ul.concepts li{margin:.4rem 0}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Doc:
    def __init__(self, ontology: rdflib.Graph, vocabularies: rdflib.Graph | None, lang: str) -> None:
        self.g = rdflib.Graph()
        self.g += ontology
        if vocabularies is not None:
            self.g += vocabularies
        self.onto = ontology
        self.lang = lang if lang in UI else "en"
        self.ui = UI[self.lang]

    # -- names --------------------------------------------------------------

    def curie(self, iri: URIRef) -> str:
        text = str(iri)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns) :]}"
        return text

    def anchor(self, iri: URIRef) -> str | None:
        text = str(iri)
        if text.startswith(CG):
            return text[len(CG) :]
        if text.startswith(VOCAB):
            return "vocab:" + text[len(VOCAB) :]
        if (iri, None, None) in self.onto or (iri, None, None) in self.g:
            return self.curie(iri)
        return None

    def pick(self, subject: URIRef, *predicates: URIRef) -> str | None:
        values: list[Literal] = [
            o for p in predicates for o in self.g.objects(subject, p) if isinstance(o, Literal)
        ]
        for language in [self.lang, "en", *LANGUAGE_ORDER]:
            for value in values:
                if value.language == language:
                    return str(value)
        return str(values[0]) if values else None

    def label(self, iri: URIRef) -> str:
        return self.pick(iri, RDFS.label, SKOS.prefLabel) or self.curie(iri)

    def link(self, node: rdflib.term.Node) -> str:
        if isinstance(node, BNode):
            members = self._union(node)
            if members is not None:
                return f"{self.ui['union_of']} " + ", ".join(self.link(m) for m in members)
            return "(…)"
        if not isinstance(node, URIRef):
            return _esc(node)
        anchor = self.anchor(node)
        text = f"<code>{_esc(self.curie(node))}</code>"
        if anchor is not None:
            return f'<a href="#{_esc(anchor)}">{text}</a>'
        return f'<a href="{_esc(node)}">{text}</a>' if is_safe_link(str(node)) else text

    def _union(self, node: BNode) -> list[rdflib.term.Node] | None:
        head = self.g.value(node, OWL.unionOf)
        return list(Collection(self.g, head)) if head is not None else None

    # -- blocks ---------------------------------------------------------------

    def by_language(self, subject: URIRef, predicate: URIRef) -> str:
        values = [o for o in self.g.objects(subject, predicate) if isinstance(o, Literal)]
        if not values:
            return ""
        order = {lang: i for i, lang in enumerate([self.lang, *LANGUAGE_ORDER])}
        values.sort(key=lambda v: (order.get(v.language or "", 99), str(v)))
        rows = []
        for v in values:
            tag = v.language or ""
            name = LANGUAGE_NAMES.get(tag, tag)
            rows.append(
                f'<tr><td><span class="lang" title="{_esc(name)}">{_esc(tag or "–")}</span></td>'
                f'<td lang="{_esc(tag)}">{_esc(v)}</td></tr>'
            )
        rows_html = "".join(rows)
        return f"<table>{rows_html}</table>"

    def row(self, key: str, nodes: Iterable[rdflib.term.Node]) -> str:
        items = sorted(set(nodes), key=str)
        if not items:
            return ""
        return f"<tr><th>{_esc(self.ui[key])}</th><td>{', '.join(self.link(n) for n in items)}</td></tr>"

    def term(self, iri: URIRef, kind: str) -> str:
        g = self.g
        parts = [
            f'<section class="term" id="{_esc(self.anchor(iri))}">',
            f"<h3>{_esc(self.label(iri))} <code>{_esc(self.curie(iri))}</code>"
            f'<span class="kind">{_esc(kind)}</span></h3>',
            f'<div class="iri">{_esc(iri)}</div>',
        ]
        labels = self.by_language(iri, RDFS.label)
        if labels:
            parts.append(f"<h4>{_esc(self.ui['labels'])}</h4>{labels}")
        definitions = self.by_language(iri, SKOS.definition) or self.by_language(iri, RDFS.comment)
        if definitions:
            parts.append(f"<h4>{_esc(self.ui['definitions'])}</h4>{definitions}")
        rows = [
            self.row("subclass_of", g.objects(iri, RDFS.subClassOf)),
            self.row("subclasses", (s for s in g.subjects(RDFS.subClassOf, iri) if isinstance(s, URIRef))),
            self.row("subproperty_of", g.objects(iri, RDFS.subPropertyOf)),
            self.row("domain", g.objects(iri, RDFS.domain)),
            self.row("range", g.objects(iri, RDFS.range)),
            self.row("equivalent", g.objects(iri, OWL.equivalentClass)),
            self.row("domain_of", g.subjects(RDFS.domain, iri)),
            self.row("range_of", g.subjects(RDFS.range, iri)),
            self.row("defined_by", g.objects(iri, RDFS.isDefinedBy)),
        ]
        chain = g.value(iri, OWL.propertyChainAxiom)
        if chain is not None:
            steps = " / ".join(self.link(s) for s in Collection(g, chain))
            rows.append(f"<tr><th>{_esc(self.ui['chain'])}</th><td>{steps}</td></tr>")
        rows = [r for r in rows if r]
        if rows:
            parts.append(f"<table>{''.join(rows)}</table>")
        parts.append("</section>")
        return "\n".join(parts)

    def terms_of(self, rdf_type: URIRef, local: bool) -> list[URIRef]:
        found = [
            s
            for s in self.onto.subjects(RDF.type, rdf_type)
            if isinstance(s, URIRef) and str(s).startswith(CG) == local
        ]
        return sorted(set(found), key=lambda u: self.curie(u).lower())

    def schemes(self) -> str:
        if not len(self.g):
            return ""
        out = []
        for scheme in sorted(set(self.g.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
            if not isinstance(scheme, URIRef):
                continue
            concepts = sorted(
                (c for c in self.g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)),
                key=lambda c: self.label(c).lower(),
            )
            items = []
            for concept in concepts:
                notation = self.g.value(concept, SKOS.notation)
                broader = [self.link(b) for b in self.g.objects(concept, SKOS.broader)]
                extra = []
                if notation is not None and str(notation) != str(concept).rsplit("/", 1)[-1]:
                    extra.append(f"{_esc(self.ui['notation'])}: <code>{_esc(notation)}</code>")
                if broader:
                    extra.append(f"{_esc(self.ui['broader'])}: {', '.join(broader)}")
                items.append(
                    f'<li><section class="term" id="{_esc(self.anchor(concept))}">'
                    f'<h3>{_esc(self.label(concept))}</h3><div class="iri">{_esc(concept)}</div>'
                    f"{self.by_language(concept, SKOS.prefLabel)}{self.by_language(concept, SKOS.definition)}"
                    + (f"<p>{' · '.join(extra)}</p>" if extra else "")
                    + "</section></li>"
                )
            out.append(
                f'<section class="term" id="{_esc(self.anchor(scheme))}"><h3>{_esc(self.label(scheme))} '
                f'<span class="kind">{_esc(self.ui["schemes"])}</span></h3>'
                f'<div class="iri">{_esc(scheme)}</div>'
                f"{self.by_language(scheme, SKOS.definition)}"
                f"<h4>{_esc(self.ui['concepts'])} ({len(concepts)})</h4>"
                f'<ul class="concepts">{"".join(items)}</ul></section>'
            )
        return "\n".join(out)

    # -- page -------------------------------------------------------------------

    def render(self) -> str:
        onto = next((s for s in self.onto.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), None)
        title = (
            self.pick(onto, DCTERMS.title, RDFS.label) if onto is not None else None
        ) or "coopgraph ontology"
        meta_rows = []
        if onto is not None:

            def add(key: str, value: str) -> None:
                meta_rows.append(f"<dt>{_esc(self.ui[key])}</dt><dd>{value}</dd>")

            add("iri", link(str(onto)))
            for key, predicate in (("version_iri", OWL.versionIRI), ("license", DCTERMS.license)):
                for value in self.onto.objects(onto, predicate):
                    add(key, link(str(value)))
            for key, predicate in (
                ("version", OWL.versionInfo),
                ("created", DCTERMS.created),
                ("modified", DCTERMS.modified),
                ("prefix", URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")),
            ):
                for value in self.onto.objects(onto, predicate):
                    add(key, f"<code>{_esc(value)}</code>")
            description = self.by_language(onto, DCTERMS.description)
            if description:
                add("description", description)

        sections: list[tuple[str, str, list[str]]] = []
        groups = [
            ("classes", OWL.Class, True, self.ui["classes"]),
            ("object-properties", OWL.ObjectProperty, True, self.ui["object_properties"]),
            ("datatype-properties", OWL.DatatypeProperty, True, self.ui["datatype_properties"]),
            ("datatypes", RDFS.Datatype, True, self.ui["datatypes"]),
        ]
        for anchor, rdf_type, local, heading in groups:
            terms = self.terms_of(rdf_type, local)
            if terms:
                kind = {
                    "classes": "class",
                    "object-properties": "object property",
                    "datatype-properties": "datatype property",
                    "datatypes": "datatype",
                }[anchor]
                sections.append((anchor, heading, [self.term(t, kind) for t in terms]))
        reused = []
        for rdf_type, kind in (
            (OWL.Class, "class"),
            (OWL.ObjectProperty, "object property"),
            (OWL.DatatypeProperty, "datatype property"),
            (OWL.AnnotationProperty, "annotation property"),
        ):
            reused += [self.term(t, kind) for t in self.terms_of(rdf_type, False)]
        if reused:
            sections.append(("reused", self.ui["reused"], reused))
        schemes = self.schemes()

        toc = []
        for anchor, heading, items in sections:
            toc.append(f'<li><a href="#{anchor}">{_esc(heading)}</a> ({len(items)})</li>')
        if schemes:
            toc.append(f'<li><a href="#schemes">{_esc(self.ui["schemes"])}</a></li>')
        body = [
            f'<h2 id="metadata">{_esc(self.ui["metadata"])}</h2><dl class="meta">{"".join(meta_rows)}</dl>',
            f"<nav><strong>{_esc(self.ui['contents'])}</strong><ul>{''.join(toc)}</ul></nav>",
        ]
        for anchor, heading, items in sections:
            body.append(f'<h2 id="{anchor}">{_esc(heading)}</h2>')
            body.extend(items)
        if schemes:
            body.append(f'<h2 id="schemes">{_esc(self.ui["schemes"])}</h2>')
            body.append(schemes)
        version = self.onto.value(onto, OWL.versionInfo) if onto is not None else None
        return (
            f'<!DOCTYPE html>\n<html lang="{_esc(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n<header><h1>{_esc(title)}</h1>"
            f"<p>{_esc(onto) if onto is not None else ''}"
            f"{' · ' + _esc(self.ui['version']) + ' ' + _esc(version) if version else ''}</p></header>\n"
            f"<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
        )


def render_ontology_html(
    ontology: rdflib.Graph, vocabularies: rdflib.Graph | None = None, lang: str = "en"
) -> str:
    """One self-contained HTML page documenting the ontology (and the vocabularies, if given).

    ``lang`` chooses the language of the page's headings and of the label shown first
    (``en``, ``vi`` or ``fr``; other values fall back to English). All labels and
    definitions are shown, in every language the graph has.
    """
    return _Doc(ontology, vocabularies, lang).render()
