"""Memento (RFC 7089) for the resources the project names: each resource's description as it stood at an
earlier version of the store, found by date.

For ``https://w3id.org/coopgraph/{path}`` (the original resource, URI-R, served at ``/{path}``):

- ``/timemap/{path}`` (URI-T) lists its mementos: one per version that added or removed a statement
  about it (as subject or object), with the version's time; ``application/link-format`` (RFC 6690, as
  RFC 7089 writes TimeMaps), JSON (the shape the Memento aggregators use) or HTML;
- ``/timegate/{path}`` (URI-G) answers ``Accept-Datetime`` with ``302`` to the memento of the newest
  version at or before that time (the first memento for a time before it, the last without the header);
- ``/memento/{n}/{path}`` (URI-M) is the description right after version ``n``, in every format the
  resource has, with ``Memento-Datetime`` (the version's time) and ``Link`` to the original, the TimeGate
  and the TimeMap. The query worker rebuilds it from the deltas (:mod:`server.workers.past`); its
  statements are those of version ``n``, the labels of the things it names are today's.

The resource itself links to its TimeGate and TimeMap (``Link`` header, and its page).
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from coopgraph import iris
from coopgraph.store.history import History, Version
from server.http import negotiation, resource_page, resources
from server.http.ontology_page import request_language
from server.http.query_page import CONTENT_SECURITY_POLICY
from server.http.state import State
from server.http.worker_calls import content_type, whole_answer
from server.workers.describe import DESCRIPTION_JSON
from server.workers.messages import Describe

LINK_FORMAT = "application/link-format"
TIMEMAP_OFFERS = (LINK_FORMAT, "application/json", "text/html")
IMMUTABLE = "public, max-age=31536000, immutable"
_UNSAFE = set('<>"\\')


def http_date(version: Version) -> str:
    """The version's time as an HTTP date (RFC 7231), as ``Memento-Datetime`` and TimeMaps write it."""
    return format_datetime(version.when.astimezone(UTC), usegmt=True)


def _path(request: Request, skip: int) -> str:
    """The path of the original resource below the base (percent-encoded as sent), after the first
    ``skip`` segments of the request's path."""
    raw = (request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1").split("?", 1)[0]
    root = request.scope.get("root_path", "")
    if root and raw.startswith(root):
        raw = raw[len(root) :]
    path = raw.lstrip("/").split("/", skip)[-1]
    if any(c in _UNSAFE or c.isspace() for c in path):  # they would break the Link header
        raise ValueError(path)
    return path


class _Urls:
    """The URLs of one resource's original, TimeGate, TimeMap and mementos on this server."""

    def __init__(self, state: State, request: Request, path: str) -> None:
        base = state.base_url(request)
        self.iri = iris.BASE + path
        self.original = f"{base}/{path}"
        self.timegate = f"{base}/timegate/{path}"
        self.timemap = f"{base}/timemap/{path}"
        self._memento = f"{base}/memento/{{}}/{path}"

    def memento(self, number: int) -> str:
        return self._memento.format(number)

    def links(self) -> str:
        return (
            f'<{self.original}>; rel="original", <{self.timegate}>; rel="timegate", '
            f'<{self.timemap}>; rel="timemap"; type="{LINK_FORMAT}"'
        )


def _urls(state: State, request: Request, skip: int) -> _Urls | None:
    try:
        return _Urls(state, request, _path(request, skip))
    except ValueError:
        return None


def mementos(log: History, iri: str) -> list[Version]:
    """The published versions that changed a statement about ``iri``, oldest first."""
    published = log.published()
    return [v for v in log.versions(published) if log.touches(v.number, iri)]


# ---------------------------------------------------------------------------------------------- TimeMap
async def timemap(request: Request) -> Response:
    state: State = request.app.state.coop
    urls = _urls(state, request, 1)
    if urls is None:
        return PlainTextResponse("not an IRI this server names\n", status_code=404)
    log = History(state.settings.store)
    found = await run_in_threadpool(mementos, log, urls.iri)
    if not found:
        return PlainTextResponse(f"no version changed <{urls.iri}>\n", status_code=404)
    chosen = negotiation.choose(request.headers.get("accept"), TIMEMAP_OFFERS) or LINK_FORMAT
    headers = {"Vary": "Accept", "Cache-Control": "no-cache", "ETag": f'"{found[-1].generation}-tm"'}
    if chosen == "application/json":
        return Response(json.dumps(_timemap_json(urls, found)), media_type=chosen, headers=headers)
    if chosen == "text/html":
        return HTMLResponse(_timemap_html(urls, found), headers=headers)
    return Response(_timemap_links(urls, found), media_type=LINK_FORMAT, headers=headers)


def _timemap_links(urls: _Urls, found: list[Version]) -> str:
    lines = [
        f'<{urls.original}>;rel="original"',
        f'<{urls.timemap}>;rel="self";type="{LINK_FORMAT}"'
        f';from="{http_date(found[0])}";until="{http_date(found[-1])}"',
        f'<{urls.timegate}>;rel="timegate"',
    ]
    for i, v in enumerate(found):
        rel = " ".join(
            [*(["first"] if i == 0 else []), *(["last"] if i == len(found) - 1 else []), "memento"]
        )
        lines.append(f'<{urls.memento(v.number)}>;rel="{rel}";datetime="{http_date(v)}"')
    return ",\n".join(lines) + "\n"


def _timemap_json(urls: _Urls, found: list[Version]) -> dict[str, object]:
    listed = [
        {"datetime": v.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "uri": urls.memento(v.number)}
        for v in found
    ]
    return {
        "original_uri": urls.original,
        "timegate_uri": urls.timegate,
        "timemap_uri": {"link_format": urls.timemap, "json_format": urls.timemap},
        "mementos": {"first": listed[0], "last": listed[-1], "list": listed},
    }


def _timemap_html(urls: _Urls, found: list[Version]) -> str:
    esc = html.escape
    rows = "".join(
        f'<li><a rel="memento" href="{esc(urls.memento(v.number))}">{esc(http_date(v))}</a> '
        f"(version {v.number}, {esc(v.kind)}{', ' + esc(v.message) if v.message else ''})</li>"
        for v in reversed(found)
    )
    return (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Versions of {esc(urls.iri)}</title>'
        f'<h1>Versions of <a rel="original" href="{esc(urls.original)}">{esc(urls.iri)}</a></h1>'
        f"<p>Newest first; each link is the description as it stood then.</p><ul>{rows}</ul></html>"
    )


# ---------------------------------------------------------------------------------------------- TimeGate
async def timegate(request: Request) -> Response:
    state: State = request.app.state.coop
    urls = _urls(state, request, 1)
    if urls is None:
        return PlainTextResponse("not an IRI this server names\n", status_code=404)
    headers = {"Vary": "accept-datetime", "Link": f'<{urls.original}>; rel="original"'}
    asked = request.headers.get("accept-datetime")
    when = None
    if asked is not None:
        try:
            when = parsedate_to_datetime(asked)
        except (TypeError, ValueError):
            when = None
        if when is None or when.tzinfo is None:
            return PlainTextResponse(
                "Accept-Datetime is an HTTP date, as 'Mon, 14 Apr 2025 00:00:00 GMT'\n",
                status_code=400,
                headers=headers,
            )
    found = await run_in_threadpool(mementos, History(state.settings.store), urls.iri)
    if not found:
        return PlainTextResponse(f"no version changed <{urls.iri}>\n", status_code=404, headers=headers)
    chosen = found[-1] if when is None else _at(found, when)
    first, last = found[0], found[-1]
    headers["Link"] = ", ".join(
        [
            f'<{urls.original}>; rel="original"',
            f'<{urls.timemap}>; rel="timemap"; type="{LINK_FORMAT}"',
            f'<{urls.memento(first.number)}>; rel="first memento"; datetime="{http_date(first)}"',
            f'<{urls.memento(last.number)}>; rel="last memento"; datetime="{http_date(last)}"',
        ]
    )
    headers["Location"] = urls.memento(chosen.number)
    return Response(status_code=302, headers=headers)


def _at(found: list[Version], when: datetime) -> Version:
    """The newest memento at or before ``when`` (to the second, as HTTP dates go), else the first."""
    chosen = found[0]
    for v in found:
        if v.when.replace(microsecond=0) <= when:
            chosen = v
    return chosen


# ---------------------------------------------------------------------------------------------- Memento
async def memento(request: Request) -> Response:
    state: State = request.app.state.coop
    try:
        number = int(request.path_params["number"])
    except ValueError:
        return PlainTextResponse("a version is a number\n", status_code=404)
    urls = _urls(state, request, 2)
    if urls is None:
        return PlainTextResponse("not an IRI this server names\n", status_code=404)
    headers = {"Vary": resources.VARY, "Link": urls.links()}
    log = History(state.settings.store)
    version = log.version(number, log.published())
    if version is None:
        return PlainTextResponse(f"no version {number}\n", status_code=404, headers=headers)
    try:
        media = resources.chosen_media(request)
    except ValueError as e:
        return PlainTextResponse(f"unknown format {e.args[0]!r}\n", status_code=400, headers=headers)
    if media is None:
        return PlainTextResponse(
            "accept one of " + ", ".join(resources.OFFERS) + "\n", status_code=406, headers=headers
        )
    base = state.base_url(request)
    answered = await whole_answer(
        state,
        Describe(
            iri=urls.iri,
            media_type=DESCRIPTION_JSON if media == resources.HTML else media,
            max_bytes=state.settings.max_result_bytes,
            context_url=base + "/context.jsonld",
            version=number,
        ),
    )
    if isinstance(answered, Response):
        return answered
    reply, body = answered
    if reply.status == 404:
        return PlainTextResponse(
            f"<{urls.iri}> had no description at version {number}\n", status_code=404, headers=headers
        )
    if reply.status != 200:
        return PlainTextResponse(
            (reply.head.error or "error") + "\n", status_code=reply.status, headers=headers
        )
    headers["Memento-Datetime"] = http_date(version)
    headers["Link"] += f', <{urls.memento(number)}>; rel="memento"; datetime="{http_date(version)}"'
    if media == resources.HTML:
        lang = request_language(request)
        own = urls.memento(number)
        page = resource_page.render(json.loads(body), lang, base, own)
        note = (
            f'<p class="cg-memento">As it stood at version {number}, {html.escape(http_date(version))} '
            f'(<a href="{html.escape(urls.original)}">now</a>, '
            f'<a rel="timemap" href="{html.escape(urls.timemap)}">other versions</a>)</p>'
        )
        page = page.replace('<p class="cg-iri">', note + '<p class="cg-iri">', 1)
        headers.update(
            {
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Content-Language": lang,
                "Cache-Control": "no-cache",
            }
        )
        return HTMLResponse(page, headers=headers)
    tag = f'"v{number}-{resources.FORMAT_NAME[media]}"'
    headers.update({"Cache-Control": IMMUTABLE, "Access-Control-Allow-Origin": "*", "ETag": tag})
    return Response(body, media_type=content_type(media), headers=headers)
