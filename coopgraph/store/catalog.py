"""The catalogue: one provenance record per named graph, kept in the graph ``graph/catalog``.

Each record says where the graph came from (source location, media type, SHA-256 checksum,
the mapping used), how many triples it holds, when and by which ingest activity it was loaded,
and its role. Terms: PROV-O, DCAT, VoID, DCTERMS and SPDX checksums.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from coopgraph import iris

P = iris.PREFIXES
XSD = P["xsd"]
_CATALOG = NamedNode(iris.CATALOG_GRAPH)


def _n(prefix: str, local: str) -> NamedNode:
    return NamedNode(P[prefix] + local)


TYPE = NamedNode(iris.RDF_TYPE)
VOID_DATASET = _n("void", "Dataset")
PROV_ENTITY = _n("prov", "Entity")
PROV_ACTIVITY = _n("prov", "Activity")
PROV_AGENT = _n("prov", "SoftwareAgent")


@dataclass(frozen=True)
class GraphRecord:
    graph: str
    role: str
    key: str
    source: str
    media_type: str
    checksum: str
    triples: int
    loaded: datetime
    activity: str
    agent: str = "coopgraph"
    used: tuple[str, ...] = field(default=())  # mapping files, contexts
    #: The file's path from the folder a steward named (that folder's name first): tells a file from
    #: one of the same name in another folder, which would load into the same graph.
    loaded_from: str | None = None

    def quads(self) -> Iterator[Quad]:
        g, c = NamedNode(self.graph), _CATALOG
        # Named by what it holds: a record written again unchanged is the same statements, so the store's
        # history sees no change in it.
        checksum = BlankNode("c" + hashlib.sha256(f"{self.graph} {self.checksum}".encode()).hexdigest()[:32])
        activity = NamedNode(self.activity)
        yield Quad(g, TYPE, VOID_DATASET, c)
        yield Quad(g, TYPE, PROV_ENTITY, c)
        yield Quad(g, _n("dcterms", "type"), NamedNode(iris.role_iri(self.role)), c)
        yield Quad(g, _n("dcterms", "identifier"), Literal(self.key), c)
        yield Quad(g, _n("dcterms", "source"), NamedNode(self.source), c)
        yield Quad(g, _n("dcat", "mediaType"), Literal(self.media_type), c)
        yield Quad(
            g, _n("void", "triples"), Literal(str(self.triples), datatype=NamedNode(XSD + "integer")), c
        )
        yield Quad(g, _n("dcterms", "modified"), _datetime(self.loaded), c)
        yield Quad(g, _n("spdx", "checksum"), checksum, c)
        yield Quad(checksum, TYPE, _n("spdx", "Checksum"), c)
        yield Quad(checksum, _n("spdx", "algorithm"), _n("spdx", "checksumAlgorithm_sha256"), c)
        yield Quad(checksum, _n("spdx", "checksumValue"), Literal(self.checksum), c)
        yield Quad(g, _n("prov", "wasGeneratedBy"), activity, c)
        yield Quad(activity, TYPE, PROV_ACTIVITY, c)
        yield Quad(activity, _n("prov", "used"), NamedNode(self.source), c)
        for used in self.used:
            yield Quad(activity, _n("prov", "used"), NamedNode(used), c)
        yield Quad(activity, _n("prov", "endedAtTime"), _datetime(self.loaded), c)
        if self.loaded_from:
            yield Quad(activity, _n("prov", "atLocation"), Literal(self.loaded_from), c)
        agent = NamedNode(iris.RESOURCE + "agent/" + self.agent.split()[0])
        yield Quad(activity, _n("prov", "wasAssociatedWith"), agent, c)
        yield Quad(agent, TYPE, PROV_AGENT, c)
        yield Quad(agent, NamedNode(P["rdfs"] + "label"), Literal(self.agent), c)


def activity_iri(kind: str, name: str) -> str:
    """The IRI of one loading activity: ``kind`` is what ran it (``ingest``, ``write``), ``name`` tells
    it apart from the others."""
    return f"{iris.RESOURCE}{kind}/{name}"


def build_record(
    graph: str,
    *,
    source: str,
    media_type: str,
    checksum: str,
    triples: int,
    activity: str,
    previous: GraphRecord | None = None,
    role: str | None = None,
    key: str | None = None,
    loaded: datetime | None = None,
    agent: str = "coopgraph",
    used: tuple[str, ...] = (),
    loaded_from: str | None = None,
) -> GraphRecord:
    """The record of a graph just loaded or written. ``role`` and ``key``: as given, else those of the
    graph's ``previous`` record, else ``data`` and the graph's IRI; ``loaded``: as given, else now."""
    return GraphRecord(
        graph=graph,
        role=role if role is not None else previous.role if previous else "data",
        key=key if key is not None else previous.key if previous else graph,
        source=source,
        media_type=media_type,
        checksum=checksum,
        triples=triples,
        loaded=loaded if loaded is not None else datetime.now(UTC),
        activity=activity,
        agent=agent,
        used=used,
        loaded_from=loaded_from,
    )


def _datetime(value: datetime) -> Literal:
    return Literal(value.astimezone(UTC).isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime"))


_READ = (
    iris.sparql_prologue()
    + """
SELECT ?g ?role ?key ?source ?media ?sum ?triples ?modified ?activity ?agent ?from WHERE {
  GRAPH <CATALOG> {
    ?g a void:Dataset ; dcterms:type ?role ; dcterms:identifier ?key ; dcterms:source ?source ;
       dcat:mediaType ?media ; void:triples ?triples ; dcterms:modified ?modified ;
       spdx:checksum/spdx:checksumValue ?sum ; prov:wasGeneratedBy ?activity .
    OPTIONAL { ?activity prov:wasAssociatedWith/rdfs:label ?agent }
    OPTIONAL { ?activity prov:atLocation ?from }
  }
}""".replace("CATALOG", iris.CATALOG_GRAPH)
)

_USED = (
    iris.sparql_prologue()
    + """
SELECT ?g ?used WHERE { GRAPH <CATALOG> {
  ?g dcterms:source ?source ; prov:wasGeneratedBy ?a . ?a prov:used ?used . FILTER(?used != ?source) } }
""".replace("CATALOG", iris.CATALOG_GRAPH)
)


def read_records(query: Callable[[str], Iterable]) -> dict[str, GraphRecord]:
    """Read every record; ``query`` evaluates a SELECT query on the store."""
    used: dict[str, list[str]] = {}
    for row in query(_USED):
        used.setdefault(row["g"].value, []).append(row["used"].value)
    records = {}
    for row in query(_READ):
        graph = row["g"].value
        records[graph] = GraphRecord(
            graph=graph,
            role=row["role"].value.removeprefix(iris.GRAPH_ROLE),
            key=row["key"].value,
            source=row["source"].value,
            media_type=row["media"].value,
            checksum=row["sum"].value,
            triples=int(row["triples"].value),
            loaded=datetime.fromisoformat(row["modified"].value),
            activity=row["activity"].value,
            agent=row["agent"].value if row["agent"] is not None else "coopgraph",
            used=tuple(sorted(used.get(graph, ()))),
            loaded_from=row["from"].value if row["from"] is not None else None,
        )
    return records


def catalog_quads(records: Iterable[GraphRecord]) -> Iterator[Quad]:
    for record in sorted(records, key=lambda r: r.graph):
        yield from record.quads()
