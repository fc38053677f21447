"""The links from a resource to its past (Memento, RFC 7089: :mod:`server.http.memento_routes`)."""

from __future__ import annotations

from coopgraph import iris


def timegate_url(base: str, iri: str) -> str:
    return f"{base}/timegate/{iri[len(iris.BASE) :]}"


def timemap_url(base: str, iri: str) -> str:
    return f"{base}/timemap/{iri[len(iris.BASE) :]}"


def resource_links(base: str, iri: str) -> str:
    """The ``Link`` header values an original resource adds: its TimeGate and TimeMap."""
    return f'<{timegate_url(base, iri)}>; rel="timegate", <{timemap_url(base, iri)}>; rel="timemap"'
