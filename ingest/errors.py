"""Problems with a steward's input, each naming the file, the place in it and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None
    column: int | str | None = None  # a character position, or a table column's name
    record: str | None = None  # the record or resource concerned, when there is no line
    #: the check that found it: "parse", "encoding", "mapping", "literal" or "input"
    kind: str = "input"
    hint: str | None = None  # what the steward should do, when the check knows better than its kind
    severity: str = "Violation"  # "Warning": worth fixing, but the input is loaded all the same
    value: str | None = None  # the cell or literal text concerned
    #: the hint in each language of the reports, when the check has them (``hint`` is then the English one,
    #: and problems compare by it)
    hints: dict[str, str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.hints and self.hint is None:
            object.__setattr__(self, "hint", self.hints["en"])

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
        defaults = {"kind": "input", "severity": "Violation"}
        return {
            k: v
            for k, v in self.__dict__.items()
            if v is not None and defaults.get(k) != v and k != "hints"  # hints: read through the reports
        }


class IngestError(Exception):
    """The input cannot be loaded; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem, report: object = None) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        #: the validation of what could be read all the same (a table whose other cells were mapped)
        self.report = report
        #: the quarantined batch's id, when the batch was kept for repair
        self.quarantined: str | None = None
        super().__init__("\n".join(str(p) for p in self.problems))
