"""sh:datatype as a SPARQL expression: right datatype AND a well-formed lexical form.

Oxigraph stores ill-typed literals such as ``"2024-13-45"^^xsd:date`` as they are, so the datatype IRI
alone is not enough: a value is well-typed when the XPath cast of its lexical form succeeds, or, for
types Oxigraph cannot cast to, when it matches the XSD lexical pattern.

The store also rewrites well-typed literals of the derived integer types (``"3"^^xsd:int`` is stored as
``"3"^^xsd:integer``). With ``lenient_integers`` (the default) an xsd:integer value inside the range of
the derived type therefore counts as having that type, since the store cannot tell the two apart.
"""

from __future__ import annotations

import pyoxigraph as ox

from .terms import RDF, XSD

_X = XSD.base
# XSD types Oxigraph can cast to (XPath constructor functions)
CASTABLE = {
    _X + n
    for n in (
        "boolean",
        "decimal",
        "integer",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
        "gYear",
        "gYearMonth",
        "gMonth",
        "gMonthDay",
        "gDay",
    )
}
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    _X + "nonNegativeInteger": (0, None),
    _X + "positiveInteger": (1, None),
    _X + "nonPositiveInteger": (None, 0),
    _X + "negativeInteger": (None, -1),
    _X + "long": (-(2**63), 2**63 - 1),
    _X + "int": (-(2**31), 2**31 - 1),
    _X + "short": (-(2**15), 2**15 - 1),
    _X + "byte": (-128, 127),
    _X + "unsignedLong": (0, 2**64 - 1),
    _X + "unsignedInt": (0, 2**32 - 1),
    _X + "unsignedShort": (0, 2**16 - 1),
    _X + "unsignedByte": (0, 255),
}
_NAME_START = (
    r"A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D"
    r"\\u037F-\\u1FFF\\u200C-\\u200D"
)
_NAME_CHAR = _NAME_START + r"\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040"
PATTERNS: dict[str, str] = {
    _X + "normalizedString": r"^[^\\r\\n\\t]*$",
    _X + "token": r"^([^\\s]+( [^\\s]+)*)?$",
    _X + "language": r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$",
    _X + "NMTOKEN": f"^[{_NAME_CHAR}:]+$",
    _X + "Name": f"^[{_NAME_START}:][{_NAME_CHAR}:]*$",
    _X + "NCName": f"^[{_NAME_START}][{_NAME_CHAR}]*$",
    _X + "hexBinary": r"^([0-9a-fA-F]{2})*$",
    _X + "base64Binary": r"^(\\s*[A-Za-z0-9+/]\\s*[A-Za-z0-9+/]\\s*[A-Za-z0-9+/]\\s*[A-Za-z0-9+/])*"
    r"(\\s*[A-Za-z0-9+/]\\s*[A-Za-z0-9+/]\\s*[A-Za-z0-9+/]\\s*=|"
    r"\\s*[A-Za-z0-9+/]\\s*[A-Za-z0-9+/]\\s*=\\s*=)?\\s*$",
}


def datatype_check(var: str, datatype: ox.NamedNode, lenient_integers: bool = True) -> str:
    """A SPARQL expression that is true when ``?var`` is a well-formed literal of ``datatype``."""
    v = f"?{var}"
    dt = datatype.value
    same = f"datatype({v}) = <{dt}>"
    if datatype == RDF.langString:
        return f'(isLiteral({v}) && lang({v}) != "")'
    if datatype == XSD.string:
        return f"(isLiteral({v}) && {same})"
    if dt in CASTABLE:
        return f"(isLiteral({v}) && {same} && COALESCE(isLiteral(<{dt}>(STR({v}))), false))"
    if dt == _X + "dateTimeStamp":
        return (
            f"(isLiteral({v}) && {same} && COALESCE(isLiteral(<{_X}dateTime>(STR({v}))), false)"
            f' && REGEX(STR({v}), "(Z|[+-][0-9][0-9]:[0-9][0-9])$"))'
        )
    if dt in INTEGER_RANGES:
        lo, hi = INTEGER_RANGES[dt]
        n = f"<{_X}integer>(STR({v}))"
        bounds = " && ".join(
            [f"{n} >= {lo}" if lo is not None else "true", f"{n} <= {hi}" if hi is not None else "true"]
        )
        types = f"({same} || datatype({v}) = <{_X}integer>)" if lenient_integers else same
        return f"(isLiteral({v}) && {types} && COALESCE(isLiteral({n}) && {bounds}, false))"
    if dt in PATTERNS:
        return f'(isLiteral({v}) && {same} && REGEX(STR({v}), "{PATTERNS[dt]}"))'
    return f"(isLiteral({v}) && {same})"
