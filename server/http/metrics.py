"""``/metrics``: the server's counters in the Prometheus text format (``prometheus-client``).

Requests by route, method and status and the durations of queries and updates are counted as they are
answered (:mod:`server.http.observe`); the rest is read from the worker pools and the store when
``/metrics`` is asked: requests stopped at their time limit, worker restarts, queue lengths, the
store's published generation and size, ingests (writes) and validations by status.

Served to loopback clients and to holders of the write token, unless ``metrics_public`` is set.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coopgraph.store import StoreMissing, published_generation
from server.http.state import State
from server.workers.pool import Pool

#: Seconds: from point lookups (milliseconds) to the default query time limit (30 s) and past it.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600)
_GENERATION_NUMBER = re.compile(r"(\d+)$")


class Metrics:
    """One server's metrics, in a registry of its own (two apps in one process count apart)."""

    def __init__(self, state: State) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coopgraph_http_requests",
            "HTTP requests answered, by route (as in the route table), method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.query_seconds = Histogram(
            "coopgraph_query_duration_seconds",
            "Seconds to answer a query (/sparql, saved queries), from request to last byte",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.update_seconds = Histogram(
            "coopgraph_update_duration_seconds",
            "Seconds to answer a write (/update, the graph store), from request to last byte",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_ServerState(state))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        if route in ("/sparql", "/sparql/") or route.startswith("/queries/"):
            if method in ("GET", "POST"):
                self.query_seconds.observe(seconds)
        elif (route == "/update" and method == "POST") or (
            route.startswith("/graphs") and method in ("PUT", "POST", "DELETE")
        ):
            self.update_seconds.observe(seconds)


class _ServerState(Collector):
    """The values read when ``/metrics`` is asked: the pools' counters and the store."""

    def __init__(self, state: State) -> None:
        self.state = state

    def _pools(self) -> list[Pool]:
        state = self.state
        return [p for p in (state.queries, state.writes, state.checks) if p is not None]

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        pools = self._pools()
        stopped = CounterMetricFamily(
            "coopgraph_time_limit_stops",
            "Requests stopped at their time limit, by worker role",
            labels=["role"],
        )
        restarts = CounterMetricFamily(
            "coopgraph_worker_restarts", "Worker processes replaced, by worker role", labels=["role"]
        )
        queued = GaugeMetricFamily(
            "coopgraph_queue_length", "Requests waiting for a free worker, by worker role", labels=["role"]
        )
        workers = GaugeMetricFamily("coopgraph_workers", "Worker processes running, by role", labels=["role"])
        busy = GaugeMetricFamily(
            "coopgraph_workers_busy", "Worker processes at work, by role", labels=["role"]
        )
        for pool in pools:
            stopped.add_metric([pool.role], pool.expired)
            restarts.add_metric([pool.role], pool.restarts)
            queued.add_metric([pool.role], len(pool.pending))
            workers.add_metric([pool.role], len(pool.all))
            busy.add_metric([pool.role], len(pool.all) - len(pool.idle))
        yield from (stopped, restarts, queued, workers, busy)
        yield from self._answers(
            "coopgraph_ingests", "Writes (ingests) answered, by status", self.state.writes
        )
        yield from self._answers(
            "coopgraph_validations", "Validations answered, by status", self.state.checks
        )
        yield from self._store()

    @staticmethod
    def _answers(name: str, documentation: str, pool: Pool | None) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(name, documentation, labels=["status"])
        for status, count in sorted((pool.answers if pool is not None else {}).items()):
            family.add_metric([str(status)], count)
        yield family

    def _store(self) -> Iterator[GaugeMetricFamily]:
        settings = self.state.settings
        if settings.remote_store:
            return  # kept by another server: its size and versions are that server's to report
        try:
            name = published_generation(settings.store)
        except StoreMissing:
            name = None
        if name is not None and (number := _GENERATION_NUMBER.search(name)):
            generation = GaugeMetricFamily(
                "coopgraph_store_generation",
                "The number of the store's published generation",
                labels=["name"],
            )
            generation.add_metric([name], int(number.group(1)))
            yield generation
        size = GaugeMetricFamily("coopgraph_store_size_bytes", "Bytes the store directory holds on disk")
        size.add_metric([], directory_bytes(settings.store))
        yield size


def directory_bytes(root: Path) -> int:
    """The bytes of the files under ``root``, a file linked from several generations counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except FileNotFoundError:  # removed while walking (a generation reclaimed)
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def allowed(request: Request, state: State) -> bool:
    """``metrics_public``, a loopback client, or the write token."""
    if state.settings.metrics_public:
        return True
    client = request.client.host if request.client else ""
    try:
        if ipaddress.ip_address(client).is_loopback:
            return True
    except ValueError:
        pass
    token = state.settings.write_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )  # type: ignore[union-attr]


async def metrics(request: Request) -> Response:
    state: State = request.app.state.coop
    if not allowed(request, state):
        return PlainTextResponse(
            "/metrics is served to this machine's own clients and to holders of the write token "
            "('Authorization: Bearer <token>'); set metrics_public to serve it to anyone\n",
            status_code=403,
        )
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)  # type: ignore[attr-defined]
