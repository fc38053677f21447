"""A progress bar on standard error for long loads, silent when standard error is not a terminal."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: Seconds between two looks at the offset of a file a loader reads itself.
_POLL = 0.2


class Progress:
    def __init__(self, total_bytes: int, enabled: bool | None = None, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = max(total_bytes, 1)
        self.done = 0
        self.label = ""
        self.started = time.monotonic()
        self._shown = 0.0

    def advance(self, nbytes: int) -> None:
        self.done += nbytes
        now = time.monotonic()
        if self.enabled and now - self._shown > 0.2:
            self._shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(self.done / self.total, 1.0)
        width = 30
        bar = "#" * int(share * width) + "-" * (width - int(share * width))
        elapsed = now - self.started
        rate = self.done / elapsed / 1e6 if elapsed > 0 else 0.0
        self.stream.write(f"\r[{bar}] {share:6.1%} {rate:6.1f} MB/s {self.label[-40:]:<40}")
        self.stream.flush()

    def reader(self, path: str) -> CountingReader:
        return CountingReader(open(path, "rb"), self)

    @contextlib.contextmanager
    def watching(self, path: Path) -> Iterator[None]:
        """Show the progress of a loader that opens and reads ``path`` itself (Oxigraph's, without the
        GIL: read through a Python file, the loader waits for the GIL at every read, ten times as long
        beside a busy thread). Its offset is read from ``/proc/self/fdinfo`` (Linux; elsewhere the bar
        moves when the file is done)."""
        size = path.stat().st_size
        start = self.done
        stop = threading.Event()
        watcher = None
        if self.enabled:
            before = _reading(path)

            def watch() -> None:
                while not stop.wait(_POLL):
                    offsets = [pos for fd, pos in _reading(path).items() if fd not in before]
                    reached = start + min(min(offsets), size) if offsets else start
                    if reached > self.done:
                        self.advance(reached - self.done)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
        try:
            yield
        finally:
            stop.set()
            if watcher is not None:
                watcher.join()
            self.advance(start + size - self.done)

    def note(self, label: str) -> None:
        self.label = label
        if self.enabled:
            self._draw(time.monotonic())

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def _reading(path: Path) -> dict[str, int]:
    """The descriptors of this process open on ``path``, and their offsets."""
    found: dict[str, int] = {}
    target = os.path.realpath(path)
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return found
    for fd in names:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != target:
                continue
            with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
                found[fd] = int(info.readline().split()[1])  # "pos:\t<offset>"
        except (OSError, ValueError, IndexError):
            continue
    return found


class CountingReader(io.RawIOBase):
    """A binary file that reports how much has been read from it."""

    def __init__(self, inner: IO[bytes], progress: Progress) -> None:
        self.inner, self.progress = inner, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.inner.readinto(buffer)  # type: ignore[attr-defined]
        self.progress.advance(n or 0)
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()
