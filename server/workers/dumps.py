"""The dumps: the whole dataset as gzipped N-Quads, TriG and JSON-LD, and each named graph as gzipped
N-Quads, written once per store generation into a directory of their own, with a manifest (size,
SHA-256, format, graph) that the server and ``coopgraph export --dumps`` share.

Every file is streamed from the store into gzip (memory stays flat however large the store), into a
private folder first, which is renamed into place when complete: a reader sees all the files of a
generation or none, and two workers producing the same generation at once both end with the same one.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from pyoxigraph import Quad, RdfFormat

from coopgraph import iris
from coopgraph.store import DEFAULT_GRAPH, ReadView
from server.workers import jsonld

MANIFEST = "manifest.json"
#: Seconds after which a half-written folder is taken as left by a killed worker.
STALE_PARTIAL = 24 * 3600
#: The whole dataset, by file name: (media type of the content, format, or None for JSON-LD).
WHOLE = {
    "coopgraph.nq.gz": ("application/n-quads", RdfFormat.N_QUADS),
    "coopgraph.trig.gz": ("application/trig", RdfFormat.TRIG),
    "coopgraph.jsonld.gz": ("application/ld+json", None),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class DumpFile:
    name: str
    media_type: str  #: of the content, once decompressed
    size: int
    sha256: str
    graph: str | None = None  #: None: the whole dataset
    triples: int | None = None


class _Counting(io.RawIOBase):
    """A binary sink that hashes and counts what passes through it into ``out``."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.sha, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.sha.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)


def _gzipped(path: Path, write: Callable[[IO[bytes]], None]) -> tuple[int, str]:
    """Write ``path`` gzipped (fixed mtime: the same data gives the same bytes); its size and SHA-256."""
    with path.open("wb") as raw:
        counting = _Counting(raw)
        with gzip.GzipFile(filename="", mode="wb", fileobj=counting, mtime=0, compresslevel=6) as zipped:
            write(zipped)  # type: ignore[arg-type]
    return counting.size, counting.sha.hexdigest()


def graph_file_name(graph: str, taken: set[str]) -> str:
    """``graph-data-seed-agreements.yaml.nq.gz`` for ``…/graph/data/seed/agreements.yaml``."""
    tail = graph[len(iris.GRAPH) :] if graph.startswith(iris.GRAPH) else graph
    stem = "graph-" + (_UNSAFE.sub("-", tail).strip("-.") or "unnamed")
    name, n = f"{stem}.nq.gz", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.nq.gz"
    taken.add(name)
    return name


def _all_quads(view: ReadView, graphs: list[str]) -> Iterator[Quad]:
    for graph in graphs:
        yield from view.quads(graph)


def write_dumps(view: ReadView, target: Path, context_url: str) -> list[DumpFile]:
    """Every dump file of the view's generation into ``target`` (a new folder), and their manifest."""
    target.mkdir(parents=True, exist_ok=True)
    graphs = [DEFAULT_GRAPH, *sorted(view.graph_names())]
    files: list[DumpFile] = []
    for name, (media, fmt) in WHOLE.items():
        if fmt is None:

            def write(out: IO[bytes]) -> None:
                text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
                jsonld.write_dataset(text, _all_quads(view, graphs), context_url)
                text.flush()
                text.detach()

        else:

            def write(out: IO[bytes], fmt: RdfFormat = fmt) -> None:
                view.dump(out, fmt, None)

        size, sha = _gzipped(target / name, write)
        files.append(DumpFile(name, media, size, sha))
    taken: set[str] = set(WHOLE)
    records = view.records()
    for graph in graphs[1:]:
        name = graph_file_name(graph, taken)
        size, sha = _gzipped(target / name, lambda out, g=graph: view.dump(out, RdfFormat.N_QUADS, g))
        record = records.get(graph)
        files.append(
            DumpFile(name, "application/n-quads", size, sha, graph, record.triples if record else None)
        )
    manifest = {
        "generation": view.generation,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "context": context_url,
        "files": [asdict(f) for f in files],
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (target / "SHA256SUMS").write_text("".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8")
    return files


def folder_name(generation: str, context_url: str) -> str:
    """One folder per generation and JSON-LD context address (the JSON-LD dump names its context)."""
    return f"{generation}-{hashlib.sha256(context_url.encode()).hexdigest()[:8]}"


def ensure_dumps(view: ReadView, directory: Path, context_url: str) -> tuple[Path, dict[str, object]]:
    """The folder of the view's generation, produced if missing; older generations' folders go."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / folder_name(view.generation, context_url)
    if not (final / MANIFEST).exists():
        work = Path(tempfile.mkdtemp(prefix=".partial-", dir=directory))
        try:
            write_dumps(view, work / "files", context_url)
            with contextlib.suppress(OSError):  # another worker finished first: same content, keep it
                os.rename(work / "files", final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for old in directory.iterdir():
            # older generations go; so do folders a killed worker left half-written a while ago
            partial = old.name.startswith(".partial-")
            if old.name != final.name and (not partial or time.time() - old.stat().st_mtime > STALE_PARTIAL):
                shutil.rmtree(old, ignore_errors=True)
    return final, json.loads((final / MANIFEST).read_text(encoding="utf-8"))
