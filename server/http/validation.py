"""``POST /validate`` (a dry run of any ingest format: nothing is written, so no token) and
``GET /validation`` (the report of the whole store), answered by the check worker in the report format
the client negotiates (``Accept``, or ``?format=``) and language (``?lang=``, or ``Accept-Language``).

The same negotiation chooses the format of the report in a rejected write's 422 (:func:`report_type`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph.formats import RDF_MEDIA_TYPES
from ingest.reports.render import BY_NAME, MEDIA_TYPES
from ingest.reports.words import LANGUAGES
from server.http import negotiation
from server.http.protocol import ProtocolError, content_type, read_body
from server.http.state import State
from server.http.worker_calls import call_worker
from server.workers import messages

#: The report formats offered, JSON first: it is what a client that names none gets.
OFFERS = ("application/json", *(m for m in MEDIA_TYPES if m != "application/json"))
#: Non-RDF bodies /validate takes, by the file extension their reader is chosen by.
_OTHER_TYPES = {"application/json": ".json", "application/yaml": ".yaml", "application/x-yaml": ".yaml"}
ALIASES = {"application/x-turtle": "text/turtle"}


def report_type(request: Request) -> str:
    """The report format the client asks for (``?format=`` name, else ``Accept``); JSON by default."""
    name = request.query_params.get("format")
    if name in BY_NAME:
        return BY_NAME[name].media_type
    return negotiation.choose(request.headers.get("accept"), OFFERS, ALIASES) or messages.REPORT_DEFAULT


def report_lang(request: Request) -> str:
    """The report's language: ``?lang=``, else the first of ``Accept-Language`` the report is written in."""
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        return lang
    for part in (request.headers.get("accept-language") or "").split(","):
        primary = part.split(";")[0].strip().lower().split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "en"


async def _check(state: State, message: messages.Check, body: bytes | None = None) -> Response:
    assert state.checks is not None
    answer = await call_worker(state.checks, message, state.settings.write_timeout, body, "validation")
    if isinstance(answer, Response):
        return answer
    media = answer.head.content_type or "text/plain; charset=utf-8"
    return Response(
        answer.body or b"", status_code=answer.status, media_type=media, headers={"Vary": "Accept"}
    )


async def validation(request: Request) -> Response:
    """GET /validation: the report of the published store, made once per generation."""
    state: State = request.app.state.coop
    message = messages.ValidationReport(
        report_type=report_type(request), lang=report_lang(request), link_base=state.base_url(request)
    )
    return await _check(state, message)


async def validate(request: Request) -> Response:
    """POST /validate: files validated with the stored data they touch, then discarded.

    The body is one file whose Content-Type says its format (RDF, JSON or YAML records), or
    multipart/form-data with files named by their extension: a table with its CSVW mapping
    (``NAME.csv`` and ``NAME.csv-metadata.json``).
    """
    state: State = request.app.state.coop
    if request.method != "POST":
        return PlainTextResponse(
            "send the files to validate with POST\n", status_code=405, headers={"Allow": "POST"}
        )
    limit = state.settings.max_body_bytes
    try:
        media, _ = content_type(request)
        if media == "multipart/form-data":
            files = await _parts(request, limit)
        else:
            files = [(_name_for(media), await read_body(request, limit))]
    except ProtocolError as e:
        return e.response()
    message = messages.Validate(
        files=[(name, len(data)) for name, data in files],
        report_type=report_type(request),
        lang=report_lang(request),
        link_base=state.base_url(request),
    )
    return await _check(state, message, b"".join(data for _, data in files))


def _name_for(media: str) -> str:
    if media in _OTHER_TYPES:  # records, read with the project's context (JSON-LD is application/ld+json)
        return "request" + _OTHER_TYPES[media]
    fmt = RDF_MEDIA_TYPES.get(media)
    if fmt is not None:
        return "request" + fmt.extensions[0]
    if media in ("text/csv", "text/tab-separated-values"):
        raise ProtocolError(
            415,
            "a table needs its CSV on the Web mapping: send both as multipart/form-data "
            "(NAME.csv and NAME.csv-metadata.json)",
        )
    raise ProtocolError(
        415,
        f"send RDF ({', '.join(sorted(RDF_MEDIA_TYPES))}), JSON or YAML records, or files as "
        f"multipart/form-data (got '{media or 'none'}')",
    )


async def _parts(request: Request, limit: int) -> list[tuple[str, bytes]]:
    form = await request.form(max_files=100, max_part_size=limit)
    files: list[tuple[str, bytes]] = []
    total = 0
    for _, value in form.multi_items():
        if isinstance(value, str):
            continue
        data = await value.read()
        total += len(data)
        if total > limit:
            raise ProtocolError(413, f"the files are larger than the {limit:,}-byte limit")
        files.append((value.filename or f"part-{len(files) + 1}", data))
    if not files:
        raise ProtocolError(400, "the multipart body holds no file")
    return files
