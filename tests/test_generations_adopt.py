"""A generation built elsewhere in ``gens/`` (by a compaction) is adopted under the next name and
published like any other."""

from __future__ import annotations

from pathlib import Path

from coopgraph.store.generations import Generations
from tests.test_publish_atomic import publish_one


def test_a_generation_built_by_a_compaction_is_adopted_under_the_next_name(tmp_path: Path) -> None:
    generations = Generations(tmp_path / "store")
    first = publish_one(generations)
    built = generations.gens / "compaction.work"
    built.mkdir()
    (built / "data").write_text("compacted", encoding="ascii")
    assert generations.collect() == []  # a folder not named like a generation is no reader's business
    with generations.write_lock(wait=60):
        name = generations.adopt(built)
        generations.publish(name)
    assert name > first
    assert generations.current() == name
    assert (generations.gens / name / "data").read_text(encoding="ascii") == "compacted"
    assert not built.exists()
