"""Evaluation: runs the compiled constraint queries of each shape over a focus source.

Top-level shapes run over their targets. A shape used inside another one (sh:node, sh:not, sh:and,
sh:or, sh:xone, sh:qualifiedValueShape, sh:property) runs ONCE over the set of all value nodes of the
enclosing shape, described as a SPARQL sub-pattern (see sources.py), and gives back the set of nodes
that fail it; the enclosing constraint then matches that set against its (focus, value) pairs in
Python. Recursive shapes are cut by materialising the nodes at re-entry and assuming that nodes
already being checked against the same shape conform.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from . import components as comp
from .focus_sources import Names, NodesSource, Source, pairs_pattern, value_source, values_block
from .hierarchy import Hierarchy
from .model import Constraint, Shape
from .paths import PredicatePath
from .report import ResultPath, ValidationResult
from .shapes import ShapesError
from .sparql import Unsupported, ask_query, fill_template, select_query
from .terms import XSD, Term

Run = Callable[[str], Any]
PAIRS_VALUES_LIMIT = 2000  # failing value nodes up to this many are pushed into the pairs query


class ValidationFailure(RuntimeError):
    """The validation itself failed (a SPARQL constraint reported ?failure, or a query error)."""


@dataclass(slots=True)
class Hit:
    """A raw result of one constraint: turned into a ValidationResult in report mode."""

    focus: Term
    value: Term | None
    constraint: Constraint
    path: ResultPath | None = None
    path_set: bool = False  # True when ``path`` overrides the shape's path (even with None)
    row: dict[str, Term] = field(default_factory=dict)


#: The datatypes a true flag may come back in: a boolean, or the integer 1 Virtuoso answers instead.
_FLAG_TRUE = {(XSD.boolean, "true"), (XSD.boolean, "1"), (XSD.integer, "1"), (XSD.int, "1")}


def flag_true(term: Term | None) -> bool:
    """A flag the queries bind to a boolean expression (Virtuoso answers those as the integer 1)."""
    return isinstance(term, ox.Literal) and (term.datatype, term.value) in _FLAG_TRUE


class Shared:
    """What the evaluations of one validate() call share. They may run in several threads: the
    caches are plain dicts, and at worst two threads compute the same entry."""

    def __init__(self, query_cache: dict[tuple[Any, ...], str], hierarchy: Hierarchy | None = None) -> None:
        self.query_cache = query_cache  # per Shapes object: texts of queries over stable sources
        self.hierarchy = hierarchy  # without LATERAL: the data's classes, read once (hierarchy.py)
        self.run_queries: dict[tuple[Any, ...], str] = {}
        self.failing: dict[tuple[int, str], frozenset[Term]] = {}
        self.pairs: dict[tuple[str, str], list[tuple[Term, Term]]] = {}
        self.focus: dict[str, list[Term]] = {}


class Evaluation:
    """Evaluates shapes over sources for one validate() call (one per thread)."""

    def __init__(
        self,
        run: Run,
        shared: Shared,
        recursive: set[int],
        shapes_graph: ox.NamedNode | None,
        lenient_integers: bool,
        lateral: bool = True,
    ) -> None:
        self._run = run
        self.lateral = lateral
        self.shared = shared
        self.recursive = recursive
        self.shapes_graph = shapes_graph
        self.vl = comp.ValueLevel(lenient_integers, hierarchy=shared.hierarchy)
        self.stack: list[tuple[Shape, Source]] = []
        self.in_progress: dict[int, set[Term]] = defaultdict(set)
        self.failing_cache = shared.failing
        self.pairs_cache = shared.pairs
        self.focus_cache = shared.focus
        self.queries = 0

    # ------------------------------------------------------------------ running queries
    def select(self, text: str, shape: Shape | None = None) -> list[Any]:
        return self.select_vars(text, shape)[1]

    def select_vars(self, text: str, shape: Shape | None = None) -> tuple[list[str], list[Any]]:
        """Run a SELECT query: (variable names, solutions)."""
        self.queries += 1
        try:
            solutions = self._run(text)
            return [v.value for v in solutions.variables], list(solutions)
        except SyntaxError as e:
            where = f"shape {shape.label}: " if shape is not None else ""
            raise ShapesError(f"{where}query rejected by Oxigraph: {e}") from None
        except (OSError, RuntimeError) as e:
            where = f"shape {shape.label}: " if shape is not None else ""
            raise ValidationFailure(f"{where}query failed: {e}") from e

    def cached(self, key: tuple[Any, ...], source: Source, build: Callable[[], str]) -> str:
        """The text of the query ``key`` over ``source``, built once (per Shapes object when the
        source is the same from one validation to the next)."""
        cache = self.shared.query_cache if source.stable else self.shared.run_queries
        full = (*key, source.key)
        text = cache.get(full)
        if text is None:
            text = cache[full] = build()
        return text

    def focus_nodes(self, source: Source) -> list[Term]:
        nodes = self.focus_cache.get(source.key)
        if nodes is None:
            rows = self.select(f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', Names())} }}")
            nodes = self.focus_cache[source.key] = [r["this"] for r in rows]
        return nodes

    def pairs(self, shape: Shape, source: Source) -> list[tuple[Term, Term]]:
        """Distinct (focus, value) pairs of ``shape`` over ``source``."""
        pkey = shape.path.sparql() if shape.path is not None else ""
        key = (pkey, source.key)
        found = self.pairs_cache.get(key)
        if found is None:
            pattern = pairs_pattern(source, shape.path, "this", "value", Names())
            text = f"SELECT DISTINCT ?this ?value WHERE {{ {pattern} }}"
            found = self.pairs_cache[key] = [(r["this"], r["value"]) for r in self.select(text, shape)]
        return found

    def pairs_with_values(
        self, shape: Shape, source: Source, values: frozenset[Term]
    ) -> list[tuple[Term, Term]]:
        """The pairs whose value is in ``values``; pushes a small set of values into the query."""
        if (
            shape.path is None
            or len(values) > PAIRS_VALUES_LIMIT
            or any(isinstance(v, ox.BlankNode) for v in values)
            or (shape.path.sparql() if shape.path else "", source.key) in self.pairs_cache
        ):
            return [(f, v) for f, v in self.pairs(shape, source) if v in values]
        restrict = values_block("value", sorted(values, key=str))
        text = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {restrict} "
            f"{pairs_pattern(source, shape.path, 'this', 'value', Names())} }}"
        )
        return [(r["this"], r["value"]) for r in self.select(text, shape)]

    # ------------------------------------------------------------------ recursion guard
    def _enter(self, shape: Shape, source: Source) -> Source | None:
        """The source to evaluate ``shape`` on, or None when everything is already being checked."""
        if not any(s is shape for s, _ in self.stack):
            return source
        done = self.in_progress[id(shape)]
        for s, earlier in self.stack:
            if s is shape:
                done.update(self._materialise(earlier))
        new = set(self._materialise(source)) - done
        if not new:
            return None
        done.update(new)
        return NodesSource(frozenset(new))

    def _materialise(self, source: Source) -> list[Term]:
        nodes = self.focus_nodes(source)
        sup = source.superset_of
        return [n for n in nodes if n in sup] if sup is not None else nodes

    # ------------------------------------------------------------------ report mode
    def results(
        self,
        shape: Shape,
        source: Source,
        weights: dict[Term, int] | None = None,
        properties: bool = True,
    ) -> list[ValidationResult]:
        """All validation results of ``shape`` (and its property shapes unless ``properties`` is
        False) for the nodes of ``source``.

        ``weights``: how many times each focus node is reached from the top-level focus nodes, when it
        is more than once (a value of several focus nodes of an enclosing property shape): the spec
        validates it, and reports its results, once per way it is reached.
        """
        if shape.deactivated:
            return []
        entered = self._enter(shape, source)
        if entered is None:
            return []
        self.stack.append((shape, entered))
        try:
            out = []
            hits = self.own(shape, entered)
            sup = entered.superset_of
            if sup is not None:  # blank nodes that only came with the superset pattern
                hits = [h for h in hits if h.focus in sup]
            for h in hits:
                r = self.result(shape, h)
                out.extend([r] * (weights.get(h.focus, 1) if weights else 1))
            values = value_source(entered, shape.path)
            sub_weights = weights
            if shape.properties and shape.path is not None:
                counted: dict[Term, int] = defaultdict(int)
                for f, v in self.pairs(shape, entered):
                    counted[v] += weights.get(f, 1) if weights else 1
                sub_weights = {v: n for v, n in counted.items() if n > 1}
            for prop in shape.properties if properties else ():
                out.extend(self.results(prop, values, sub_weights))
        finally:
            self.stack.pop()
        return out

    # ------------------------------------------------------------------ nested mode
    def failing(self, shape: Shape, source: Source) -> frozenset[Term]:
        """The nodes of ``source`` that do not conform to ``shape``."""
        if shape.deactivated:
            return frozenset()
        key = (id(shape), source.key)
        cacheable = id(shape) not in self.recursive
        if cacheable and key in self.failing_cache:
            return self.failing_cache[key]
        entered = self._enter(shape, source)
        if entered is None:
            return frozenset()
        self.stack.append((shape, entered))
        try:
            fails = {h.focus for h in self.own(shape, entered)}
            values = value_source(entered, shape.path)
            for prop in shape.properties:
                bad = self.failing(prop, values)
                if not bad:
                    continue
                if shape.path is None:
                    fails.update(bad)
                else:
                    fails.update(f for f, v in self.pairs_with_values(shape, entered, bad))
        finally:
            self.stack.pop()
        sup = entered.superset_of
        result = frozenset(f for f in fails if f in sup) if sup is not None else frozenset(fails)
        if cacheable:
            self.failing_cache[key] = result
        return result

    # ------------------------------------------------------------------ one shape's own constraints
    def own(self, shape: Shape, source: Source) -> list[Hit]:
        hits: list[Hit] = []
        hits.extend(self._main(shape, source))
        qualified_done = False
        for c in shape.constraints:
            k = comp.kind(c)
            if self.vl.handles(c) or k in ("MinCount", "MaxCount"):
                continue  # done by _main
            if k == "HasValue":
                text = self.cached(
                    ("hasValue", id(c)), source, lambda c=c: comp.has_value_query(shape, c, source)
                )
                hits.extend(Hit(r["this"], None, c) for r in self.select(text, shape))
            elif k in ("Equals", "Disjoint", "LessThan", "LessThanOrEquals"):
                text = self.cached(("pair", id(c)), source, lambda c=c: comp.pair_query(shape, c, source))
                hits.extend(Hit(r["this"], r["value"], c) for r in self.select(text, shape))
            elif k == "UniqueLang":
                text = self.cached(
                    ("uniqueLang", id(c), self.lateral),
                    source,
                    lambda: comp.unique_lang_query(shape, source, self.lateral),
                )
                hits.extend(Hit(r["this"], None, c) for r in self.select(text, shape))
            elif k == "Closed":
                hits.extend(self._closed(shape, c, source))
            elif k in ("Node", "Not", "And", "Or", "Xone"):
                hits.extend(self._logical(shape, c, k, source))
            elif k in ("QualifiedMinCount", "QualifiedMaxCount"):
                if not qualified_done:
                    hits.extend(self._qualified(shape, source))
                    qualified_done = True
            elif c.params.get("kind") == "ask":
                hits.extend(self._ask(shape, c, source))
            elif c.params.get("kind") == "select":
                hits.extend(self._select(shape, c, source))
        return hits

    def _main(self, shape: Shape, source: Source) -> list[Hit]:
        """Value-level constraints and sh:minCount / sh:maxCount, in as few queries as possible."""
        value_level = [c for c in shape.constraints if self.vl.handles(c)]
        cmin = next((c for c in shape.constraints if comp.kind(c) == "MinCount"), None)
        cmax = next((c for c in shape.constraints if comp.kind(c) == "MaxCount"), None)
        lo = cmin.params["minCount"] if cmin is not None else None
        hi = cmax.params["maxCount"] if cmax is not None else None
        simple_path = shape.path is not None and not shape.path.nullable
        fold_min = cmin is not None and lo == 1 and simple_path
        fold_max = cmax is not None and hi is not None and hi <= 1 and simple_path
        hits: list[Hit] = []
        key = ("main", id(shape))
        if self.vl.portable:  # no flags: one query per constraint (comp.failing_values_query)
            for c in value_level:
                text = self.cached(
                    ("failing", id(c)),
                    source,
                    lambda c=c: comp.failing_values_query(shape, c, source, self.vl),
                )
                hits.extend(Hit(r["this"], r["value"], c) for r in self.select(text, shape))
            value_level = []
        if value_level or (fold_min and fold_max and not self.vl.portable):
            text = self.cached(
                key,
                source,
                lambda: comp.main_query(
                    shape, value_level, source, self.vl, fold_min, hi if fold_max else None
                ),
            )
            seen_max: set[Term] = set()
            for r in self.select(text, shape):
                focus, value = r["this"], r["value"]
                for i, c in enumerate(value_level):
                    if flag_true(r[f"k{i}"]):
                        hits.append(Hit(focus, value, c))
                if fold_min and flag_true(r["kmin"]):
                    hits.append(Hit(focus, None, cmin))  # type: ignore[arg-type]
                if fold_max and flag_true(r["kmax"]) and focus not in seen_max:
                    seen_max.add(focus)
                    hits.append(Hit(focus, None, cmax))  # type: ignore[arg-type]
        else:
            hits.extend(
                self._min_one_max(shape, source, cmin if fold_min else None, cmax if fold_max else None)
            )
        count_lo = lo if cmin is not None and not fold_min and lo else None
        count_hi = hi if cmax is not None and not fold_max else None
        if count_lo is not None or count_hi is not None:
            text = self.cached(
                ("count", id(shape)), source, lambda: comp.count_query(shape, count_lo, count_hi, source)
            )
            for r in self.select(text, shape):
                n = int(r["n"].value)
                if count_lo is not None and n < count_lo:
                    hits.append(Hit(r["this"], None, cmin))  # type: ignore[arg-type]
                if count_hi is not None and n > count_hi:
                    hits.append(Hit(r["this"], None, cmax))  # type: ignore[arg-type]
        return hits

    def _min_one_max(
        self, shape: Shape, source: Source, cmin: Constraint | None, cmax: Constraint | None
    ) -> list[Hit]:
        """sh:minCount 1 and sh:maxCount 0 or 1 of a simple path, each by a query of its own."""
        hits: list[Hit] = []
        key = ("main", id(shape))
        if cmin is not None:
            text = self.cached(key, source, lambda: comp.min_one_query(shape, source))
            hits.extend(Hit(r["this"], None, cmin) for r in self.select(text, shape))
        if cmax is not None:
            hi = cmax.params["maxCount"]
            text = self.cached(
                (*key, self.lateral), source, lambda: comp.max_query(shape, hi, source, self.lateral)
            )
            hits.extend(Hit(r["this"], None, cmax) for r in self.select(text, shape))
        return hits

    def _closed(self, shape: Shape, c: Constraint, source: Source) -> list[Hit]:
        allowed: list[Term] = [p.path.iri for p in shape.properties if isinstance(p.path, PredicatePath)]
        allowed += [i for i in c.params["ignored"] if i not in allowed]
        text = self.cached(("closed", id(c)), source, lambda: comp.closed_query(shape, c, allowed, source))
        return [Hit(r["this"], r["_sho"], c, path=r["_shp"], path_set=True) for r in self.select(text, shape)]

    def _logical(self, shape: Shape, c: Constraint, k: str, source: Source) -> list[Hit]:
        values = value_source(source, shape.path)
        if k in ("Node", "Not"):
            bad = self.failing(c.params["shape"], values)
            if k == "Node":
                if not bad:
                    return []
                return [Hit(f, v, c) for f, v in self.pairs_with_values(shape, source, bad)]
            return [Hit(f, v, c) for f, v in self.pairs(shape, source) if v not in bad]
        members: list[Shape] = c.params["shapes"]
        fails = [self.failing(m, values) for m in members]
        if k == "And":
            union = frozenset().union(*fails)
            return [Hit(f, v, c) for f, v in self.pairs_with_values(shape, source, union)] if union else []
        if k == "Or":
            if not members:
                return [Hit(f, v, c) for f, v in self.pairs(shape, source)]
            common = frozenset.intersection(*fails)
            return [Hit(f, v, c) for f, v in self.pairs_with_values(shape, source, common)] if common else []
        # Xone: exactly one member shape conforms (duplicates in the list count twice)
        return [Hit(f, v, c) for f, v in self.pairs(shape, source) if sum(v not in bad for bad in fails) != 1]

    def _qualified(self, shape: Shape, source: Source) -> list[Hit]:
        hits = []
        values = value_source(source, shape.path)
        for c in shape.constraints:
            if comp.kind(c) not in ("QualifiedMinCount", "QualifiedMaxCount"):
                continue
            if (
                shape.path is not None
                and not c.params["siblings"]
                and self._value_level_only(c.params["shape"])
            ):
                hits.extend(self._qualified_counted(shape, c, source))
                continue
            bad = self.failing(c.params["shape"], values)
            sibling_bad = [self.failing(s, values) for s in c.params["siblings"]]
            conforming: dict[Term, int] = defaultdict(int)
            for f, v in self.pairs(shape, source):
                if v not in bad and all(v in sb for sb in sibling_bad):
                    conforming[f] += 1
            for f in self.focus_nodes(source):
                n = conforming.get(f, 0)
                if comp.kind(c) == "QualifiedMinCount" and n < c.params["min"]:
                    hits.append(Hit(f, None, c))
                if comp.kind(c) == "QualifiedMaxCount" and n > c.params["max"]:
                    hits.append(Hit(f, None, c))
        return hits

    def _value_level_only(self, shape: Shape) -> bool:
        """Whether conforming to ``shape`` tests the value node alone (sh:languageIn, sh:datatype ...)."""
        return self.vl.tests_value_only(shape) and id(shape) not in self.recursive

    def _qualified_counted(self, shape: Shape, c: Constraint, source: Source) -> list[Hit]:
        """sh:qualifiedMinCount / sh:qualifiedMaxCount whose qualified value shape tests each value node
        alone, counted by one query instead of materialising every (focus, value) pair in Python."""
        if comp.kind(c) == "QualifiedMinCount" and c.params["min"] <= 0:
            return []  # no count is below 0
        conforms = self.vl.conforms(c.params["shape"], "value")
        text = self.cached(
            ("qualifiedCount", id(c)), source, lambda: comp.qualified_count_query(shape, c, conforms, source)
        )
        return [Hit(r["this"], None, c) for r in self.select(text, shape)]

    def _select(self, shape: Shape, c: Constraint, source: Source) -> list[Hit]:
        try:
            text, _ = select_query(shape, c, source, self.shapes_graph, self.lateral)
        except Unsupported as e:
            raise ShapesError(f"shape {shape.label}: {e}") from None
        hits = []
        variables, rows = self.select_vars(text, shape)
        seen: set[tuple[Term | None, ...]] = set()
        for r in rows:
            key = tuple(r[v] for v in variables)
            if key in seen:
                continue
            seen.add(key)
            row = {v: r[v] for v in variables if r[v] is not None}
            failure = row.get("failure")
            if isinstance(failure, ox.Literal) and failure.value in ("true", "1"):
                raise ValidationFailure(f"shape {shape.label}: the SPARQL query reported ?failure")
            focus = row["this"]
            value = row.get("value", focus if shape.path is None else None)
            path = row.get("path")
            hit = Hit(focus, value, c, row=row)
            if isinstance(path, ox.NamedNode):
                hit.path, hit.path_set = path, True
            hits.append(hit)
        return hits

    def _ask(self, shape: Shape, c: Constraint, source: Source) -> list[Hit]:
        try:
            text = ask_query(shape, c, source, self.shapes_graph)
        except Unsupported as e:
            raise ShapesError(f"shape {shape.label}: {e}") from None
        return [Hit(r["this"], r["value"], c) for r in self.select(text, shape)]

    # ------------------------------------------------------------------ results
    def result(self, shape: Shape, hit: Hit) -> ValidationResult:
        c = hit.constraint
        path = hit.path if hit.path_set else shape.path
        if isinstance(path, PredicatePath):
            path = path.iri
        bindings: dict[str, Term | None] = {
            **c.bindings,
            **hit.row,
            "this": hit.focus,
            "focusNode": hit.focus,
            "value": hit.value,
        }
        if isinstance(path, ox.NamedNode):
            bindings["path"] = path
        templates = shape.messages or c.messages
        if templates:
            messages = [fill_template(m, bindings) for m in templates]
        else:
            extra = {"path": path} if isinstance(path, ox.NamedNode) else None
            messages = [ox.Literal(comp.default_message(c, hit.value, extra), language="en")]  # type: ignore[arg-type]
        return ValidationResult(
            focus_node=hit.focus,
            result_path=path,
            value=hit.value,
            source_shape=shape.node,
            source_constraint_component=c.component,
            source_constraint=c.source_constraint,
            severity=shape.severity,
            messages=messages,
        )


__all__ = ["Evaluation", "Hit", "ValidationFailure"]
