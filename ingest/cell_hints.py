"""What a steward should do about a table cell: the hints the table checks add to their problems."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import Problem

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.-](\d{4})\s*$")
_THOUSANDS = re.compile(r"^\s*\d{1,3}([ ,.]\d{3})+([.,]\d+)?\s*$")


def value_hint(text: str, kind: str) -> str | None:
    """How to write ``text`` as a valid ``kind`` (an XSD datatype's local name), when it can be guessed."""
    if kind in ("date", "gYearMonth", "gYear", "dateTime", "datetime"):
        day_first = _DAY_FIRST.match(text)
        if day_first:
            day, month, year = (int(g) for g in day_first.groups())
            if day > 12 >= month:  # unambiguous: the day comes first
                return f"Write the date as YYYY-MM-DD: {year:04d}-{month:02d}-{day:02d}."
            return (
                f"Write the date as YYYY-MM-DD: {year:04d}-{month:02d}-{day:02d} if {day} is the day, "
                f"{year:04d}-{day:02d}-{month:02d} if it is the month."
            )
        month_year = _MONTH_YEAR.match(text)
        if month_year:
            month, year = (int(g) for g in month_year.groups())
            return f"Write a month as YYYY-MM: {year:04d}-{month:02d}."
        if text != text.strip():
            return "Remove the spaces around the date."
        return "Write the date as YYYY-MM-DD (or YYYY-MM, or YYYY for a year)."
    if kind in ("integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger"):
        if _THOUSANDS.match(text):
            return "Write the number without thousands separators, with a dot before any decimals."
        return "Write a number: digits, a dot before any decimals, no unit or currency sign."
    if text != text.strip():
        return f"Remove the spaces at the start or end of the cell: '{text.strip()}'."
    return None


def stray_spaces(data: Path, line: int, column: str | None, text: str) -> Problem:
    """A warning: a cell started or ended with spaces (removed before the cell is mapped: they would end up
    in names, and as %20 in identifiers)."""
    return Problem(
        str(data),
        f"stray spaces at the start or end of '{text}' (removed: '{text.strip()}' is what is stored)",
        line=line,
        column=column,
        kind="mapping",
        severity="Warning",
        value=text,
        hint=f"The spaces were removed from what is stored; remove them from the cell too: '{text.strip()}'.",
    )
