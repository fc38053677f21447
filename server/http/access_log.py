"""The access log: a line per request on standard error, as words (``plain``) or JSON lines (``json``).

A line holds the time, the client's address, the method, the path (never the query string: it may
hold anything), the status, the bytes sent and the duration; a query adds its request id and its first
characters. Headers are never logged (no ``Authorization``, no write token). The workers' events (a
request stopped at its time limit, a worker restarted) go through the same log with the request's id.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

#: The logger of the request lines; the pool's events come from ``coopgraph.workers``.
ACCESS = logging.getLogger("coopgraph.access")
EVENT_LOGGERS = ("coopgraph.workers",)
#: Characters of a query's text kept in its line.
QUERY_CHARS = 80
STYLES = ("plain", "json", "off")


def query_excerpt(text: str) -> str:
    """The first characters of a query, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= QUERY_CHARS else flat[: QUERY_CHARS - 1] + "…"


def _timestamp(created: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created % 1 * 1000):03d}Z"


class PlainFormatter(logging.Formatter):
    """``time client method path status bytes duration [id "query"]``; events: ``time event id message``."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", {})
        when = _timestamp(record.created)
        if "event" not in fields and "status" in fields:
            line = (
                f"{when} {fields['client']} {fields['method']} {fields['path']} {fields['status']} "
                f"{fields['bytes']}B {fields['duration_ms']:.1f}ms"
            )
            if fields.get("id"):
                line += f" id={fields['id']}"
            if fields.get("query"):
                line += " " + json.dumps(fields["query"], ensure_ascii=False)
            return line
        event = fields.get("event", record.levelname.lower())
        ident = f" id={fields['id']}" if fields.get("id") else ""
        text = f"{when} {event}{ident} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object a line: the request's fields, or the event and its message."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = dict(getattr(record, "fields", {}))
        line: dict[str, Any] = {"time": _timestamp(record.created)}
        if "status" not in fields:
            fields.setdefault("event", record.levelname.lower())
            fields["message"] = record.getMessage()
            if record.exc_info:
                fields["error"] = self.formatException(record.exc_info)
        line.update(fields)
        return json.dumps(line, ensure_ascii=False)


def configure(style: str) -> None:
    """Send the access log and the workers' events to standard error in ``style``."""
    if style not in STYLES:
        raise ValueError(f"access_log is one of {', '.join(STYLES)}, not {style!r}")
    formatter = JsonFormatter() if style == "json" else PlainFormatter()
    for name in ("coopgraph.access", *EVENT_LOGGERS):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.INFO)
    ACCESS.disabled = style == "off"


def request_line(fields: dict[str, Any]) -> None:
    ACCESS.info("%s %s", fields["method"], fields["path"], extra={"fields": fields})
