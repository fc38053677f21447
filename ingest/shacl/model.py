"""The parsed shapes: shapes, their targets and constraints (no SPARQL here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .paths import Path
from .terms import SH, Term, short


@dataclass
class Targets:
    nodes: list[Term] = field(default_factory=list)
    classes: list[Term] = field(default_factory=list)  # explicit sh:targetClass and implicit class targets
    subjects_of: list[ox.NamedNode] = field(default_factory=list)
    objects_of: list[ox.NamedNode] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.classes or self.subjects_of or self.objects_of)


@dataclass(eq=False)
class Constraint:
    """One constraint: a component with its parameter values, as declared by one shape."""

    component: ox.NamedNode
    params: dict[str, Any]
    # parameter IRI -> value as written in the shapes graph (for {$param} in messages)
    bindings: dict[str, Term] = field(default_factory=dict)
    source_constraint: Term | None = None  # the sh:sparql node of a SPARQL-based constraint
    messages: list[ox.Literal] = field(default_factory=list)  # from the SPARQL constraint / validator

    @property
    def name(self) -> str:
        return short(self.component)


@dataclass(eq=False)
class Shape:
    node: Term
    path: Path | None = None
    targets: Targets = field(default_factory=Targets)
    deactivated: bool = False
    severity: ox.NamedNode = SH.Violation
    messages: list[ox.Literal] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        return self.path is not None

    def __repr__(self) -> str:
        return f"Shape({short(self.node)})"

    @property
    def label(self) -> str:
        return short(self.node)
