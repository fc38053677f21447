"""The progress bar of a load the loader reads itself: the file's offset, read from /proc, moves it."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pyoxigraph

from ingest.progress import Progress, _reading

EX = "http://e.org/"


def test_the_offsets_of_a_file_open_in_this_process_are_read(tmp_path: Path) -> None:
    path = tmp_path / "data.nt"
    path.write_bytes(b"x" * 1000)
    assert _reading(path) == {}
    with open(path, "rb") as one, open(path, "rb", buffering=0) as two:
        one.seek(123)
        two.read(7)
        found = _reading(path)
        assert sorted(found.values()) == [7, 123]
        assert set(found) == {str(one.fileno()), str(two.fileno())}
    assert _reading(path) == {}


def test_the_bar_follows_the_offset_of_the_reader(tmp_path: Path) -> None:
    """A reader that opens the file itself, stopped half way: the bar shows half."""
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 10_000)
    shown = io.StringIO()
    progress = Progress(10_000, enabled=True, stream=shown)
    with progress.watching(path), open(path, "rb", buffering=0) as reader:
        reader.read(5_000)
        deadline = time.monotonic() + 60  # the watcher looks every 0.2 s
        while progress.done < 5_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert progress.done == 5_000
        reader.read()
    assert progress.done == 10_000
    assert "50.0%" in shown.getvalue()


def test_a_bulk_load_watched_ends_at_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "data.nt"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(100_000):
            out.write(f'<{EX}s{i}> <{EX}p{i % 7}> "value {i}" .\n')
    size = path.stat().st_size
    shown = io.StringIO()
    progress = Progress(size, enabled=True, stream=shown)
    store = pyoxigraph.Store(str(tmp_path / "store"))
    with progress.watching(path):
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert progress.done == size and len(store) == 100_000
    shares = [float(s) for s in re.findall(r"\]\s+([\d.]+)%", shown.getvalue())]
    assert shares == sorted(shares)  # never backwards
