"""Writes need the bearer token; without a configured token the server is read-only."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from server.http.protocol import ProtocolError
from server.http.state import State


def require_writer(request: Request, state: State) -> None:
    token = state.settings.write_token
    if not token or state.writes is None:
        raise ProtocolError(
            403,
            "this server is read-only: no write token is configured "
            "(set COOPGRAPH_WRITE_TOKEN to allow writes)",
        )
    # Exactly one header: Authorization is not a list, and two of them are not one credential.
    headers = request.headers.getlist("authorization")
    scheme, _, given = (headers[0] if len(headers) == 1 else "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ProtocolError(
            401,
            "writes need the header 'Authorization: Bearer <token>'",
            {"WWW-Authenticate": 'Bearer realm="coopgraph"'},
        )
