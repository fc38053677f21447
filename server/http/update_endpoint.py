"""``/update``: the SPARQL 1.1 Protocol update operation (POST form or direct), bearer token required."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph.sparql_errors import explain
from coopgraph.sparql_text import ScanError, UpdateInfo, scan_update
from server.http import safety
from server.http.auth import require_writer
from server.http.change_message import change_message
from server.http.observe import QUERY_TEXT
from server.http.protocol import PostedOperation, ProtocolError, check_depth, check_iris, read_posted
from server.http.state import State
from server.http.validation import report_lang, report_type
from server.http.worker_calls import write
from server.workers.messages import Update

#: An update POSTed to /update: in a form's ``update`` field, or as the body.
POSTED_UPDATE = PostedOperation(
    field="update",
    media_type="application/sparql-update",
    other_field="query",
    other_media_type=None,
    misdirected="queries are sent to /sparql, not to /update",
    unsupported="send the update as application/sparql-update, or as a form "
    "(application/x-www-form-urlencoded) with an 'update' field",
)


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
        text, params = await read_posted(request, state.settings.max_body_bytes, POSTED_UPDATE)
        request.scope[QUERY_TEXT] = text  # for the access log
        try:
            info = scan_update(text)
        except ScanError as e:
            raise ProtocolError(
                400, f"the update is not valid SPARQL: {explain(text, e, what='update')}"
            ) from None
        check_depth(info.depth, state.settings.max_nesting_depth, "update")
        check_iris(params, "using-graph-uri", "using-named-graph-uri")
        try:
            safety.check_update(info, state.settings.service_allowlist)
        except safety.Refused as e:
            raise ProtocolError(403 if isinstance(e, safety.Forbidden) else 400, str(e)) from None
        if info.silent_loads:
            text = safety.without_silent_loads(text, info)
            info = scan_update(text)
        text = with_using(
            text, info, params.get("using-graph-uri", []), params.get("using-named-graph-uri", [])
        )
        message = change_message(request, params)
    except ProtocolError as e:
        return e.response()
    origin = state.base_url(request, "/update")
    return await write(
        state,
        Update(
            update=text,
            base_iri=origin,
            origin=origin,
            agent="coopgraph server",
            who=state.settings.write_token_name,
            message=message,
            report_type=report_type(request),
            lang=report_lang(request),
        ),
    )
