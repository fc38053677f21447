"""Rejected batches kept for repair, outside the store so that no query ever sees them.

``STORE/quarantine/{batch}/`` holds one N-Quads file with the batch's graphs (renamed
``graph/quarantine/{batch}/{key}``), the validation report as JSON and as a SHACL report graph
in Turtle, and a manifest naming the original files.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from coopgraph import iris
from coopgraph.store import StoreTransaction
from ingest.sources import Source


def area(root: Path) -> Path:
    return Path(root) / "quarantine"


def keep(root: Path, batch: str, tx: StoreTransaction, sources: list[Source], report: Any) -> str:
    folder = area(root) / batch
    folder.mkdir(parents=True, exist_ok=False)
    entries = []
    with open(folder / "batch.nq", "wb") as out:
        for source in sources:
            graph = NamedNode(iris.graph_iri("quarantine", f"{batch}/{source.key}"))
            quads = (Quad(q.subject, q.predicate, q.object, graph) for q in tx.quads(source.graph))
            serialize(quads, out, format=RdfFormat.N_QUADS)
            entries.append(
                {
                    "key": source.key,
                    "file": str(source.path.resolve()),
                    "graph": graph.value,
                    "target": source.graph,
                    "role": source.role,
                }
            )
    (folder / "report.json").write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    if report.raw is not None:
        report.raw.to_rdflib().serialize(folder / "report.ttl", format="turtle")
    manifest = {
        "batch": batch,
        "rejected": datetime.now(UTC).isoformat(timespec="seconds"),
        "violations": report.counts.get("Violation", 0),
        "warnings": report.counts.get("Warning", 0),
        "sources": entries,
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return batch


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
