"""SPARQL for the SHACL Core constraint components, one compiler per component.

Value-level components (sh:class, sh:datatype, sh:pattern, sh:in ...) compile to a boolean expression
over one value node, so that all of a shape's value-level constraints run as ONE query over the
(focus, value) pairs, returning a flag per failed constraint. sh:minCount/sh:maxCount share one
grouped query. The other components get a query of their own.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from .datatypes import datatype_check
from .focus_sources import Names, Source, has_value_expr, pairs_pattern, path_step
from .hierarchy import Hierarchy
from .model import Constraint, Shape
from .terms import RDF_TYPE, SH, SUBCLASS_OF, XSD, Term, short, sparql_term


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


# --------------------------------------------------------------------------- value-level expressions
def _class(c: Constraint, v: str, hierarchy: Hierarchy | None = None) -> str:
    """The type first, then the hierarchy in an inner EXISTS, which Oxigraph evaluates about three times
    faster than the path rdf:type/rdfs:subClassOf* (the same test). With ``hierarchy`` (servers without
    LATERAL, whose planners answer the path wrongly): the type among the class and its subclasses listed,
    and no path (hierarchy.py); the path only where a subclass is a blank node, which cannot be listed."""
    cls = c.params["class"]
    if hierarchy is not None and hierarchy.writable(cls):
        return f"EXISTS {{ {hierarchy.typed(v, cls, '_shtype')} }}"
    path = f"{SUBCLASS_OF}* {sparql_term(cls)}"
    if hierarchy is not None:
        return f"EXISTS {{ ?{v} {RDF_TYPE}/{path} }}"
    return f"EXISTS {{ ?{v} {RDF_TYPE} ?_shtype . FILTER EXISTS {{ ?_shtype {path} }} }}"


def _node_kind(c: Constraint, v: str) -> str:
    kind = c.params["nodeKind"]
    tests = {
        SH.IRI: f"isIRI(?{v})",
        SH.BlankNode: f"isBlank(?{v})",
        SH.Literal: f"isLiteral(?{v})",
        SH.BlankNodeOrIRI: f"(isBlank(?{v}) || isIRI(?{v}))",
        SH.BlankNodeOrLiteral: f"(isBlank(?{v}) || isLiteral(?{v}))",
        SH.IRIOrLiteral: f"(isIRI(?{v}) || isLiteral(?{v}))",
    }
    return tests[kind]


def _compare(op: str, key: str) -> Callable[[Constraint, str], str]:
    def expr(c: Constraint, v: str) -> str:
        return f"(isLiteral(?{v}) && ?{v} {op} {sparql_term(c.params[key])})"

    return expr


def _length(op: str, key: str) -> Callable[[Constraint, str], str]:
    def expr(c: Constraint, v: str) -> str:
        return f"(!isBlank(?{v}) && STRLEN(STR(?{v})) {op} {c.params[key]})"

    return expr


def _pattern(c: Constraint, v: str) -> str:
    flags = c.params["flags"]
    args = f", {_string(flags)}" if flags else ""
    return f"(!isBlank(?{v}) && REGEX(STR(?{v}), {_string(c.params['pattern'])}{args}))"


def _language_in(c: Constraint, v: str) -> str:
    tests = [f"langMatches(lang(?{v}), {_string(lang)})" for lang in c.params["languageIn"]]
    return f"(isLiteral(?{v}) && ({' || '.join(tests) or 'false'}))"


def _in(c: Constraint, v: str) -> str:
    members = [m for m in c.params["in"] if not isinstance(m, ox.BlankNode)]
    tests = [f"sameTerm(?{v}, {sparql_term(m)})" for m in members]
    return "(" + (" || ".join(tests) or "false") + ")"


class ValueLevel:
    """Compiles value-level constraints to an expression that is true when the value node is fine."""

    def __init__(self, lenient_integers: bool = True, hierarchy: Hierarchy | None = None) -> None:
        """``hierarchy`` (the data's classes, read for this validation) is given only for a server
        without LATERAL: then the class tests list its classes and the expressions stay portable (see
        :func:`_tested_variable`)."""
        self.lenient_integers = lenient_integers
        self.portable = hierarchy is not None
        self.exprs: dict[str, Callable[[Constraint, str], str]] = {
            "Class": lambda c, v: _class(c, v, hierarchy),
            "Datatype": lambda c, v: datatype_check(v, c.params["datatype"], self.lenient_integers),
            "NodeKind": _node_kind,
            "MinExclusive": _compare(">", "minExclusive"),
            "MinInclusive": _compare(">=", "minInclusive"),
            "MaxExclusive": _compare("<", "maxExclusive"),
            "MaxInclusive": _compare("<=", "maxInclusive"),
            "MinLength": _length(">=", "minLength"),
            "MaxLength": _length("<=", "maxLength"),
            "Pattern": _pattern,
            "LanguageIn": _language_in,
            "In": _in,
        }

    def handles(self, c: Constraint) -> bool:
        k = _kind(c)
        if k in _LOGICAL:
            return self._logical_handled(c, ())
        return k in self.exprs

    def expr(self, c: Constraint, v: str) -> str:
        k = _kind(c)
        if k in _LOGICAL:
            return self._logical(c, k, v)
        return self.exprs[k](c, v)

    # sh:or, sh:and, sh:xone, sh:not and sh:node whose member shapes test the value node alone (a
    # datatype, a language, a pattern ...) are one expression over the value, not a query per member.
    def _logical_handled(self, c: Constraint, seen: tuple[int, ...]) -> bool:
        if self.portable:  # Virtuoso: sh:class tests ?this in a node shape (see _tested_variable)
            return False
        return all(self._value_only(m, seen) for m in _members(c))

    def tests_value_only(self, shape: Shape) -> bool:
        """Whether conforming to ``shape`` tests the value node alone (sh:datatype, sh:languageIn, and
        sh:or ... of such shapes): then :meth:`conforms` is its expression."""
        return self._value_only(shape, ())

    def _value_only(self, shape: Shape, seen: tuple[int, ...]) -> bool:
        if id(shape) in seen or shape.path is not None or shape.properties:
            return False
        inner = (*seen, id(shape))
        return all(
            self._logical_handled(c, inner) if _kind(c) in _LOGICAL else _kind(c) in self.exprs
            for c in shape.constraints
        )

    def conforms(self, shape: Shape, v: str) -> str:
        """True when the value node conforms to ``shape`` (its constraints all value-level)."""
        if shape.deactivated or not shape.constraints:
            return "true"
        return "(" + " && ".join(f"COALESCE({self.expr(c, v)}, false)" for c in shape.constraints) + ")"

    def _logical(self, c: Constraint, k: str, v: str) -> str:
        members = [self.conforms(m, v) for m in _members(c)]
        if k == "Node":
            return members[0]
        if k == "Not":
            return f"!{members[0]}"
        if k == "And":
            return "(" + " && ".join(members) + ")" if members else "true"
        if k == "Or":
            return "(" + " || ".join(members) + ")" if members else "false"
        return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)" if members else "false"


_LOGICAL = ("And", "Or", "Xone", "Not", "Node")


def _members(c: Constraint) -> list[Shape]:
    return list(c.params["shapes"]) if "shapes" in c.params else [c.params["shape"]]


def _tested_variable(shape: Shape, c: Constraint, vl: ValueLevel) -> str:
    """The variable a value-level expression tests: ``value``, but ``this`` for sh:class on a node shape
    for a server without LATERAL. There the value node is the focus node, bound again by
    ``BIND(?this AS ?value)``, and Virtuoso 7.2 cannot compile an EXISTS that starts from a variable
    bound by BIND ("internal error: triple not found"; a FILTER NOT EXISTS from one finds nothing)."""
    return "this" if vl.portable and shape.path is None and _kind(c) == "Class" else "value"


def _kind(c: Constraint) -> str:
    v = c.component.value
    if v.startswith(SH.base) and v.endswith("ConstraintComponent"):
        return v[len(SH.base) : -len("ConstraintComponent")]
    return ""


def kind(c: Constraint) -> str:
    """The core component's short name ("Class", "MinCount" ...), "" for other components."""
    return _kind(c)


# --------------------------------------------------------------------------- queries
def main_query(
    shape: Shape,
    constraints: list[Constraint],
    source: Source,
    vl: ValueLevel,
    min_one: bool = False,
    max_count: int | None = None,
) -> str:
    """One pass over a shape's (focus, value) pairs for all its value-level constraints, and for
    sh:minCount 1 (?kmin: no value at all) and sh:maxCount 0 or 1 (?kmax) of a property shape.
    Rows: ?this ?value and a true flag per failed constraint (?k0, ?k1 ...). An expression error
    counts as a failure, as the spec says."""
    names = Names()
    optional = min_one and shape.path is not None
    if optional:
        assert shape.path is not None
        body = f"{source.pattern('this', names)} OPTIONAL {{ {path_step('this', shape.path, 'value')} }}"
    else:
        body = pairs_pattern(source, shape.path, "this", "value", names)
    guard = "BOUND(?value) && " if optional else ""
    binds = [
        f"BIND({guard}!COALESCE({vl.expr(c, _tested_variable(shape, c, vl))}, false) AS ?k{i})"
        for i, c in enumerate(constraints)
    ]
    flags = [f"?k{i}" for i in range(len(constraints))]
    if optional:
        binds.append("BIND(!BOUND(?value) AS ?kmin)")
        flags.append("?kmin")
    if max_count is not None and shape.path is not None:
        if max_count == 0:
            binds.append(f"BIND({guard or 'true && '}true AS ?kmax)")
        else:
            binds.append(
                f"BIND({guard}EXISTS {{ ?this {shape.path.sparql()} ?_shother "
                f"FILTER(!sameTerm(?_shother, ?value)) }} AS ?kmax)"
            )
        flags.append("?kmax")
    return (
        f"SELECT DISTINCT ?this ?value {' '.join(flags)} WHERE {{ {body} {' '.join(binds)} "
        f"FILTER({' || '.join(flags)}) }}"
    )


def count_query(shape: Shape, min_count: int | None, max_count: int | None, source: Source) -> str:
    names = Names()
    assert shape.path is not None
    tests = []  # HAVING is evaluated before the projection: it cannot use ?n
    if min_count is not None:
        tests.append(f"COUNT(DISTINCT ?value) < {min_count}")
    if max_count is not None:
        tests.append(f"COUNT(DISTINCT ?value) > {max_count}")
    if shape.path.nullable:
        body = pairs_pattern(source, shape.path, "this", "value", names)
    else:
        body = f"{source.pattern('this', names)} OPTIONAL {{ {path_step('this', shape.path, 'value')} }}"
    return (
        f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {body} }} "
        f"GROUP BY ?this HAVING ({' || '.join(tests)})"
    )


def failing_values_query(shape: Shape, c: Constraint, source: Source, vl: ValueLevel) -> str:
    """One value-level constraint: the (focus, value) pairs that fail it, kept by FILTER, with no flag
    projected. For servers without LATERAL instead of :func:`main_query`: Virtuoso 7.2 projects a flag
    bound to an EXISTS wrongly when a FILTER reads it (0 on a row that ``FILTER(?k0)`` let through), so
    the engine would drop the row; a FILTER alone is answered right."""
    body = pairs_pattern(source, shape.path, "this", "value", Names())
    return (
        f"SELECT DISTINCT ?this ?value WHERE {{ {body} "
        f"FILTER(!COALESCE({vl.expr(c, _tested_variable(shape, c, vl))}, false)) }}"
    )


def min_one_query(shape: Shape, source: Source) -> str:
    """sh:minCount 1 alone: focus nodes without any value (cheaper than counting)."""
    names = Names()
    assert shape.path is not None
    return (
        f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', names)} "
        f"FILTER NOT EXISTS {{ {path_step('this', shape.path, 'value')} }} }}"
    )


def max_query(shape: Shape, max_count: int, source: Source, lateral: bool = False) -> str:
    """sh:maxCount 0 or 1 alone: focus nodes with a value / with two different values.

    With LATERAL, each focus node's distinct values are counted on their own: on Oxigraph about half
    the work of joining the values with themselves (1.1 against 2.1 s of CPU for schema:foundingDate
    of 1M triples' organisations)."""
    names = Names()
    assert shape.path is not None
    p = shape.path.sparql()
    if max_count == 0:
        return f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', names)} ?this {p} ?value }}"
    if lateral:
        counted = (
            f"SELECT ?this (COUNT(DISTINCT ?value) AS ?_shn) WHERE {{ ?this {p} ?value }} GROUP BY ?this"
        )
        return (
            f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', names)} "
            f"LATERAL {{ {counted} }} FILTER(?_shn > 1) }}"
        )
    return (
        f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', names)} ?this {p} ?value . "
        f"?this {p} ?_shother FILTER(!sameTerm(?value, ?_shother)) }}"
    )


def qualified_count_query(shape: Shape, c: Constraint, conforms: str, source: Source) -> str:
    """sh:qualifiedMinCount (of at least 1) / sh:qualifiedMaxCount of a property shape, for a qualified
    value shape that ``conforms`` (an expression over ``?value``) decides alone: the focus nodes with
    too few / too many distinct conforming values."""
    names = Names()
    assert shape.path is not None
    step = path_step("this", shape.path, "value")
    if _kind(c) == "QualifiedMinCount":
        least = c.params["min"]
        if least == 1:
            return (
                f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', names)} "
                f"FILTER NOT EXISTS {{ {step} FILTER({conforms}) }} }}"
            )
        return (
            f"SELECT ?this WHERE {{ {source.pattern('this', names)} "
            f"OPTIONAL {{ {step} FILTER({conforms}) }} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {least})"
        )
    pairs = pairs_pattern(source, shape.path, "this", "value", names)
    return (
        f"SELECT ?this WHERE {{ {pairs} FILTER({conforms}) }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {c.params['max']})"
    )


def has_value_query(shape: Shape, c: Constraint, source: Source) -> str:
    names = Names()
    node = c.params["hasValue"]
    if isinstance(node, ox.BlankNode):
        test = "false"  # a blank node of the shapes graph is never a node of the data graph
    else:
        test = has_value_expr("this", shape.path, sparql_term(node))
    return f"SELECT DISTINCT ?this WHERE {{ {source.pattern('this', names)} FILTER(!({test})) }}"


def pair_query(shape: Shape, c: Constraint, source: Source) -> str:
    """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals: rows (?this ?value)."""
    names = Names()
    k = _kind(c)
    other = sparql_term(c.params[k[0].lower() + k[1:]])
    pairs = pairs_pattern(source, shape.path, "this", "value", names)
    if k == "Disjoint":
        return f"SELECT DISTINCT ?this ?value WHERE {{ {pairs} ?this {other} ?value }}"
    if k in ("LessThan", "LessThanOrEquals"):
        op = "<" if k == "LessThan" else "<="
        # one result per (value, other value) pair, as the spec says
        return (
            f"SELECT DISTINCT ?this ?value ?_shother WHERE {{ {pairs} ?this {other} ?_shother "
            f"FILTER(!COALESCE(?value {op} ?_shother, false)) }}"
        )
    # Equals: values of the path missing from the property, and values of the property missing from the path
    names2 = Names()
    mine = has_value_expr("this", shape.path, "?value")
    return (
        f"SELECT DISTINCT ?this ?value WHERE {{ "
        f"{{ {pairs} FILTER NOT EXISTS {{ ?this {other} ?value }} }} "
        f"UNION {{ {source.pattern('this', names2)} ?this {other} ?value FILTER(!({mine})) }} }}"
    )


def unique_lang_query(shape: Shape, source: Source, lateral: bool = True) -> str:
    """sh:uniqueLang: rows (?this ?lang) for each language tag that more than one value has.

    With LATERAL the values are grouped one focus node at a time: grouping all (node, language) pairs
    of the store at once held them all in the query's memory (+250 MB at 1M targeted organisations,
    most of a whole-store validation's peak), and took longer (8.8 s against 5.6 s at 1M)."""
    names = Names()
    assert shape.path is not None
    tagged = 'BIND(lang(?value) AS ?lang) FILTER(isLiteral(?value) && ?lang != "")'
    if lateral:
        return (
            f"SELECT DISTINCT ?this ?lang WHERE {{ {source.pattern('this', names)} "
            f"LATERAL {{ SELECT ?this ?lang WHERE {{ {path_step('this', shape.path, 'value')} {tagged} }} "
            f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1) }} }}"
        )
    pairs = pairs_pattern(source, shape.path, "this", "value", names)
    return (
        f"SELECT ?this ?lang WHERE {{ {pairs} {tagged} }} "
        f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
    )


def closed_query(shape: Shape, c: Constraint, allowed: list[Term], source: Source) -> str:
    names = Names()
    pairs = pairs_pattern(source, shape.path, "this", "value", names)
    allowed_text = ", ".join(sparql_term(a) for a in allowed)
    test = f"FILTER(?_shp NOT IN ({allowed_text}))" if allowed else ""
    return f"SELECT DISTINCT ?this ?_shp ?_sho WHERE {{ {pairs} ?value ?_shp ?_sho {test} }}"


# --------------------------------------------------------------------------- messages
def default_message(c: Constraint, value: Term | None = None, extra: dict[str, Term] | None = None) -> str:
    """A plain English message for a result, used when the shape gives no sh:message."""
    k, p = _kind(c), c.params
    val = short(value) if value is not None else "the value"
    simple = {
        "Class": lambda: f"{val} is not an instance of {short(p['class'])}",
        "Datatype": lambda: f"{val} is not a well-formed literal of datatype {short(p['datatype'])}",
        "NodeKind": lambda: f"{val} is not of node kind {short(p['nodeKind'])}",
        "MinCount": lambda: f"fewer than {p['minCount']} values",
        "MaxCount": lambda: f"more than {p['maxCount']} values",
        "MinExclusive": lambda: f"{val} is not greater than {short(p['minExclusive'])}",
        "MinInclusive": lambda: f"{val} is less than {short(p['minInclusive'])}",
        "MaxExclusive": lambda: f"{val} is not less than {short(p['maxExclusive'])}",
        "MaxInclusive": lambda: f"{val} is greater than {short(p['maxInclusive'])}",
        "MinLength": lambda: f"{val} is shorter than {p['minLength']} characters",
        "MaxLength": lambda: f"{val} is longer than {p['maxLength']} characters",
        "Pattern": lambda: f"{val} does not match the pattern {p['pattern']!r}",
        "LanguageIn": lambda: f"{val} does not have one of the languages {', '.join(p['languageIn'])}",
        "UniqueLang": lambda: "more than one value has the same language tag",
        "Equals": lambda: f"{val} is not also a value of {short(p['equals'])} (sh:equals)",
        "Disjoint": lambda: f"{val} is also a value of {short(p['disjoint'])} (sh:disjoint)",
        "LessThan": lambda: f"{val} is not less than the values of {short(p['lessThan'])}",
        "LessThanOrEquals": lambda: f"{val} is greater than a value of {short(p['lessThanOrEquals'])}",
        "Not": lambda: f"{val} conforms to {p['shape'].label}, which it must not (sh:not)",
        "And": lambda: f"{val} does not conform to all of the shapes of sh:and",
        "Or": lambda: f"{val} does not conform to any of the shapes of sh:or",
        "Xone": lambda: f"{val} does not conform to exactly one of the shapes of sh:xone",
        "Node": lambda: f"{val} does not conform to {p['shape'].label}",
        "QualifiedMinCount": lambda: f"fewer than {p['min']} values conform to {p['shape'].label}",
        "QualifiedMaxCount": lambda: f"more than {p['max']} values conform to {p['shape'].label}",
        "HasValue": lambda: f"missing the required value {short(p['hasValue'])}",
        "In": lambda: f"{val} is not one of the allowed values",
        "Closed": lambda: f"the property {short((extra or {}).get('path'))} is not allowed (sh:closed)",
        "SPARQL": lambda: "the SPARQL constraint found a problem",
    }
    make = simple.get(k)
    if make is not None:
        return make()
    return f"{val} violates {short(c.component)}"


LITERAL_XSD_STRING = XSD.string
