"""The public entry point: ``Shapes`` (parsed once, compiled queries cached) and ``validate``."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from typing import Any

import pyoxigraph as ox

from . import screen
from .engine import Evaluation, Shared
from .focus_sources import Names, NodesSource, Source, TargetSource
from .focus_targets import CHUNK, given_targets
from .hierarchy import Hierarchy
from .model import Shape
from .report import ValidationReport, ValidationResult
from .shapes import parse_shapes
from .terms import Term, from_rdflib

# Up to this many requested focus nodes are joined into the target queries (VALUES); more than that,
# and the targets are evaluated in full and the results filtered in Python, which is then cheaper.
FOCUS_VALUES_LIMIT = 20_000
MAX_WORKERS = 4
Job = tuple[Shape, Source, Shape | None]


def _runner(data: Any) -> Any:
    if isinstance(data, ox.Store):
        return lambda text: data.query(text, use_default_graph_as_union=True)
    if not hasattr(data, "query"):
        raise TypeError("data must be a pyoxigraph.Store or have .query(sparql) returning pyoxigraph results")
    return lambda text: data.query(text)


def _references(shape: Shape) -> list[Shape]:
    out = list(shape.properties)
    for c in shape.constraints:
        if "shape" in c.params:
            out.append(c.params["shape"])
        out.extend(c.params.get("shapes", ()))
        out.extend(c.params.get("siblings", ()))
    return out


def _recursive(shapes: Iterable[Shape]) -> set[int]:
    """ids of the shapes that can reach themselves through shape references."""
    out: set[int] = set()
    for start in shapes:
        todo, seen = list(_references(start)), set()
        while todo:
            s = todo.pop()
            if s is start:
                out.add(id(start))
                break
            if id(s) in seen:
                continue
            seen.add(id(s))
            todo.extend(_references(s))
    return out


class Shapes:
    """A parsed shapes graph, ready to validate data graphs with SPARQL on Oxigraph.

    Raises ShapesError (naming the shape and the problem) when the shapes graph is ill-formed.
    """

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self.graph, roots, parser = parse_shapes(triples)
        self.shapes: dict[Term, Shape] = parser.shapes
        self.targeted: list[Shape] = [s for s in roots if s.targets and not s.deactivated]
        self._recursive = _recursive(self.shapes.values())
        self._query_cache: dict[tuple[Any, ...], str] = {}

    def __getstate__(self) -> dict[str, Any]:
        """The compiled model, for the cache (cache.py): without the indexed shapes graph, which the
        cache gives back deferred, and without the query texts of earlier validations."""
        state = dict(self.__dict__)
        state["graph"] = None
        state["_query_cache"] = {}
        state["_recursive"] = set()  # ids of objects: found again for the objects read back
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._recursive = _recursive(self.shapes.values())

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_rdflib(cls, graph: Any) -> Shapes:
        """Shapes from an rdflib Graph (for a Dataset or ConjunctiveGraph: the union of its graphs)."""
        bnodes: dict[str, ox.BlankNode] = {}
        triples = [
            ox.Triple(from_rdflib(s, bnodes), from_rdflib(p, bnodes), from_rdflib(o, bnodes))  # type: ignore[arg-type]
            for s, p, o in graph.triples((None, None, None))
        ]
        return cls(triples)

    @classmethod
    def from_store(
        cls, store: ox.Store | ox.Dataset, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None
    ) -> Shapes:
        """Shapes from one graph of a Store or Dataset (``graph=None``: the default graph)."""
        name = graph if graph is not None else ox.DefaultGraph()
        if isinstance(store, ox.Store):
            return cls(store.quads_for_pattern(None, None, None, name))
        return cls(store.quads_for_graph_name(name))

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Triple | ox.Quad]) -> Shapes:
        return cls(quads)

    # ------------------------------------------------------------------ validation
    def validate(
        self,
        data: Any,
        focus: Collection[Term] | None = None,
        *,
        shapes_graph: ox.NamedNode | None = None,
        lenient_integers: bool = True,
        workers: int | None = None,
        lateral: bool = True,
    ) -> ValidationReport:
        """Validate ``data`` (a pyoxigraph Store, queried as the union of its graphs, or any object with
        ``.query(sparql)``) against the shapes.

        ``focus``: only results whose focus node is in this collection are reported (the targets are
        restricted accordingly). ``shapes_graph``: the name of a graph of the dataset that holds the
        shapes, for queries that use ``$shapesGraph``. ``lenient_integers``: see datatypes.py.
        ``workers``: threads running queries at once (pyoxigraph releases the GIL while it evaluates);
        by default one per core for a pyoxigraph Store, and 1 for other data objects, which may not
        be safe to query from several threads. ``lateral``: whether ``data`` evaluates ``LATERAL`` (see
        :func:`ingest.shacl.sparql.select_query` for what changes without it).
        """
        run = _runner(data)
        if workers is None:
            workers = min(os.cpu_count() or 1, MAX_WORKERS) if isinstance(data, ox.Store) else 1
        shared = Shared(self._query_cache)

        def evaluation() -> Evaluation:
            return Evaluation(run, shared, self._recursive, shapes_graph, lenient_integers, lateral)

        pool: Executor = ThreadPoolExecutor(max_workers=workers) if workers > 1 else _InThisThread()
        with pool:
            queries, jobs, wanted = self._jobs(evaluation, shared, focus, lateral, pool)
            # Smaller jobs keep the threads busy: a node shape's own constraints and each of its property
            # shapes (same focus nodes) are separate jobs; the property jobs start with the node shape on
            # the evaluation stack, as if they had been reached from it.
            split: list[Job] = []
            for shape, source in jobs:
                if shape.path is None and shape.properties:
                    split.append((shape, source, None))
                    split.extend((prop, source, shape) for prop in shape.properties)
                else:
                    split.append((shape, source, None))

            def work(job: Job) -> tuple[list[ValidationResult], int]:
                shape, source, parent = job
                ev = evaluation()
                if parent is None:
                    return ev.results(shape, source, properties=shape.path is not None), ev.queries
                ev.stack.append((parent, source))
                return ev.results(shape, source), ev.queries

            def marks(members: list[Job]) -> tuple[list[set[Term]], int]:
                ev = evaluation()
                shapes, source = [m[0] for m in members], members[0][1]
                text = ev.cached(
                    ("screen", *(id(s) for s in shapes)),
                    source,
                    lambda: screen.screen_query(shapes, source, ev.vl),
                )
                return screen.flagged(ev.select(text, shapes[0]), len(shapes)), ev.queries

            # property shapes reading one property of the same nodes: screened in one pass (screen.py)
            groups = screen.groups(split, evaluation().vl) if lateral else []
            done = _run_jobs(split, groups, pool, work, marks)
        results: list[ValidationResult] = []
        for found, n in done:
            results.extend(found)
            queries += n
        if wanted is not None:
            results = [r for r in results if r.focus_node in wanted]
        return ValidationReport(results, queries=queries, shapes_graph=self.graph)

    def _jobs(
        self,
        evaluation: Callable[[], Evaluation],
        shared: Shared,
        focus: Collection[Term] | None,
        lateral: bool,
        pool: Executor,
    ) -> tuple[int, list[tuple[Shape, Source]], set[Term] | None]:
        """The queries run to find them, the (shape, focus nodes) to validate, and the nodes asked for.

        With ``focus``, for each targeted shape the requested nodes that are its targets (shapes with none
        are skipped), looked up from the requested nodes (see focus_targets.py); then every constraint runs
        on just those nodes."""
        read = 0
        if not lateral:  # the class tests list the data's classes instead of a path (hierarchy.py)
            reader = evaluation()
            shared.hierarchy = Hierarchy.read(reader.select)
            read = reader.queries
        ev = evaluation()  # made after the hierarchy, which makes its value tests portable
        wanted = None if focus is None else set(focus)
        if wanted is None or len(wanted) > FOCUS_VALUES_LIMIT:
            jobs = [(s, TargetSource(s.targets, shared.hierarchy)) for s in self.targeted]
            return read + ev.queries, jobs, wanted
        nonblank = sorted((n for n in wanted if not isinstance(n, ox.BlankNode)), key=str)
        found: dict[int, set[Term]] = {}
        ran: list[int] = []

        def select_many(texts: list[str]) -> list[list[Any]]:
            ran.append(len(texts))
            return list(pool.map(lambda text: evaluation().select(text), texts))

        if nonblank:
            hierarchy = shared.hierarchy or Hierarchy.read(ev.select)
            found = given_targets(select_many, self.targeted, nonblank, hierarchy)
        jobs: list[tuple[Shape, Source]] = []
        for shape in self.targeted:
            matched = set(found.get(id(shape), ()))
            if len(nonblank) < len(wanted):  # blank nodes cannot be written into a query: all blank targets
                target = TargetSource(shape.targets, shared.hierarchy)
                rows = ev.select(target.blank_targets("this", Names()), shape)
                matched.update(r["this"] for r in rows if r["this"] in wanted)
            jobs.extend((shape, source) for source in _node_sources(matched))
        return read + ev.queries + sum(ran), jobs, wanted


def _run_jobs(
    split: list[Job],
    groups: list[list[Job]],
    pool: Executor,
    work: Callable[[Job], tuple[list[ValidationResult], int]],
    marks: Callable[[list[Job]], tuple[list[set[Term]], int]],
) -> list[tuple[list[ValidationResult], int]]:
    """Run every job; the members of a screened group run once its screen is done, restricted to the
    nodes it marks (none: not at all). The screens start first and the other jobs run beside them, so
    no thread waits for the longest screen. Results in the order of ``split``."""
    members = {id(job) for group in groups for job in group}
    screens = {pool.submit(marks, group): group for group in groups}
    futures: dict[int, list[Future[tuple[list[ValidationResult], int]]]] = {
        id(job): [pool.submit(work, job)] for job in split if id(job) not in members
    }
    done: list[tuple[list[ValidationResult], int]] = []
    for finished in as_completed(screens):
        nodes, queries = finished.result()
        done.append(([], queries))
        for job, mine in zip(screens[finished], nodes, strict=True):
            shape, _, parent = job
            if len(mine) > screen.MOST_FLAGGED:  # its own queries over the whole source
                futures[id(job)] = [pool.submit(work, job)]
            else:
                futures[id(job)] = [pool.submit(work, (shape, s, parent)) for s in _node_sources(mine)]
    for job in split:
        done.extend(f.result() for f in futures[id(job)])
    return done


class _InThisThread(Executor):
    """An executor that runs each call at once in the calling thread (one query at a time: data objects
    that may not be queried from several threads)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:
            future.set_exception(e)
        return future


def _node_sources(nodes: set[Term]) -> list[NodesSource]:
    """The nodes as sources of at most CHUNK nodes each (the blank nodes together): Oxigraph joins the
    VALUES block of a small source by index lookups, and a large one by scanning the predicate."""
    named = sorted((n for n in nodes if not isinstance(n, ox.BlankNode)), key=str)
    blank = frozenset(n for n in nodes if isinstance(n, ox.BlankNode))
    sources = [NodesSource(frozenset(named[i : i + CHUNK])) for i in range(0, len(named), CHUNK)]
    return [*sources, NodesSource(blank)] if blank else sources
