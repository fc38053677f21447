"""The history of an embedded store: every change published as a numbered version, with its delta.

Layout, beside ``gens/`` in the store directory::

    history/v00000007.json          the version: number, generation, time, who, kind, message,
                                    per-graph counts, validation summary
    history/v00000007.added.nq.gz   the statements it added (N-Quads, gzipped)
    history/v00000007.removed.nq.gz the statements it removed
    history/retention.json          how many versions, or days, to keep (absent: all)

A version is written by the transaction that makes the change, under the write lock, *before* the
transaction renames ``CURRENT``: its delta files first, then its record, all fsynced. The record names
the generation the change publishes, and a record counts only while that generation is published or
older (generation names only grow). A writer killed before the rename leaves a record that names a
generation newer than the published one: readers skip it and the next writer removes it. A writer
killed after the rename has published both. So there is never a version without its change, nor a
published change without its version, and the deltas outlive the generations (compaction and reclaim
of old generations touch ``gens/`` only).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat

from coopgraph.store.generations import Generations
from coopgraph.store.input_delta import FileRead, input_delta, stored_delta
from coopgraph.store.protocol import DEFAULT_GRAPH, ChangeNote, LoadedFile, graph_node

__all__ = [
    "ChangeNote",
    "Delta",
    "History",
    "Retention",
    "Version",
    "WrittenPart",
    "compose",
    "graph_delta",
    "graph_name",
    "undo_after",
    "view_at",
]

_RECORD = re.compile(r"^v(\d{8})\.json$")
_DELTA = re.compile(r"^v(\d{8})\.(added|removed)\.nq\.gz$")


@dataclass(frozen=True)
class WrittenPart:
    """A new graph's statements as a gzip member of N-Quads, written from the file it was loaded from
    (see :mod:`coopgraph.store.input_delta`)."""

    graph: str
    gzipped: bytes
    count: int

    def quads(self) -> list[Quad]:
        return list(pyoxigraph.parse(gzip.decompress(self.gzipped), format=RdfFormat.N_QUADS))


@dataclass
class Delta:
    """Statements added and removed by one change (set semantics: none in both lists)."""

    added: list[Quad] = field(default_factory=list)
    removed: list[Quad] = field(default_factory=list)
    #: Added too, not held as quads: new graphs written from their files (only in a delta being recorded).
    written: list[WrittenPart] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or any(p.count for p in self.written))

    def inverse(self) -> Delta:
        added = [*self.added, *(q for part in self.written for q in part.quads())]
        return Delta(added=list(self.removed), removed=added)

    def counts(self) -> dict[str, dict[str, int]]:
        """Graph name -> {"added": n, "removed": n}."""
        out: dict[str, dict[str, int]] = {}
        for key, quads in (("added", self.added), ("removed", self.removed)):
            for q in quads:
                out.setdefault(graph_name(q), {"added": 0, "removed": 0})[key] += 1
        for part in self.written:
            out.setdefault(part.graph, {"added": 0, "removed": 0})["added"] += part.count
        return dict(sorted(out.items()))


def graph_name(quad: Quad) -> str:
    g = quad.graph_name
    return DEFAULT_GRAPH if isinstance(g, DefaultGraph) else g.value  # type: ignore[union-attr]


@dataclass
class Version:
    number: int
    generation: str
    time: str
    who: str
    kind: str
    message: str | None
    graphs: dict[str, dict[str, int]]
    validation: dict[str, Any] | None = None

    @property
    def added(self) -> int:
        return sum(c["added"] for c in self.graphs.values())

    @property
    def removed(self) -> int:
        return sum(c["removed"] for c in self.graphs.values())

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.time)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Version:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Retention:
    """How much history to keep: the newest ``versions`` versions and those younger than ``days``
    (both: a version goes when either says so). None: no limit."""

    versions: int | None = None
    days: float | None = None


def graph_delta(
    before: pyoxigraph.Store | None,
    after: pyoxigraph.Store,
    graphs: Iterable[str] | None,
    inputs: Mapping[str, LoadedFile] | None = None,
    reads: Mapping[str, FileRead] | None = None,
    added: Mapping[str, tuple[bytes, int]] | None = None,
) -> Delta:
    """What changed from ``before`` to ``after`` in ``graphs`` (None: every graph of either store).

    Each graph is compared as a set of quads: memory and time grow with the size of the graphs a change
    touches, not with the store. A new graph that one load of a file made (``inputs``: graph -> the file)
    is written from the file, not read back (see :mod:`coopgraph.store.input_delta`), using the read of
    the file made during the load where there is one (``reads``: graph -> its read); a new graph one
    addition of statements made (a table), from those statements (``added``: graph -> the gzipped N-Quads
    and their count, :class:`coopgraph.store.input_delta.AddedQuads`); any other new graph is written out
    by the store's serializer (:func:`coopgraph.store.input_delta.stored_delta`)."""
    if graphs is None:
        names = {DEFAULT_GRAPH} | {g.value for g in after.named_graphs()}  # type: ignore[union-attr]
        if before is not None:
            names |= {g.value for g in before.named_graphs()}  # type: ignore[union-attr]
        graphs = names
    delta = Delta()
    for graph in sorted(set(graphs)):
        node = graph_node(graph)
        if before is None or not _holds(before, graph):  # a new graph: no set to compare with
            source, written = (inputs or {}).get(graph), (added or {}).get(graph)
            if written is None and source is not None:
                written = input_delta(after, graph, source, (reads or {}).get(graph))
            delta.written.append(WrittenPart(graph, *(written or stored_delta(after, graph))))
            continue
        if not _holds(after, graph):  # a graph dropped whole
            delta.removed.extend(before.quads_for_pattern(None, None, None, node))
            continue
        old = set(before.quads_for_pattern(None, None, None, node))
        new = set(after.quads_for_pattern(None, None, None, node))
        delta.added.extend(new - old)
        delta.removed.extend(old - new)
    return delta


def _holds(store: pyoxigraph.Store, graph: str) -> bool:
    return graph == DEFAULT_GRAPH or store.contains_named_graph(NamedNode(graph))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _begin_file(path: Path, written: Iterable[WrittenPart]) -> None:
    """Start a delta file with the members already gzipped (a gzip file may hold several); the rest is
    appended by :func:`_write_quads`."""
    with open(path, "wb") as raw:
        for part in written:
            raw.write(part.gzipped)


def _write_quads(path: Path, quads: list[Quad]) -> None:
    """Append the quads to a delta file as one gzip member of N-Quads, and make the file durable."""
    with open(path, "ab") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out:
            pyoxigraph.serialize(quads, out, RdfFormat.N_QUADS)
        raw.flush()
        os.fsync(raw.fileno())


def _read_quads(path: Path) -> list[Quad]:
    with gzip.open(path, "rb") as inp:
        return list(pyoxigraph.parse(inp, format=RdfFormat.N_QUADS))


class History:
    """The versions of the store at ``root`` (see the module's documentation)."""

    def __init__(self, root: Path) -> None:
        self.dir = Path(root) / "history"

    def published(self) -> str | None:
        """The published generation (the versions up to it are the store's history)."""
        return Generations(self.dir.parent).current()

    def _record_path(self, number: int) -> Path:
        return self.dir / f"v{number:08d}.json"

    def _delta_path(self, number: int, part: str) -> Path:
        return self.dir / f"v{number:08d}.{part}.nq.gz"

    # ------------------------------------------------------------------ reading
    def _numbers(self) -> list[int]:
        """The numbers of the records on disk, published or not, oldest first."""
        if not self.dir.is_dir():
            return []
        return sorted(int(m.group(1)) for name in os.listdir(self.dir) if (m := _RECORD.match(name)))

    def _load(self, number: int) -> Version | None:
        try:
            return Version.from_dict(json.loads(self._record_path(number).read_text(encoding="utf-8")))
        except (FileNotFoundError, json.JSONDecodeError):
            return None  # pruned meanwhile

    def versions(self, published: str | None) -> list[Version]:
        """The versions up to the published generation ``published``, oldest first."""
        if published is None:
            return []
        found = (self._load(n) for n in self._numbers())
        return [v for v in found if v is not None and v.generation <= published]

    def latest(self, published: str | None) -> Version | None:
        """The newest published version (reads only the newest records)."""
        if published is None:
            return None
        for number in reversed(self._numbers()):
            version = self._load(number)
            if version is not None and version.generation <= published:
                return version
        return None

    def version(self, number: int, published: str | None) -> Version | None:
        found = self._load(number)
        if found is None or published is None or found.generation > published:
            return None
        return found

    def delta(self, number: int) -> Delta:
        return Delta(
            added=_read_quads(self._delta_path(number, "added")),
            removed=_read_quads(self._delta_path(number, "removed")),
        )

    def touches(self, number: int, iri: str) -> bool:
        """Whether version ``number`` added or removed a statement with ``iri`` as subject or object. Only
        the lines naming the IRI are parsed (a version that loaded a million statements is read, not
        parsed, to answer for one resource)."""
        token = f"<{iri}>".encode()
        node = NamedNode(iri)
        for part in ("added", "removed"):
            with gzip.open(self._delta_path(number, part), "rb") as inp:
                data = inp.read()
            if token not in data:
                continue
            lines = b"\n".join(line for line in data.split(b"\n") if token in line)
            if any(q.subject == node or q.object == node for q in pyoxigraph.parse(lines, RdfFormat.N_QUADS)):
                return True
        return False

    def retention(self) -> Retention:
        try:
            data = json.loads((self.dir / "retention.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Retention()
        return Retention(versions=data.get("versions"), days=data.get("days"))

    def disk_bytes(self) -> int:
        if not self.dir.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.dir.iterdir() if p.is_file())

    # ------------------------------------------------------------------ writing (under the write lock)
    def forget_unpublished(self, published: str | None) -> None:
        """Remove what a writer killed before publishing left: records naming a generation newer than
        the published one (they can only be the newest), and delta files without a record."""
        if not self.dir.is_dir():
            return
        latest = self.latest(published)
        last = latest.number if latest is not None else 0
        for number in self._numbers():
            if number > last:
                self._remove(number)
        for name in os.listdir(self.dir):
            m = _DELTA.match(name)
            if (
                m and (int(m.group(1)) > last or not self._record_path(int(m.group(1))).exists())
            ) or name.endswith(".tmp"):
                (self.dir / name).unlink(missing_ok=True)

    def record(
        self, generation: str, published: str | None, note: ChangeNote | None, delta: Delta
    ) -> Version:
        """Write the version that ``generation`` will publish (before it is published)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        previous = self.latest(published)
        number = previous.number + 1 if previous is not None else 1
        note = note or ChangeNote(kind="write")
        version = Version(
            number=number,
            generation=generation,
            time=datetime.now(UTC).isoformat(timespec="milliseconds"),
            who=note.who or _user(),
            kind=note.kind,
            message=note.message,
            graphs=delta.counts(),
            validation=note.validation,
        )
        for part, quads, written in (("added", delta.added, delta.written), ("removed", delta.removed, ())):
            _begin_file(self._delta_path(number, part), written)
            _write_quads(self._delta_path(number, part), quads)
        tmp = self.dir / f"v{number:08d}.json.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(version.as_dict(), fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._record_path(number))
        _fsync(self.dir)
        _fsync(self.dir.parent)
        return version

    def discard(self, version: Version) -> None:
        """Remove a version whose generation was not published."""
        self._remove(version.number)

    def set_retention(self, retention: Retention) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / "retention.json"
        if retention == Retention():
            path.unlink(missing_ok=True)
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(retention)), encoding="utf-8")
        os.replace(tmp, path)

    def prune(self, published: str | None, now: datetime | None = None) -> list[int]:
        """Remove the versions the retention setting no longer keeps (the newest is always kept); the
        record goes first, so no version is ever left without its change."""
        retention = self.retention()
        versions = self.versions(published)
        if retention == Retention() or len(versions) < 2:
            return []
        now = now or datetime.now(UTC)
        newest = versions[-1].number
        keep_from = newest - max(retention.versions, 1) + 1 if retention.versions is not None else 0
        limit = now - timedelta(days=retention.days) if retention.days is not None else None
        drop = [
            v
            for v in versions
            if v.number != newest and (v.number < keep_from or (limit is not None and v.when < limit))
        ]
        for v in drop:
            self._remove(v.number)
        return [v.number for v in drop]

    def _remove(self, number: int) -> None:
        self._record_path(number).unlink(missing_ok=True)
        for part in ("added", "removed"):
            self._delta_path(number, part).unlink(missing_ok=True)


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"uid {os.getuid()}"


def compose(deltas: Iterable[Delta]) -> Delta:
    """The net change of several changes applied in order (a statement added then removed is no change)."""
    added: dict[Quad, None] = {}
    removed: dict[Quad, None] = {}
    for delta in deltas:
        for q in delta.removed:
            if q in added:
                del added[q]
            else:
                removed[q] = None
        for q in delta.added:
            if q in removed:
                del removed[q]
            else:
                added[q] = None
    return Delta(added=list(added), removed=list(removed))


def undo_after(history: History, view: Any, number: int) -> Delta:
    """What undoes every version after ``number`` on the published dataset (``view``, a
    :class:`coopgraph.store.ReadView`); ValueError when ``number`` is not a version the store keeps, or a
    later one is gone."""
    published = [v.number for v in history.versions(getattr(view, "generation", None))]
    later = [n for n in published if n > number]
    newest = published[-1] if published else 0
    if number not in published or later != list(range(number + 1, newest + 1)):
        kept = f"versions {published[0]}-{newest}" if published else "no version"
        raise ValueError(f"no version {number} to rebuild: the store keeps {kept}")
    return compose(history.delta(n) for n in later).inverse()


def view_at(history: History, view: Any, number: int) -> Any:
    """The dataset as it stood right after version ``number``, as a read view (a
    :class:`coopgraph.store.ReadView`, queried as the published one is), named after the published
    generation it was rebuilt from.

    The rebuilt dataset is a copy of the published generation (hard links, as a transaction's copy is)
    with every later version undone, kept among the generation's derived files (made under a temporary
    name, renamed into place, removed with the generation): it costs the later versions' deltas, once
    per generation and version. ValueError when a version it needs is no longer kept."""
    from coopgraph.store.local import LocalView  # the embedded store's own: a copy of its generation

    undo = undo_after(history, view, number)
    target = view.derived_file(f"at-v{number}")
    if not target.exists():
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        view._store.backup(str(tmp))
        copy = pyoxigraph.Store(str(tmp))
        for quad in undo.removed:
            copy.remove(quad)
        copy.extend(undo.added)  # quads as they are: blank nodes keep their labels
        copy.flush()
        del copy  # closed before it is renamed
        try:
            os.rename(tmp, target)
        except OSError:  # another process made it first
            shutil.rmtree(tmp, ignore_errors=True)
    return LocalView(pyoxigraph.Store.read_only(str(target)), view.generation, target.parent)
