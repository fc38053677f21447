"""Rejected batches kept for repair, outside the store so that no query ever sees them.

``STORE/quarantine/{batch}/`` holds one N-Quads file with the batch's graphs (renamed
``graph/quarantine/{batch}/{key}``), a copy of each file as it was (``files/{key}``), the report as
JSON and as a SHACL report graph in Turtle, and a manifest naming the original files. A batch
rejected for its input (a file that cannot be read) is kept too, and loading the same graphs again
successfully clears it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from coopgraph import iris
from coopgraph.store import StoreTransaction
from ingest.errors import Problem
from ingest.reports.model import Report
from ingest.reports.render import render
from ingest.sources import Source


def area(root: Path) -> Path:
    return Path(root) / "quarantine"


def keep(
    root: Path,
    batch: str,
    tx: StoreTransaction,
    sources: list[Source],
    report: Any,
    problems: Iterable[Problem] = (),
) -> str:
    """Keep a rejected batch: what of it was loaded, a copy of each file as it was, and the report
    (the gate's ``report``, and the ``problems`` of input that could not be read)."""
    folder = area(root) / batch
    folder.mkdir(parents=True, exist_ok=False)
    entries = []
    with open(folder / "batch.nq", "wb") as out:
        for source in sources:
            graph = NamedNode(iris.graph_iri("quarantine", f"{batch}/{source.key}"))
            quads = (Quad(q.subject, q.predicate, q.object, graph) for q in tx.quads(source.graph))
            serialize(quads, out, format=RdfFormat.N_QUADS)
            copy = folder / "files" / source.key
            copy.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                shutil.copyfile(source.path, copy)
            entries.append(
                {
                    "key": source.key,
                    "file": str(source.path.resolve()),
                    "graph": graph.value,
                    "target": source.graph,
                    "role": source.role,
                }
            )
    model = Report.of(report, problems, subject=", ".join(e["file"] for e in entries))
    (folder / "report.json").write_bytes(render(model, "json"))
    (folder / "report.ttl").write_bytes(render(model, "turtle"))
    manifest = {
        "batch": batch,
        "rejected": datetime.now(UTC).isoformat(timespec="seconds"),
        "violations": model.counts.get("Violation", 0),
        "warnings": model.counts.get("Warning", 0),
        "sources": entries,
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return batch


def report(root: Path, batch: str) -> Report | None:
    """The report a quarantined batch was rejected with (None: no such batch)."""
    path = area(root) / batch / "report.json"
    if not path.is_file():
        return None
    return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))


def clear_loaded(root: Path, graphs: set[str]) -> list[str]:
    """Drop the quarantined batches whose every graph has now been loaded (the steward fixed them)."""
    cleared = []
    for entry in listing(root):
        targets = {s["target"] for s in entry["sources"]}
        if targets and targets <= graphs and drop(root, entry["batch"]):
            cleared.append(entry["batch"])
    return cleared


def listing(root: Path) -> list[dict[str, Any]]:
    base = area(root)
    if not base.is_dir():
        return []
    found = []
    for manifest in sorted(base.glob("*/manifest.json")):
        found.append(json.loads(manifest.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m["rejected"])


def drop(root: Path, batch: str) -> bool:
    folder = area(root) / batch
    if not (folder / "manifest.json").is_file():
        return False
    shutil.rmtree(folder)
    return True
