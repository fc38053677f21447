"""Advice added to findings, from what the store holds: a value outside a vocabulary gets the allowed
values and the closest one; a link to something described nowhere says there is no such thing (not that
it is "not an organisation") and names the closest that exist.

The shapes say what is wrong in general terms; only the store knows the concepts of a scheme or the
organisations there are, so the gate asks it once per scheme or class named by the findings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pyoxigraph import NamedNode

from coopgraph import iris
from coopgraph.closest import closest
from coopgraph.store import StoreTransaction
from ingest.reports.model import Finding

VOCAB = iris.BASE + "vocab/"
SH = iris.PREFIXES["sh"]
#: A scheme with more concepts than this is not listed in full (the country codes): the closest only.
LISTED = 20

_CONCEPTS = (
    iris.sparql_prologue()
    + """
SELECT ?concept ?notation ?label WHERE {
  ?concept skos:inScheme <$SCHEME> .
  OPTIONAL { ?concept skos:notation ?notation }
  OPTIONAL { ?concept skos:prefLabel|skos:altLabel ?label }
}"""
)
_DESCRIBED = "ASK { <$NODE> ?p ?o }"
_CLASS_OF_SHAPE = iris.sparql_prologue() + "SELECT ?class WHERE { <$SHAPE> sh:class ?class } LIMIT 1"
_INSTANCES = (
    iris.sparql_prologue()
    + "SELECT DISTINCT ?n WHERE { ?n rdf:type/rdfs:subClassOf* <$CLASS> FILTER(isIRI(?n)) }"
)
#: What a class is called in the messages (its English label otherwise).
_NAMES = {
    iris.PREFIXES["org"] + "Organization": {"en": "organisation", "vi": "tổ chức", "fr": "organisation"},
}
_NO_SUCH = {
    "en": "No such {what}: <{iri}> is described nowhere, neither in the files given nor in the store.",
    "vi": "Không có {what} nào như vậy: <{iri}> không được mô tả ở đâu, cả trong các tệp lẫn trong kho.",
    "fr": "Aucune {what} de ce nom : <{iri}> n'est décrite nulle part, ni dans les fichiers ni dans "
    "le dépôt.",
}

_NOWHERE = {
    "en": "<{iri}> is described nowhere, neither in the files given nor in the store.",
    "vi": "<{iri}> không được mô tả ở đâu, cả trong các tệp lẫn trong kho.",
    "fr": "<{iri}> n'est décrit nulle part, ni dans les fichiers ni dans le dépôt.",
}
_THE_CLOSEST = {
    "en": "The closest that exist: ",
    "vi": "Những đối tượng gần nhất hiện có: ",
    "fr": "Les plus proches qui existent : ",
}
_NOT_IN = {
    "en": "'{given}' is not in the {scheme} vocabulary",
    "vi": "'{given}' không có trong bộ từ vựng {scheme}",
    "fr": "'{given}' n'appartient pas au vocabulaire {scheme}",
}
_ALLOWED = {
    "en": "; allowed: {codes}",
    "vi": "; các giá trị được phép: {codes}",
    "fr": " ; valeurs permises : {codes}",
}
_CODES = {
    "en": " (one of its {count} codes, listed in ontology/vocabularies/{scheme}.ttl)",
    "vi": " (phải là một trong {count} mã của bộ từ vựng, liệt kê trong ontology/vocabularies/{scheme}.ttl)",
    "fr": " (l'un de ses {count} codes, listés dans ontology/vocabularies/{scheme}.ttl)",
}
_CLOSEST = {
    "en": "; the closest: '{best}'",
    "vi": "; gần nhất: '{best}'",
    "fr": " ; le plus proche : '{best}'",
}


class Advisor:
    """Adds advice to findings, reading the store (a transaction: the data as it would be) once per
    scheme and per class."""

    def __init__(self, tx: StoreTransaction) -> None:
        self.tx = tx
        self._schemes: dict[str, dict[str, str]] = {}
        self._instances: dict[str, list[str]] = {}

    def advise(self, findings: list[Finding]) -> list[Finding]:
        return [self._one(f) for f in findings]

    def _one(self, finding: Finding) -> Finding:
        value = finding.value
        if not isinstance(value, NamedNode):
            return finding
        if finding.component == "ClassConstraintComponent" and not self._described(value):
            return self._no_such(finding, value)
        if value.value.startswith(VOCAB) and finding.component in (
            "NodeConstraintComponent",
            "InConstraintComponent",
        ):
            return self._vocabulary(finding, value.value)
        return finding

    def _described(self, node: NamedNode) -> bool:
        return bool(self.tx.query(_DESCRIBED.replace("$NODE", node.value)))

    # -------------------------------------------------------------------------- vocabularies
    def _concepts(self, scheme: str) -> dict[str, str]:
        """The scheme's concepts: every code and label that names one, mapped to its code."""
        known = self._schemes.get(scheme)
        if known is None:
            known = {}
            for row in self.tx.query(_CONCEPTS.replace("$SCHEME", scheme)):
                code = row["concept"].value.rsplit("/", 1)[-1]  # as the IRIs write it ("de", not "DE")
                known.setdefault(code, code)
                for name in (row["notation"], row["label"]):
                    if name is not None:
                        known.setdefault(name.value, code)
            self._schemes[scheme] = known
        return known

    def _vocabulary(self, finding: Finding, value: str) -> Finding:
        scheme, _, given = value.removeprefix(VOCAB).rpartition("/")
        names = self._concepts(VOCAB + scheme)
        if not names or given in names.values():
            return finding
        codes = sorted(set(names.values()))
        best: list[str] = []
        for name in closest(given.replace("-", " "), names, count=5) + closest(given, names, count=5):
            if names[name] not in best:
                best.append(names[name])
        count = len(codes)
        advice = {lang: text.format(given=given, scheme=scheme) for lang, text in _NOT_IN.items()}
        for lang, text in (_ALLOWED if count <= LISTED else _CODES).items():
            advice[lang] += text.format(codes=", ".join(codes), count=count, scheme=scheme)
        if best:
            for lang, text in _CLOSEST.items():
                advice[lang] += text.format(best=best[0])
        return _advised(finding, {lang: text + "." for lang, text in advice.items()})

    # -------------------------------------------------------------------------- links to nothing
    def _no_such(self, finding: Finding, value: NamedNode) -> Finding:
        cls = self._class(finding)
        names = _NAMES.get(cls or "", {})
        if names:  # the shape's "is not an organisation" reads as if the thing existed: say it does not
            messages = {
                lang: text.format(what=names[lang], iri=value.value) for lang, text in _NO_SUCH.items()
            }
            finding = replace(finding, messages=messages)
        else:  # a class the project does not name: the shape's own message stays
            nowhere = {lang: text.format(iri=value.value) for lang, text in _NOWHERE.items()}
            finding = _advised(finding, nowhere)
        if cls is not None:
            existing = self._instances_of(cls)
            by_name = {iri.rsplit("/", 1)[-1]: iri for iri in existing}
            near = closest(value.value.rsplit("/", 1)[-1], by_name)
            if near:
                listed = ", ".join(f"<{by_name[n]}>" for n in near)
                finding = _advised(
                    finding, {lang: text + listed + "." for lang, text in _THE_CLOSEST.items()}
                )
        return finding

    def _class(self, finding: Finding) -> str | None:
        if finding.shape_iri is None:
            return None
        for row in self.tx.query(_CLASS_OF_SHAPE.replace("$SHAPE", finding.shape_iri)):
            return str(row["class"].value)
        return None

    def _instances_of(self, cls: str) -> list[str]:
        if cls not in self._instances:
            rows: Any = self.tx.query(_INSTANCES.replace("$CLASS", cls))
            self._instances[cls] = [row["n"].value for row in rows]
        return self._instances[cls]


def _joined(first: str | None, then: str) -> str:
    return f"{first} {then}" if first else then


def _advised(finding: Finding, advice: dict[str, str]) -> Finding:
    """The finding with ``advice`` (by language) after its fix in each language."""
    fixes = {lang: _joined(finding.fix_in(lang), text) for lang, text in advice.items()}
    return replace(finding, fix=fixes["en"], fixes=fixes)
