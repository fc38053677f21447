"""A local HTTP server that records every request made to it: the oracle for whether Oxigraph really
contacts a SERVICE or LOAD target (the ``evil`` fixture of conftest.py)."""

from __future__ import annotations

import http.server
import threading
from typing import ClassVar

import pyoxigraph as ox


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    """A recorder on a free loopback port, serving from a thread: the server and its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def contacts(store: ox.Store, text: str, *, update: bool = False) -> bool:
    """Whether running ``text`` on ``store`` made a request to the recorder (SyntaxError when Oxigraph
    refuses the text; the recorder's 500 answers are not errors here)."""
    Recorder.hits.clear()
    try:
        if update:
            store.update(text)
        else:
            result = store.query(text)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
    except SyntaxError:
        raise
    except OSError:
        pass  # the recorder answers 500
    return bool(Recorder.hits)
