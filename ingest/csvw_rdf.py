"""CSV on the Web to RDF (W3C csv2rdf, minimal mode), keeping every datatype and language tag.

The ``csvw`` package reads the metadata, the dialect, the typed cell values and the URI
templates; the RDF terms are made here, because its own triples drop datatypes and languages.
A table may be CSV/TSV, or a sheet of an XLSX workbook (metadata ``url`` ``book.xlsx#sheet=Name``).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import decimal
import io
import json
import logging
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from csvw import Table, TableGroup
from csvw.metadata import Column
from csvw.metadata_utils import NAMESPACES as CSVW_PREFIXES
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from coopgraph import iris
from coopgraph.lexical import valid
from ingest.cell_hints import stray_spaces, value_hints
from ingest.csvw_fast import PlainTemplate, speed_up
from ingest.encoding import check_encoding
from ingest.errors import IngestError, Problem
from ingest.limits import InputLimits, literal_message

# The csvw package's copy of the RDFa initial context, which CSVW mappings may use, lacks two prefixes.
CSVW_PREFIXES.setdefault("dcterms", "http://purl.org/dc/terms/")
CSVW_PREFIXES.setdefault("wdrs", "http://www.w3.org/2007/05/powder-s#")

XSD = iris.PREFIXES["xsd"]
RDF = iris.PREFIXES["rdf"]
_SPECIAL_TYPES = {
    "number": XSD + "double",
    "any": XSD + "anyAtomicType",
    "datetime": XSD + "dateTime",
    "xml": RDF + "XMLLiteral",
    "html": RDF + "HTML",
    "json": "http://www.w3.org/ns/csvw#JSON",
}
_CELL_ERROR = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<col>\d+) (?P<name>.*?): (?P<msg>.*)$", re.S)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _table_for(data: Path, mapping: Path) -> Table:
    try:
        description = json.loads(mapping.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        line = getattr(e, "lineno", None)
        raise IngestError(Problem(str(mapping), f"not a JSON CSVW mapping: {e}", line=line)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if "tables" in description:
                group = TableGroup.from_file(mapping, data=description)
                tables = group.tables
            else:
                tables = [Table.from_file(mapping, data=description)]
    except (ValueError, TypeError, KeyError) as e:
        raise IngestError(Problem(str(mapping), f"invalid CSVW mapping: {e}")) from None
    for table in tables:
        name = str(table.url.string).split("#")[0].rsplit("/", 1)[-1]
        if name == data.name:
            return speed_up(table)
    raise IngestError(Problem(str(mapping), f"the mapping describes no table with url '{data.name}'"))


def _datatype_iri(column: Column | _Column) -> str | None:
    datatype = column.inherit("datatype")
    if datatype is None:
        return None
    explicit = datatype.at_props.get("id") if hasattr(datatype, "at_props") else None
    if explicit:
        return str(explicit)
    base = datatype.base or "string"
    return _SPECIAL_TYPES.get(base, XSD + base)


def _lexical(value: Any, column: Column | _Column) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    base = column.inherit("datatype").base if column.inherit("datatype") is not None else None
    if isinstance(value, datetime.datetime):
        if base == "date":  # csvw reads dates as datetimes
            tz = value.isoformat()[19:].replace("+00:00", "Z") if value.tzinfo else ""
            return value.date().isoformat() + tz
        if base == "time":
            return value.timetz().isoformat().replace("+00:00", "Z")
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        text = format(value, "f")
        return text if "." in text or column.inherit("datatype").base != "decimal" else text + ".0"
    if isinstance(value, int | float | str):
        return str(value)
    datatype = column.inherit("datatype")
    return datatype.formatted(value) if datatype is not None else str(value)


class _Column:
    """A column whose inherited properties are looked up once, not once per cell (csvw walks the
    table, schema and group for each lookup)."""

    def __init__(self, column: Column) -> None:
        self.column = column
        self.name, self.header, self.virtual = column.name, column.header, column.virtual
        self._inherited: dict[str, Any] = {}
        self.about, self.prop, self.value_url = (
            self.inherit("aboutUrl"),
            self.inherit("propertyUrl"),
            self.inherit("valueUrl"),
        )
        #: How a cell's literal is made: its datatype IRI (None: none given), the name checked by
        #: :func:`coopgraph.lexical.valid`, its language tag, and the datatype node (None for a string).
        self.datatype = _datatype_iri(self)
        self.base = self.datatype.removeprefix(XSD) if self.datatype else "string"
        plain = self.datatype is None or self.datatype == XSD + "string"
        lang = self.inherit("lang") if plain else None
        self.lang = lang if lang and lang != "und" else None
        self.datatype_node = None if plain else NamedNode(self.datatype)
        #: The predicate, and a virtual column's value, once made from a template without variables
        #: (the same for every row).
        self.predicate: NamedNode | None = None
        self.constant_value: NamedNode | None = None

    def inherit(self, name: str) -> Any:
        try:
            return self._inherited[name]
        except KeyError:
            value = self._inherited[name] = self.column.inherit(name)
            return value

    def __str__(self) -> str:
        return str(self.column)


#: A template that starts with a URL scheme (not one of csvw's prefixes, none of which has ``//``).
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class _Mapper:
    """Turns the rows of one table into quads."""

    def __init__(self, table: Table, data: Path, graph: NamedNode, max_literal: int) -> None:
        self.table, self.data, self.graph, self.max_literal = table, data, graph, max_literal
        self.columns = [_Column(c) for c in table.tableSchema.columns if not c.inherit("suppressOutput")]
        self.base_url = f"{data.resolve().as_uri()}"
        self._constant: dict[tuple[int, str | None], str] = {}
        self._constant_nodes: dict[tuple[int, str | None], NamedNode] = {}
        #: The predicate of each column with no propertyUrl.
        self._default_predicates = {
            id(c): NamedNode(f"{self.base_url}#{quote(c.name or str(c), safe='')}") for c in self.columns
        }
        #: Warnings about cells (stray spaces), when the caller collects them.
        self.notes: list[Problem] | None = None
        #: The name of each column by its header, for the warnings.
        self._names = {c.header: c.name for c in table.tableSchema.columns if c.header is not None}

    def _expand(
        self, template: Any, row: dict[str, Any], rownum: int, column: _Column, qname: bool = False
    ) -> str:
        if template is None:
            return ""
        # csvw's own expansion tries every known prefix and resolves against the table's URL for each
        # cell; a template with no variable gives one IRI for the whole table, and an absolute one
        # needs no prefix and no base: both are done once, or by uritemplate alone.
        key = (id(template), column.name)
        constant = self._constant.get(key)
        if constant is not None:
            return constant
        if not template.variable_names:
            constant = self._constant[key] = str(
                self.table.expand(template, row, _row=rownum, _name=column.name)
            )
            return constant
        if _ABSOLUTE.match(template.uri):
            if isinstance(template, PlainTemplate):
                return template.expand(row, _row=rownum, _name=column.name)
            values = {k: v for k, v in row.items() if isinstance(k, str)}
            return str(template.expand(_row=rownum, _name=column.name, **values))
        return str(self.table.expand(template, row, _row=rownum, _name=column.name))

    def _template_iri(
        self, template: Any, row: dict[str, Any], rownum: int, line: int, column: _Column
    ) -> NamedNode:
        """The IRI a template gives for a row; one made once for a template with no variable."""
        if template.variable_names:
            return self._iri(self._expand(template, row, rownum, column), line, column)
        key = (id(template), column.name)
        node = self._constant_nodes.get(key)
        if node is None:  # an invalid IRI raises for every row, as one with variables would
            node = self._constant_nodes[key] = self._iri(
                self._expand(template, row, rownum, column), line, column
            )
        return node

    def _iri(self, text: str, line: int, column: _Column) -> NamedNode:
        if text.startswith("file:") or "://" in text or text.startswith(("urn:", "mailto:", "tag:")):
            try:
                return NamedNode(text)
            except ValueError as e:
                raise IngestError(
                    Problem(
                        str(self.data),
                        f"not a valid IRI '{text}': {e}",
                        line=line,
                        column=str(column),
                        kind="mapping",
                        value=text,
                    )
                ) from None
        # a relative result resolved against a local path: make it a file IRI of the table
        return NamedNode(self.base_url + "#" + quote(text, safe="/=&?"))

    def _trimmed(self, row: dict[str, Any], line: int) -> dict[str, Any]:
        """The row with the spaces at the start and end of its cells removed (labels and identifiers alike:
        an id cell ' hue ' would make an IRI ending in %20hue%20), each removal noted as a warning."""
        out = row  # copied at the first cell that changes
        for key, value in row.items():
            if not isinstance(key, str):
                continue
            if isinstance(value, str):
                trimmed: Any = value.strip()
                if len(trimmed) == len(value):
                    continue
                if self.notes is not None:
                    self.notes.append(stray_spaces(self.data, line, self._names.get(key, key), value))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, str) and item != item.strip() and self.notes is not None:
                        self.notes.append(stray_spaces(self.data, line, self._names.get(key, key), item))
                trimmed = [v.strip() if isinstance(v, str) else v for v in value]
            else:
                continue
            if out is row:
                out = dict(row)
            out[key] = trimmed
        return out

    def row_subjects(self, row: dict[str, Any], rownum: int, line: int) -> set[str]:
        """The IRIs of the subjects :meth:`row_cells` gives for a row (rows without ``aboutUrl`` describe
        a blank node: none)."""
        row = self._trimmed(row, line)
        keys: set[Any] = set()
        subjects = set()
        for column in self.columns:
            about = column.about
            if not about:
                continue
            key = (id(about), column.name) if "_name" in about.variable_names else id(about)
            if key not in keys:
                keys.add(key)
                subjects.add(self._template_iri(about, row, rownum, line, column).value)
        return subjects

    def row_quads(self, row: dict[str, Any], rownum: int, line: int) -> Iterator[Quad]:
        graph = self.graph
        for _, subject, predicate, obj in self.row_cells(row, rownum, line):
            if obj is not None:
                yield Quad(subject, predicate, obj, graph)

    def row_cells(self, row: dict[str, Any], rownum: int, line: int) -> Iterator[Cell]:
        """(column, subject, predicate, object) of each cell of a row; the object is None when empty."""
        row = self._trimmed(row, line)
        row_node = BlankNode()
        subjects: dict[Any, NamedNode] = {}  # the row's subject, expanded once (unless it uses _name)
        for column in self.columns:
            about = column.about
            if about:
                key = (id(about), column.name) if "_name" in about.variable_names else id(about)
                subject = subjects.get(key)
                if subject is None:
                    subject = subjects[key] = self._template_iri(about, row, rownum, line, column)
            else:
                subject = row_node
            predicate = column.predicate
            if predicate is None:
                prop = column.prop
                if prop:
                    predicate = self._template_iri(prop, row, rownum, line, column)
                    if not prop.variable_names:
                        column.predicate = predicate
                else:
                    predicate = column.predicate = self._default_predicates[id(column)]
            value_url = column.value_url
            if column.virtual:
                if value_url:
                    obj = column.constant_value or self._template_iri(value_url, row, rownum, line, column)
                    if not value_url.variable_names:
                        column.constant_value = obj
                    yield column.name, subject, predicate, obj
                continue
            value = row.get(column.header)
            if value is None or value == []:
                yield column.name, subject, predicate, None
                continue
            for item in value if isinstance(value, list) else [value]:
                if item is None:
                    continue
                if value_url:
                    cell = dict(row)
                    cell[column.name or column.header] = item
                    obj = self._template_iri(value_url, cell, rownum, line, column)
                else:
                    obj = self._literal(item, column, line)
                yield column.name, subject, predicate, obj

    def _literal(self, value: Any, column: _Column, line: int) -> Literal:
        text = value if type(value) is str else _lexical(value, column)
        base = column.base
        limit = self.max_literal
        if len(text) * 4 > limit and (size := len(text.encode())) > limit:
            message = literal_message(size, limit)
            raise IngestError(Problem(str(self.data), message, line=line, column=str(column)))
        if not valid(base, text):
            raise IngestError(
                Problem(
                    str(self.data),
                    f"'{text}' is not a valid {base}",
                    line=line,
                    column=str(column),
                    kind="literal",
                    value=text,
                    hints=value_hints(text, base),
                )
            )
        if column.datatype_node is None:
            return Literal(text, language=column.lang) if column.lang else Literal(text)
        return Literal(text, datatype=column.datatype_node)


def _check_header(table: Table, data: Path, header: list[str], mapping: Path, line: int = 1) -> None:
    known = [c for c in table.tableSchema.columns if not c.virtual]
    problems = []
    for index, title in enumerate(header, start=1):
        if not title:
            problems.append(
                Problem(
                    str(data),
                    f"column {index} has no title; give it one that {mapping.name} maps, or remove it",
                    line=line,
                    column=index,
                    kind="mapping",
                )
            )
        elif not any(c.has_title(title) for c in known):
            problems.append(
                Problem(
                    str(data),
                    f"unknown column '{title}': {mapping.name} does not map it; "
                    "add it to the mapping or remove it from the table",
                    line=line,
                    column=index,
                    kind="mapping",
                )
            )
    for column in known:
        if not any(column.has_title(h) for h in header):
            problems.append(
                Problem(
                    str(data),
                    f"column '{column}' of {mapping.name} is missing from the table",
                    line=line,
                    kind="mapping",
                )
            )
    if problems:
        raise IngestError(problems)


def _xlsx_as_csv(path: Path, sheet: str | None, dialect: Any) -> tuple[str, str, dict[int, int]]:
    """A sheet as CSV text in the mapping's dialect, the sheet's name, and the sheet row where each CSV
    line starts (for messages)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise IngestError(Problem(str(path), f"not a readable XLSX workbook: {e}")) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise IngestError(
                Problem(str(path), f"no sheet named '{sheet}' (sheets: {', '.join(book.sheetnames)})")
            )
        ws = book[sheet] if sheet else book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(
            out,
            delimiter=dialect.delimiter,
            quotechar=dialect.quoteChar or '"',
            doublequote=dialect.doubleQuote,
            escapechar=None if dialect.doubleQuote else dialect.escape_character,
            lineterminator="\n",
        )
        rows: list[tuple[int, list[str]]] = []
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [
                "" if v is None else (v.isoformat() if isinstance(v, datetime.date) else str(v)) for v in row
            ]
            while cells and not cells[-1]:  # a sheet's formatted but empty columns are no columns
                cells.pop()
            if cells:
                rows.append((number, cells))
        width = max((len(cells) for _, cells in rows), default=0)
        lines: dict[int, int] = {}
        line = 1
        for number, cells in rows:
            lines[line] = number
            writer.writerow(cells + [""] * (width - len(cells)))
            line += 1 + sum(c.count("\n") for c in cells)
        return out.getvalue(), ws.title, lines
    finally:
        book.close()


def _sheet_file(path: Path, sheet: str | None, dialect: Any) -> tuple[Path, str, dict[int, int]]:
    """The sheet written as a temporary CSV file (csvw reads tables from files), which the caller removes;
    the sheet's name and the sheet row of each CSV line."""
    text, name, lines = _xlsx_as_csv(path, sheet, dialect)
    try:
        data = text.encode(dialect.python_encoding)
    except (UnicodeEncodeError, LookupError) as e:
        raise IngestError(
            Problem(str(path), f"sheet '{name}' cannot be read in the mapping's encoding: {e}")
        ) from None
    fd, temporary = tempfile.mkstemp(prefix="coopgraph-sheet-", suffix=".csv")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return Path(temporary), name, lines


def _raw_cells(table: Table, handle: Any, lines: set[int]) -> dict[tuple[int, str], str]:
    """The raw text of the cells on the given lines, by (line, header)."""
    dialect = table._get_dialect()
    cells: dict[tuple[int, str], str] = {}
    with open(handle, encoding=dialect.python_encoding, newline="") as text:
        reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quoteChar or '"')
        header: list[str] = []
        start = 1
        for record in reader:
            if not header:
                header = [h.strip() for h in record]
            elif start in lines:
                cells.update({(start, h): v for h, v in zip(header, record, strict=False)})
            start = reader.line_num + 1
    return cells


def _cell_problems(messages: list[str], table: Table, data: Path, handle: Any, where: Any) -> list[Problem]:
    parsed = [(m, _CELL_ERROR.match(m)) for m in messages]
    raw = _raw_cells(table, handle, {int(m.group("line")) for _, m in parsed if m})
    problems = []
    for message, m in parsed:
        if m is None:
            problems.append(Problem(str(data), message))
            continue
        line, name = int(m.group("line")), m.group("name")
        column = table.tableSchema.get_column(name)
        datatype = column.inherit("datatype") if column is not None else None
        kind = datatype.base if datatype is not None else "value"
        value = raw.get((line, name))
        expected = m.group("msg").split(" -- ")[0]  # csvw appends the value and its regular expression
        text = f"'{value}' is not a valid {kind} ({expected})" if value is not None else m.group("msg")
        problems.append(
            Problem(
                str(data),
                text,
                line=where(line),
                column=name,
                kind="literal",
                value=value,
                hints=value_hints(value, kind) if value is not None else None,
            )
        )
    return problems


@dataclass
class TableFindings:
    """What a table's mapping found, when the caller collects it rather than stopping at the first
    broken row: problems (the table is refused, but every other cell was mapped), and warnings."""

    problems: list[Problem] = dataclasses.field(default_factory=list)
    notes: list[Problem] = dataclasses.field(default_factory=list)


#: Cells of a table: (column name, subject, predicate, object or None for an empty cell).
Cell = tuple[str | None, Any, NamedNode, Any]


def table_quads(
    data: Path,
    mapping: Path,
    graph: str,
    max_literal: int = InputLimits.literal_bytes,
    found: TableFindings | None = None,
) -> Iterator[Quad]:
    """The RDF of one table described by a CSVW mapping; raises :class:`IngestError` naming row and column.

    A sheet of a workbook is named in each problem (``record``), with its file and the sheet's row.
    No cell may be longer than ``max_literal`` bytes. With ``found``, problems of cells (and a file in
    another encoding than its mapping says, read as the legacy encoding it most likely is) are
    collected there and the rest of the table is mapped; warnings too.
    """
    with _opened(data, mapping, found) as (table, handle, sheet_name, sheet_lines):
        mapper = _Mapper(table, data, NamedNode(graph), max_literal)
        if found is not None:
            mapper.notes = found.notes
        try:
            for _, line, row, rownum in _rows(table, data, handle, mapping, sheet_lines, max_literal, found):
                try:
                    yield from mapper.row_quads(row, rownum, line)
                except IngestError as e:
                    if found is None:
                        raise
                    found.problems.extend(e.problems)
        except IngestError as e:
            raise _in_sheet(e, data, sheet_name) from None
        if found is not None and sheet_name is not None:
            found.problems[:] = (
                _in_sheet(IngestError(found.problems), data, sheet_name).problems if found.problems else []
            )


def table_cells(
    data: Path, mapping: Path, subjects: set[str]
) -> tuple[str | None, dict[str, list[tuple[int, Cell]]]]:
    """The sheet's name (of a workbook), and the cells of the rows that describe ``subjects`` (IRIs)
    with their line (or sheet row): where a finding about one of them comes from. Cells that cannot be
    mapped are passed over."""
    found: dict[str, list[tuple[int, Cell]]] = {}
    quiet = TableFindings()
    with _opened(data, mapping, quiet) as (table, handle, sheet_name, sheet_lines):
        mapper = _Mapper(table, data, NamedNode("urn:x-coopgraph:located"), InputLimits.literal_bytes)
        for _, line, row, rownum in _rows(table, data, handle, mapping, sheet_lines, 1 << 30, quiet):
            try:  # a row about none of them costs its subject only
                if subjects.isdisjoint(mapper.row_subjects(row, rownum, line)):
                    continue
                cells = list(mapper.row_cells(row, rownum, line))
            except IngestError:
                continue
            for cell in cells:
                subject = cell[1]
                if isinstance(subject, NamedNode) and subject.value in subjects:
                    found.setdefault(subject.value, []).append((line, cell))
    return sheet_name, found


def _in_sheet(error: IngestError, data: Path, sheet_name: str | None) -> IngestError:
    if sheet_name is None:
        return error
    return IngestError(
        [
            dataclasses.replace(p, record=f"sheet '{sheet_name}'") if p.path == str(data) else p
            for p in error.problems
        ]
    )


@contextlib.contextmanager
def _opened(
    data: Path, mapping: Path, found: TableFindings | None
) -> Iterator[tuple[Table, Path, str | None, dict[int, int] | None]]:
    """The table's description, the CSV file to read (``data``, or a sheet or a re-encoded copy of it,
    removed afterwards), the sheet's name and the sheet row of each CSV line."""
    table = _table_for(data, mapping)
    dialect = table._get_dialect()
    sheet_lines: dict[int, int] | None = None
    sheet_name: str | None = None
    if data.suffix.lower() == ".xlsx":
        fragment = str(table.url.string).partition("#")[2]
        sheet = fragment.removeprefix("sheet=") if fragment.startswith("sheet=") else None
        handle, sheet_name, sheet_lines = _sheet_file(data, sheet, dialect)
    else:
        handle = data
        try:
            check_encoding(data, dialect.encoding, dialect.python_encoding)
        except IngestError as e:
            legacy = legacy_copy(data, dialect) if found is not None else None
            if legacy is None:
                raise
            handle, problem = legacy
            found.problems.append(_encoding_problem(e.problems[0], handle, dialect, problem))  # type: ignore[union-attr]
    try:
        yield table, handle, sheet_name, sheet_lines
    finally:
        if handle != data:
            handle.unlink(missing_ok=True)


def _oversized_cell_line(handle: Path, dialect: Any, limit: int) -> int | None:
    """The line where the first cell longer than ``limit`` characters starts."""
    with open(handle, encoding=dialect.python_encoding, newline="", errors="replace") as text:
        reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quoteChar or '"')
        start = 1
        try:
            for _ in reader:
                start = reader.line_num + 1
        except csv.Error:
            return start
    return None


def _rows(
    table: Table,
    data: Path,
    handle: Path,
    mapping: Path,
    sheet_lines: dict[int, int] | None,
    max_literal: int,
    found: TableFindings | None,
) -> Iterator[tuple[int, int, dict[str, Any], int]]:
    """(CSV line, line or sheet row, cells, row number) of each row of ``handle`` (``data`` itself, or a
    sheet of it as CSV); the problems of cells are raised at the end, or collected in ``found``."""
    dialect = table._get_dialect()
    # The csv module refuses a field longer than its limit (128 KiB unless told): a cell of more
    # characters than max_literal_bytes is longer than that many bytes.
    csv.field_size_limit(max_literal)

    def where(line: int) -> int:
        return sheet_lines.get(line, line) if sheet_lines is not None else line

    if dialect.header:
        encoding = "utf-8-sig" if dialect.python_encoding == "utf-8" else dialect.python_encoding  # as csvw
        with open(handle, encoding=encoding, newline="") as fh:
            quote = dialect.quoteChar or '"'
            reader = csv.reader([fh.readline()], delimiter=dialect.delimiter, quotechar=quote)
            try:
                header = next(reader, [])
            except csv.Error:
                message = f"a column title is over the limit of {max_literal:,} bytes (max_literal_bytes)"
                raise IngestError(Problem(str(data), message, line=where(1))) from None
        _check_header(table, data, [h.strip() for h in header], mapping, where(1))
    collector = _Collector()
    log = logging.getLogger(f"coopgraph.csvw.{id(collector)}")
    log.propagate = False
    log.addHandler(collector)
    problems: list[Problem] = found.problems if found is not None else []
    keys = _Keys(table, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = table.iterdicts(log=log, with_metadata=True, fname=handle, strict=True)
            for rownum, (_, line, row) in enumerate(rows, start=1):
                if len(collector.messages) + len(problems) >= 50:
                    break
                duplicate = keys.check(row, where(line))
                if duplicate is not None:
                    problems.append(duplicate)
                yield line, where(line), row, rownum
    except csv.Error as e:  # a cell longer than the field size limit
        line = _oversized_cell_line(handle, dialect, max_literal)
        raise IngestError(
            Problem(
                str(data),
                f"a cell is longer than the limit of {max_literal:,} bytes (max_literal_bytes)"
                if "field limit" in str(e)
                else f"not a readable table: {e}",
                line=where(line) if line is not None else None,
            )
        ) from None
    except UnicodeDecodeError as e:  # checked before; kept for a file that changed meanwhile
        raise IngestError(Problem(str(data), f"not valid {dialect.encoding} text: {e.reason}")) from None
    except ValueError as e:
        raise IngestError(Problem(str(data), str(e).replace(str(handle), str(data)))) from None
    finally:
        log.removeHandler(collector)
    if collector.messages:
        problems.extend(_cell_problems(collector.messages, table, data, handle, where))
    if problems and found is None:
        raise IngestError(problems)


class _Keys:
    """The table's primary key (``tableSchema.primaryKey``): a value seen on an earlier row is a problem."""

    def __init__(self, table: Table, data: Path) -> None:
        key = table.tableSchema.primaryKey or []
        self.columns = [key] if isinstance(key, str) else list(key)
        self.headers = [
            c.header for name in self.columns if (c := table.tableSchema.get_column(name)) is not None
        ]
        self.data = data
        self.seen: dict[tuple[Any, ...], int] = {}

    def check(self, row: dict[str, Any], line: int) -> Problem | None:
        if not self.headers:
            return None
        key = tuple(row.get(h) for h in self.headers)
        if any(v is None or v == "" for v in key):
            return None
        first = self.seen.setdefault(key, line)
        if first == line:
            return None
        shown = ", ".join(str(v) for v in key)
        return Problem(
            str(self.data),
            f"duplicate {' and '.join(self.columns)} '{shown}': row {first} has it too",
            line=line,
            column=self.columns[0],
            kind="mapping",
            value=shown,
            hint=f"Give each row its own {' and '.join(self.columns)}: merge the two rows if they describe "
            f"the same thing, or change one of them (rows {first} and {line}).",
        )


def _encoding_problem(problem: Problem, handle: Path, dialect: Any, read_as: str) -> Problem:
    """The problem of a file in a legacy encoding, naming the column of its first bad character."""
    column = None
    if problem.line is not None:
        with open(handle, encoding="utf-8", newline="") as text:
            reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quoteChar or '"')
            header: list[str] = []
            for record in reader:
                if not header:
                    header = record
                if reader.line_num >= problem.line:
                    bad = next((i for i, cell in enumerate(record) if not cell.isascii()), None)
                    if bad is not None and bad < len(header):
                        column = header[bad].strip()
                    break
    return dataclasses.replace(
        problem,
        column=column,
        message=f"{problem.message}: the file is not UTF-8; it reads as {read_as}",
        hint=f"The file is in {read_as}, not UTF-8 (a spreadsheet saved as plain 'CSV'): save it again as "
        "'CSV UTF-8', or write \"encoding\" in the mapping's dialect. Until then, this report shows the "
        f"file as read in {read_as}.",
    )


def legacy_copy(data: Path, dialect: Any) -> tuple[Path, str] | None:
    """``data`` re-encoded from the legacy encoding it most likely is (Vietnamese Windows-1258, then
    Windows-1252, then Latin-1) to a temporary UTF-8 file, and that encoding's name."""
    raw = data.read_bytes()
    for codec, name in (("cp1258", "Windows-1258"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        fd, temporary = tempfile.mkstemp(prefix="coopgraph-recoded-", suffix=".csv")
        with os.fdopen(fd, "wb") as out:
            out.write(unicodedata.normalize("NFC", text).encode(dialect.python_encoding or "utf-8"))
        return Path(temporary), name
    return None
