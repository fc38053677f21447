"""Frames between the server and its worker processes: one type byte, a 4-byte length, the payload.

``H`` a JSON header (what follows, or the outcome), ``D`` a chunk of response body, ``E`` the end.
Requests are a single ``H`` frame, optionally followed by ``D`` frames and an ``E``.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

HEADER, DATA, END = b"H", b"D", b"E"
PREFIX = struct.Struct(">cI")
PREFIX_SIZE = PREFIX.size
_PREFIX = PREFIX


def frame(kind: bytes, payload: bytes | bytearray | memoryview = b"") -> bytes:
    return _PREFIX.pack(kind, len(payload)) + payload


def header(obj: dict[str, Any]) -> bytes:
    return frame(HEADER, json.dumps(obj, ensure_ascii=False).encode())


def parse_prefix(prefix: bytes) -> tuple[bytes, int]:
    kind, length = _PREFIX.unpack(prefix)
    return kind, length


def read_frame(stream: BinaryIO) -> tuple[bytes, bytes]:
    """Blocking read of one frame (worker side); EOF raises EOFError."""
    prefix = stream.read(PREFIX_SIZE)
    if len(prefix) < PREFIX_SIZE:
        raise EOFError
    kind, length = parse_prefix(prefix)
    payload = stream.read(length) if length else b""
    if len(payload) < length:
        raise EOFError
    return kind, payload
