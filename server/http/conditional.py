"""Conditional GET on what depends only on the store: an ``ETag`` names the store generation an answer
was read from (and the variant: format, language, query), and a matching ``If-None-Match`` is
answered ``304`` after asking a query worker which generation is published (a ping: no query runs).

A published generation never changes, so the tag is exact; the worst a race can do is name the
generation before the one a body was read from, which costs the client one more full answer.
"""

from __future__ import annotations

import hashlib

from starlette.responses import Response

from server.http.state import State
from server.workers.messages import Ping
from server.workers.pool import Busy, Expired, WorkerCrashed


def etag(generation: str, variant: str) -> str:
    return f'"{generation}.{variant}"'


def generation_in(if_none_match: str | None, variant: str) -> str | None:
    """The generation named by an ``If-None-Match`` tag made for this variant, if any."""
    for tag in (if_none_match or "").split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        generation, dot, rest = tag.rpartition(".")
        if dot and rest == variant and generation:
            return generation
    return None


def variant_of(*parts: str | None) -> str:
    """What besides the generation tells one answer of a URL from another (its Accept, its query…)."""
    return hashlib.sha256("|".join(p or "" for p in parts).encode()).hexdigest()[:12]


async def published_generation(state: State) -> str | None:
    """The generation the query workers read now (None if none answers in time)."""
    try:
        reply = await state.queries.call(Ping(), state.settings.query_timeout)
    except (Busy, Expired, WorkerCrashed):
        return None
    return reply.head.generation


async def not_modified(state: State, if_none_match: str | None, variant: str) -> Response | None:
    """``304`` when ``If-None-Match`` names this variant of the published generation, else None."""
    named = generation_in(if_none_match, variant)
    if named is None:
        return None
    if await published_generation(state) != named:
        return None
    return Response(status_code=304, headers={"ETag": etag(named, variant), "Cache-Control": "no-cache"})


def tag_headers(generation: str | None, variant: str) -> dict[str, str]:
    """The validators of an answer read from ``generation`` (none when the worker did not say)."""
    if not generation:
        return {}
    return {"ETag": etag(generation, variant), "Cache-Control": "no-cache"}
