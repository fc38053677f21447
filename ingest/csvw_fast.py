"""Making a csvw table description cheap to read row by row, without changing what it reads.

csvw looks up every inherited property of a column (required, null, default, separator, datatype) by
walking the column, the schema, the table and the group, for every cell; and expands every URI template
through ``uritemplate``'s general machinery, for every cell and every virtual column of every row. Once a
mapping is loaded nothing changes it, so :func:`speed_up` gives each column a memory of what it inherits,
and replaces each template made only of plain ``{name}`` expressions (the usual mapping:
``https://w3id.org/coopgraph/id/organization/{id}``) by one that expands them directly, to the same
text: each value percent-encoded except the unreserved characters (RFC 6570 simple string expansion),
an absent value expanding to nothing. Any other template, or a list value, is left to ``uritemplate``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from csvw import Table
from csvw.metadata import URITemplate

#: The properties whose templates are expanded per row.
_TEMPLATE_PROPERTIES = ("aboutUrl", "propertyUrl", "valueUrl")
_EXPRESSION = re.compile(r"\{([^}]*)\}")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


class PlainTemplate(URITemplate):
    """A URI template of plain ``{name}`` expressions, expanded without ``uritemplate``'s parser."""

    def __init__(self, uri: str, pieces: list[str]) -> None:
        super().__init__(uri)
        #: Literal text and variable names, alternating (literal first and last).
        self.pieces = pieces

    @classmethod
    def of(cls, template: Any) -> Any:
        """``template`` as a :class:`PlainTemplate` if it is made of plain expressions only, else itself."""
        if not isinstance(template, URITemplate) or isinstance(template, PlainTemplate):
            return template
        pieces = _EXPRESSION.split(template.uri)
        names = pieces[1::2]
        if "{" in "".join(pieces[0::2]) or "}" in "".join(pieces[0::2]):
            return template
        if not all(_PLAIN_NAME.fullmatch(name) for name in names):
            return template
        return cls(template.uri, pieces)

    def expand(self, var_dict: Any = None, **kwargs: Any) -> str:
        pieces = self.pieces
        if len(pieces) == 1:
            return self.uri
        out = [pieces[0]]
        for i in range(1, len(pieces), 2):
            name = pieces[i]
            value = kwargs[name] if name in kwargs else (var_dict or {}).get(name)
            if value is not None:
                if isinstance(value, list | tuple | dict):  # lists and pairs: uritemplate's own rules
                    return super().expand(var_dict, **kwargs)
                out.append(quote(value if isinstance(value, str) else str(value), safe=""))
            out.append(pieces[i + 1])
        return "".join(out)


def _remember_inheritance(column: Any) -> None:
    """Give ``column`` a memory of the properties it inherits (instance attributes shadow the methods)."""
    inherit, inherit_null = column.inherit, column.inherit_null
    known: dict[str, Any] = {}
    null: list[list[str]] = []

    def remembered(name: str) -> Any:
        try:
            return known[name]
        except KeyError:
            value = known[name] = inherit(name)
            return value

    def remembered_null() -> list[str]:
        if not null:
            null.append(inherit_null())
        return null[0]

    column.inherit = remembered
    column.inherit_null = remembered_null


def speed_up(table: Table) -> Table:
    """``table`` with plain templates and remembered inheritance (see the module); returns it."""
    holders = [table.tableSchema, table, *table.tableSchema.columns]
    if table._parent is not None:
        holders.append(table._parent)
    for holder in holders:
        for name in _TEMPLATE_PROPERTIES:
            template = getattr(holder, name, None)
            if template is not None:
                setattr(holder, name, PlainTemplate.of(template))
    for column in table.tableSchema.columns:
        _remember_inheritance(column)
    return table
