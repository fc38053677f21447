"""CSV on the Web to RDF (W3C csv2rdf, minimal mode), keeping every datatype and language tag.

The ``csvw`` package reads the metadata, the dialect, the typed cell values and the URI
templates; the RDF terms are made here, because its own triples drop datatypes and languages.
A table may be CSV/TSV, or a sheet of an XLSX workbook (metadata ``url`` ``book.xlsx#sheet=Name``).
"""

from __future__ import annotations

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
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from csvw import Table, TableGroup
from csvw.metadata import Column
from csvw.metadata_utils import NAMESPACES as CSVW_PREFIXES
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from coopgraph import iris
from coopgraph.lexical import valid
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
            return table
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
            values = {k: v for k, v in row.items() if isinstance(k, str)}
            return str(template.expand(_row=rownum, _name=column.name, **values))
        return str(self.table.expand(template, row, _row=rownum, _name=column.name))

    def _iri(self, text: str, line: int, column: _Column) -> NamedNode:
        if text.startswith("file:") or "://" in text or text.startswith(("urn:", "mailto:", "tag:")):
            try:
                return NamedNode(text)
            except ValueError as e:
                raise IngestError(
                    Problem(str(self.data), f"not a valid IRI '{text}': {e}", line=line, column=str(column))
                ) from None
        # a relative result resolved against a local path: make it a file IRI of the table
        return NamedNode(self.base_url + "#" + quote(text, safe="/=&?"))

    def row_quads(self, row: dict[str, Any], rownum: int, line: int) -> Iterator[Quad]:
        row_node = BlankNode()
        subjects: dict[Any, NamedNode] = {}  # the row's subject, expanded once (unless it uses _name)
        for column in self.columns:
            about = column.inherit("aboutUrl")
            if about:
                key = (id(about), column.name) if "_name" in about.variable_names else id(about)
                subject = subjects.get(key)
                if subject is None:
                    subject = subjects[key] = self._iri(
                        self._expand(about, row, rownum, column), line, column
                    )
            else:
                subject = row_node
            prop = column.inherit("propertyUrl")
            if prop:
                predicate = self._iri(self._expand(prop, row, rownum, column), line, column)
            else:
                predicate = NamedNode(f"{self.base_url}#{quote(column.name or str(column), safe='')}")
            value_url = column.inherit("valueUrl")
            if column.virtual:
                if value_url:
                    yield Quad(
                        subject,
                        predicate,
                        self._iri(self._expand(value_url, row, rownum, column), line, column),
                        self.graph,
                    )
                continue
            value = row.get(column.header)
            if value is None or value == []:
                continue
            for item in value if isinstance(value, list) else [value]:
                if item is None:
                    continue
                if value_url:
                    cell = dict(row)
                    cell[column.name or column.header] = item
                    obj = self._iri(self._expand(value_url, cell, rownum, column), line, column)
                else:
                    obj = self._literal(item, column, line)
                yield Quad(subject, predicate, obj, self.graph)

    def _literal(self, value: Any, column: _Column, line: int) -> Literal:
        datatype = _datatype_iri(column)
        text = _lexical(value, column)
        base = datatype.removeprefix(XSD) if datatype else "string"
        limit = self.max_literal
        if len(text) * 4 > limit and (size := len(text.encode())) > limit:
            message = literal_message(size, limit)
            raise IngestError(Problem(str(self.data), message, line=line, column=str(column)))
        if not valid(base, text):
            raise IngestError(
                Problem(str(self.data), f"'{text}' is not a valid {base}", line=line, column=str(column))
            )
        if datatype is None or datatype == XSD + "string":
            lang = column.inherit("lang")
            if lang and lang != "und":
                return Literal(text, language=lang)
            return Literal(text)
        return Literal(text, datatype=NamedNode(datatype))


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
                )
            )
    for column in known:
        if not any(column.has_title(h) for h in header):
            problems.append(
                Problem(
                    str(data), f"column '{column}' of {mapping.name} is missing from the table", line=line
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
        text = f"'{value}' is not a valid {kind} ({m.group('msg')})" if value is not None else m.group("msg")
        problems.append(Problem(str(data), text, line=where(line), column=name))
    return problems


def table_quads(
    data: Path, mapping: Path, graph: str, max_literal: int = InputLimits.literal_bytes
) -> Iterator[Quad]:
    """The RDF of one table described by a CSVW mapping; raises :class:`IngestError` naming row and column.

    A sheet of a workbook is named in each problem (``record``), with its file and the sheet's row.
    No cell may be longer than ``max_literal`` bytes.
    """
    table = _table_for(data, mapping)
    dialect = table._get_dialect()
    sheet_lines: dict[int, int] | None = None
    sheet_name: str | None = None
    if data.suffix.lower() == ".xlsx":
        fragment = str(table.url.string).partition("#")[2]
        sheet = fragment.removeprefix("sheet=") if fragment.startswith("sheet=") else None
        handle, sheet_name, sheet_lines = _sheet_file(data, sheet, dialect)
    else:
        check_encoding(data, dialect.encoding, dialect.python_encoding)
        handle = data
    try:
        yield from _rows_quads(table, data, handle, mapping, graph, sheet_lines, max_literal)
    except IngestError as e:
        if sheet_name is None:
            raise
        raise IngestError(
            [
                dataclasses.replace(p, record=f"sheet '{sheet_name}'") if p.path == str(data) else p
                for p in e.problems
            ]
        ) from None
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


def _rows_quads(
    table: Table,
    data: Path,
    handle: Path,
    mapping: Path,
    graph: str,
    sheet_lines: dict[int, int] | None,
    max_literal: int,
) -> Iterator[Quad]:
    """The quads of the rows of ``handle`` (``data`` itself, or a sheet of it as CSV)."""
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
    mapper = _Mapper(table, data, NamedNode(graph), max_literal)
    collector = _Collector()
    log = logging.getLogger(f"coopgraph.csvw.{id(collector)}")
    log.propagate = False
    log.addHandler(collector)
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = table.iterdicts(log=log, with_metadata=True, fname=handle, strict=True)
            for rownum, (_, line, row) in enumerate(rows, start=1):
                if len(collector.messages) + len(problems) >= 50:
                    break
                try:
                    yield from mapper.row_quads(row, rownum, where(line))
                except IngestError as e:
                    problems.extend(e.problems)
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
    if problems:
        raise IngestError(problems)
