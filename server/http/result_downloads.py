"""A query's answer as a file to keep: CSV or XLSX, with each IRI's label in the reader's language in a
column beside it (``/download`` for any query, ``?format=xlsx`` and ``?format=labelled-csv`` for the
saved queries). The query runs as on ``/sparql``, in a worker, under the same time and size limits;
the labels come from a second read-only query on the same worker pool.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from starlette.requests import Request
from starlette.responses import Response

from server.http.protocol import ProtocolError, read_posted, single, url_params
from server.http.query_page import reader_language
from server.http.sparql_endpoint import POSTED_QUERY, run
from server.http.state import State

#: The download formats: the short name, the media type.
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: At most this many IRIs are labelled (the label query names each in a VALUES clause).
MAX_LABELLED = 5000
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
_IRI_SAFE = re.compile(r'^[^\s<>"{}|^`\\]+$')
LABEL_PREDICATES = (
    "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
)

Bindings = list[dict[str, dict[str, str]]]


def language(value: str | None) -> str:
    """The reader's language tag, "en" for none or one that is not a simple tag."""
    tag = (value or "").strip().lower()
    return tag if _LANG.match(tag) else "en"


def label_query(iris: list[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in iris)
    return f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s {LABEL_PREDICATES} ?label }}"


def iris_of(rows: Bindings) -> list[str]:
    """The IRIs of the answer, each once, in order of first appearance (safe to write in a query)."""
    seen: dict[str, None] = {}
    for row in rows:
        for term in row.values():
            if term["type"] == "uri" and _IRI_SAFE.match(term["value"]):
                seen.setdefault(term["value"], None)
    return list(seen)[:MAX_LABELLED]


def pick_labels(rows: Bindings, lang: str) -> dict[str, str]:
    """One label an IRI: the reader's language, else English, else one with no language, else any."""
    rank: dict[str, int] = {}
    chosen: dict[str, str] = {}
    for row in rows:
        iri, label = row["s"]["value"], row["label"]
        tag = label.get("xml:lang", "").lower()
        score = 3 if tag == lang else 2 if tag == "en" else 1 if not tag else 0
        if score > rank.get(iri, -1):
            rank[iri], chosen[iri] = score, label["value"]
    return chosen


def labelled_table(
    variables: list[str], rows: Bindings, labels: dict[str, str]
) -> tuple[list[str], list[list[str]]]:
    """The header and rows, a ``{var}_label`` column after each column that holds an IRI."""
    with_iris = [v for v in variables if any(r.get(v, {}).get("type") == "uri" for r in rows)]
    header: list[str] = []
    for v in variables:
        header.append(v)
        if v in with_iris:
            header.append(f"{v}_label")
    table = []
    for row in rows:
        cells: list[str] = []
        for v in variables:
            term = row.get(v)
            cells.append(term["value"] if term else "")
            if v in with_iris:
                cells.append(labels.get(term["value"], "") if term and term["type"] == "uri" else "")
        table.append(cells)
    return header, table


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("results")
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(text: str) -> str:
    """A cell's text as XLSX can hold it: control characters (which the file format cannot store) are
    dropped, and a text that starts like a formula is written as text, never evaluated by a spreadsheet."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def _json(request: Request, state: State, query: str, substitutions: Any = None) -> dict[str, Any]:
    reply = await run(request, state, query, {"format": ["json"]}, substitutions=substitutions)
    if reply.status_code != 200:
        raise _Failed(reply)
    return json.loads(reply.body)  # type: ignore[no-any-return]


class _Failed(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def labelled_file(
    request: Request, state: State, query: str, fmt: str, lang: str, substitutions: Any = None
) -> Response:
    """The answer to ``query`` as a CSV or XLSX file with labels, or the error the query met."""
    try:
        answer = await _json(request, state, query, substitutions)
        if "boolean" in answer:
            raise ProtocolError(400, "an ASK query has no table to download")
        variables = answer["head"].get("vars", [])
        rows: Bindings = answer.get("results", {}).get("bindings", [])
        iris = iris_of(rows)
        labels = {}
        if iris:
            found = await _json(request, state, label_query(iris))
            labels = pick_labels(found["results"]["bindings"], lang)
    except _Failed as e:
        return e.response
    header, table = labelled_table(variables, rows, labels)
    body = as_xlsx(header, table) if fmt == "xlsx" else as_csv(header, table)
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="results.{fmt}"', "Vary": "Accept-Language"},
    )


async def download(request: Request) -> Response:
    """``/download``: a query (``query``, as ``/sparql`` takes it, by GET or a POSTed form), ``format``
    (csv or xlsx) and ``lang`` (the labels' language)."""
    state: State = request.app.state.coop
    try:
        if request.method == "POST":
            query, params = await read_posted(request, state.settings.max_body_bytes, POSTED_QUERY)
        else:
            params = url_params(request)
            query = single(params.get("query"), "query")
        if not query:
            raise ProtocolError(400, "give the query to run in the query parameter")
        fmt = (single(params.get("format"), "format") or "csv").lower()
        if fmt not in FORMATS:
            raise ProtocolError(400, f"format: '{fmt}' is not csv or xlsx")
        lang = language(single(params.get("lang"), "lang") or reader_language(request))
        return await labelled_file(request, state, query, fmt, lang)
    except ProtocolError as e:
        return e.response()
