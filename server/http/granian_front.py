"""Running the app under Granian (a Rust HTTP server), embedded in this process: the setting ``front``.

Granian parses HTTP on its own threads and calls the ASGI app on this process's event loop (uvloop), so
the app, its query workers and every check made inside the app (time limits and kill on expiry, body
limits, the access log, ``/metrics``) are the same as under uvicorn. What Granian does not offer as
uvicorn's guarded protocol does (:mod:`server.http.connections`): a cap on open connections answered 503
(Granian's ``backpressure`` only holds requests past it back), a timeout on a stalled request body, and a
408 answer to slow headers (its header-read timeout closes such a connection without a word). A stop
signal stops taking connections and, after ``shutdown_timeout``, stops the requests still running.

Granian binds its own listening socket (``SO_REUSEPORT``): the socket ``coopgraph serve`` bound to check
the port is closed just before Granian binds the same address.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from typing import Any

from coopgraph.settings import Settings
from server.http.running import STOP_SIGNALS


class _Requests:
    """The app, keeping the tasks of the requests in flight so that a stopping server can stop those still
    running once ``shutdown_timeout`` has passed (as uvicorn does; :mod:`server.http.observe` answers
    them 503)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.running: set[asyncio.Task[Any]] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        task = asyncio.current_task() if scope["type"] == "http" else None
        if task is None:
            await self.app(scope, receive, send)
            return
        self.running.add(task)
        try:
            await self.app(scope, receive, send)
        finally:
            self.running.discard(task)

    def cancel(self) -> None:
        for task in list(self.running):
            task.cancel()


def run(app: Any, settings: Settings, sock: socket.socket) -> None:
    """Serve ``app`` with Granian on the address of ``sock`` until a stop signal."""
    import uvloop
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server.embed import Server

    host, port = sock.getsockname()[:2]
    requests = _Requests(app)
    server = Server(
        requests,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,
        backlog=2048,
        backpressure=settings.max_connections,
        http1_settings=HTTP1Settings(header_read_timeout=round(settings.header_timeout * 1000)),
        log_level=LogLevels.warning,
        log_access=False,  # the app logs its own (server.http.observe)
    )

    async def serve() -> None:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            server.stop()
            loop.call_later(settings.shutdown_timeout, requests.cancel)

        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop)
        try:
            await server.serve()
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
                signal.signal(sig, signal.SIG_DFL)

    sock.close()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve())
