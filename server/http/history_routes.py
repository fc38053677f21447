"""``GET /history`` (the versions, newest first, paged, filtered), ``GET /history/{v}`` (one change as RDF
Patch, N-Quads, JSON or HTML) and ``GET /validation/history`` (each version's validation summary as a
PROV activity).

The versions are small files beside the store (:mod:`coopgraph.store.history`), read in a thread; a
list is tagged by the published generation and its newest version, so a client that polls gets 304
until something changes.
"""

from __future__ import annotations

import html
import json
import zlib
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph import change_text, rdf_patch
from coopgraph.store.history import Delta, History, Version
from server.http import negotiation
from server.http.dumps import not_modified
from server.http.state import State

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
LIST_OFFERS = ("application/json", "text/html")
CHANGE_OFFERS = (rdf_patch.MEDIA_TYPE, "application/n-quads", "application/json", "text/html")
_FORMATS = {"patch": rdf_patch.MEDIA_TYPE, "nq": "application/n-quads", "json": "application/json"}


def _history(state: State) -> History:
    return History(state.settings.store)


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _select(log: History, published: str | None, params: dict[str, str]) -> list[Version]:
    since = _since(params.get("since"))
    graph, resource = params.get("graph"), params.get("resource")
    found = []
    for v in log.versions(published):
        if since is not None and v.when < since:
            continue
        if graph and graph not in v.graphs:
            continue
        if resource and not log.touches(v.number, resource):
            continue
        found.append(v)
    return found


def _listing_tag(published: str | None, log: History, request: Request) -> str:
    """Changes when a version is published or pruned, or the filters differ."""
    latest = log.latest(published)
    query = zlib.crc32(str(request.url.query).encode())
    return f'"{published}-{latest.number if latest else 0}-{query:08x}"'


async def history_list(request: Request) -> Response:
    state: State = request.app.state.coop
    log = _history(state)
    published = log.published()
    tag = _listing_tag(published, log, request)
    headers = {"ETag": tag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if tag in {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    params = dict(request.query_params)
    try:
        page = max(int(params.pop("page", "1")), 1)
        size = min(max(int(params.pop("limit", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
        versions = await run_in_threadpool(_select, log, published, params)
    except ValueError as e:
        return PlainTextResponse(f"bad parameter: {e}\n", status_code=400)
    versions.reverse()  # newest first
    shown = versions[(page - 1) * size : page * size]
    base = state.base_url(request, "/history")
    more = len(versions) > page * size
    following = f"{base}?{urlencode({**params, 'limit': size, 'page': page + 1})}" if more else None
    if following:
        headers["Link"] = f'<{following}>; rel="next"'
    chosen = negotiation.choose(request.headers.get("accept"), LIST_OFFERS) or "application/json"
    if chosen == "text/html":
        return Response(_list_html(shown, base, following), media_type="text/html", headers=headers)
    body = {"versions": [v.as_dict() for v in shown], "total": len(versions), "next": following}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=headers)


def _list_html(versions: list[Version], base: str, following: str | None) -> str:
    rows = "".join(
        f'<tr><td><a href="{html.escape(base)}/{v.number}">v{v.number}</a></td><td>{html.escape(v.time)}</td>'
        f"<td>{html.escape(v.kind)}</td><td>{html.escape(v.who)}</td><td>{html.escape(v.message or '')}</td>"
        f"<td>+{v.added} −{v.removed}</td></tr>"
        for v in versions
    )
    more = f'<p><a rel="next" href="{html.escape(following)}">older</a></p>' if following else ""
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>History · coopgraph</title>'
        "<h1>History</h1><table><thead><tr><th>version</th><th>time</th><th>kind</th><th>who</th>"
        f"<th>message</th><th>statements</th></tr></thead><tbody>{rows}</tbody></table>{more}</html>"
    )


async def history_version(request: Request) -> Response:
    state: State = request.app.state.coop
    log = _history(state)
    try:
        number = int(request.path_params["number"])
    except ValueError:
        return PlainTextResponse("a version is a number\n", status_code=404)
    version = log.version(number, log.published())
    if version is None:
        return PlainTextResponse(f"no version {number}\n", status_code=404)
    tag = f'"v{number}"'  # a version never changes
    headers = {"ETag": tag, "Vary": "Accept", "Cache-Control": "public, max-age=31536000, immutable"}
    if not_modified(request, tag, version.when):
        return Response(status_code=304, headers=headers)
    named = _FORMATS.get(request.query_params.get("format", ""))
    chosen = named or negotiation.choose(request.headers.get("accept"), CHANGE_OFFERS) or rdf_patch.MEDIA_TYPE
    delta: Delta = await run_in_threadpool(log.delta, number)
    if chosen == rdf_patch.MEDIA_TYPE:
        return Response(change_text.as_patch(version, delta), media_type=chosen, headers=headers)
    if chosen == "application/n-quads":
        part = delta.removed if request.query_params.get("part") == "removed" else delta.added
        body = "".join(f"{q} .\n" for q in sorted(part, key=str))
        return Response(body, media_type=chosen, headers=headers)
    if chosen == "application/json":
        body = json.dumps(change_text.as_json(version, delta), ensure_ascii=False)
        return Response(body, media_type=chosen, headers=headers)
    names = change_text.labels_in(delta)
    text = html.escape(change_text.as_text(version, delta, names))
    page = (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>v{number} · coopgraph</title>'
        f'<h1>Version {number}</h1><p><a href="?format=patch">RDF Patch</a> · <a href="?format=nq">'
        f'added (N-Quads)</a> · <a href="?format=nq&amp;part=removed">removed (N-Quads)</a></p>'
        f"<pre>{text}</pre></html>"
    )
    return Response(page, media_type="text/html", headers={**headers, "Cache-Control": "no-cache"})


async def validation_history(request: Request) -> Response:
    """Each change's validation summary, newest first (the writes made before the store kept versions
    are not listed)."""
    state: State = request.app.state.coop
    log = _history(state)
    published = log.published()
    versions = await run_in_threadpool(log.versions, published)
    activities = [change_text.activity(v) for v in reversed(versions)]
    for a in activities:
        del a["@context"]
    body = {"@context": {"prov": "http://www.w3.org/ns/prov#"}, "activities": activities}
    headers = {"ETag": f'"{published}"', "Cache-Control": "no-cache"}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=headers)
