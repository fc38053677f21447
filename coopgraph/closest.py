"""The names closest to a misspelt one, for messages that say "did you mean ...?"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, names: Iterable[str], count: int = 3) -> list[str]:
    """Up to ``count`` of ``names`` that look most like ``word`` (case is ignored), best first."""
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(name.casefold(), name)
    found = difflib.get_close_matches(word.casefold(), list(by_folded), n=count, cutoff=0.6)
    if not found:  # a prefix or a part of a name ("agreement" for "agreement-contents")
        folded = word.casefold()
        found = [f for f in by_folded if folded and (f.startswith(folded) or folded in f)][:count]
    return [by_folded[f] for f in found]


def did_you_mean(word: str, names: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'``), or nothing when no name is close."""
    found = closest(word, names)
    if not found:
        return ""
    return "; did you mean " + " or ".join(f"'{n}'" for n in found) + "?"
