"""Finding the sources in the paths a steward names, and what each of them is."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coopgraph import iris
from coopgraph.formats import RDF_MEDIA_TYPES, RdfFileFormat, rdf_format_for_path
from coopgraph.settings import PROJECT_ROOT
from ingest.errors import Problem

if TYPE_CHECKING:
    from coopgraph.store.catalog import GraphRecord

#: The JSON-LD context applied to JSON and YAML records that carry none, and its public URL.
CONTEXT_FILE = PROJECT_ROOT / "ontology" / "context.jsonld"
PUBLISHED_CONTEXT = iris.BASE + "context.jsonld"

TABLE_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
RECORD_TYPES = {".json": "application/json", ".yaml": "application/yaml", ".yml": "application/yaml"}
#: Files a folder may hold beside its data, skipped without a word.
_DOCUMENTATION = {".md", ".txt", ".rst", ".html", ".pdf"}


@dataclass(frozen=True)
class Source:
    path: Path
    key: str
    kind: str  # "rdf" | "table" | "records"
    role: str
    media_type: str
    rdf_format: RdfFileFormat | None = None
    mapping: Path | None = None  # CSVW metadata of a table
    context: Path | None = None  # JSON-LD context applied to records
    target: str | None = None  # the graph, when the writer names it (graph store protocol)
    origin: str | None = None  # where the data came from, when not from this file (an HTTP request)
    #: The file's path from the folder named on the command line, that folder's name first
    #: (``partners-a/organizations.csv``): recorded in the catalogue to tell it from a file of the same
    #: name in another folder, without publishing this machine's layout.
    loaded_from: str | None = None

    @property
    def graph(self) -> str:
        return self.target or iris.graph_iri(self.role, self.key)

    @property
    def location(self) -> str:
        """Where the data came from as the catalogue publishes it (and the base of relative IRIs):
        the request it came with, else ``source/{key}``, never this machine's path."""
        return self.origin or iris.source_iri(self.key)

    @property
    def used(self) -> tuple[str, ...]:
        """The mapping (published beside the file) and the JSON-LD context (by its public URL)."""
        used = []
        if self.mapping is not None:
            used.append(iris.source_iri(posixpath.join(posixpath.dirname(self.key), self.mapping.name)))
        if self.context is not None:
            own = self.context == CONTEXT_FILE
            used.append(PUBLISHED_CONTEXT if own else iris.source_iri(self.context.name))
        return tuple(used)

    def checksum(self) -> str:
        """SHA-256 of the data file; when it has a mapping or context too, the SHA-256 of the parts'
        digests in turn (data file first), so that a change to any of them changes the checksum."""
        parts = [p for p in (self.path, self.mapping, self.context) if p is not None]
        digests = []
        for part in parts:
            with open(part, "rb") as fh:
                digests.append(hashlib.file_digest(fh, "sha256"))
        if len(digests) == 1:
            return digests[0].hexdigest()
        chained = hashlib.sha256()
        for digest in digests:
            chained.update(digest.digest())
        return chained.hexdigest()


def _is_mapping(path: Path) -> bool:
    return path.name.endswith("-metadata.json") or path.name == "csv-metadata.json"


def _csvw_metadata(table: Path) -> Path | None:
    """CSVW's default locations: ``{table}-metadata.json``, then ``csv-metadata.json`` in the folder."""
    for candidate in (table.with_name(table.name + "-metadata.json"), table.with_name("csv-metadata.json")):
        if candidate.is_file():
            return candidate
    return None


def describe(
    path: Path, key: str, role: str, media_type: str | None = None, loaded_from: str | None = None
) -> Source | Problem:
    """What one file is (by its extension, or by ``media_type`` when given), or why it cannot be loaded."""
    shown = str(path)
    if not path.is_file():
        return Problem(shown, "no such file")
    if path.stat().st_size == 0:
        return Problem(shown, "the file is empty")
    suffix = path.suffix.lower()
    fmt = RDF_MEDIA_TYPES.get(media_type) if media_type else rdf_format_for_path(path)
    if media_type and fmt is None:
        return Problem(
            shown,
            f"unsupported media type '{media_type}'; send one of "
            + ", ".join(sorted({f.media_type for f in RDF_MEDIA_TYPES.values()})),
        )
    if fmt is not None:
        return Source(path, key, "rdf", role, fmt.media_type, rdf_format=fmt, loaded_from=loaded_from)
    if suffix in TABLE_TYPES:
        mapping = _csvw_metadata(path)
        if mapping is None:
            return Problem(
                shown,
                f"no CSV on the Web mapping beside this table; write {path.name}-metadata.json "
                "(https://www.w3.org/TR/tabular-metadata/) to say what each column means",
            )
        return Source(path, key, "table", role, TABLE_TYPES[suffix], mapping=mapping, loaded_from=loaded_from)
    if suffix in RECORD_TYPES:
        return Source(
            path, key, "records", role, RECORD_TYPES[suffix], context=CONTEXT_FILE, loaded_from=loaded_from
        )
    return Problem(
        shown,
        f"unsupported format '{suffix or path.name}'; coopgraph reads Turtle, TriG, N-Triples, "
        "N-Quads, RDF/XML, JSON-LD, CSV or XLSX with a CSVW mapping, and JSON or YAML records",
    )


def discover(
    paths: list[Path], *, role: str = "data", prefix: str = ""
) -> tuple[list[Source], list[Problem]]:
    """The sources under ``paths`` (folders recursively), keyed by their path relative to the named path."""
    sources: list[Source] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            problems.append(Problem(str(root), "no such file or folder"))
            continue
        folder = (root.resolve().parent if root.is_file() else root.resolve()).name
        if root.is_file():
            candidates = [(root, root.name)]
        else:
            candidates = [
                (p, p.relative_to(root).as_posix())
                for p in sorted(root.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        for path, rel in candidates:
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            if root.is_dir() and (
                _is_mapping(path)
                or path.suffix.lower() in _DOCUMENTATION
                or path.name.upper().startswith(("README", "LICENSE"))
            ):
                continue
            found = describe(path, prefix + rel, role, loaded_from=posixpath.join(folder, rel))
            (problems if isinstance(found, Problem) else sources).append(found)  # type: ignore[arg-type]
    keys: dict[str, Path] = {}
    for source in sources:
        if source.key in keys:
            problems.append(
                Problem(
                    str(source.path),
                    f"same graph key '{source.key}' as {keys[source.key]}; "
                    "ingest them separately with different --prefix values",
                )
            )
        keys[source.key] = source.path
    return sources, problems


def replacing_another_file(sources: Iterable[Source], records: Mapping[str, GraphRecord]) -> list[str]:
    """Warnings for the sources that would replace a graph loaded from a file of the same name in
    another folder (a graph is named by the file's path below the folder given, not by the folder)."""
    warnings = []
    for source in sources:
        record = records.get(source.graph)
        before = record.loaded_from if record is not None else None
        if before and source.loaded_from and before != source.loaded_from:
            warnings.append(
                f"warning: {source.loaded_from} replaces the graph <{source.graph}> loaded from "
                f"{before}, another file of the same name; give --prefix to keep both"
            )
    return warnings
