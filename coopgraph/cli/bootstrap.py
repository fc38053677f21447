"""What a new store starts with: the ontology, the vocabularies, the shapes and the seed dataset."""

from __future__ import annotations

from pathlib import Path

from coopgraph.settings import PROJECT_ROOT
from ingest.errors import Problem
from ingest.sources import Source, discover

#: (files or folders, role, key prefix); ontology/ also holds the context and mappings, not RDF to load.
SYSTEM = (
    (sorted((PROJECT_ROOT / "ontology").glob("*.ttl")), "ontology", ""),
    ([PROJECT_ROOT / "ontology" / "vocabularies"], "vocabulary", ""),
    ([PROJECT_ROOT / "shapes"], "shapes", ""),
)
SEED = ([PROJECT_ROOT / "data"], "data", "seed/")


def sources(seed: bool = True) -> tuple[list[Source], list[Problem]]:
    found: list[Source] = []
    problems: list[Problem] = []
    for paths, role, prefix in SYSTEM + ((SEED,) if seed else ()):
        existing = [Path(p) for p in paths if Path(p).exists()]
        if not existing:
            continue
        s, p = discover(existing, role=role, prefix=prefix)
        found += s
        problems += p
    return found, problems
