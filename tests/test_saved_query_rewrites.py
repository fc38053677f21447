"""Saved queries rewritten to scale (to be evaluated in time on a store of millions of statements) give the
rows they gave before, on the seed dataset.

``tests/saved_queries_before/`` keeps each such query as it was before its rewrite. Both texts are run on
the seeded store the way the project runs them: with the parameters substituted (``/queries/{name}``,
the command line), for every parameter set the answer tests use and in each language of the labels, and as
``with_defaults()`` writes them (``VALUES`` at the top: ``/sparql``, the query page's editor, the benchmarks).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.saved_queries import SavedQuery, load_all, parse
from coopgraph.store.local import LocalStore
from tests.test_saved_queries import CASES

BEFORE = Path(__file__).parent / "saved_queries_before"
REWRITTEN = sorted(path.stem for path in BEFORE.glob("*.rq"))
LANGUAGES = ("en", "vi", "fr", "zh")


def rows(store: LocalStore, text: str, substitutions: dict | None = None) -> list[tuple[str, ...]]:
    """The answer's rows, as text, in a fixed order (ties of ORDER BY may come in any order)."""
    answer = store.query(text, substitutions=substitutions)
    return sorted(tuple("" if term is None else str(term) for term in row) for row in answer)


def parameter_sets(saved: SavedQuery) -> list[dict[str, str]]:
    """The defaults, each answer test's parameters, and each of these in every label language."""
    sets: list[dict[str, str]] = [{}] + [dict(c.params) for c in CASES if c.name == saved.name]
    if any(p.name == "lang" for p in saved.parameters):
        sets += [{**given, "lang": lang} for given in list(sets) for lang in LANGUAGES]
    unique = {tuple(sorted(s.items())): s for s in sets}
    return list(unique.values())


def test_each_rewrite_keeps_its_former_text_and_parameters() -> None:
    saved = load_all()
    assert REWRITTEN, "no former text kept"
    for name in REWRITTEN:
        before = parse(BEFORE / f"{name}.rq")
        assert before.query != saved[name].query, f"{name}: the text kept is the current one"
        assert [p.name for p in before.parameters] == [p.name for p in saved[name].parameters]


@pytest.mark.parametrize("name", REWRITTEN)
def test_rewrite_gives_the_former_rows(seeded_store: Path, name: str) -> None:
    store = LocalStore(seeded_store)
    before, after = parse(BEFORE / f"{name}.rq"), load_all()[name]
    assert rows(store, after.with_defaults()) == rows(store, before.with_defaults())
    answered = 0
    for given in parameter_sets(after):
        got = rows(store, after.query, after.bindings(given))
        assert got == rows(store, before.query, before.bindings(given)), f"{name} {given}"
        answered += bool(got)
    assert answered, f"{name}: no parameter set has any row, the comparison shows nothing"
