"""Validation reports on the command line: the short text in the terminal, the whole report in a file
(``--report FILE``, its format from the extension), and the shapes a validation is checked against."""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from coopgraph.cli import bootstrap, exits
from coopgraph.store import Store, StoreMissing, open_store
from ingest.errors import Problem
from ingest.reports.model import Report
from ingest.reports.render import format_for_path
from ingest.reports.render import write as write_report
from ingest.reports.text import summary
from ingest.reports.words import say
from ingest.sources import Source


def language(args: argparse.Namespace) -> str:
    """The language the reader asked the report in (``--lang``), English by default."""
    return str(getattr(args, "lang", None) or "en")


def check_report_path(args: argparse.Namespace) -> Path | None:
    """The ``--report`` file, refused before any work when its extension names no format."""
    path: Path | None = getattr(args, "report", None)
    if path is not None and format_for_path(path) is None:
        raise exits.Failure(
            exits.USAGE, f"error: --report {path}: name the file .html, .csv, .ttl, .jsonld or .json"
        )
    return path


def build(gate: Any, problems: Iterable[Problem] = (), subject: str = "") -> Report:
    return Report.of(gate, problems, subject=subject)


def deliver(args: argparse.Namespace, report: Report, note: str = "", shown: Report | None = None) -> str:
    """Write the report file if one was asked for; the short text for the terminal (of ``shown``, a
    part of the report, when the rest is said otherwise; "" for an empty part)."""
    lang = language(args)
    path = check_report_path(args)
    if path is not None:
        try:
            write_report(report, path, lang)
        except OSError as e:
            raise exits.Failure(exits.BAD_INPUT, f"error: cannot write the report {path}: {e}") from None
    full = str(path) if path is not None else None
    if shown is not None and not shown.findings:
        text = say(lang, "full-in", path=full) if full else ""
    else:
        text = summary(shown or report, lang, full=full)
    return "\n".join(t for t in (note, text) if t)


def subject_of(sources: list[Source]) -> str:
    return ", ".join(str(s.path) for s in sources[:5]) + (
        f" and {len(sources) - 5} more" if len(sources) > 5 else ""
    )


def has_shapes(store: Store) -> bool:
    return any(r.role == "shapes" for r in store.records().values())


def project_shapes() -> list[Source]:
    """The project's ontology, vocabularies and shapes, to validate against when the store has none."""
    sources, problems = bootstrap.sources(seed=False)
    if problems:
        raise exits.Failure(exits.INTERNAL, "error: the project's shapes cannot be read: " + str(problems[0]))
    return sources


@contextlib.contextmanager
def store_for_validation(args: argparse.Namespace) -> Iterator[tuple[Store, list[Source], str]]:
    """The store to validate files against, the sources to add to the dry run, and a note for the steward.

    A validation never passes after checking nothing: when the store is missing (a mistyped ``--store``)
    or holds no shapes, the files are checked against the project's own shapes and vocabularies, and
    the output says so.
    """
    chosen = exits.settings(args)
    try:
        store = open_store(chosen, create=False)
    except StoreMissing:
        with tempfile.TemporaryDirectory(prefix="coopgraph-validate-") as scratch:
            store = open_store(Path(scratch) / "store", create=True)
            try:
                note = say(language(args), "no-store", store=chosen.store)
                yield store, project_shapes(), note
            finally:
                store.close()
        return
    try:
        if has_shapes(store):
            yield store, [], ""
        else:
            note = say(language(args), "no-shapes", store=chosen.store)
            yield store, project_shapes(), note
    finally:
        store.close()
