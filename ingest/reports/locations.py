"""Where in a table a validation result comes from: the row that describes its focus node, and the
column that gives the value (or, for a missing value, the empty cell that should have given it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from ingest.csvw_rdf import Cell, table_cells
from ingest.errors import IngestError
from ingest.sources import Source


@dataclass(frozen=True)
class CellLocation:
    file: str
    row: int
    column: str | None
    sheet: str | None = None


def table_locations(results: Sequence[Any], sources: Mapping[str, Source]) -> dict[int, CellLocation]:
    """The cell of each result (by its index in ``results``) whose focus node a table of ``sources``
    describes. Each table is read once, for all the results."""
    tables = [s for s in sources.values() if s.kind == "table" and s.mapping is not None]
    wanted = {r.focus_node.value for r in results if isinstance(r.focus_node, NamedNode)}
    if not tables or not wanted:
        return {}
    located: dict[int, CellLocation] = {}
    for source in tables:
        assert source.mapping is not None
        try:
            sheet, cells = table_cells(source.path, source.mapping, wanted)
        except (IngestError, OSError, ValueError):
            continue
        for index, result in enumerate(results):
            focus = result.focus_node
            if index in located or not isinstance(focus, NamedNode) or focus.value not in cells:
                continue
            row, column = _best_cell(cells[focus.value], result)
            located[index] = CellLocation(str(source.path), row, column, sheet)
    return located


def _best_cell(cells: list[tuple[int, Cell]], result: Any) -> tuple[int, str | None]:
    """The cell giving the result's path: the one holding its value, else an empty one (a missing value),
    else any; the row alone when no column maps the path."""
    path = result.result_path
    predicate = path.value if isinstance(path, NamedNode) else None
    on_path = [(line, cell) for line, cell in cells if predicate is not None and cell[2].value == predicate]
    value = result.value
    for line, cell in on_path:
        if value is not None and cell[3] == value:
            return line, cell[0]
    for line, cell in on_path:
        if value is None and cell[3] is None:
            return line, cell[0]
    if on_path:
        return on_path[0][0], on_path[0][1][0]
    return cells[0][0], None
