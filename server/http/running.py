"""Running the app under uvicorn on a socket bound beforehand, and stopping it gracefully.

``coopgraph serve`` binds its port before it touches the store (:mod:`coopgraph.cli.serve`): the socket is
handed to uvicorn here. On SIGTERM or SIGINT the server stops taking connections, gives the requests in
flight ``shutdown_timeout`` seconds to finish, stops the rest (:mod:`server.http.observe` answers them
503), stops its workers and returns, so that the process exits 0.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Generator
from typing import Any

import uvicorn

from coopgraph.settings import Settings
from server.http.allocator import return_large_blocks
from server.http.connections import uvicorn_options

#: The signals that stop the server gracefully.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class AddressInUse(OSError):
    """Another program listens on the host and port."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host`` and ``port``; :class:`AddressInUse` if they are taken."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart reuses a port in TIME_WAIT
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if isinstance(e, OSError) and e.errno in (98, 48):  # EADDRINUSE on Linux, BSD and macOS
            raise AddressInUse(e.errno, f"{host}:{port} is already in use") from None
        raise
    sock.set_inheritable(False)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, but a stop signal ends :meth:`run` normally instead of being raised again once
    the server has stopped (which would end the process by that signal, not with exit code 0)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run(app: Any, settings: Settings, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until a stop signal."""
    return_large_blocks()
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # the app logs its own (server.http.observe)
        loop="uvloop",
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout)),
        **uvicorn_options(settings),
    )
    _Server(config).run(sockets=[sock])
