"""``/dumps/``: the whole dataset and each graph as compressed files, with their checksums.

A query worker writes the files once per store generation (:mod:`server.workers.dumps`) into the
store's ``dumps/`` folder and answers with their manifest; this module lists them and serves them
from disk with ``ETag`` (their SHA-256), ``Last-Modified`` (when they were written), ``Content-Length``
and conditional GET (``304``).
"""

from __future__ import annotations

import base64
import html
import json
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response

from server.http import negotiation
from server.http.query_page import CONTENT_SECURITY_POLICY
from server.http.state import State
from server.http.worker_calls import query_failure
from server.workers.messages import Dumps
from server.workers.pool import Busy, Expired, WorkerCrashed

#: The files beside the dumps, served as text.
SIDE_FILES = {"SHA256SUMS": "text/plain; charset=utf-8", "manifest.json": "application/json"}


def dump_directory(state: State) -> Path:
    return state.settings.store / "dumps"


async def manifest(request: Request, state: State) -> dict[str, Any] | Response:
    """The manifest of the current generation's dumps (a worker writes them first if they are missing)."""
    timeout = state.settings.write_timeout  # the first request of a generation waits for the files
    message = Dumps(
        directory=str(dump_directory(state)), context_url=state.base_url(request, "/context.jsonld")
    )
    try:
        reply = await state.queries.call(message, timeout)
    except (Busy, Expired, WorkerCrashed) as e:
        return query_failure(e, timeout)
    if reply.status != 200 or reply.body is None:
        return PlainTextResponse((reply.head.error or "error") + "\n", status_code=reply.status or 500)
    return json.loads(reply.body)


def _last_modified(found: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(found["created"])


def not_modified(request: Request, tag: str, modified: datetime) -> bool:
    """Whether a conditional GET's validators match (``If-None-Match`` wins over ``If-Modified-Since``)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or tag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


async def dump_index(request: Request) -> Response:
    """The list of dump files: HTML for browsers, JSON (the manifest) for programs."""
    state: State = request.app.state.coop
    found = await manifest(request, state)
    if isinstance(found, Response):
        return found
    found.pop("folder", None)
    base = state.base_url(request, "/dumps/")
    for entry in found["files"]:
        entry["url"] = base + entry["name"]
    headers = {"Vary": "Accept", "ETag": f'"{found["generation"]}"', "Cache-Control": "no-cache"}
    headers["Last-Modified"] = format_datetime(_last_modified(found), usegmt=True)
    if not_modified(request, headers["ETag"], _last_modified(found)):
        return Response(status_code=304, headers=headers)
    media = negotiation.choose(request.headers.get("accept"), ("application/json", "text/html"))
    if request.query_params.get("format") == "json" or media == "application/json":
        return JSONResponse(found, headers=headers)
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return HTMLResponse(_index_html(found, state.base_url(request)), headers=headers)


def _index_html(found: dict[str, Any], base: str) -> str:
    esc = html.escape
    rows = "".join(
        f'<tr><td><a href="{esc(f["url"])}">{esc(f["name"])}</a></td><td>{esc(f["media_type"])} (gzip)</td>'
        f"<td>{esc(f['graph'] or 'the whole dataset')}</td><td>{f['size']:,}</td>"
        f"<td><code>{esc(f['sha256'])}</code></td></tr>"
        for f in found["files"]
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>coopgraph — dumps</title>'
        f'<link rel="stylesheet" href="{esc(base)}/static/ui/pages.css">'
        f'<link rel="describedby" href="{esc(base)}/.well-known/void"></head><body>'
        f'<p><a href="{esc(base)}/">coopgraph</a> · '
        f'<a href="{esc(base)}/.well-known/void">dataset description</a></p>'
        "<h1>Dumps</h1>"
        f"<p>Generation <code>{esc(found['generation'])}</code>, written {esc(found['created'])}. "
        f'Checksums: <a href="SHA256SUMS">SHA256SUMS</a>; the list as <a href="?format=json">JSON</a>. '
        f"The JSON-LD is compacted against <code>{esc(found['context'])}</code>.</p>"
        "<table><tr><th>file</th><th>content</th><th>graph</th><th>bytes</th><th>SHA-256</th></tr>"
        f"{rows}</table></body></html>"
    )


async def dump_file(request: Request) -> Response:
    """One dump file (or SHA256SUMS, manifest.json), with its validators."""
    state: State = request.app.state.coop
    name = request.path_params["name"]
    found = await manifest(request, state)
    if isinstance(found, Response):
        return found
    folder = Path(found["folder"])
    entry = next((f for f in found["files"] if f["name"] == name), None)
    if entry is None and name not in SIDE_FILES:
        return PlainTextResponse(f"no dump named {name!r}; see /dumps/\n", status_code=404)
    modified = _last_modified(found)
    tag = f'"{entry["sha256"][:40]}"' if entry else f'"{found["generation"]}-{name}"'
    headers = {
        "ETag": tag,
        "Last-Modified": format_datetime(modified, usegmt=True),
        "Cache-Control": "no-cache",
        "Access-Control-Allow-Origin": "*",
    }
    if not_modified(request, tag, modified):
        return Response(status_code=304, headers=headers)
    if entry is None:
        return FileResponse(folder / name, media_type=SIDE_FILES[name], headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    headers["Digest"] = "sha-256=" + _base64(entry["sha256"])
    return FileResponse(folder / name, media_type="application/gzip", headers=headers)


def _base64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")
