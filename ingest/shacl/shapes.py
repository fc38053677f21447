"""Parse a shapes graph into the model of ``model.py`` and reject ill-formed shapes (ShapesError)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from .graph import ListError, ShapesGraph
from .model import Constraint, Shape, Targets
from .paths import PathError, parse_path
from .sparql_rewrite import Query, SparqlError
from .terms import OWL, RDF_TYPE, RDFS, SH, XSD, Term, short


class ShapesError(ValueError):
    """The shapes graph is ill-formed (the message names the shape and the problem)."""


NODE_KINDS = {SH.BlankNode, SH.IRI, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}
# parameters whose values are shapes (so their values are shapes too)
SHAPE_PARAMS = (SH.node, SH.property, SH.qualifiedValueShape, SH["not"])
SHAPE_LIST_PARAMS = (SH["and"], SH["or"], SH.xone)
TARGET_PARAMS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
PROPERTY_ONLY = (
    SH.minCount,
    SH.maxCount,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.uniqueLang,
    SH.qualifiedValueShape,
)


def _is_true(term: Term | None) -> bool:
    """Only the literal true activates a boolean parameter ("1"^^xsd:boolean does not, per the suite)."""
    return isinstance(term, ox.Literal) and term.datatype == XSD.boolean and term.value == "true"


class _Parser:
    def __init__(self, graph: ShapesGraph) -> None:
        self.g = graph
        self.shapes: dict[Term, Shape] = {}
        self.components = _parse_components(graph)
        self._parsing: set[Term] = set()

    # ------------------------------------------------------------------ discovery
    def roots(self) -> list[Term]:
        g = self.g
        found: dict[Term, None] = {}
        for cls in (SH.NodeShape, SH.PropertyShape):
            for s in sorted(g.instances_of(cls), key=str):
                found[s] = None
        for p in TARGET_PARAMS:
            for s in g.subjects(p):
                found[s] = None
        return [s for s in found if not isinstance(s, ox.Literal)]

    def shape(self, node: Term) -> Shape:
        if isinstance(node, ox.Literal):
            raise ShapesError(f"the literal {node} is used where a shape is expected")
        existing = self.shapes.get(node)
        if existing is not None:
            return existing
        shape = Shape(node)
        self.shapes[node] = shape  # registered first: recursive references resolve to this object
        self._fill(shape)
        return shape

    # ------------------------------------------------------------------ one shape
    def _fail(self, shape: Shape, problem: str) -> ShapesError:
        return ShapesError(f"shape {shape.label}: {problem}")

    def _one(self, shape: Shape, p: ox.NamedNode) -> Term | None:
        values = self.g.objects(shape.node, p)
        if len(values) > 1:
            raise self._fail(shape, f"{short(p)} must have at most one value, found {len(values)}")
        return values[0] if values else None

    def _iri(self, shape: Shape, p: ox.NamedNode, value: Term) -> ox.NamedNode:
        if not isinstance(value, ox.NamedNode):
            raise self._fail(shape, f"the value of {short(p)} must be an IRI, not {short(value)}")
        return value

    def _int(self, shape: Shape, p: ox.NamedNode, value: Term | None) -> int | None:
        if value is None:
            return None
        if not (isinstance(value, ox.Literal) and value.datatype == XSD.integer):
            raise self._fail(shape, f"the value of {short(p)} must be an xsd:integer, not {short(value)}")
        try:
            n = int(value.value)
        except ValueError:
            raise self._fail(shape, f"the value of {short(p)} is not a valid integer: {value}") from None
        if n < 0:
            raise self._fail(shape, f"the value of {short(p)} must not be negative")
        return n

    def _bool(self, shape: Shape, p: ox.NamedNode) -> bool:
        value = self._one(shape, p)
        if value is None:
            return False
        if not (isinstance(value, ox.Literal) and value.datatype == XSD.boolean):
            raise self._fail(shape, f"the value of {short(p)} must be a boolean, not {short(value)}")
        return _is_true(value)

    def _list(self, shape: Shape, p: ox.NamedNode, head: Term) -> list[Term]:
        try:
            return self.g.items(head)
        except ListError as e:
            raise self._fail(shape, f"the value of {short(p)} must be a well-formed RDF list ({e})") from None

    def _string(self, shape: Shape, p: ox.NamedNode, value: Term) -> str:
        if not isinstance(value, ox.Literal) or value.language or value.datatype != XSD.string:
            raise self._fail(
                shape, f"the value of {short(p)} must be an xsd:string literal, not {short(value)}"
            )
        return value.value

    def _fill(self, shape: Shape) -> None:
        g, node = self.g, shape.node
        paths = g.objects(node, SH.path)
        if len(paths) > 1:
            raise self._fail(shape, "a property shape must have exactly one sh:path")
        is_node_typed = g.is_instance_of(node, SH.NodeShape)
        if paths:
            if is_node_typed:
                raise self._fail(shape, "a sh:NodeShape must not have a sh:path")
            try:
                shape.path = parse_path(g, paths[0])
            except PathError as e:
                raise self._fail(shape, f"ill-formed sh:path: {e}") from None
        elif g.is_instance_of(node, SH.PropertyShape):
            raise self._fail(shape, "a sh:PropertyShape needs a sh:path")
        if not shape.is_property:
            for p in PROPERTY_ONLY:
                if g.has(node, p):
                    raise self._fail(shape, f"{short(p)} is only allowed on property shapes (with sh:path)")

        shape.targets = self._targets(shape)
        shape.deactivated = self._bool(shape, SH.deactivated)
        severity = self._one(shape, SH.severity)
        if severity is not None:
            shape.severity = self._iri(shape, SH.severity, severity)
        for m in g.objects(node, SH.message):
            if not isinstance(m, ox.Literal) or not (m.language or m.datatype == XSD.string):
                raise self._fail(shape, f"sh:message values must be strings, not {short(m)}")
            shape.messages.append(m)
        shape.constraints = self._constraints(shape)
        shape.properties = [self.shape(p) for p in g.objects(node, SH.property)]
        for p in shape.properties:
            if not p.is_property:
                raise self._fail(
                    shape, f"the value {p.label} of sh:property must be a property shape (with sh:path)"
                )

    def _targets(self, shape: Shape) -> Targets:
        g, node = self.g, shape.node
        t = Targets()
        t.nodes = [v for v in g.objects(node, SH.targetNode) if not isinstance(v, ox.BlankNode)]
        for v in g.objects(node, SH.targetNode):
            if isinstance(v, ox.BlankNode):
                raise self._fail(shape, "sh:targetNode values must be IRIs or literals")
        t.classes = [self._iri(shape, SH.targetClass, v) for v in g.objects(node, SH.targetClass)]
        t.subjects_of = [
            self._iri(shape, SH.targetSubjectsOf, v) for v in g.objects(node, SH.targetSubjectsOf)
        ]
        t.objects_of = [self._iri(shape, SH.targetObjectsOf, v) for v in g.objects(node, SH.targetObjectsOf)]
        if isinstance(node, ox.NamedNode) and g.is_instance_of(node, RDFS.Class) and node not in t.classes:
            t.classes.append(node)  # implicit class target
        return t

    # ------------------------------------------------------------------ constraints
    def _constraints(self, shape: Shape) -> list[Constraint]:
        g, node = self.g, shape.node
        out: list[Constraint] = []

        def add(component: str, params: dict[str, Any], bindings: dict[str, Term]) -> None:
            out.append(Constraint(SH[component + "ConstraintComponent"], params, bindings))

        for v in g.objects(node, SH["class"]):
            if not isinstance(v, ox.NamedNode):
                raise self._fail(shape, f"sh:class values must be IRIs, not {short(v)}")
            add("Class", {"class": v}, {"class": v})
        if (v := self._one(shape, SH.datatype)) is not None:
            add("Datatype", {"datatype": self._iri(shape, SH.datatype, v)}, {"datatype": v})
        if (v := self._one(shape, SH.nodeKind)) is not None:
            if v not in NODE_KINDS:
                raise self._fail(
                    shape,
                    "sh:nodeKind must be one of sh:IRI, sh:BlankNode, sh:Literal, "
                    "sh:BlankNodeOrIRI, sh:BlankNodeOrLiteral, sh:IRIOrLiteral, "
                    f"not {short(v)}",
                )
            add("NodeKind", {"nodeKind": v}, {"nodeKind": v})
        for name in ("minCount", "maxCount"):
            if (v := self._one(shape, SH[name])) is not None:
                add(name[0].upper() + name[1:], {name: self._int(shape, SH[name], v)}, {name: v})
        for name in ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive"):
            if (v := self._one(shape, SH[name])) is not None:
                if not isinstance(v, ox.Literal):
                    raise self._fail(shape, f"the value of sh:{name} must be a literal, not {short(v)}")
                add(name[0].upper() + name[1:], {name: v}, {name: v})
        for name in ("minLength", "maxLength"):
            if (v := self._one(shape, SH[name])) is not None:
                add(name[0].upper() + name[1:], {name: self._int(shape, SH[name], v)}, {name: v})
        flags_node = self._one(shape, SH.flags)
        flags = self._string(shape, SH.flags, flags_node) if flags_node is not None else ""
        if flags.strip(" smixq"):
            raise self._fail(shape, f"unsupported sh:flags {flags!r} (allowed: s, m, i, x, q)")
        for v in g.objects(node, SH.pattern):
            add(
                "Pattern",
                {"pattern": self._string(shape, SH.pattern, v), "flags": flags},
                {"pattern": v, **({"flags": flags_node} if flags_node is not None else {})},
            )
        if (v := self._one(shape, SH.languageIn)) is not None:
            langs = [self._string(shape, SH.languageIn, x) for x in self._list(shape, SH.languageIn, v)]
            add("LanguageIn", {"languageIn": langs}, {"languageIn": v})
        if self._bool(shape, SH.uniqueLang):
            add("UniqueLang", {"uniqueLang": True}, {"uniqueLang": self._one(shape, SH.uniqueLang)})  # type: ignore[dict-item]
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for v in g.objects(node, SH[name]):
                add(name[0].upper() + name[1:], {name: self._iri(shape, SH[name], v)}, {name: v})
        for v in g.objects(node, SH["not"]):
            add("Not", {"shape": self.shape(v)}, {"not": v})
        for name in ("and", "or", "xone"):
            for v in g.objects(node, SH[name]):
                members = [self.shape(m) for m in self._list(shape, SH[name], v)]
                add(name[0].upper() + name[1:], {"shapes": members}, {name: v})
        for v in g.objects(node, SH.node):
            add("Node", {"shape": self.shape(v)}, {"node": v})
        for v in g.objects(node, SH.hasValue):
            add("HasValue", {"hasValue": v}, {"hasValue": v})
        if (v := self._one(shape, SH["in"])) is not None:
            add("In", {"in": self._list(shape, SH["in"], v)}, {"in": v})
        if self._bool(shape, SH.closed):
            ignored: list[Term] = []
            if (v := self._one(shape, SH.ignoredProperties)) is not None:
                ignored = [
                    self._iri(shape, SH.ignoredProperties, x)
                    for x in self._list(shape, SH.ignoredProperties, v)
                ]
            add("Closed", {"ignored": ignored}, {"closed": self._one(shape, SH.closed)})  # type: ignore[dict-item]
        out.extend(self._qualified(shape))
        out.extend(self._sparql_constraints(shape))
        out.extend(self._custom(shape))
        return out

    def _qualified(self, shape: Shape) -> list[Constraint]:
        g, node = self.g, shape.node
        qmin = self._int(shape, SH.qualifiedMinCount, self._one(shape, SH.qualifiedMinCount))
        qmax = self._int(shape, SH.qualifiedMaxCount, self._one(shape, SH.qualifiedMaxCount))
        disjoint = self._bool(shape, SH.qualifiedValueShapesDisjoint)
        out: list[Constraint] = []
        for v in g.objects(node, SH.qualifiedValueShape):
            params = {
                "shape": self.shape(v),
                "min": qmin,
                "max": qmax,
                "siblings": self.siblings(shape, v) if disjoint else [],
            }
            for name, n in (("qualifiedMinCount", qmin), ("qualifiedMaxCount", qmax)):
                if n is None:
                    continue
                count_node = self._one(shape, SH[name])
                assert count_node is not None
                out.append(
                    Constraint(
                        SH[name[0].upper() + name[1:] + "ConstraintComponent"],
                        dict(params),
                        {"qualifiedValueShape": v, name: count_node},
                    )
                )
        return out

    def siblings(self, shape: Shape, value_shape_node: Term) -> list[Shape]:
        """Sibling shapes of a qualified value shape (SHACL 4.7.3), for qualifiedValueShapesDisjoint."""
        g = self.g
        out: dict[Term, None] = {}
        for parent in g.subjects(SH.property, shape.node):
            for prop in g.objects(parent, SH.property):
                for q in g.objects(prop, SH.qualifiedValueShape):
                    if q != value_shape_node:
                        out[q] = None
        return [self.shape(q) for q in out]

    # ------------------------------------------------------------------ SHACL-SPARQL
    def prefixes(self, owner: Shape, node: Term) -> str:
        decls: dict[str, str] = {}
        for p in self.g.objects(node, SH.prefixes):
            for ontology in self._imports(p):
                for d in self.g.objects(ontology, SH.declare):
                    prefix = self.g.value(d, SH.prefix)
                    namespace = self.g.value(d, SH.namespace)
                    if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                        raise self._fail(
                            owner, f"prefix declaration {short(d)} needs sh:prefix and sh:namespace literals"
                        )
                    if decls.get(prefix.value, namespace.value) != namespace.value:
                        raise self._fail(owner, f"prefix {prefix.value!r} is declared with two namespaces")
                    decls[prefix.value] = namespace.value
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(decls.items()))

    def _imports(self, node: Term) -> list[Term]:
        out, todo = [node], [node]
        while todo:
            for imp in self.g.objects(todo.pop(), OWL.imports):
                if imp not in out:
                    out.append(imp)
                    todo.append(imp)
        return out

    def _query(
        self, owner: Shape, node: Term, key: ox.NamedNode, prebound: set[str], required: set[str]
    ) -> tuple[str, Query]:
        values = self.g.objects(node, key)
        if len(values) != 1:
            raise self._fail(owner, f"{short(node)} must have exactly one {short(key)}")
        text = self._string(owner, key, values[0])
        prologue = self.prefixes(owner, node)
        try:
            query = Query.parse(prologue + text)
            query.check_no_dataset()
            query.check_prebinding(prebound, required & query.variables())
        except SparqlError as e:
            raise self._fail(owner, f"{short(key)} query of {short(node)}: {e}") from None
        return prologue, query

    def _messages(self, owner: Shape, node: Term) -> list[ox.Literal]:
        out = []
        for m in self.g.objects(node, SH.message):
            if not isinstance(m, ox.Literal):
                raise self._fail(owner, f"sh:message values must be literals, not {short(m)}")
            out.append(m)
        return out

    def _sparql_constraints(self, shape: Shape) -> list[Constraint]:
        out = []
        for c in self.g.objects(shape.node, SH.sparql):
            if isinstance(c, ox.Literal):
                raise self._fail(shape, "sh:sparql values must be nodes with sh:select")
            deactivated = self.g.value(c, SH.deactivated)
            _, query = self._query(shape, c, SH.select, {"this", "currentShape", "shapesGraph"}, {"this"})
            if query.form != "SELECT":
                raise self._fail(shape, f"sh:select of {short(c)} must be a SELECT query")
            if _is_true(deactivated):
                continue
            out.append(
                Constraint(
                    SH.SPARQLConstraintComponent,
                    {"query": query, "kind": "select"},
                    source_constraint=c,
                    messages=self._messages(shape, c),
                )
            )
        return out

    def _custom(self, shape: Shape) -> list[Constraint]:
        out = []
        for comp in self.components:
            values: list[list[Term]] = []
            names: list[str] = []
            present = True
            for param, optional in comp.params:
                vals = self.g.objects(shape.node, param)
                if not vals and not optional:
                    present = False
                    break
                if vals:
                    values.append(vals)
                    names.append(_local(param))
            if not present or not values:
                continue
            validator = comp.property_validator if shape.is_property else comp.node_validator
            if validator is None:
                validator = comp.validator
            if validator is None:
                continue  # no suitable validator: the component is ignored for this shape
            prebound = {"this", "currentShape", "shapesGraph", *(_local(p) for p, _ in comp.params)}
            key = SH.ask if self.g.has(validator, SH.ask) else SH.select
            if key == SH.ask:
                prebound.add("value")
            if validator == comp.validator and key != SH.ask:
                raise self._fail(shape, f"the sh:validator of {short(comp.node)} must be an ASK validator")
            required = prebound - {"currentShape", "shapesGraph"}
            _, query = self._query(shape, validator, key, prebound, required)
            messages = self._messages(shape, validator) or self._messages(shape, comp.node)
            for combo in itertools.product(*values):
                bindings = dict(zip(names, combo, strict=True))
                params = {"query": query, "kind": "ask" if key == SH.ask else "select", "params": bindings}
                out.append(Constraint(comp.node, params, bindings, messages=messages))
        return out


class _Component:
    def __init__(self, node: Term) -> None:
        self.node = node
        self.params: list[tuple[ox.NamedNode, bool]] = []
        self.validator: Term | None = None
        self.node_validator: Term | None = None
        self.property_validator: Term | None = None


def _local(iri: ox.NamedNode) -> str:
    v = iri.value
    for sep in ("#", "/", ":"):
        if sep in v:
            v = v.rsplit(sep, 1)[1]
    return v


def _parse_components(g: ShapesGraph) -> list[_Component]:
    out = []
    for node in sorted(g.instances_of(SH.ConstraintComponent), key=str):
        if node.value.startswith(SH.base) if isinstance(node, ox.NamedNode) else False:
            continue  # the core components, when a copy of the SHACL vocabulary is in the shapes graph
        comp = _Component(node)
        for p in g.objects(node, SH.parameter):
            path = g.value(p, SH.path)
            if not isinstance(path, ox.NamedNode):
                raise ShapesError(
                    f"constraint component {short(node)}: each sh:parameter needs an IRI sh:path"
                )
            comp.params.append((path, _is_true(g.value(p, SH.optional))))
        if not comp.params:
            raise ShapesError(f"constraint component {short(node)} declares no sh:parameter")
        comp.validator = g.value(node, SH.validator)
        comp.node_validator = g.value(node, SH.nodeValidator)
        comp.property_validator = g.value(node, SH.propertyValidator)
        out.append(comp)
    return out


def parse_shapes(triples: Iterable[ox.Triple | ox.Quad]) -> tuple[ShapesGraph, list[Shape], _Parser]:
    """Parse every shape reachable from the shapes graph's shapes and targets."""
    graph = ShapesGraph(triples)
    parser = _Parser(graph)
    roots = [parser.shape(r) for r in parser.roots()]
    return graph, roots, parser


__all__ = ["RDF_TYPE", "ShapesError", "parse_shapes"]
