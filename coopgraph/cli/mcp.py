"""``coopgraph mcp``: the MCP tools (:mod:`server.mcp.tools`) on standard input/output.

The tools read the store through query worker processes, as the server does, so the same time and
answer-size limits hold; nothing but the protocol's messages is written to standard output.
"""

from __future__ import annotations

import argparse

import anyio

from coopgraph.cli import exits
from coopgraph.saved_queries import load_all
from coopgraph.settings import Settings


async def _serve(settings: Settings) -> None:
    from server.http.search_service import SearchService
    from server.http.state import State
    from server.mcp import tools
    from server.mcp.backend import Backend
    from server.workers.pool import Pool

    pool = Pool(settings.store, "query", settings.workers, settings.worker_memory_bytes, settings=settings)
    await pool.start()
    try:
        state = State(settings=settings, queries=pool)
        server = tools.build(Backend(state, SearchService(settings)), load_all())
        await server.run_stdio_async()
    finally:
        await pool.stop()


def mcp(args: argparse.Namespace) -> int:
    settings = exits.settings(args)
    exits.open_store(args).close()  # a missing or damaged store is reported now, not to the client
    anyio.run(_serve, settings)
    return exits.OK
