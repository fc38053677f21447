"""RDF Patch (the change format Apache Jena uses, ``application/rdf-patch``): write a delta, read one back.

A patch is one transaction: ``TX .``, a ``D`` line per statement removed, an ``A`` line per statement
added, ``TC .``. Each row is ``A S P O G .`` (no ``G`` for the default graph), terms written as in
N-Quads, blank nodes with their labels, so applying a patch to the store it came from restores the very
same nodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph
from pyoxigraph import Quad, RdfFormat

MEDIA_TYPE = "application/rdf-patch"

__all__ = ["MEDIA_TYPE", "parse", "rows"]


def rows(
    added: Iterable[Quad], removed: Iterable[Quad], headers: dict[str, str] | None = None
) -> Iterator[str]:
    """The lines of the patch (each ends with a line break): headers, removals, then additions."""
    for key, value in (headers or {}).items():
        yield f"H {key} {value} .\n"
    yield "TX .\n"
    for quad in sorted(removed, key=str):
        yield f"D {quad} .\n"
    for quad in sorted(added, key=str):
        yield f"A {quad} .\n"
    yield "TC .\n"


def parse(text: str) -> tuple[list[Quad], list[Quad]]:
    """The statements a patch adds and removes; a row that is not A, D, H, TX, TC or TA raises
    ValueError."""
    added: list[bytes] = []
    removed: list[bytes] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, _, rest = line.partition(" ")
        if code == "A":
            added.append(rest.encode() + b"\n")
        elif code == "D":
            removed.append(rest.encode() + b"\n")
        elif code not in ("H", "TX", "TC", "TA", "PA", "PD"):
            raise ValueError(f"line {number}: not an RDF Patch row: {line[:60]!r}")
    return _quads(added), _quads(removed)


def _quads(lines: list[bytes]) -> list[Quad]:
    return list(pyoxigraph.parse(b"".join(lines), format=RdfFormat.N_QUADS))
