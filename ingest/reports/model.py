"""The validation report as a data steward reads it: one model for everything a steward can get wrong.

A :class:`Finding` is a SHACL result of the gate, or a problem with the input itself (a file that
cannot be parsed, a table cell its CSVW mapping refuses, a literal that is not valid for its datatype,
a file in the wrong encoding). Each says how bad it is, what it is about (the focus node and its label,
the path, the value), why (the shape, the constraint, the message in several languages), what to do
(the shape's ``sh:description``, or the hint of the input check), and where: a file and line, a table's
sheet, row and column, or the graph a write went to.

A :class:`Report` holds the findings and their counts; the renderers (:mod:`ingest.reports.render`)
turn it into the W3C ``sh:ValidationReport`` (Turtle, JSON-LD), CSV, HTML or terminal text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode

from coopgraph import iris
from ingest.errors import Problem

#: Kinds of finding: a SHACL result, or a problem with the input before it could be checked.
KINDS = ("shacl", "parse", "encoding", "mapping", "literal", "input")
SEVERITIES = ("Violation", "Warning", "Info")
#: Languages the report's own words are written in (the shapes' messages may have more).
LANGUAGES = ("en", "vi", "fr")


def term_text(term: Any) -> str:
    """A term as a steward reads it: a prefixed name or an IRI in brackets, a literal's text."""
    if isinstance(term, NamedNode):
        return iris.compact(term.value)
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BlankNode):
        return "a blank node"
    return "" if term is None else str(term)


def display(term: Any) -> str:
    """A term for people: a literal's text alone, an IRI as :func:`term_text` writes it."""
    if isinstance(term, Literal):
        return term.value
    return term_text(term)


def parse_term(text: str | None) -> Any:
    """A term from its N-Triples form (as :meth:`Finding.as_dict` writes it), or None."""
    if not text:
        return None
    if text.startswith("_:"):
        return BlankNode(text[2:])
    quads = list(pyoxigraph.parse(f"<urn:s> <urn:p> {text} .", format=pyoxigraph.RdfFormat.N_TRIPLES))
    return quads[0].object


def pick(texts: Mapping[str, str], lang: str) -> str | None:
    """The text in ``lang``, else in English, else the first one."""
    if not texts:
        return None
    return texts.get(lang) or texts.get("en") or texts.get("") or next(iter(texts.values()))


@dataclass(frozen=True)
class Location:
    """Where a finding comes from: a file and line (and character column), a table's sheet, row and
    column name, or the graph written through the server."""

    file: str | None = None
    line: int | None = None
    column: int | str | None = None  # a character position in a line, or a table column's name
    sheet: str | None = None
    row: int | None = None  # a table's row as a spreadsheet numbers it (the header is row 1)
    graph: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            where = self.file
            if self.sheet:
                where += f" sheet '{self.sheet}'"
            if self.row is not None:
                where += f" row {self.row}"
            elif self.line is not None:
                where += f":{self.line}" + (f":{self.column}" if isinstance(self.column, int) else "")
            if isinstance(self.column, str):
                where += f" column '{self.column}'"
            parts.append(where)
        if self.graph and not self.file:
            parts.append(f"graph <{self.graph}>")
        return ", ".join(parts)


@dataclass(frozen=True)
class Finding:
    """One thing a steward must (Violation) or should (Warning) fix."""

    severity: str  # "Violation" | "Warning" | "Info"
    focus: Any  # a pyoxigraph term, or None for a problem with a whole file
    path: str | None
    value: Any
    component: str  # the constraint: a SHACL constraint component, or the input check
    shape: str
    messages: Mapping[str, str]
    focus_label: str | None = None
    shape_name: str | None = None
    fix: str | None = None  # the shape's sh:description in English: what the steward should do
    file: str | None = None
    line: int | None = None
    kind: str = "shacl"
    shape_iri: str | None = None
    path_iri: str | None = None  # the path when it is one property
    focus_labels: Mapping[str, str] = field(default_factory=dict)
    shape_names: Mapping[str, str] = field(default_factory=dict)
    column: int | str | None = None
    sheet: str | None = None
    row: int | None = None
    graph: str | None = None
    fixes: Mapping[str, str] = field(default_factory=dict)  # the fix by language (English: ``fix``)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column, self.sheet, self.row, self.graph)

    def message(self, lang: str = "en") -> str:
        return pick(self.messages, lang) or ""

    def label(self, lang: str = "en") -> str | None:
        return pick(self.focus_labels, lang) or self.focus_label

    def name(self, lang: str = "en") -> str | None:
        return pick(self.shape_names, lang) or self.shape_name

    def fix_in(self, lang: str = "en") -> str | None:
        """What to do, in ``lang`` when the shape or the check says it in that language, else in English."""
        return self.fixes.get(lang) or self.fix

    def where(self) -> str:
        return str(self.location)

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "focusNode": None if self.focus is None else term_text(self.focus),
            "focusTerm": None if self.focus is None else str(self.focus),
            "focusLabel": self.focus_label,
            "focusLabels": dict(self.focus_labels),
            "path": self.path,
            "pathIri": self.path_iri,
            "value": None if self.value is None else term_text(self.value),
            "valueTerm": None if self.value is None else str(self.value),
            "constraint": self.component,
            "shape": self.shape,
            "shapeIri": self.shape_iri,
            "shapeName": self.shape_name,
            "shapeNames": dict(self.shape_names),
            "messages": dict(self.messages),
            "fix": self.fix,
            "fixes": dict(self.fixes),
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "sheet": self.sheet,
            "row": self.row,
            "graph": self.graph,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        return cls(
            severity=d["severity"],
            focus=parse_term(d.get("focusTerm")),
            path=d.get("path"),
            value=parse_term(d.get("valueTerm")),
            component=d.get("constraint") or "",
            shape=d.get("shape") or "",
            messages=d.get("messages") or {},
            focus_label=d.get("focusLabel"),
            shape_name=d.get("shapeName"),
            fix=d.get("fix"),
            file=d.get("file"),
            line=d.get("line"),
            kind=d.get("kind") or "shacl",
            shape_iri=d.get("shapeIri"),
            path_iri=d.get("pathIri"),
            focus_labels=d.get("focusLabels") or {},
            shape_names=d.get("shapeNames") or {},
            column=d.get("column"),
            sheet=d.get("sheet"),
            row=d.get("row"),
            graph=d.get("graph"),
            fixes=d.get("fixes") or {},
        )


# ---------------------------------------------------------------------------------------------- input
#: The checks that find problems in the input, as shapes of their own: (name en, name vi, fix en, fix vi).
INPUT_CHECKS: dict[str, tuple[str, str, str, str]] = {
    "parse": (
        "readable file",
        "tệp đọc được",
        "Correct the syntax at the line shown (an editor with syntax highlighting helps), or export the "
        "file again from the tool that made it.",
        "Sửa cú pháp tại dòng được chỉ ra, hoặc xuất lại tệp từ công cụ đã tạo ra nó.",
    ),
    "encoding": (
        "UTF-8 text",
        "văn bản UTF-8",
        "Save the file as UTF-8 (in Excel: Save As, 'CSV UTF-8'; in LibreOffice: Character set "
        "'Unicode (UTF-8)'), or name its encoding in the CSVW dialect (\"encoding\").",
        "Lưu tệp dưới dạng UTF-8 (Excel: Save As, 'CSV UTF-8'; LibreOffice: bộ ký tự 'Unicode (UTF-8)'), "
        'hoặc khai báo bảng mã trong dialect của CSVW ("encoding").',
    ),
    "mapping": (
        "table matches its mapping",
        "bảng khớp với ánh xạ",
        "Make the cell, or the column titles, agree with the table's CSV on the Web mapping "
        "(NAME.csv-metadata.json), or change the mapping.",
        "Sửa ô hoặc tiêu đề cột cho khớp với ánh xạ CSV on the Web của bảng (NAME.csv-metadata.json), "
        "hoặc sửa ánh xạ.",
    ),
    "literal": (
        "valid value for its datatype",
        "giá trị hợp lệ với kiểu dữ liệu",
        "Write the value in the form its datatype requires: dates as YYYY-MM-DD (or YYYY-MM, YYYY), "
        "numbers with a dot for decimals and no thousands separator.",
        "Viết giá trị theo đúng dạng của kiểu dữ liệu: ngày theo dạng YYYY-MM-DD (hoặc YYYY-MM, YYYY), "
        "số dùng dấu chấm thập phân, không dùng dấu phân cách hàng nghìn.",
    ),
    "input": (
        "loadable input",
        "dữ liệu nạp được",
        "Correct the file as the message says, then load it again.",
        "Sửa tệp theo thông báo, rồi nạp lại.",
    ),
}
#: The input checks' names and fixes in French: (name, fix).
INPUT_CHECKS_FR: dict[str, tuple[str, str]] = {
    "parse": (
        "fichier lisible",
        "Corrigez la syntaxe à la ligne indiquée (un éditeur avec coloration syntaxique aide), ou exportez "
        "de nouveau le fichier depuis l'outil qui l'a produit.",
    ),
    "encoding": (
        "texte UTF-8",
        "Enregistrez le fichier en UTF-8 (Excel : Enregistrer sous, « CSV UTF-8 » ; LibreOffice : jeu de "
        'caractères « Unicode (UTF-8) »), ou indiquez son encodage dans le dialecte CSVW ("encoding").',
    ),
    "mapping": (
        "tableau conforme à son mapping",
        "Accordez la cellule, ou les titres de colonnes, avec le mapping CSV on the Web du tableau "
        "(NOM.csv-metadata.json), ou modifiez le mapping.",
    ),
    "literal": (
        "valeur valide pour son type de données",
        "Écrivez la valeur sous la forme qu'exige son type : les dates en AAAA-MM-JJ (ou AAAA-MM, AAAA), "
        "les nombres avec un point décimal et sans séparateur de milliers.",
    ),
    "input": (
        "données chargeables",
        "Corrigez le fichier comme l'indique le message, puis chargez-le de nouveau.",
    ),
}
#: What an input problem is, in Vietnamese, by the start of its English message (else by its kind).
_VI_MESSAGE_START = (
    ("stray spaces", "Ô có khoảng trắng thừa ở đầu hoặc cuối"),
    ("duplicate", "Khóa bị trùng"),
    ("unknown column", "Cột không có trong ánh xạ"),
    ("the file holds no triples", "Tệp không chứa bộ ba nào"),
    ("the file is empty", "Tệp rỗng"),
    ("no such file", "Không có tệp này"),
)
_VI_KIND = {
    "parse": "Lỗi cú pháp",
    "encoding": "Tệp không phải văn bản UTF-8",
    "mapping": "Bảng không khớp với ánh xạ",
    "literal": "Giá trị không hợp lệ với kiểu dữ liệu",
    "input": "Không nạp được dữ liệu",
}
_FR_MESSAGE_START = (
    ("stray spaces", "Espaces superflues au début ou à la fin de la cellule"),
    ("duplicate", "Clé en double"),
    ("unknown column", "Colonne absente du mapping"),
    ("the file holds no triples", "Le fichier ne contient aucun triplet"),
    ("the file is empty", "Le fichier est vide"),
    ("no such file", "Fichier introuvable"),
)
_FR_KIND = {
    "parse": "Erreur de syntaxe",
    "encoding": "Le fichier n'est pas du texte UTF-8",
    "mapping": "Le tableau ne correspond pas à son mapping",
    "literal": "Valeur invalide pour son type de données",
    "input": "Données impossibles à charger",
}
#: The namespace of the report's own terms (input checks, locations) beside SHACL's.
REPORT = iris.BASE + "report#"


def _vi_message(kind: str, text: str) -> str:
    """The Vietnamese message: what the problem is, then the English details (values, names, rows)."""
    phrase = next((vi for start, vi in _VI_MESSAGE_START if text.startswith(start)), _VI_KIND[kind])
    return f"{phrase}: {text}"


def _fr_message(kind: str, text: str) -> str:
    """The French message: what the problem is, then the English details (values, names, rows)."""
    phrase = next((fr for start, fr in _FR_MESSAGE_START if text.startswith(start)), _FR_KIND[kind])
    return f"{phrase} : {text}"


def _fixes(kind: str, hint: str | None, fix_vi: str, hints: dict[str, str] | None) -> dict[str, str]:
    """The fix by language: the problem's hint (which names the very values to write) in the reader's
    language when the check wrote it in each; else the check's own fix, followed by the English hint."""
    if hints and "vi" in hints and "fr" in hints:
        return {"vi": hints["vi"], "fr": hints["fr"]}
    fixes = {"vi": fix_vi, "fr": INPUT_CHECKS_FR[kind][1]}
    if hint:
        fixes = {"vi": f"{fix_vi} Chi tiết: {hint}", "fr": f"{fixes['fr']} Détail : {hint}"}
    return fixes


def from_problem(problem: Problem) -> Finding:
    """A problem with the input as a finding: its check stands for the shape."""
    kind = getattr(problem, "kind", "input") or "input"
    if kind not in INPUT_CHECKS:
        kind = "input"
    name_en, name_vi, fix_en, fix_vi = INPUT_CHECKS[kind]
    hint = getattr(problem, "hint", None)
    column = problem.column
    tabular = isinstance(column, str)
    sheet = None
    if problem.record and problem.record.startswith("sheet '"):
        sheet = problem.record.removeprefix("sheet '").rstrip("'")
    check = kind.capitalize() + "Check"
    focus = NamedNode(problem.focus) if getattr(problem, "focus", None) else None
    return Finding(
        severity=getattr(problem, "severity", "Violation"),
        focus=focus,
        path=None,
        value=Literal(problem.value) if getattr(problem, "value", None) is not None else None,
        component=check,
        shape=f"report:{check}",
        shape_iri=REPORT + check,
        messages={
            "en": problem.message,
            "vi": _vi_message(kind, problem.message),
            "fr": _fr_message(kind, problem.message),
        },
        shape_name=name_en,
        shape_names={"en": name_en, "vi": name_vi, "fr": INPUT_CHECKS_FR[kind][0]},
        fix=hint or fix_en,
        fixes=_fixes(kind, hint, fix_vi, getattr(problem, "hints", None)),
        file=problem.path,
        line=None if tabular else problem.line,
        row=problem.line if tabular else None,
        column=column,
        sheet=sheet,
        kind=kind,
    )


# ---------------------------------------------------------------------------------------------- report
@dataclass
class Report:
    """Findings of one validation, and their counts (all of them, even when only the first are detailed)."""

    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # by severity
    by_shape: dict[str, dict[str, int]] = field(default_factory=dict)  # shape -> severity -> count
    shapes_graphs: list[str] = field(default_factory=list)
    focus_nodes: int | None = None  # None: every node was checked
    seconds: float = 0.0
    title: str = "coopgraph validation report"
    subject: str = ""  # what was validated: files, a graph, the store at a generation
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    checked: bool = True  # False: nothing was checked (no shapes): never a pass

    @property
    def conforms(self) -> bool:
        return self.checked and not self.counts.get("Violation")

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def truncated(self) -> bool:
        return self.total > len(self.findings)

    def shape_label(self, shape: str, lang: str = "en") -> str:
        for f in self.findings:
            if f.shape == shape:
                return f.name(lang) or shape
        return shape

    def add(self, findings: Iterable[Finding], first: bool = False) -> None:
        """Add findings (input problems go ``first``), counting them."""
        new = list(findings)
        for f in new:
            self.counts[f.severity] = self.counts.get(f.severity, 0) + 1
            per = self.by_shape.setdefault(f.shape, {})
            per[f.severity] = per.get(f.severity, 0) + 1
        self.findings = new + self.findings if first else self.findings + new

    def as_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "checked": self.checked,
            "counts": self.counts,
            "byShape": self.by_shape,
            "focusNodes": self.focus_nodes,
            "shapesGraphs": self.shapes_graphs,
            "results": [f.as_dict() for f in self.findings],
            "seconds": round(self.seconds, 3),
            "title": self.title,
            "subject": self.subject,
            "created": self.created,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        return cls(
            findings=[Finding.from_dict(r) for r in d.get("results", [])],
            counts=dict(d.get("counts") or {}),
            by_shape={k: dict(v) for k, v in (d.get("byShape") or {}).items()},
            shapes_graphs=list(d.get("shapesGraphs") or []),
            focus_nodes=d.get("focusNodes"),
            seconds=float(d.get("seconds") or 0.0),
            title=d.get("title") or "coopgraph validation report",
            subject=d.get("subject") or "",
            created=d.get("created") or "",
            checked=d.get("checked", True),
        )

    @classmethod
    def of(cls, gate: Any = None, problems: Iterable[Problem] = (), subject: str = "") -> Report:
        """The report of a gate's result (:class:`ingest.gate.GateReport`) and the input's problems.

        A SHACL finding at the very cell an input problem names is left out: the problem says it first.
        """
        report = cls(subject=subject)
        inputs = [from_problem(p) for p in (*problems, *getattr(gate, "notes", ()))]
        if gate is not None:
            report.shapes_graphs = list(gate.shapes_graphs)
            report.focus_nodes = gate.focus_nodes
            report.seconds = gate.seconds
            report.checked = bool(gate.shapes_graphs)
            report.counts = dict(gate.counts)
            report.by_shape = {k: dict(v) for k, v in getattr(gate, "by_shape", {}).items()}
            cells = {(f.file, f.row, f.column) for f in inputs if f.row is not None}
            kept, seen = [], set()
            for f in gate.findings:
                shown = (f.shape, str(f.focus), f.path, str(f.value), f.where(), f.message())
                if (f.row is not None and (f.file, f.row, f.column) in cells) or shown in seen:
                    _uncount(report, f)  # said by an input problem, or the same as one before
                    continue
                seen.add(shown)
                kept.append(f)
            report.findings = kept
        inputs.sort(key=lambda f: (SEVERITIES.index(f.severity), f.file or "", f.row or f.line or 0))
        report.add(inputs, first=True)
        return report

    def renamed(self, names: Mapping[str, str]) -> Report:
        """The report with file names replaced (an upload's temporary file is "request body")."""
        if not names:
            return self
        findings = [replace(f, file=names.get(f.file or "", f.file)) for f in self.findings]
        return replace(self, findings=findings)

    def in_graph(self, graphs: Mapping[str, str]) -> Report:
        """Findings located in the graphs a write went to (file name -> graph), for reports of writes."""
        findings = [replace(f, graph=graphs.get(f.file or "", f.graph)) for f in self.findings]
        return replace(self, findings=findings)


def _uncount(report: Report, finding: Finding) -> None:
    report.counts[finding.severity] = max(report.counts.get(finding.severity, 0) - 1, 0)
    per = report.by_shape.get(finding.shape)
    if per and per.get(finding.severity):
        per[finding.severity] -= 1
        if not any(per.values()):
            del report.by_shape[finding.shape]
    if not report.counts.get(finding.severity):
        report.counts.pop(finding.severity, None)


def severity_counts(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(f.severity for f in findings)
