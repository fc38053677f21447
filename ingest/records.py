"""JSON and YAML records read as JSON-LD with the project's context.

A file holds one record (an object), a list of records, or an object with ``@graph``. When it
has no ``@context`` of its own, the project context (``ontology/context.jsonld``) is applied. A
context given by the project's published URL is replaced by the local copy; no other remote
context is fetched.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import yaml

from coopgraph import iris
from ingest.errors import IngestError, Problem

PUBLISHED_CONTEXT = iris.BASE + "context.jsonld"


def _context(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))["@context"]


def _inline_context(value: Any, context: Any) -> Any:
    if value == PUBLISHED_CONTEXT:
        return context
    if isinstance(value, list):
        return [_inline_context(v, context) for v in value]
    return value


def _yaml_default(value: Any) -> str:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"cannot represent {type(value).__name__} in JSON-LD")


class _RecordLoader(yaml.SafeLoader):
    """YAML's safe loader, noting impossible unquoted dates (``2024-13-45``) with their line instead of
    failing on the first without one."""

    def __init__(self, stream: str, path: Path) -> None:
        super().__init__(stream)
        self.path = path
        self.bad_dates: list[Problem] = []

    def construct_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as e:
            kind = "date" if len(str(node.value)) <= 10 else "dateTime"
            self.bad_dates.append(
                Problem(
                    str(self.path),
                    f"'{node.value}' is not a valid {kind} ({e})",
                    line=node.start_mark.line + 1,
                )
            )
            return node.value


_RecordLoader.add_constructor("tag:yaml.org,2002:timestamp", _RecordLoader.construct_timestamp)


def _load_yaml(text: str, path: Path) -> Any:
    loader = _RecordLoader(text, path)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if loader.bad_dates:
        raise IngestError(loader.bad_dates)
    return data


def as_jsonld(path: Path, context_file: Path) -> tuple[bytes, int]:
    """The file as a JSON-LD document, and how many lines were added before the file's first line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        message = f"not valid UTF-8 text: {e.reason} at byte {e.start}"
        raise IngestError(Problem(str(path), message, line=line)) from None
    if not text.strip():
        raise IngestError(Problem(str(path), "the file is empty"))
    context = _context(context_file)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise IngestError(
                Problem(str(path), f"not valid JSON: {e.msg}", line=e.lineno, column=e.colno)
            ) from None
        if isinstance(data, dict) and "@context" in data:
            data["@context"] = _inline_context(data["@context"], context)
            return json.dumps(data, ensure_ascii=False).encode(), 0
        if isinstance(data, list):
            # Wrap the list so that the parser's line numbers stay one off the file's.
            head = '{"@context": ' + json.dumps(context, ensure_ascii=False) + ', "@graph":\n'
            return (head + text + "\n}").encode(), 1
        if not isinstance(data, dict) or not data:
            raise IngestError(
                Problem(str(path), "expected a record (an object) or a list of records", line=1)
            )
        # An object (one record, or one with "@graph"): the context goes in right after its opening
        # brace, on the same line, so that every line number stays the file's own.
        brace = text.index("{")
        inserted = '"@context": ' + json.dumps(context, ensure_ascii=False) + ", "
        return (text[: brace + 1] + inserted + text[brace + 1 :]).encode(), 0
    try:
        data = _load_yaml(text, path)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        reason = getattr(e, "problem", None) or str(e)
        raise IngestError(Problem(str(path), f"not valid YAML: {reason}", line=line, column=column)) from None
    if isinstance(data, dict) and "@context" in data:
        data["@context"] = _inline_context(data["@context"], context)
        document: Any = data
    elif isinstance(data, dict) and data:
        document = {"@context": context, **data}
    elif isinstance(data, list):
        document = {"@context": context, "@graph": data}
    else:
        raise IngestError(Problem(str(path), "expected a record (a mapping) or a list of records", line=1))
    try:
        return json.dumps(document, ensure_ascii=False, default=_yaml_default).encode(), 0
    except TypeError as e:
        raise IngestError(Problem(str(path), str(e))) from None
