"""Pools of worker processes, driven from the event loop.

A request takes an idle worker, sends it frames and reads frames back, all without blocking the
loop. When a request passes its deadline the worker is killed (SIGKILL: the only way to stop a
pyoxigraph query) and a fresh one is started in its place, while the other workers keep serving.

Each worker's stdout is read by the worker object itself (an asyncio subprocess protocol): frames are
parsed as the bytes arrive, and a whole answer completes its request's future in the same callback,
which also hands the worker straight to the next waiting request. A request therefore costs one
write to the worker's pipe and one wake-up of the task that asked, however many frames the answer
takes.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from coopgraph.settings import PROJECT_ROOT, Settings, store_environment
from server.workers import framing, messages
from server.workers.messages import OUT_OF_MEMORY_EXIT, AnswerHead

log = logging.getLogger("coopgraph.workers")
#: The id of the request being answered (set by the server for each request): a job takes it, so that the
#: log lines about the job (stopped at its time limit, its worker restarted) name the request.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
#: The module a worker process runs (``python -m``).
CHILD = "server.workers.child"


#: Frames read ahead from a worker before its pipe is paused (a streamed answer the client reads slowly).
_HIGH_WATER, _LOW_WATER = 4 << 20, 1 << 20


class Busy(Exception):
    """No worker became free in time."""


class Expired(Exception):
    """The request ran past its deadline; its worker was stopped."""


class WorkerCrashed(Exception):
    pass


class OutOfMemory(WorkerCrashed):
    """The worker passed its memory cap (``worker_memory_bytes``) and was ended."""


@dataclass
class Answer:
    """A worker's answer: its header, and the body (whole, or to be streamed with :meth:`Pool.stream`)."""

    head: AnswerHead
    body: bytes | None
    worker: Worker | None = None
    timer: asyncio.TimerHandle | None = None

    @property
    def status(self) -> int:
        return self.head.status


class _Job:
    """One request: its frames, the future its caller awaits, its deadline, and the worker it went to."""

    __slots__ = ("data", "future", "head", "pooled", "request_id", "timeout", "timer", "worker")

    def __init__(
        self, data: bytes, future: asyncio.Future[Answer], timeout: float, pooled: bool = True
    ) -> None:
        self.data = data
        self.future = future
        self.timeout = timeout
        self.pooled = pooled  # the worker goes back to the pool when the answer is in (not for the ping)
        self.timer: asyncio.TimerHandle | None = None
        self.worker: Worker | None = None
        self.head: AnswerHead | None = None
        self.request_id = REQUEST_ID.get()

    def fail(self, error: Exception) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if not self.future.done():
            self.future.set_exception(error)


class Worker(asyncio.SubprocessProtocol):
    """A worker process and the frames it sent that nobody has read yet."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: asyncio.SubprocessTransport | None = None
        self.stdin: asyncio.WriteTransport | None = None
        self.buffer = bytearray()
        self.need = framing.PREFIX_SIZE  # bytes the buffer must hold before it is parsed again
        self.frames: collections.deque[tuple[bytes, bytes]] = collections.deque()
        self.queued = 0  # payload bytes in ``frames``
        self.paused = False
        self.eof = False
        self.gone = False  # killed or crashed; never handed out again
        self.discarded = False  # its replacement is under way
        self.expired = False  # killed because its request passed the deadline
        self.job: _Job | None = None  # the request whose whole answer is being collected
        self.waiter: asyncio.Future[None] | None = None  # a reader of a streamed answer
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.request_id = ""  # the request it last served: named when it is restarted
        self.served = 0  # requests sent to it
        self.why = "it ended unexpectedly"  # why it is replaced, for the log

    # ------------------------------------------------------------------ protocol callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.stdin = self.transport.get_pipe_transport(0)  # type: ignore[union-attr,assignment]

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        buffer = self.buffer
        if buffer:
            buffer += data
            if len(buffer) < self.need:  # the frame is still incomplete: no copy, no parse
                return
            data = bytes(buffer)
            buffer.clear()
        end, size, pos = len(data), framing.PREFIX_SIZE, 0
        unpack, frames = framing.PREFIX.unpack_from, self.frames
        while end - pos >= size:
            kind, length = unpack(data, pos)
            stop = pos + size + length
            if stop > end:
                self.need = size + length
                break
            frames.append((kind, data[pos + size : stop]))
            self.queued += length
            pos = stop
        else:
            self.need = size
        if pos < end:
            buffer += data[pos:]
        if not frames:
            return
        if self.job is not None:
            self._collect()
        else:
            if self.queued > _HIGH_WATER and not self.paused:
                self._pause(True)
            self._wake()

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self._lost()

    def process_exited(self) -> None:
        self._lost(exited=True)
        if not self.exited.done():
            self.exited.set_result(None)

    def _lost(self, exited: bool = False) -> None:
        if self.eof:
            return
        if not exited and self.job is not None and self.pool.memory_bytes and not self.expired:
            return  # why it ended (its memory cap?) is known once it has exited: process_exited says
        self.eof = True
        job, self.job = self.job, None
        if job is not None:
            if self.expired:
                job.fail(Expired(f"stopped after {job.timeout:g} s"))
            elif self.pool.memory_bytes and self._ran_out_of_memory():
                self.why = "it ran out of memory"
                job.fail(
                    OutOfMemory(
                        f"it needed more than the {self.pool.memory_bytes:,} bytes of memory a worker may "
                        "use "
                        "(setting worker_memory_bytes)"
                    )
                )
            else:
                job.fail(WorkerCrashed("the worker process ended unexpectedly"))
            self.pool.discard(self)
        elif self.waiter is None and not self.gone and self in self.pool.idle:
            self.pool.discard(self)  # died while idle
        self._wake()

    def _ran_out_of_memory(self) -> bool:
        """A worker that cannot allocate aborts (Rust) or exits with the code the child uses for it."""
        code = self.transport.get_returncode() if self.transport is not None else None
        return code in (-signal.SIGABRT, OUT_OF_MEMORY_EXIT)

    # ------------------------------------------------------------------ answers
    def _collect(self) -> None:
        """Complete the current request once its answer is whole, or hand a streamed one over."""
        job = self.job
        assert job is not None
        frames = self.frames
        if job.head is None:
            kind, payload = frames.popleft()
            self.queued -= len(payload)
            if kind != framing.HEADER:
                self.job = None
                job.fail(WorkerCrashed(f"expected a header frame, got {kind!r}"))
                self.pool.discard(self)
                return
            job.head = messages.decode_answer(payload)
            if job.head.length is None:  # streamed: the caller reads the rest with Pool.stream
                self.job = None
                answer = Answer(job.head, None, self, job.timer)
                if job.future.done():  # the caller is gone: nobody will read the stream
                    if job.timer is not None:
                        job.timer.cancel()
                    self.pool.discard(self)
                else:
                    job.future.set_result(answer)
                    if self.queued > _HIGH_WATER and not self.paused:
                        self._pause(True)
                return
        for kind, _ in reversed(frames):  # most answers arrive whole: the end is the last frame
            if kind == framing.END:
                break
        else:
            if self.queued > _HIGH_WATER and not self.paused:
                self._pause(True)  # a whole answer is at most BUFFERED (1 MB) in the worker: never
            return
        parts = []
        while True:
            kind, payload = frames.popleft()
            self.queued -= len(payload)
            if kind == framing.END:
                break
            parts.append(payload)
        if self.paused:
            self._pause(False)
        self.job = None
        if job.timer is not None:
            job.timer.cancel()
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        if job.pooled:
            self.pool.answers[job.head.status] += 1
        if not job.future.done():
            job.future.set_result(Answer(job.head, body))
        if job.pooled:
            self.pool.release(self)

    def _pause(self, pause: bool) -> None:
        pipe = self.transport.get_pipe_transport(1) if self.transport is not None else None
        if pipe is None:
            return
        if pause:
            pipe.pause_reading()  # type: ignore[attr-defined]
        else:
            pipe.resume_reading()  # type: ignore[attr-defined]
        self.paused = pause

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def frame(self) -> tuple[bytes, bytes]:
        """The next frame of a streamed answer."""
        while not self.frames:
            if self.eof:
                raise WorkerCrashed("the worker process ended unexpectedly")
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        kind, payload = self.frames.popleft()
        self.queued -= len(payload)
        if self.paused and self.queued < _LOW_WATER:
            self._pause(False)
        return kind, payload

    async def rest(self) -> bytes:
        """The frames up to the end, joined."""
        parts = []
        while True:
            kind, payload = await self.frame()
            if kind == framing.END:
                return b"".join(parts)
            parts.append(payload)

    # ------------------------------------------------------------------ the process
    def write(self, data: bytes) -> None:
        """Send whole frames; a pipe that is gone shows as a crash when the answer is read."""
        if self.stdin is not None and not self.stdin.is_closing():
            self.stdin.write(data)

    def kill(self) -> None:
        self.gone = True
        if self.transport is not None:
            with contextlib.suppress(ProcessLookupError):
                self.transport.kill()  # SIGKILL

    async def wait(self) -> None:
        await self.exited
        if self.transport is not None:
            self.transport.close()


def _streamed(future: asyncio.Future[Answer]) -> bool:
    done = future.done() and not future.cancelled() and future.exception() is None
    return done and future.result().worker is not None


def resident_bytes(pid: int) -> int | None:
    """The resident memory of a process (Linux ``/proc``); None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class Pool:
    def __init__(
        self,
        store: Path,
        role: str,
        size: int,
        memory_bytes: int = 0,
        *,
        settings: Settings | None = None,
        max_requests: int = 0,
        recycle_bytes: int = 0,
    ) -> None:
        self.store, self.role, self.size = Path(store), role, size
        self.memory_bytes = memory_bytes  # each worker's address-space cap; 0: none
        #: A worker that has served this many requests, or whose resident memory has passed
        #: ``recycle_bytes``, is replaced by a fresh one once it is idle (0: never). What a worker's
        #: store keeps in memory (Oxigraph's caches, the index blocks of every file a query touched)
        #: grows with what it has read; a fresh worker starts from the store's open cost again.
        self.max_requests, self.recycle_bytes = max_requests, recycle_bytes
        #: The store settings the workers open the store with (a remote store's server, its credentials):
        #: given to them in their environment, never on their command line.
        self.environment = store_environment(settings) if settings is not None else {}
        self.idle: list[Worker] = []  # the most recently used last: its caches are the warmest
        self.pending: collections.deque[_Job] = collections.deque()
        self.all: set[Worker] = set()
        self.closing = False
        self.started = 0  # workers started over the pool's life (restarts included)
        self.restarts = 0  # workers replaced (stopped at a deadline, crashed, cancelled, recycled)
        self.recycled = 0  # of which replaced after max_requests or past recycle_bytes
        self.expired = 0  # requests stopped at their time limit
        self.answers: collections.Counter[int] = collections.Counter()  # whole answers, by status
        self._tasks: set[asyncio.Task[None]] = set()  # strong references to the restarts under way
        self.loop: asyncio.AbstractEventLoop | None = None  # set by start()

    async def _spawn(self) -> Worker:
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.environment)
        # glibc reserves 64 MB of address space per malloc arena (up to 8 per core), which counts against
        # the worker's address-space cap: an idle worker reserved 550-590 MB of its 1 GB, and one whose
        # threads made a few more arenas failed to start a thread ("Resource temporarily unavailable")
        # and died before answering. Two arenas: 190-220 MB reserved, the same resident memory.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        loop = asyncio.get_running_loop()
        transport, worker = await loop.subprocess_exec(
            lambda: Worker(self),
            sys.executable,
            "-m",
            CHILD,
            "--store",
            str(self.store),
            "--role",
            self.role,
            "--memory-bytes",
            str(self.memory_bytes),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            cwd=PROJECT_ROOT,
            env=env,
        )
        job = _Job(messages.encode_request(messages.Ping()), loop.create_future(), 0, pooled=False)
        worker.job = job
        worker.write(job.data)
        try:
            head = (await job.future).head
            if head.status != 200:
                raise WorkerCrashed(f"worker did not start: {head}")
        except BaseException:
            worker.kill()
            transport.close()
            raise
        self.all.add(worker)
        self.started += 1
        return worker

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self.release(worker)

    async def _replace(self, worker: Worker) -> None:
        worker.kill()
        self.restarts += 1
        self.all.discard(worker)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            await worker.wait()
        if self.closing:
            return
        try:
            self.release(await self._spawn())
        except Exception:  # keep serving with one worker fewer; log why
            log.exception("could not restart a %s worker", self.role)
            return
        log.warning(
            "restarted a %s worker: %s",
            self.role,
            worker.why,
            extra={"fields": {"event": "worker_restarted", "role": self.role, "id": worker.request_id}},
        )

    def _worn(self, worker: Worker) -> str | None:
        """Why an idle worker should be replaced by a fresh one (recycled), if it should."""
        if self.max_requests and worker.served >= self.max_requests:
            return f"recycled after {worker.served} requests (setting worker_max_requests)"
        if self.recycle_bytes and worker.transport is not None:
            resident = resident_bytes(worker.transport.get_pid())
            if resident is not None and resident > self.recycle_bytes:
                return f"recycled at {resident:,} bytes resident (setting worker_recycle_bytes)"
        return None

    def discard(self, worker: Worker) -> None:
        """Stop a worker and start another in the background (once per worker)."""
        if worker.discarded:
            return
        worker.discarded = worker.gone = True
        with contextlib.suppress(ValueError):
            self.idle.remove(worker)
        if worker in self.all:
            task = asyncio.get_running_loop().create_task(self._replace(worker))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def release(self, worker: Worker) -> None:
        """A worker is free: give it the oldest waiting request, else keep it idle."""
        if worker.gone or worker.eof:
            self.discard(worker)
            return
        if worker.served and (why := self._worn(worker)) is not None:
            worker.why = why
            self.recycled += 1
            self.discard(worker)
            return
        if self.pending:
            self._dispatch(worker, self.pending.popleft())
        else:
            self.idle.append(worker)

    async def stop(self) -> None:
        self.closing = True
        while self.pending:
            self.pending.popleft().fail(WorkerCrashed("the server is stopping"))
        for worker in list(self.all):
            worker.kill()
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                await worker.wait()
        self.all.clear()
        self.idle.clear()

    # ------------------------------------------------------------------ one request
    def _dispatch(self, worker: Worker, job: _Job) -> None:
        job.worker = worker
        worker.job = job
        worker.request_id = job.request_id
        worker.served += 1
        worker.write(job.data)

    def _deadline(self, job: _Job) -> None:
        worker = job.worker
        if worker is None:  # still waiting for a worker
            with contextlib.suppress(ValueError):
                self.pending.remove(job)
            job.fail(Busy(f"every {self.role} worker stayed busy for {job.timeout:g} s"))
            return
        worker.expired = True
        worker.why = f"its request ran past the {job.timeout:g} s time limit"
        self.expired += 1
        log.warning(
            "a %s request was stopped at its time limit (%g s)",
            self.role,
            job.timeout,
            extra={"fields": {"event": "stopped_at_time_limit", "role": self.role, "id": job.request_id}},
        )
        worker.kill()  # its pipe closes at once: the request fails with Expired, a stream is cut short

    async def call(self, message: messages.Request, timeout: float, body: bytes | None = None) -> Answer:
        """Send a request to a free worker. A whole answer comes back with its body; a streamed one
        comes back with ``body=None`` and must be read with :meth:`stream`."""
        return await self.request(messages.encode_request(message, body), timeout)

    async def request(self, frames: bytes, timeout: float) -> Answer:
        """:meth:`call` with the request already encoded (the SPARQL endpoint caches them)."""
        loop = self.loop or asyncio.get_running_loop()
        job = _Job(frames, loop.create_future(), timeout)
        job.timer = loop.call_later(timeout, self._deadline, job)
        if self.idle:
            self._dispatch(self.idle.pop(), job)
        else:
            self.pending.append(job)
        try:
            return await job.future
        except asyncio.CancelledError:
            if job.timer is not None:
                job.timer.cancel()
            worker = job.worker
            if worker is None:
                with contextlib.suppress(ValueError):
                    self.pending.remove(job)
            elif worker.job is job:  # the answer is still coming: the worker cannot be reused
                worker.job = None
                worker.why = "its request was cancelled (the client left, or the server is stopping)"
                self.discard(worker)
            elif _streamed(job.future):  # a stream nobody will read
                self.discard(worker)
            raise

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
                    error = messages.decode_answer(payload).error or "the answer could not be completed"
                    await worker.rest()
                    finished = True
                    raise WorkerCrashed(error)
        finally:
            timer.cancel()
            if finished:
                self.release(worker)
            else:
                self.discard(worker)
