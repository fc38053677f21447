"""``/update``: the SPARQL 1.1 Protocol update operation (POST form or direct), bearer token required."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph import iris
from coopgraph.sparql_text import ScanError, UpdateInfo, scan_update
from server.http import safety
from server.http.auth import require_writer
from server.http.protocol import (
    ProtocolError,
    content_type,
    decode,
    parse_form,
    read_body,
    require_utf8,
    single,
    url_params,
)
from server.http.state import State
from server.http.worker_calls import write


def with_using(text: str, info: UpdateInfo, using: list[str], using_named: list[str]) -> str:
    """The protocol's ``using-graph-uri``/``using-named-graph-uri`` as USING clauses before each WHERE.

    The protocol forbids them beside USING or WITH in the text (a 400).
    """
    if not using and not using_named:
        return text
    if info.using_graphs or info.using_named_graphs or info.with_graphs:
        raise ProtocolError(
            400,
            "the update has USING or WITH clauses: it cannot also take "
            "using-graph-uri or using-named-graph-uri parameters",
        )
    clauses = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    for position in sorted(info.modify_wheres, reverse=True):
        text = text[:position] + clauses + text[position:]
    return text


async def update(request: Request) -> Response:
    state: State = request.app.state.coop
    if request.method != "POST":
        return PlainTextResponse("send updates with POST\n", status_code=405, headers={"Allow": "POST"})
    try:
        require_writer(request, state)
        params = url_params(request)
        media, ctype = content_type(request)
        body = await read_body(request, state.settings.max_body_bytes)
        if media == "application/x-www-form-urlencoded":
            form = parse_form(body)
            if "query" in form:
                raise ProtocolError(400, "queries are sent to /sparql, not to /update")
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            text = single(params.get("update"), "update")
            if text is None:
                raise ProtocolError(400, "the form has no 'update' field")
        elif media == "application/sparql-update":
            require_utf8(ctype)
            text = decode(body)
        else:
            raise ProtocolError(
                415,
                "send the update as application/sparql-update, or as a form "
                "(application/x-www-form-urlencoded) with an 'update' field",
            )
        try:
            info = scan_update(text)
        except ScanError as e:
            raise ProtocolError(400, f"the update is not valid SPARQL: {e}") from None
        try:
            safety.check_update(info, state.settings.service_allowlist, protected=(iris.CATALOG_GRAPH,))
        except safety.Refused as e:
            raise ProtocolError(400, str(e)) from None
        text = with_using(
            text, info, params.get("using-graph-uri", []), params.get("using-named-graph-uri", [])
        )
    except ProtocolError as e:
        return e.response()
    return await write(
        state,
        {
            "op": "update",
            "update": text,
            "base_iri": state.base_url(request, "/update"),
            "origin": state.base_url(request, "/update"),
            "agent": "coopgraph server",
        },
    )
