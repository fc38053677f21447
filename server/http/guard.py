"""What every request and every answer passes through, whatever route serves it.

- a URL whose percent-decoded parameters or path are not UTF-8 is a 400 (Starlette would read ``%FF`` as
  U+FFFD and answer as if it were a character);
- a body larger than ``max_body_bytes`` is a 413: at once when its Content-Length says so, before any of
  it is read, and as soon as a body without one passes the limit (every body form: direct, form,
  multipart);
- ``OPTIONS`` is answered with the methods the path allows, and ``HEAD`` wherever ``GET`` is served;
- every answer carries the security headers (:data:`SECURITY_HEADERS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

from starlette.responses import PlainTextResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http.protocol import URL_NOT_UTF8, ProtocolError

#: The Content-Security-Policy of every answer: this server's own scripts and styles only (inline styles
#: for the generated pages), no framing by other sites, no plugins, forms posted here only.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
_SECURITY_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)


class BodyTooLarge(ProtocolError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"the request body is larger than the {limit:,}-byte limit (setting max_body_bytes)"
        )


class Methods:
    """The methods each path allows, from the route table's paths (``{name}`` parameters and mounts)."""

    def __init__(self, routes: Iterable[tuple[str, tuple[str, ...], bool]]) -> None:
        self.routes: list[tuple[re.Pattern[str], frozenset[str]]] = []
        for path, methods, mount in routes:
            pattern = re.compile(re.escape(path.rstrip("/")) + "(/.*)?$") if mount else compile_path(path)[0]
            self.routes.append((pattern, frozenset(methods)))

    def allowed(self, path: str) -> frozenset[str] | None:
        """The methods of the first route that matches ``path``; None when none does."""
        for pattern, methods in self.routes:
            if pattern.match(path):
                if "GET" in methods:
                    methods = methods | {"HEAD"}
                return methods | {"OPTIONS"}
        return None


def _url_is_utf8(scope: Scope) -> bool:
    for raw in (scope.get("query_string", b""), scope.get("raw_path") or b""):
        if b"%" in raw:
            try:
                unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
            message = {**message, "headers": headers}
        await send(message)

    return sending


def _without_body(send: Send) -> Send:
    """An answer to HEAD: the GET answer's head, no body."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return sending


def _limited(receive: Receive, limit: int) -> Receive:
    received = 0

    async def receiving() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return receiving


def guard(app: ASGIApp, methods: Methods, max_body_bytes: int) -> ASGIApp:
    """``app`` behind the checks this module describes."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        send = _with_headers(send)
        early = _early_answer(scope, methods, max_body_bytes)
        if early is not None:
            await early(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            served = _served(methods, scope["path"])
            if "GET" in served and "HEAD" not in served:
                scope = {**scope, "method": "GET"}
                send = _without_body(send)
        await app(scope, _limited(receive, max_body_bytes), send)

    return guarded


def _served(methods: Methods, path: str) -> frozenset[str]:
    """The methods the route itself serves (without the HEAD and OPTIONS this module adds)."""
    for pattern, served in methods.routes:
        if pattern.match(path):
            return served
    return frozenset()


def _early_answer(scope: Scope, methods: Methods, max_body_bytes: int) -> Response | None:
    """The answer to a request refused (or an OPTIONS answered) before its route sees it."""
    if not _url_is_utf8(scope):
        return PlainTextResponse(URL_NOT_UTF8 + "\n", status_code=400)
    length = _declared_length(scope)
    if length is not None and length > max_body_bytes:
        return BodyTooLarge(max_body_bytes).response()
    if scope["method"] == "OPTIONS":
        allowed = methods.allowed(scope["path"])
        if allowed is None:
            return PlainTextResponse("not found\n", status_code=404)
        order = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
        return Response(status_code=204, headers={"Allow": ", ".join(m for m in order if m in allowed)})
    return None
