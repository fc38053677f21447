"""The compiled shapes kept in a file, one per shapes version and engine version.

Compiling a shapes graph (parsing it into the model of ``model.py`` and checking that it is well formed)
costs about as much as validating a batch of a thousand nodes, and every process that validates did it
again. The compiled model is pickled into ``FOLDER/shapes-KEY.pickle``, where KEY is a SHA-256 of the
engine's version (the source of this package, pyoxigraph's and Python's versions) and of the shapes
graphs' statements: changed shapes or another engine read another file, never a stale one. The file
repeats its key in a first line; it is written whole under a temporary name and renamed, and ignored
(then written again) when it cannot be read, names another key or does not hold a compiled model.

The folder must be one only the store's owner can write (the store's own folder): loading a pickle
runs what it says, as loading the store runs what its data makes the queries do.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .api import Shapes
from .graph import DeferredGraph

PREFIX = "shapes-"
SUFFIX = ".pickle"
HEADER = b"coopgraph compiled shapes "
#: Files of other shapes versions kept (the newest), for stores whose shapes change back and forth.
KEEP = 4
#: Seconds after which a temporary file no writer renamed is taken as left by a killed one.
ABANDONED = 600


@functools.cache
def engine_version() -> str:
    """A digest of what decides the compiled form: this package's source and the libraries' versions."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    libraries = f"pyoxigraph {ox.__version__} python {sys.version_info[:2]} pickle {pickle.HIGHEST_PROTOCOL}"
    digest.update(libraries.encode())
    return digest.hexdigest()


def shapes_key(statements: Iterable[ox.Quad | ox.Triple], engine: str) -> str:
    """The key of a shapes version: the engine's version and the statements (in any order)."""
    digest = hashlib.sha256(engine.encode())
    for line in sorted(str(s) for s in statements):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def cache_path(folder: Path, key: str) -> Path:
    return folder / f"{PREFIX}{key}{SUFFIX}"


def load_or_compile(
    statements: Iterable[ox.Quad | ox.Triple], folder: Path | None, *, engine: str | None = None
) -> Shapes:
    """The shapes of ``statements`` compiled, read from ``folder`` when it holds them for this engine
    (``engine``: its version, by default :func:`engine_version`), else compiled and written there.
    ``folder=None``: compiled, nothing kept. ShapesError when the shapes are ill-formed."""
    quads = list(statements)
    if folder is None:
        return Shapes.from_quads(quads)
    key = shapes_key(quads, engine or engine_version())
    path = cache_path(folder, key)
    loaded = _read(path, key)
    if loaded is not None:
        loaded.graph = DeferredGraph(quads)  # type: ignore[assignment]
        return loaded
    shapes = Shapes.from_quads(quads)
    # A folder that cannot be written, or a model that cannot be pickled (tests/test_shacl_cache.py
    # pickles every shape of the W3C suite): compiled each time, as without a cache.
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        _write(path, key, shapes)
        _prune(folder, keep=path)
    return shapes


def _read(path: Path, key: str) -> Shapes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = HEADER + key.encode() + b"\n"
    if not data.startswith(header):
        return None
    try:
        found = pickle.loads(data[len(header) :])
    except Exception:  # a truncated or corrupt file can fail in many ways; it is rebuilt
        return None
    return found if isinstance(found, Shapes) else None


def _write(path: Path, key: str, shapes: Shapes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{PREFIX}", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(HEADER + key.encode() + b"\n")
            pickle.dump(shapes, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _prune(folder: Path, keep: Path) -> None:
    """Remove the files of all but the KEEP newest shapes versions, and abandoned temporary files."""
    now = time.time()
    for leftover in folder.glob(f".{PREFIX}*.tmp"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > ABANDONED:
                leftover.unlink()
    others = []
    for found in folder.glob(f"{PREFIX}*{SUFFIX}"):
        with contextlib.suppress(OSError):
            if found != keep:
                others.append((found.stat().st_mtime, found))
    for _, old in sorted(others, reverse=True)[KEEP - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()
