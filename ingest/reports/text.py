"""The report in a terminal: the counts and the first findings, then where the whole report is."""

from __future__ import annotations

from ingest.reports.model import Report, display, term_text
from ingest.reports.words import where_text


def summary(report: Report, lang: str = "en", limit: int = 5, full: str | None = None) -> str:
    """Counts, what was checked, the first ``limit`` findings; ``full`` names the whole report."""
    counts = report.counts
    violations = counts.get("Violation", 0)
    warnings = counts.get("Warning", 0) + counts.get("Info", 0)
    if not report.checked:
        head = "nothing was checked: the store holds no shapes"
    else:
        scope = (
            "every node"
            if report.focus_nodes is None
            else f"{report.focus_nodes:,} node(s) the batch touches"
        )
        head = (
            f"{violations} violation(s), {warnings} warning(s); checked {scope} against "
            f"{len(report.shapes_graphs)} shapes graph(s) in {report.seconds:.2f} s"
        )
    lines = [head]
    for finding in report.findings[:limit]:
        label = finding.label(lang)
        focus = "" if finding.focus is None else term_text(finding.focus)
        about = f"{label} ({focus})" if label and focus else (label or focus)
        where = where_text(finding, lang)
        lines.append(f"  {finding.severity.upper():9} {where}{'  ' + about if about else ''}")
        detail = finding.message(lang)
        if finding.value is not None:
            detail += f" [value {display(finding.value)}]"
        lines.append(f"            {detail}")
        if finding.fix:
            lines.append(f"            fix: {finding.fix}")
    hidden = report.total - min(len(report.findings), limit)
    if hidden > 0:
        tail = f"  ... and {hidden} more"
        lines.append(
            tail
            + (
                f": the full report is in {full}"
                if full
                else " (write them all with --report FILE.html, .csv, .ttl or .jsonld)"
            )
        )
    elif full:
        lines.append(f"  the full report is in {full}")
    return "\n".join(lines)
