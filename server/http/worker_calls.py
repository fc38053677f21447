"""Sending a request to the query or the write workers and turning their answer into a response."""

from __future__ import annotations

from functools import lru_cache

from starlette.responses import PlainTextResponse, Response, StreamingResponse

from server.http.conditional import tag_headers
from server.http.fairness import RETRY_AFTER, TooManyQueries
from server.http.state import State
from server.workers import messages
from server.workers.pool import Answer, Busy, Expired, OutOfMemory, Pool, WorkerCrashed


# ---------------------------------------------------------------------------------------------- queries
async def answer_query(
    state: State,
    request: messages.Query | messages.GraphDump,
    head_only: bool = False,
    client: str = "",
    variant: str | None = None,
) -> Response:
    """A query or a graph, answered by a query worker, within the client's share of them (with an
    ``ETag`` naming the generation read when ``variant`` is given)."""
    timeout = state.settings.query_timeout
    try:
        async with state.shares.slot(client, timeout):
            reply = await state.queries.call(request, timeout)
    except (Busy, Expired, WorkerCrashed, TooManyQueries) as e:
        return query_failure(e, timeout)
    return await query_response(state, reply, head_only, variant)


async def whole_answer(state: State, request: messages.Request) -> tuple[Answer, bytes] | Response:
    """A query worker's answer to a request the server makes for its own pages, with its whole body (read
    from the stream when the worker sends one), or the response saying why there is none."""
    timeout = state.settings.query_timeout
    try:
        reply = await state.queries.call(request, timeout)
        body = (
            reply.body if reply.body is not None else b"".join([c async for c in state.queries.stream(reply)])
        )
    except (Busy, Expired, WorkerCrashed) as e:
        return query_failure(e, timeout)
    return reply, body


def query_failure(error: Exception, timeout: float) -> Response:
    retry = {"Retry-After": RETRY_AFTER}
    if isinstance(error, Busy | TooManyQueries):
        return PlainTextResponse(
            f"the server is busy: {error}; try again shortly\n", status_code=503, headers=retry
        )
    if isinstance(error, OutOfMemory):
        return PlainTextResponse(
            f"the query was stopped: {error}; narrow it, or add a LIMIT\n", status_code=503, headers=retry
        )
    if isinstance(error, Expired):
        return PlainTextResponse(
            f"the query ran longer than the {timeout:g} s limit and was stopped\n",
            status_code=503,
            headers=retry,
        )
    return PlainTextResponse(f"the query could not be completed: {error}\n", status_code=500)


@lru_cache(maxsize=64)
def content_type(media: str) -> str:
    """The Content-Type of an answer in ``media`` (with the charset of the text formats)."""
    if (
        media.startswith("text/")
        or media.endswith(("json", "xml"))
        or media in ("application/n-triples", "application/n-quads", "application/trig")
    ):
        return media + "; charset=utf-8"
    return media


async def query_response(
    state: State, reply: Answer, head_only: bool, variant: str | None = None
) -> Response:
    headers = {"Vary": "Accept"}
    if reply.status != 200:
        message = reply.head.error or "error"
        return PlainTextResponse(message + "\n", status_code=reply.status, headers=headers)
    if variant is not None and reply.head.generation:
        headers.update(tag_headers(reply.head.generation, variant))
    assert reply.head.media_type is not None
    media = content_type(reply.head.media_type)
    if reply.body is not None:
        if head_only:
            headers["Content-Length"] = str(len(reply.body))
            return Response(b"", media_type=media, headers=headers)
        return Response(reply.body, media_type=media, headers=headers)
    stream = state.queries.stream(reply)
    if head_only:
        async for _ in stream:  # read it all so that the worker is free
            pass
        return Response(b"", media_type=media, headers=headers)
    return StreamingResponse(stream, media_type=media, headers=headers)


# ---------------------------------------------------------------------------------------------- writes
async def call_worker(
    pool: Pool, request: messages.Write | messages.Check, timeout: float, body: bytes | None, what: str
) -> Answer | Response:
    """Send a write or a validation to its worker; the answer, or the response saying why there is none.

    ``what`` names the work in the messages ("write", "validation"); a write also says nothing changed.
    """
    unchanged = "; nothing was changed" if what == "write" else ""
    try:
        return await pool.call(request, timeout, body)
    except Busy:
        return PlainTextResponse(
            f"another {what} is still running; try again shortly\n",
            status_code=503,
            headers={"Retry-After": RETRY_AFTER},
        )
    except Expired:
        return PlainTextResponse(
            f"the {what} ran longer than the {timeout:g} s limit and was stopped{unchanged}\n",
            status_code=503,
            headers={"Retry-After": RETRY_AFTER},
        )
    except WorkerCrashed as e:
        return PlainTextResponse(f"the {what} could not be completed: {e}{unchanged}\n", status_code=500)


async def write(
    state: State,
    request: messages.Write,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A write, answered by the write worker (the caller has checked the token)."""
    assert state.writes is not None
    answer = await call_worker(state.writes, request, state.settings.write_timeout, body, "write")
    if isinstance(answer, Response):
        return answer
    media = answer.head.content_type or "text/plain; charset=utf-8"
    status = answer.status
    if status in (201, 204) and not answer.body:
        return Response(status_code=status, headers=headers if status == 201 else None)
    return Response(answer.body or b"", status_code=status, media_type=media)
