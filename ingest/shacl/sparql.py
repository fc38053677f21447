"""SHACL-SPARQL: SPARQL-based constraints (sh:sparql) and SPARQL-based constraint components.

The spec pre-binds ``$this`` (and the other pre-bound variables) and runs the query once per focus
node. Here the query runs once for ALL focus nodes: the focus source and the other pre-bound values
are bound on the left of a ``LATERAL`` join (an ``EXISTS`` for ASK validators), and Oxigraph
substitutes them into the user's query for each focus node, which is the spec's pre-binding.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from .focus_sources import Names, Source, pairs_pattern
from .model import Constraint, Shape
from .sparql_rewrite import Query, tokenize
from .terms import Term, sparql_term

#: U+00C0 and up written as the complement of the lower characters (see sparql_rewrite: it compiles faster).
TEMPLATE = re.compile(r"\{[?$]((?:[A-Za-z0-9_\u00B7]|[^\x00-\xbf])+)\}")


class Unsupported(ValueError):
    """A SHACL-SPARQL feature this engine cannot evaluate (the caller turns it into a ShapesError)."""


def _values(bindings: dict[str, Term]) -> str:
    if not bindings:
        return ""
    for name, term in bindings.items():
        if isinstance(term, ox.BlankNode):
            raise Unsupported(f"the pre-bound value of ${name} is a blank node, which a query cannot name")
    names = " ".join("?" + n for n in bindings)
    row = " ".join(sparql_term(t) for t in bindings.values())
    return f"VALUES ({names}) {{ ({row}) }}"


def constant_bindings(
    query: Query, shape: Shape, constraint: Constraint, shapes_graph: ox.NamedNode | None
) -> dict[str, Term]:
    """Values for the pre-bound variables other than $this / $value that the query uses."""
    out: dict[str, Term] = {}
    used = query.variables()
    if "currentShape" in used:
        node = shape.node
        out["currentShape"] = (
            node
            if not isinstance(node, ox.BlankNode)
            else ox.NamedNode(f"urn:x-coopgraph:shacl:bnode:{node.value}")
        )
    if "shapesGraph" in used:
        if shapes_graph is None:
            raise Unsupported(
                "the query uses $shapesGraph, but validate() was not told which graph of the "
                "dataset holds the shapes (shapes_graph=...)"
            )
        out["shapesGraph"] = shapes_graph
    for name, term in constraint.params.get("params", {}).items():
        if name in used:
            out[name] = term
    return out


def select_query(
    shape: Shape,
    constraint: Constraint,
    source: Source,
    shapes_graph: ox.NamedNode | None,
    lateral: bool = True,
) -> tuple[str, list[str]]:
    """The batch form of a SELECT constraint/validator: SELECT * over (focus source) LATERAL (query).

    Without ``lateral`` (a server that lacks it): the focus source and the other pre-bound values are
    joined at the top of the query's own WHERE group instead. Every pattern and filter of that group, and
    every ``EXISTS`` in it, then sees ``$this`` bound, as pre-binding wants; a group nested in an
    ``OPTIONAL``, ``UNION`` or ``MINUS`` that mentions ``$this`` without binding it is evaluated before the
    join, as SPARQL 1.1's bottom-up evaluation does (the case SHACL's pre-binding was written to avoid).
    """
    query: Query = constraint.params["query"]
    if shape.path is not None:
        query = query.substitute_path(shape.path.sparql())
    consts = constant_bindings(query, shape, constraint, shapes_graph)
    inner = query.select_projecting(["this", *consts])
    names = Names()
    bound = f"{source.pattern('this', names)} {_values(consts)}"
    if not lateral:
        projected = Query(query.prologue, inner, tokenize(inner), "SELECT")
        at = projected.tokens[projected.where_span(0)[0]].end
        return f"{query.prologue}{inner[:at]} {bound} {inner[at:]}", list(consts)
    return f"{query.prologue}SELECT * WHERE {{ {bound} LATERAL {{ {inner} }} }}", list(consts)


def ask_query(shape: Shape, constraint: Constraint, source: Source, shapes_graph: ox.NamedNode | None) -> str:
    """The batch form of an ASK validator: the (focus, value) pairs for which the ASK is false."""
    query: Query = constraint.params["query"]
    if shape.path is not None:
        query = query.substitute_path(shape.path.sparql())
    consts = constant_bindings(query, shape, constraint, shapes_graph)
    names = Names()
    pairs = pairs_pattern(source, shape.path, "this", "value", names)
    return (
        f"{query.prologue}SELECT DISTINCT ?this ?value WHERE {{ {pairs} {_values(consts)} "
        f"FILTER NOT EXISTS {query.ask_group()} }}"
    )


def fill_template(message: ox.Literal, bindings: dict[str, Term | None]) -> ox.Literal:
    """Substitute {?var} / {$var} in a message with the bound values (unbound ones stay as written)."""
    text = message.value
    if "{" not in text:
        return message

    def repl(m: re.Match[str]) -> str:
        term = bindings.get(m.group(1))
        if term is None:
            return m.group(0)
        return term.value if isinstance(term, ox.Literal | ox.NamedNode) else str(term)

    new = TEMPLATE.sub(repl, text)
    if new == text:
        return message
    if message.language:
        return ox.Literal(new, language=message.language)
    return ox.Literal(new, datatype=message.datatype)
