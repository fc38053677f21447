"""A progress bar on standard error for long loads, silent when standard error is not a terminal."""

from __future__ import annotations

import io
import sys
import time
from typing import IO


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

    def note(self, label: str) -> None:
        self.label = label
        if self.enabled:
            self._draw(time.monotonic())

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()

    def reader(self, path: str) -> CountingReader:
        return CountingReader(open(path, "rb"), self)


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
