"""Problems with a steward's input, each naming the file, the place in it and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None
    column: int | str | None = None  # a character position, or a table column's name
    record: str | None = None  # the record or resource concerned, when there is no line

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if isinstance(self.column, int):
                where += f":{self.column}"
        parts = [where]
        if isinstance(self.column, str):
            parts.append(f"column '{self.column}'")
        if self.record:
            parts.append(self.record)
        return ": ".join(parts) + ": " + self.message

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class IngestError(Exception):
    """The input cannot be loaded; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))
