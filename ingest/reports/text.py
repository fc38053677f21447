"""The report in a terminal: the counts and the first findings, then where the whole report is."""

from __future__ import annotations

from ingest.reports.model import Report, display, term_text


def summary(report: Report, lang: str = "en", limit: int = 3, full: str | None = None) -> str:
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
        where = finding.where()
        focus = "" if finding.focus is None else term_text(finding.focus)
        label = finding.label(lang)
        about = focus + (f" «{label}»" if label else "")
        lines.append("")
        lines.append(f"{finding.severity.upper():9} {where + '  ' if where else ''}{about}".rstrip())
        details = []
        if finding.path:
            details.append(f"path {finding.path}")
        if finding.value is not None:
            details.append(f"value {display(finding.value)}")
        if details:
            lines.append("          " + "   ".join(details))
        lines.append(f"          {finding.message(lang)}")
        if finding.fix:
            lines.append(f"          fix: {finding.fix}")
        name = finding.name(lang)
        if finding.kind == "shacl":
            named = f" ({name})" if name else ""
            lines.append(f"          shape {finding.shape}{named}, constraint sh:{finding.component}")
        else:
            lines.append(f"          check: {name}")
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
