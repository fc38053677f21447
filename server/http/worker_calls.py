"""Sending a write to the write worker and turning its outcome into a response."""

from __future__ import annotations

from typing import Any

from starlette.responses import PlainTextResponse, Response

from server.http.state import State
from server.workers.pool import Busy, Expired, WorkerCrashed


async def write(
    state: State, head: dict[str, Any], body: bytes | None = None, headers: dict[str, str] | None = None
) -> Response:
    assert state.writes is not None
    timeout = state.settings.write_timeout
    try:
        answer = await state.writes.call(head, timeout, body)
    except Busy:
        return PlainTextResponse(
            "another write is still running; try again shortly\n",
            status_code=503,
            headers={"Retry-After": "5"},
        )
    except Expired:
        return PlainTextResponse(
            f"the write ran longer than the {timeout:g} s limit and was stopped; nothing was changed\n",
            status_code=503,
        )
    except WorkerCrashed as e:
        return PlainTextResponse(
            f"the write could not be completed: {e}; nothing was changed\n", status_code=500
        )
    media = answer.head.get("content_type", "text/plain; charset=utf-8")
    status = answer.status
    if status in (201, 204) and not answer.body:
        return Response(status_code=status, headers=headers if status == 201 else None)
    return Response(answer.body or b"", status_code=status, media_type=media)
