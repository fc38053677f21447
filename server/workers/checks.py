"""Validation that writes nothing, run in the check worker: dry runs of uploaded files (``POST /validate``)
and the report of the whole store (``GET /validation``), in the format and language asked for.

A dry run goes through the same batch and gate as ``coopgraph validate``: the files are loaded into a
private copy of the store (replacing the graphs they would replace), validated with the stored data they
touch, and the copy is discarded; the published generation never changes. It needs no write token, so
it runs in a worker process of its own, killed at the time limit like a query.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path, PurePath

from coopgraph import iris
from coopgraph.store import Store, StoreBusy
from ingest.batch import BatchOptions, run
from ingest.errors import IngestError, Problem
from ingest.gate import Gate
from ingest.reports.html import Linker
from ingest.reports.model import Report
from ingest.reports.render import BY_MEDIA_TYPE, render
from ingest.sources import discover
from server.workers.messages import Validate, ValidationReport

#: The status, the content type of the body, the body.
Outcome = tuple[int, str | None, bytes]
#: Seconds a dry run waits for a writer to finish before it is answered 503.
WAIT = 30.0


def linker(base: str | None) -> Linker | None:
    """Resource IRIs of the project to the pages of the server at ``base``."""
    if not base:
        return None
    prefix = iris.BASE + "id/"

    def link(iri: str) -> str | None:
        return base.rstrip("/") + "/id/" + iri[len(prefix) :] if iri.startswith(prefix) else None

    return link


def answer(report: Report, report_type: str, lang: str, link_base: str | None) -> Outcome:
    fmt = BY_MEDIA_TYPE.get(report_type) or BY_MEDIA_TYPE["application/json"]
    return 200, fmt.media_type + "; charset=utf-8", render(report, fmt, lang, linker(link_base))


class Checks:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.gate = Gate()
        self.tmp = store.root / "tmp"
        self._store_report: tuple[str, Report] | None = None

    def handle(self, request: Validate | ValidationReport, body: bytes) -> Outcome:
        if isinstance(request, Validate):
            return self.validate(request, body)
        return self.whole_store(request)

    def whole_store(self, request: ValidationReport) -> Outcome:
        """The report of the published store, made once per generation."""
        view = self.store.view()
        cached = self._store_report
        if cached is None or cached[0] != view.generation:
            report = Report.of(
                self.gate.check_store(view), subject=f"the store, generation {view.generation}"
            )
            if not report.checked:
                return 409, "text/plain; charset=utf-8", b"nothing to check: the store holds no shapes\n"
            cached = self._store_report = (view.generation, report)
        return answer(cached[1], request.report_type, request.lang, request.link_base)

    def validate(self, request: Validate, body: bytes) -> Outcome:
        folder = self.tmp / f"validate-{uuid.uuid4().hex}"
        folder.mkdir(parents=True)
        try:
            names = _unpack(folder, request.files, body)
            if isinstance(names, str):
                return 400, "text/plain; charset=utf-8", (names + "\n").encode()
            report = self._dry_run(folder, names)
        except StoreBusy as e:
            return 503, "text/plain; charset=utf-8", f"the store is busy: {e}; try again shortly\n".encode()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return answer(report, request.report_type, request.lang, request.link_base)

    def _dry_run(self, folder: Path, names: list[str]) -> Report:
        shown = {str(folder / name): name for name in names}
        sources, problems = discover([folder], role="data")
        subject = ", ".join(names)
        if problems:
            return Report.of(None, _renamed(problems, shown), subject=subject).renamed(shown)
        try:
            result = run(self.store, sources, BatchOptions(dry_run=True, wait=WAIT), gate=self.gate)
        except IngestError as e:
            return Report.of(e.report, _renamed(e.problems, shown), subject=subject).renamed(shown)
        return Report.of(result.report, subject=subject).renamed(shown)


def _renamed(problems: list[Problem], shown: dict[str, str]) -> list[Problem]:
    out = []
    for p in problems:
        message = p.message
        for path, name in shown.items():
            message = message.replace(path, name)
        out.append(Problem(**{**p.__dict__, "message": message}))
    return out


def _unpack(folder: Path, files: list[tuple[str, int]], body: bytes) -> list[str] | str:
    """Write the files of the body into ``folder``; their names, or why they cannot be taken."""
    names: list[str] = []
    start = 0
    for name, size in files:
        clean = PurePath(name).name
        if not clean or clean.startswith(".") or clean in names:
            return f"'{name}' is not a file name this server can take (one per file, no folders)"
        (folder / clean).write_bytes(body[start : start + size])
        start += size
        names.append(clean)
    if start != len(body):
        return "the request's files do not add up to its body"
    return names
