"""Publishing a generation replaces ``CURRENT`` atomically: a new file (a new inode) each time, and a
reader looping in another process during many publishes never reads an empty or partial pointer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from coopgraph.store.generations import Generations
from tests.conftest import PROJECT

PUBLISHES = 300
#: The reader stops after this many reads even if the writer never says it is done.
MAX_READS = 5_000_000
POINTER = re.compile(rb"^g\d{8}\n$")

READER = """
import json, os, re, sys
current, done, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
pointer = re.compile(rb"^g\\d{8}\\n$")
reads, bad, seen = 0, [], set()
open(done + ".ready", "w").close()
while reads < limit and not os.path.exists(done):
    with open(current, "rb") as fh:
        text = fh.read()
    reads += 1
    if pointer.match(text):
        seen.add(text.decode().strip())
    elif len(bad) < 20:
        bad.append(text.decode("latin-1"))
print(json.dumps({"reads": reads, "bad": bad, "seen": sorted(seen)}))
"""


def publish_one(generations: Generations) -> str:
    """Publish a new (empty) generation the way every writer does: under the lock, begin, publish."""
    with generations.write_lock(wait=60):
        name, _ = generations.begin(empty=True)
        generations.publish(name)
    return name


def test_each_publish_gives_current_a_new_inode(tmp_path: Path) -> None:
    generations = Generations(tmp_path / "store")
    publish_one(generations)
    for _ in range(20):
        before = os.stat(generations.current_file).st_ino
        name = publish_one(generations)
        assert os.stat(generations.current_file).st_ino != before, "CURRENT was rewritten in place"
        assert generations.current() == name
        assert not (generations.root / "CURRENT.tmp").exists()


def test_a_reader_never_sees_an_empty_or_partial_pointer(tmp_path: Path) -> None:
    generations = Generations(tmp_path / "store")
    first = publish_one(generations)
    done = tmp_path / "done"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(generations.current_file), str(done), str(MAX_READS)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = Path(str(done) + ".ready")
        while not ready.exists():  # the reader is looping before the first publish
            assert reader.poll() is None, "the reader exited before it started reading"
            time.sleep(0.01)
        names = [publish_one(generations) for _ in range(PUBLISHES)]
    finally:
        done.touch()
        out, _ = reader.communicate(timeout=120)
    result = json.loads(out)
    assert result["bad"] == [], f"{len(result['bad'])} bad read(s) of {result['reads']}: {result['bad'][:5]}"
    # The reader overlapped the publishes: it saw more than one generation, and only published ones.
    assert len(result["seen"]) > 1, result
    assert set(result["seen"]) <= {first, *names}
    assert POINTER.match(generations.current_file.read_bytes())
