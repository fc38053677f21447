"""Screening: property shapes that read the same property of the same focus nodes, checked in one pass.

Several property shapes often constrain one property of the same nodes (a label: at least one, each with
a language tag, one in Vietnamese or English, one per language, one in English). Each has its own query,
and each query reads every value of the property again; on Oxigraph reading a literal's language costs
more than finding it. A screen reads the values once, per focus node, and computes for each shape
whether the node may fail it: counts for sh:minCount / sh:maxCount and the qualified counts, a count of
values failing the value-level constraints (sh:datatype, sh:languageIn ...), and for sh:uniqueLang the
distinct tagged values against their distinct languages. The screen errs only on the side of a node
that conforms (two statements of one value in two graphs count once); each shape then runs its own
queries on the nodes screened out, which give the exact results and messages. Valid data costs one
query for the whole group.

Only with ``LATERAL`` (the values grouped one focus node at a time, in bounded memory): servers without
it run each shape's queries as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from . import components as comp
from .engine import flag_true
from .focus_sources import Names, Source
from .model import Shape
from .paths import PredicatePath
from .terms import Term, sparql_term

#: A member whose screen finds more nodes than this runs its own queries on its whole source instead:
#: the nodes would go into queries in many chunks, each a lookup per node.
MOST_FLAGGED = 2_000
_COUNTED = ("MinCount", "MaxCount", "UniqueLang")
_QUALIFIED = ("QualifiedMinCount", "QualifiedMaxCount")


def screenable(shape: Shape, vl: comp.ValueLevel) -> bool:
    """Whether every constraint of a property shape can be screened from its values alone."""
    if shape.deactivated or shape.properties or not isinstance(shape.path, PredicatePath):
        return False
    if not shape.constraints:
        return False
    for c in shape.constraints:
        k = comp.kind(c)
        if k in _COUNTED or vl.handles(c):
            continue
        if k in _QUALIFIED and not c.params["siblings"] and vl.tests_value_only(c.params["shape"]):
            continue
        return False
    return True


def groups(
    jobs: list[tuple[Shape, Source, Shape | None]], vl: comp.ValueLevel
) -> list[list[tuple[Shape, Source, Shape | None]]]:
    """The property-shape jobs that read one property of one source, in groups of two or more (a
    property shape of a node shape, or one with targets of its own)."""
    found: dict[tuple[str, str], list[tuple[Shape, Source, Shape | None]]] = defaultdict(list)
    for job in jobs:
        shape, source, _ = job
        if screenable(shape, vl):
            found[(source.key, shape.path.sparql())].append(job)  # type: ignore[union-attr]
    return [members for members in found.values() if len(members) > 1]


def _may_fail(shape: Shape, vl: comp.ValueLevel, lang: str) -> str:
    """An aggregate expression over one node's values (``?value``, and ``lang`` bound to its language):
    true when the node may fail ``shape``.

    No part may be an error (an error would hide the flag): each condition is wrapped in COALESCE. Rows
    are counted without DISTINCT where counting a value twice can only mark a node that conforms (its
    own queries then clear it), which is cheaper on Oxigraph."""

    def counted(condition: str) -> str:
        return f"SUM(IF({condition}, 1, 0))"

    def distinct(condition: str) -> str:
        return f"COUNT(DISTINCT IF({condition}, ?value, ?_shnone))"

    def read_once(expression: str) -> str:  # the language, read once per value by the BIND
        return expression.replace("lang(?value)", lang)

    tests = []
    for c in shape.constraints:
        k = comp.kind(c)
        if k == "MinCount":
            least = int(c.params["minCount"])
            tests.append(f"COUNT(?value) < {least}" if least <= 1 else f"COUNT(DISTINCT ?value) < {least}")
        elif k == "MaxCount":
            tests.append(f"COUNT(?value) > {int(c.params['maxCount'])}")
        elif k == "UniqueLang":  # some language has two values: more tagged values than tags
            tagged = f'COALESCE({lang} != "", false)'
            tests.append(f"{counted(tagged)} > COUNT(DISTINCT IF({tagged}, {lang}, ?_shnone))")
        elif k in _QUALIFIED:
            condition = f"BOUND(?value) && {read_once(vl.conforms(c.params['shape'], 'value'))}"
            if k == "QualifiedMinCount":
                least = int(c.params["min"])
                tests.append(f"{counted(condition) if least <= 1 else distinct(condition)} < {least}")
            else:
                tests.append(f"{counted(condition)} > {int(c.params['max'])}")
        else:  # value-level
            fails = f"BOUND(?value) && !COALESCE({read_once(vl.expr(c, 'value'))}, false)"
            tests.append(f"{counted(fails)} > 0")
    return " || ".join(f"({t})" for t in tests)


def screen_query(members: list[Shape], source: Source, vl: comp.ValueLevel) -> str:
    """One query giving the focus nodes of ``source`` that may fail any of ``members`` (property shapes
    of one predicate), with a flag ``?fN`` per member."""
    predicate = sparql_term(members[0].path.iri)  # type: ignore[union-attr]
    lang = "?_shlang"
    flags = " ".join(f"({_may_fail(m, vl, lang)} AS ?f{i})" for i, m in enumerate(members))
    anyone = " || ".join(f"?f{i}" for i in range(len(members)))
    names = " ".join(f"?f{i}" for i in range(len(members)))
    nodes = f"{{ SELECT DISTINCT ?this WHERE {{ {source.pattern('this', Names())} }} }}"
    values = f"OPTIONAL {{ ?this {predicate} ?value BIND(LANG(?value) AS {lang}) }}"
    grouped = f"LATERAL {{ SELECT ?this {flags} WHERE {{ {values} }} GROUP BY ?this }}"
    return f"SELECT ?this {names} WHERE {{ {nodes} {grouped} FILTER({anyone}) }}"


def flagged(rows: Iterable[Any], count: int) -> list[set[Term]]:
    """Per member, the focus nodes its flag marks in the rows of :func:`screen_query`."""
    out: list[set[Term]] = [set() for _ in range(count)]
    for row in rows:
        for i in range(count):
            if flag_true(row[f"f{i}"]):
                out[i].add(row["this"])
    return out
