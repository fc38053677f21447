"""HTTP content negotiation: the best of the offered media types for an Accept header (RFC 9110)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: What SELECT/ASK answers can be written as; the first is the default.
RESULTS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
#: Aliases that clients send for results formats.
RESULTS_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
#: What CONSTRUCT/DESCRIBE answers and graphs can be written as; the first is the default.
RDF = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)
RDF_ALIASES = {
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "application/x-turtle": "text/turtle",
}

#: Short names accepted by ``?format=``.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "nq": (None, "application/n-quads"),
    "nquads": (None, "application/n-quads"),
    "trig": (None, "application/trig"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
}


@dataclass(frozen=True)
class Range:
    type: str
    subtype: str
    q: float
    params: int

    def matches(self, media: str) -> int:
        """Specificity of the match (-1: none)."""
        main, _, sub = media.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == main and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == sub:
            return 2 + self.params
        return -1


def parse_accept(header: str | None) -> list[Range]:
    ranges = []
    for part in (header or "").split(","):
        items = [p.strip() for p in part.split(";")]
        media = items[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        q, params = 1.0, 0
        for item in items[1:]:
            key, _, value = item.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif key.strip():
                params += 1
        main, _, sub = media.partition("/")
        ranges.append(Range(main, sub, q, params))
    return ranges


def quality(ranges: Sequence[Range], media: str) -> float:
    best, best_q = -1, 0.0
    for r in ranges:
        s = r.matches(media)
        if s > best:
            best, best_q = s, r.q
    return best_q if best >= 0 else 0.0


def choose(accept: str | None, offers: Sequence[str], aliases: dict[str, str] | None = None) -> str | None:
    """The offer (or alias target) the client prefers; None when nothing is acceptable (406).

    Without an Accept header, or with only ``*/*``, the first offer wins.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    candidates: list[tuple[float, int, str]] = []
    for index, media in enumerate(offers):
        candidates.append((quality(ranges, media), -index, media))
    for alias, target in (aliases or {}).items():
        if target in offers:
            q = quality([r for r in ranges if r.matches(alias) >= 2], alias)
            if q > 0:
                candidates.append((q, -offers.index(target), target))
    q, _, media = max(candidates)
    return media if q > 0 else None


def prefers_html(accept: str | None) -> bool:
    """A browser navigating: text/html is acceptable and preferred over JSON and Turtle."""
    ranges = parse_accept(accept)
    html = quality([r for r in ranges if r.matches("text/html") >= 1], "text/html")
    return html > 0 and html >= max(
        quality(ranges, "application/sparql-results+json"), quality(ranges, "text/turtle")
    )
