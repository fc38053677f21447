"""Is a literal's text valid for its XSD datatype? (Oxigraph stores "2024-13-45"^^xsd:date without a word.)"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"
_PATTERNS = {
    "gYear": _YEAR + _TZ,
    "gYearMonth": _YEAR + r"-(0[1-9]|1[0-2])" + _TZ,
    "gMonth": r"--(0[1-9]|1[0-2])" + _TZ,
    "gDay": r"---(0[1-9]|[12]\d|3[01])" + _TZ,
    "gMonthDay": r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ,
    "time": r"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)" + _TZ,
    "integer": r"[+-]?\d+",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN",
    "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN",
    "boolean": r"true|false|1|0",
    "duration": r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?",
}
_MATCHERS: dict[str, Callable[[str], object]] = {k: re.compile(v).fullmatch for k, v in _PATTERNS.items()}
_DATE = re.compile(_YEAR + r"-(\d\d)-(\d\d)" + _TZ)
_DATETIME = re.compile(
    _YEAR + r"-(\d\d)-(\d\d)T(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)" + _TZ
)


def _real_day(year: str, month: str, day: str) -> bool:
    y = int(year)
    # the calendar repeats every 400 years; keep the year inside Python's range
    try:
        datetime.date(y % 400 + 2000, int(month), int(day))
    except ValueError:
        return False
    return True


def _date(text: str) -> bool:
    m = _DATE.fullmatch(text)
    return bool(m) and _real_day(m.group(1), m.group(2), m.group(3))


def _datetime(text: str) -> bool:
    m = _DATETIME.fullmatch(text)
    return bool(m) and _real_day(m.group(1), m.group(2), m.group(3))


_MATCHERS["date"] = _date
_MATCHERS["dateTime"] = _datetime

#: The local names of the XSD datatypes checked here.
CHECKED = frozenset(_MATCHERS)


def valid(datatype: str, text: str) -> bool:
    """False when ``datatype`` (local name or XSD IRI) is checked here and ``text`` is not valid for it."""
    check = _MATCHERS.get(datatype.removeprefix(XSD))
    return check is None or bool(check(text))
