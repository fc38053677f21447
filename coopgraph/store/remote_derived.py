"""Files derived from a remote store's generations (the search index), kept in its local ``root``.

    root/derived/g00000042/        the files of generation g00000042 (``ReadView.derived_file``)
    root/derived/g00000042.lock    held shared (flock) by every view of that generation in any process

:meth:`DerivedFiles.collect` removes the folders of generations that are not the published one and that
no view holds, as the embedded store does with its generations' folders.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
from pathlib import Path

__all__ = ["DerivedFiles", "Hold"]


class Hold:
    """A view's shared hold on its generation's derived files."""

    def __init__(self, lock_file: Path) -> None:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = -1


class DerivedFiles:
    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / "derived"

    def path(self, generation: str, name: str) -> Path:
        """Where file ``name`` derived from ``generation`` lives (its folder made)."""
        folder = self.folder / generation
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def hold(self, generation: str) -> Hold:
        return Hold(self.folder / f"{generation}.lock")

    def collect(self, published: str) -> list[str]:
        """Remove the derived files of every generation but ``published`` that no view holds."""
        if not self.folder.is_dir():
            return []
        removed = []
        for name in sorted({p.name.removesuffix(".lock") for p in self.folder.iterdir()} - {published}):
            fd = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as e:
                    if e.errno in (errno.EAGAIN, errno.EACCES):
                        continue  # a view still reads it
                    raise
                shutil.rmtree(self.folder / name, ignore_errors=True)
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / f"{name}.lock").unlink()
                removed.append(name)
            finally:
                os.close(fd)
        return removed
