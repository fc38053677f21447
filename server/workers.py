"""Pools of worker processes, driven from the event loop.

A request takes an idle worker, sends it frames and reads frames back, all without blocking the
loop. When a request passes its deadline the worker is killed (SIGKILL: the only way to stop a
pyoxigraph query) and a fresh one is started in its place, while the other workers keep serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopgraph.settings import PROJECT_ROOT
from server import framing

log = logging.getLogger("coopgraph.workers")


class Busy(Exception):
    """No worker became free in time."""


class Expired(Exception):
    """The request ran past its deadline; its worker was stopped."""


class WorkerCrashed(Exception):
    pass


@dataclass
class Answer:
    """A worker's answer: its header, and the body (whole, or to be streamed with :meth:`Pool.stream`)."""

    head: dict[str, Any]
    body: bytes | None
    worker: Worker | None = None
    timer: asyncio.TimerHandle | None = None

    @property
    def status(self) -> int:
        return int(self.head.get("status", 500))


class Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdin is not None and process.stdout is not None
        self.stdin = process.stdin
        self.stdout = process.stdout
        self.expired = False

    async def send(self, head: dict[str, Any], body: bytes | None = None) -> None:
        if body is not None:
            head = {**head, "has_body": True}
        self.stdin.write(framing.header(head))
        if body is not None:
            view = memoryview(body)
            for start in range(0, len(view), 1 << 20):
                self.stdin.write(framing.frame(framing.DATA, bytes(view[start : start + (1 << 20)])))
            self.stdin.write(framing.frame(framing.END))
        await self.stdin.drain()

    async def frame(self) -> tuple[bytes, bytes]:
        try:
            prefix = await self.stdout.readexactly(framing.PREFIX_SIZE)
            kind, length = framing.parse_prefix(prefix)
            payload = await self.stdout.readexactly(length) if length else b""
        except asyncio.IncompleteReadError:
            raise WorkerCrashed("the worker process ended unexpectedly") from None
        return kind, payload

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


class Pool:
    def __init__(self, store: Path, role: str, size: int) -> None:
        self.store, self.role, self.size = Path(store), role, size
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.all: set[Worker] = set()
        self.closing = False
        self.started = 0  # workers started over the pool's life (restarts included)

    async def _spawn(self) -> Worker:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.worker",
            "--store",
            str(self.store),
            "--role",
            self.role,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=PROJECT_ROOT,
            env=env,
            limit=1 << 22,
        )
        worker = Worker(process)
        await worker.send({"op": "ping"})
        head = await self._read_header(worker)
        if head.get("status") != 200:
            worker.kill()
            raise WorkerCrashed(f"worker did not start: {head}")
        await self._read_end(worker)
        self.all.add(worker)
        self.started += 1
        return worker

    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self.idle.put_nowait(worker)

    async def _replace(self, worker: Worker) -> None:
        worker.kill()
        self.all.discard(worker)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            await worker.process.wait()
        if self.closing:
            return
        try:
            self.idle.put_nowait(await self._spawn())
        except Exception:  # keep serving with one worker fewer; log why
            log.exception("could not restart a %s worker", self.role)

    def discard(self, worker: Worker) -> None:
        """Stop a worker and start another in the background."""
        asyncio.get_running_loop().create_task(self._replace(worker))

    def release(self, worker: Worker) -> None:
        self.idle.put_nowait(worker)

    async def stop(self) -> None:
        self.closing = True
        for worker in list(self.all):
            worker.kill()
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                await worker.process.wait()
        self.all.clear()

    # ------------------------------------------------------------------ one request
    @staticmethod
    async def _read_header(worker: Worker) -> dict[str, Any]:
        kind, payload = await worker.frame()
        if kind != framing.HEADER:
            raise WorkerCrashed(f"expected a header frame, got {kind!r}")
        return json.loads(payload)

    @staticmethod
    async def _read_end(worker: Worker) -> bytes:
        parts = []
        while True:
            kind, payload = await worker.frame()
            if kind == framing.END:
                return b"".join(parts)
            parts.append(payload)

    def _expire(self, worker: Worker) -> None:
        worker.expired = True
        worker.kill()  # the pending read fails at once; the caller sees Expired

    async def _take(self, timeout: float) -> Worker:
        try:
            return self.idle.get_nowait()
        except asyncio.QueueEmpty:
            pass
        try:
            return await asyncio.wait_for(self.idle.get(), timeout)
        except TimeoutError:
            raise Busy(f"every {self.role} worker stayed busy for {timeout:g} s") from None

    async def call(self, head: dict[str, Any], timeout: float, body: bytes | None = None) -> Answer:
        """Send a request to a free worker. A whole answer comes back with its body; a streamed one
        comes back with ``body=None`` and must be read with :meth:`stream`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        worker = await self._take(timeout)
        timer = loop.call_at(deadline, self._expire, worker)
        try:
            await worker.send(head, body)
            answer_head = await self._read_header(worker)
            if "length" in answer_head:
                data = await self._read_end(worker)
                timer.cancel()
                self.release(worker)
                return Answer(answer_head, data)
        except (WorkerCrashed, ConnectionError) as e:
            timer.cancel()
            self.discard(worker)
            if worker.expired:
                raise Expired(f"stopped after {timeout:g} s") from None
            raise WorkerCrashed(str(e)) from None
        except BaseException:
            timer.cancel()
            self.discard(worker)
            raise
        return Answer(answer_head, None, worker, timer)

    async def stream(self, answer: Answer) -> AsyncIterator[bytes]:
        """The body of a streamed answer; the worker is freed at the end, or stopped if not read to it."""
        worker, timer = answer.worker, answer.timer
        assert worker is not None and timer is not None
        finished = False
        try:
            while True:
                try:
                    kind, payload = await worker.frame()
                except WorkerCrashed:
                    if worker.expired:
                        raise Expired(
                            "the answer took longer than the time limit and was cut short"
                        ) from None
                    raise
                if kind == framing.DATA:
                    yield payload
                elif kind == framing.END:
                    finished = True
                    return
                else:  # an error header in the middle of a stream: the answer is cut short
                    error = json.loads(payload).get("error", "the answer could not be completed")
                    await self._read_end(worker)
                    finished = True
                    raise WorkerCrashed(error)
        finally:
            timer.cancel()
            if finished:
                self.release(worker)
            else:
                self.discard(worker)
