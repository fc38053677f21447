"""The report as CSV for spreadsheets: one finding a row, in the report's language, its column headers
too (UTF-8 with a byte order mark, so that Excel reads Vietnamese as it is)."""

from __future__ import annotations

import csv
import io

from ingest.reports.model import Finding, Report, display, term_text
from ingest.reports.words import column_name

COLUMNS = (
    "severity",
    "kind",
    "file",
    "sheet",
    "row",
    "line",
    "column",
    "graph",
    "resource",
    "label",
    "path",
    "value",
    "message",
    "fix",
    "check",
    "shape",
    "constraint",
)


def _row(finding: Finding, lang: str) -> list[str]:
    def text(value: object) -> str:
        return "" if value is None else str(value)

    return [
        finding.severity,
        finding.kind,
        text(finding.file),
        text(finding.sheet),
        text(finding.row),
        text(finding.line),
        text(finding.column),
        text(finding.graph),
        "" if finding.focus is None else term_text(finding.focus),
        text(finding.label(lang)),
        text(finding.path),
        "" if finding.value is None else display(finding.value),
        finding.message(lang),
        text(finding.fix_in(lang)),
        text(finding.name(lang)),
        finding.shape,
        finding.component,
    ]


def to_csv(report: Report, lang: str = "en") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column_name(lang, c) for c in COLUMNS])
    for finding in report.findings:
        writer.writerow(_row(finding, lang))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
