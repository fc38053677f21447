"""Where a resource is written in a source file, for messages that name the line.

Called only for the few nodes a report shows (the gate asks for the first ``LOCATED`` findings), so
it reads the file again rather than keeping positions for every triple during the load. A file's
text and prefixes are read once for all the nodes looked up in it (``forget`` frees them).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from ingest.sources import Source

_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)


#: How many findings of a report get a line number: each costs a search through the file.
LOCATED = 50


@lru_cache(maxsize=2)
def _read(path: Path, stamp: tuple[int, int]) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The file's text and its prefix declarations; ``stamp`` (size, mtime) keys the cache."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text, tuple(_PREFIX.findall(text))


def forget() -> None:
    """Free the texts read for a report."""
    _read.cache_clear()


def _forms_in_text(iri: str, prefixes: tuple[tuple[str, str], ...]) -> list[str]:
    forms = [f"<{iri}>", f'"{iri}"']
    for prefix, namespace in prefixes:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            forms.append(f"{prefix}:{iri[len(namespace) :]}")
    return forms


def _context_forms(iri: str, context_file: Path | None) -> list[str]:
    if context_file is None or not context_file.is_file():
        return []
    try:
        context = json.loads(context_file.read_text(encoding="utf-8")).get("@context", {})
    except (OSError, ValueError):
        return []
    forms = []
    for term, definition in context.items() if isinstance(context, dict) else []:
        namespace = definition if isinstance(definition, str) else None
        if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
            forms.append(f"{term}:{iri[len(namespace) :]}")
    return forms


def _first_line(text: str, forms: list[str]) -> int | None:
    best = None
    for form in forms:
        at = text.find(form)
        while at >= 0:
            end = at + len(form)
            # a prefixed name must not be the start of a longer one
            if (
                form.startswith(("<", '"'))
                or end == len(text)
                or not (text[end].isalnum() or text[end] in "-_/:")
            ):
                best = at if best is None else min(best, at)
                break
            at = text.find(form, end)
    return None if best is None else text.count("\n", 0, best) + 1


def line_of(source: Source, iri: str) -> int | None:
    """The first line of ``source`` that names the resource ``iri``, if it can be found."""
    try:
        info = source.path.stat()
    except OSError:
        return None
    read = _read(source.path, (info.st_size, info.st_mtime_ns))
    if read is None:
        return None
    text, prefixes = read
    if source.kind == "table":
        # Tables name resources through URI templates; the key is usually the IRI's last segment.
        key = unquote(re.split(r"[/#]", iri.rstrip("/"))[-1])
        for number, line in enumerate(text.splitlines(), start=1):
            if number > 1 and re.search(rf"(^|[,;\t\"']){re.escape(key)}($|[,;\t\"'])", line):
                return number
        return None
    forms = _forms_in_text(iri, prefixes)
    if source.kind == "records":
        forms += [iri, *_context_forms(iri, source.context)]  # YAML writes IRIs unquoted
    if source.path.suffix.lower() in (".rdf", ".owl", ".xml"):
        forms.append(f'"{iri.rsplit("#", 1)[-1]}"')
    return _first_line(text, forms)
