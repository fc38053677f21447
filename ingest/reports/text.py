"""The report in a terminal: the counts and the first findings, then where the whole report is."""

from __future__ import annotations

from ingest.reports.model import Report, display, term_text
from ingest.reports.words import say


def summary(report: Report, lang: str = "en", limit: int = 3, full: str | None = None) -> str:
    """Counts, what was checked, the first ``limit`` findings; ``full`` names the whole report (every
    line in ``lang``: the report's words, and the shapes' messages and fixes in that language)."""
    counts = report.counts
    violations = counts.get("Violation", 0)
    warnings = counts.get("Warning", 0) + counts.get("Info", 0)
    if not report.checked:
        head = say(lang, "nothing-checked")
    else:
        scope = (
            say(lang, "every-node")
            if report.focus_nodes is None
            else say(lang, "nodes", n=f"{report.focus_nodes:,}")
        )
        head = say(
            lang,
            "head",
            violations=violations,
            warnings=warnings,
            scope=scope,
            graphs=len(report.shapes_graphs),
            seconds=f"{report.seconds:.2f}",
        )
    lines = [head]
    for finding in report.findings[:limit]:
        where = finding.where()
        focus = "" if finding.focus is None else term_text(finding.focus)
        label = finding.label(lang)
        about = focus + (f" «{label}»" if label else "")
        severity = say(lang, "one-" + finding.severity).upper()
        lines.append("")
        lines.append(f"{severity:9} {where + '  ' if where else ''}{about}".rstrip())
        details = []
        if finding.path:
            details.append(say(lang, "path-of", path=finding.path))
        if finding.value is not None:
            details.append(say(lang, "value-of", value=display(finding.value)))
        if details:
            lines.append("          " + "   ".join(details))
        lines.append(f"          {finding.message(lang)}")
        fix = finding.fix_in(lang)
        if fix:
            lines.append("          " + say(lang, "fix-line", fix=fix))
        name = finding.name(lang)
        if finding.kind == "shacl":
            named = f" ({name})" if name else ""
            shape_line = say(lang, "shape-line", shape=finding.shape, name=named, component=finding.component)
            lines.append("          " + shape_line)
        else:
            lines.append("          " + say(lang, "check-line", name=name))
    hidden = report.total - min(len(report.findings), limit)
    if hidden > 0:
        lines.append(
            "  " + (say(lang, "more-in", n=hidden, path=full) if full else say(lang, "more-write", n=hidden))
        )
    elif full:
        lines.append("  " + say(lang, "full-in", path=full))
    return "\n".join(lines)
