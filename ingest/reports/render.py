"""The report in the format a file name or a media type asks for."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.reports.csv_report import to_csv
from ingest.reports.html import Linker, to_html
from ingest.reports.model import Report
from ingest.reports.rdf import to_jsonld, to_turtle


@dataclass(frozen=True)
class ReportFormat:
    name: str
    media_type: str  # with its charset where it is text
    extensions: tuple[str, ...]
    write: Callable[[Report, str, Linker | None], bytes]


def _json(report: Report, lang: str, link: Linker | None) -> bytes:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str).encode("utf-8")


FORMATS: tuple[ReportFormat, ...] = (
    ReportFormat("turtle", "text/turtle", (".ttl",), lambda r, lang, link: to_turtle(r)),
    ReportFormat("jsonld", "application/ld+json", (".jsonld",), lambda r, lang, link: to_jsonld(r)),
    ReportFormat("json", "application/json", (".json",), _json),
    ReportFormat("csv", "text/csv", (".csv",), lambda r, lang, link: to_csv(r, lang)),
    ReportFormat("html", "text/html", (".html", ".htm"), lambda r, lang, link: to_html(r, lang, link)),
)
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
BY_NAME = {f.name: f for f in FORMATS}
#: The media types a report is offered in, the canonical ones first.
MEDIA_TYPES = tuple(f.media_type for f in FORMATS)


def format_for_path(path: Path) -> ReportFormat | None:
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if suffix in f.extensions), None)


def render(report: Report, fmt: ReportFormat | str, lang: str = "en", link: Linker | None = None) -> bytes:
    """The report as bytes in ``fmt`` (a format, its name or its media type)."""
    if isinstance(fmt, str):
        found = BY_NAME.get(fmt) or BY_MEDIA_TYPE.get(fmt)
        if found is None:
            raise ValueError(f"no report format '{fmt}'")
        fmt = found
    return fmt.write(report, lang, link)


def content_type(fmt: ReportFormat) -> str:
    return fmt.media_type + "; charset=utf-8"


def write(report: Report, path: Path, lang: str = "en") -> None:
    """Write the report to ``path`` in the format its extension names (ValueError for an unknown one)."""
    fmt = format_for_path(path)
    if fmt is None:
        known = ", ".join(e for f in FORMATS for e in f.extensions)
        raise ValueError(f"{path}: name the report file with one of the extensions {known}")
    path.write_bytes(render(report, fmt, lang))
