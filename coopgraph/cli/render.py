"""Text for the terminal: validation reports, ingest summaries and result tables."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from coopgraph import iris
from ingest.errors import Problem
from ingest.reports.model import from_problem
from ingest.reports.words import say


def term(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, NamedNode):
        return iris.compact(value.value)
    if isinstance(value, BlankNode):
        return f"_:{value.value}"
    if isinstance(value, Literal):
        if value.language:
            return f"{value.value}@{value.language}"
        datatype = value.datatype.value
        if datatype in (iris.PREFIXES["xsd"] + "string",):
            return value.value
        return f"{value.value} ({iris.compact(datatype)})"
    return str(value)


def problems(items: Sequence[Problem], lang: str = "en") -> str:
    """One line for each problem with the input (in ``lang``: what it is, where, and how to fix it)."""
    if lang == "en":
        lines = [f"error: {p}" for p in items[:50]]
    else:
        lines = []
        for p in items[:50]:
            finding = from_problem(p)
            where = finding.where()
            lines.append(f"{say(lang, 'error')}: {where + ': ' if where else ''}{finding.message(lang)}")
            lines.append("  " + say(lang, "fix-line", fix=finding.fix_in(lang)))
    if len(items) > 50:
        lines.append(say(lang, "more-errors", n=len(items) - 50))
    return "\n".join(lines)


def report(gate: Any, lang: str = "en", limit: int = 50) -> str:
    """A validation report a steward can act on: where, what, why, and what to do."""
    counts = gate.counts
    violations, warnings = counts.get("Violation", 0), counts.get("Warning", 0) + counts.get("Info", 0)
    scope = "every node" if gate.focus_nodes is None else f"{gate.focus_nodes:,} node(s) the batch touches"
    head = (
        f"{violations} violation(s), {warnings} warning(s); checked {scope} against "
        f"{len(gate.shapes_graphs)} shapes graph(s) in {gate.seconds:.2f} s"
    )
    out = [head]
    for finding in gate.findings[:limit]:
        where = finding.where()
        label = f" «{finding.focus_label}»" if finding.focus_label else ""
        out.append("")
        out.append(
            f"{finding.severity.upper():9} {where + '  ' if where else ''}{term(finding.focus)}{label}"
        )
        details = []
        if finding.path:
            details.append(f"path {finding.path}")
        if finding.value is not None:
            details.append(f"value {term(finding.value)}")
        if details:
            out.append("          " + "   ".join(details))
        message = finding.message(lang)
        if message:
            out.append(f"          {message}")
        if finding.fix:
            out.append(f"          fix: {finding.fix}")
        name = f" ({finding.shape_name})" if finding.shape_name else ""
        out.append(f"          shape {finding.shape}{name}, constraint sh:{finding.component}")
    hidden = violations + warnings - min(len(gate.findings), limit)
    if hidden > 0:
        out.append(f"\n... and {hidden} more (use --format json for all)")
    return "\n".join(out)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(variables: Sequence[str], rows: Iterable[Sequence[Any]], max_width: int = 60) -> str:
    cells = [[term(v) for v in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(variables)]
    line = "  ".join(_pad(v, w) for v, w in zip(variables, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join([line, rule, *body, f"({len(cells)} row{'s' if len(cells) != 1 else ''})"])
