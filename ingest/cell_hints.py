"""What a steward should do about a table cell: the hints the table checks add to their problems."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import Problem

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.-](\d{4})\s*$")
_THOUSANDS = re.compile(r"^\s*\d{1,3}([ ,.]\d{3})+([.,]\d+)?\s*$")


#: A hint in each language of the reports (English first: the one every problem keeps as its ``hint``).
Hints = dict[str, str]

_HINTS: dict[str, Hints] = {
    "date-day": {
        "en": "Write the date as YYYY-MM-DD: {iso}.",
        "vi": "Viết ngày theo dạng YYYY-MM-DD: {iso}.",
        "fr": "Écrivez la date sous la forme AAAA-MM-JJ : {iso}.",
    },
    "date-either": {
        "en": "Write the date as YYYY-MM-DD: {iso} if {day} is the day, {other} if it is the month.",
        "vi": "Viết ngày theo dạng YYYY-MM-DD: {iso} nếu {day} là ngày, {other} nếu đó là tháng.",
        "fr": "Écrivez la date sous la forme AAAA-MM-JJ : {iso} si {day} est le jour, "
        "{other} si c'est le mois.",
    },
    "month": {
        "en": "Write a month as YYYY-MM: {iso}.",
        "vi": "Viết tháng theo dạng YYYY-MM: {iso}.",
        "fr": "Écrivez un mois sous la forme AAAA-MM : {iso}.",
    },
    "date-spaces": {
        "en": "Remove the spaces around the date.",
        "vi": "Xoá các dấu cách quanh ngày tháng.",
        "fr": "Retirez les espaces autour de la date.",
    },
    "date": {
        "en": "Write the date as YYYY-MM-DD (or YYYY-MM, or YYYY for a year).",
        "vi": "Viết ngày theo dạng YYYY-MM-DD (hoặc YYYY-MM, hoặc YYYY cho một năm).",
        "fr": "Écrivez la date sous la forme AAAA-MM-JJ (ou AAAA-MM, ou AAAA pour une année).",
    },
    "thousands": {
        "en": "Write the number without thousands separators, with a dot before any decimals.",
        "vi": "Viết số không có dấu phân cách hàng nghìn, dùng dấu chấm trước phần thập phân.",
        "fr": "Écrivez le nombre sans séparateur de milliers, avec un point avant les décimales.",
    },
    "number": {
        "en": "Write a number: digits, a dot before any decimals, no unit or currency sign.",
        "vi": "Viết một số: chữ số, dấu chấm trước phần thập phân, không kèm đơn vị hay ký hiệu tiền tệ.",
        "fr": "Écrivez un nombre : des chiffres, un point avant les décimales, "
        "sans unité ni symbole monétaire.",
    },
    "cell-spaces": {
        "en": "Remove the spaces at the start or end of the cell: '{trimmed}'.",
        "vi": "Xoá các dấu cách ở đầu hoặc cuối ô: '{trimmed}'.",
        "fr": "Retirez les espaces au début ou à la fin de la cellule : '{trimmed}'.",
    },
    "spaces-removed": {
        "en": "The spaces were removed from what is stored; remove them from the cell too: '{trimmed}'.",
        "vi": "Các dấu cách đã được bỏ khỏi dữ liệu lưu trữ; hãy bỏ chúng khỏi ô nữa: '{trimmed}'.",
        "fr": "Les espaces ont été retirés de ce qui est stocké ; "
        "retirez-les aussi de la cellule : '{trimmed}'.",
    },
}


def _hint(key: str, **values: object) -> Hints:
    return {lang: text.format(**values) for lang, text in _HINTS[key].items()}


def value_hint(text: str, kind: str) -> str | None:
    """:func:`value_hints` in English."""
    hints = value_hints(text, kind)
    return hints["en"] if hints else None


def value_hints(text: str, kind: str) -> Hints | None:
    """How to write ``text`` as a valid ``kind`` (an XSD datatype's local name), when it can be guessed, in
    each language of the reports."""
    if kind in ("date", "gYearMonth", "gYear", "dateTime", "datetime"):
        day_first = _DAY_FIRST.match(text)
        if day_first:
            day, month, year = (int(g) for g in day_first.groups())
            iso = f"{year:04d}-{month:02d}-{day:02d}"
            if day > 12 >= month:  # unambiguous: the day comes first
                return _hint("date-day", iso=iso)
            return _hint("date-either", iso=iso, day=day, other=f"{year:04d}-{day:02d}-{month:02d}")
        month_year = _MONTH_YEAR.match(text)
        if month_year:
            month, year = (int(g) for g in month_year.groups())
            return _hint("month", iso=f"{year:04d}-{month:02d}")
        if text != text.strip():
            return _hint("date-spaces")
        return _hint("date")
    if kind in ("integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger"):
        return _hint("thousands" if _THOUSANDS.match(text) else "number")
    if text != text.strip():
        return _hint("cell-spaces", trimmed=text.strip())
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
        hints=_hint("spaces-removed", trimmed=text.strip()),
    )
