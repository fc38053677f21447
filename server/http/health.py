"""``/healthz`` (the process answers) and ``/readyz`` (the store is open and the workers are up)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from coopgraph.store import StoreMissing, published_generation
from server.http.state import State


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok\n")


def readiness(state: State) -> dict[str, str]:
    """What keeps the server from answering queries, by check; empty when it is ready."""
    problems: dict[str, str] = {}
    if state.not_ready is not None:
        problems["workers"] = state.not_ready
    else:
        for pool in (state.queries, state.writes, state.checks):
            if pool is not None and not pool.all:
                problems["workers"] = f"no {pool.role} worker is running (they are being restarted)"
    if not state.settings.remote_store:
        try:
            if published_generation(state.settings.store) is None:
                problems["store"] = f"{state.settings.store} holds no published generation"
        except StoreMissing as e:
            problems["store"] = str(e)
    return problems


async def readyz(request: Request) -> Response:
    state: State = request.app.state.coop
    problems = readiness(state)
    body = {"ready": not problems, "problems": problems}
    return JSONResponse(body, status_code=503 if problems else 200, headers={"Cache-Control": "no-store"})
