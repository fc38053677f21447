"""Saved queries: ``queries/*.rq``, each a SPARQL query under a documented header.

The header is YAML in ``#+`` comment lines at the top of the file (after grlc's decorators)::

    #+ title: Partners of an institution
    #+ description: Institutions that share an agreement, project or network with it.
    #+ tags: [partners, institutions]
    #+ params:
    #+   institution:
    #+     type: iri
    #+     base: https://w3id.org/coopgraph/id/organization/
    #+     default: vietnam-national-university-hanoi
    #+     description: The institution.
    #+ example: /queries/partners?institution=ha-long-university
    #+ view: map

``view`` names how the query's pages draw its answer first (one of :data:`VIEWS`; a table when not
given), as a ``#defaultView:`` comment does in the query editor.

A parameter is the query variable of the same name, which the query selects and uses in a triple
pattern. Its value is bound as a typed RDF term (pyoxigraph substitutions, SPARQL SEP-0007), never
spliced into the text, so no value can change what the query does. A parameter without a value or
default stays unbound and matches anything.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode

from coopgraph.closest import closest, did_you_mean
from coopgraph.lexical import valid
from coopgraph.settings import PROJECT_ROOT

QUERIES = PROJECT_ROOT / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Parameter types: the XSD datatype of the bound literal (None: an IRI or a plain string).
TYPES: dict[str, str | None] = {
    "iri": None,
    "string": None,
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "date": "date",
    "gYear": "gYear",
    "gYearMonth": "gYearMonth",
}
#: The result views the pages draw an answer with (``server/static/ui/views.js``).
VIEWS = ("table", "bar", "line", "timeline", "map", "network")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
#: Query-string names the server gives a meaning of its own, so no parameter may take them: ``format``
#: chooses the result format; ``query`` and ``update`` are the SPARQL protocol's (a saved query's URL
#: must never read as a protocol request); ``request`` is the name the routes give the HTTP request.
RESERVED = frozenset({"format", "request", "query", "update"})
_TZ = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_YEAR = r"-?([1-9][0-9]{4,}|[0-9]{4})"
#: The lexical forms of the types that have no JSON Schema type or format of their own, in ASCII
#: digits, as the OpenAPI document gives them (ECMA-262 and Python read these patterns alike).
PATTERNS: dict[str, str] = {
    "gYear": f"^{_YEAR}{_TZ}$",
    "gYearMonth": f"^{_YEAR}-(0[1-9]|1[0-2]){_TZ}$",
}
#: A JSON number (how a client writes a ``number`` or an ``integer`` in a URL): 1e5, 2.5E-3, 5.0.
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
#: The largest exponent taken from such a number (XSD's decimals and integers have none: 1e5 is 100000).
_MAX_EXPONENT = 64


class SavedQueryError(ValueError):
    """A saved query file is ill-formed (a project error, found when the queries are loaded)."""


class BadParameter(ValueError):
    """A caller's value does not fit the parameter's type (answered with 400)."""


class UnknownResource(ValueError):
    """A caller's IRI value names nothing the store holds (answered with 404, never an empty table)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str = ""
    default: str | None = None
    required: bool = False
    base: str | None = None  # an IRI parameter's namespace, so that callers may give the local part
    values: tuple[str, ...] = ()  # the allowed values, when they are few

    def bind(self, value: str) -> NamedNode | Literal:
        """The RDF term for a caller's value, or :class:`BadParameter`."""
        if self.values and value not in self.values:
            raise BadParameter(
                f"{self.name}: '{value}' is not one of {', '.join(self.values)}"
                + did_you_mean(value, self.values)
            )
        if self.type == "iri":
            iri = value if _IRI.match(value) else (self.base + value if self.base else value)
            if not _IRI.match(iri):
                raise BadParameter(f"{self.name}: '{value}' is not an IRI")
            try:
                return NamedNode(iri)
            except ValueError as e:
                raise BadParameter(f"{self.name}: '{value}' is not an IRI ({e})") from None
        if self.type == "string":
            return Literal(value)
        datatype = TYPES[self.type]
        assert datatype is not None
        if (
            self.type in ("integer", "decimal")
            and _JSON_NUMBER.fullmatch(value)
            and not valid(datatype, value)
        ):
            value = self._from_json_number(value)
        pattern = PATTERNS.get(self.type)
        if (
            not value
            or not value.isascii()  # Python's \d takes any script's digits; XSD's lexical forms do not
            or not valid(datatype, value)
            or (pattern is not None and not re.fullmatch(pattern, value))
        ):
            raise BadParameter(f"{self.name}: '{value}' is not a valid {self.type}")
        return Literal(value, datatype=NamedNode(XSD + datatype))

    def _from_json_number(self, value: str) -> str:
        """A JSON number that XSD writes otherwise (1e5, 2.5E-3; 5.0 for an integer), as XSD writes it."""
        number = Decimal(value)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if abs(exponent) > _MAX_EXPONENT or abs(number.adjusted()) > _MAX_EXPONENT:
            raise BadParameter(f"{self.name}: '{value}' is out of range for a {self.type}")
        if self.type == "integer":
            if number != number.to_integral_value():
                raise BadParameter(f"{self.name}: '{value}' is not a valid integer")
            return str(int(number))
        return format(number, "f")

    def json_value(self, value: str) -> Any:
        """A valid value as the JSON its OpenAPI schema describes (``5``, ``true``, ``12.5``, "en")."""
        if self.type == "integer":
            return int(value)
        if self.type == "decimal":
            number = Decimal(self.bind(value).value)
            return int(number) if number == number.to_integral_value() else float(number)
        if self.type == "boolean":
            return value in ("true", "1")
        return value


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    query: str
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()
    example: str | None = None
    view: str = "table"
    path: Path | None = field(default=None, compare=False)

    def bindings(self, values: dict[str, str]) -> dict[str, NamedNode | Literal]:
        """Substitutions for the given values and the defaults; :class:`BadParameter` for a bad one."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            raise BadParameter(
                f"unknown parameter(s) {', '.join(unknown)}; this query takes "
                + (", ".join(sorted(known)) or "none")
                + did_you_mean(unknown[0], known)
            )
        bound: dict[str, NamedNode | Literal] = {}
        for p in self.parameters:
            value = values.get(p.name)
            if value is None or value == "":
                value = p.default
            if value is None:
                if p.required:
                    raise BadParameter(f"{p.name} is required")
                continue
            bound[p.name] = p.bind(value)
        return bound

    def given_iris(self, values: dict[str, str]) -> dict[str, NamedNode]:
        """The IRIs the caller gave to IRI parameters (not the defaults), by parameter name; only those
        the store must be asked about: a value from a parameter's fixed list is known to exist."""
        given: dict[str, NamedNode] = {}
        for p in self.parameters:
            value = values.get(p.name)
            if p.type == "iri" and value and not p.values:
                term = p.bind(value)
                assert isinstance(term, NamedNode)
                given[p.name] = term
        return given

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def with_defaults(self) -> str:
        """The query to run as it stands (on ``/sparql``, or in the query page's editor): the parameters
        that have a default are bound to it by a ``VALUES`` clause at the top of the ``WHERE`` clause,
        written from the project's own headers, never from a caller's value; the others stay unbound.

        ``VALUES`` binds the variables in that group, whereas the substitution ``/queries/{name}``
        applies also reaches groups nested in it (an ``OPTIONAL`` within an ``OPTIONAL``, where these
        queries look up some labels): with other values there, a nested label may fall back to English.
        """
        defaults = [(p, p.bind(p.default)) for p in self.parameters if p.default is not None]
        if not defaults:
            return self.query
        start = _where_group(self.query)
        if start is None:  # pragma: no cover - parse() has found the SELECT and its group
            return self.query
        variables = " ".join(f"?{p.name}" for p, _ in defaults)
        terms = " ".join(str(term) for _, term in defaults)
        clause = (
            f"\n  # The parameters' defaults (GET /queries/{self.name} binds the values given)\n"
            f"  VALUES ({variables}) {{ ({terms}) }}"
        )
        return self.query[: start + 1] + clause + self.query[start + 1 :]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "query": self.query,
            "example": self.example,
            "view": self.view,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "description": p.description,
                    "default": p.default,
                    "required": p.required,
                    "base": p.base,
                    "values": list(p.values) or None,
                }
                for p in self.parameters
            ],
        }


#: Enough of SPARQL's tokens to find a brace: comments, IRIs and strings (which may hold a brace or a
#: keyword without being one), variables, words (a prefixed name is one word), any other character.
_TOKEN = re.compile(
    "|".join(
        (
            r"#[^\n]*",  # a comment
            r'<[^<>"{}|^`\\\x00-\x20]*>',  # an IRI
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n]|\\.)*"',
            r"'(?:[^'\\\n]|\\.)*'",
            r"[?$]\w+",  # a variable
            r"[A-Za-z_][\w-]*(?::[\w.-]*)?",  # a keyword, a prefixed name
            r"\S",
        )
    ),
    re.S,
)


def _where_group(query: str) -> int | None:
    """The offset of the ``{`` that opens the query's ``WHERE`` clause (after its ``SELECT``)."""
    selected = False
    for token in _TOKEN.finditer(query):
        text = token.group()
        if text.upper() == "SELECT":
            selected = True
        elif selected and text == "{":
            return token.start()
    return None


def _header(text: str, path: Path) -> tuple[dict[str, Any], str]:
    lines = text.splitlines()
    header = []
    for line in lines:
        if line.startswith("#+"):
            header.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as e:
        raise SavedQueryError(f"{path}: the #+ header is not valid YAML: {e}") from None
    if not isinstance(meta, dict):
        raise SavedQueryError(f"{path}: the #+ header must be a YAML mapping")
    body = "\n".join(line for line in lines if not line.startswith("#+"))
    return meta, body.strip() + "\n"


def parse(path: Path) -> SavedQuery:
    name = path.stem
    if not _NAME.match(name.replace("-", "_")):
        raise SavedQueryError(f"{path}: a query's file name must be lowercase words joined by hyphens")
    meta, query = _header(path.read_text(encoding="utf-8"), path)
    unknown = set(meta) - {"title", "description", "tags", "params", "example", "view"}
    if unknown:
        raise SavedQueryError(f"{path}: unknown header field(s) {', '.join(sorted(unknown))}")
    if not meta.get("title"):
        raise SavedQueryError(f"{path}: the header needs a title")
    view = str(meta.get("view", "table")).strip()
    if view not in VIEWS:
        raise SavedQueryError(f"{path}: view must be one of {', '.join(VIEWS)}, not '{view}'")
    form = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", query, re.S | re.I)
    if form is None:
        raise SavedQueryError(f"{path}: a saved query is a SELECT query (its answer is a table)")
    projection = form.group(1)
    if "*" in projection:
        projection = query
    parameters = []
    params = meta.get("params") or {}
    if not isinstance(params, dict):
        raise SavedQueryError(f"{path}: params must be a mapping of parameter names to their fields")
    for pname, spec in params.items():
        if not isinstance(pname, str):
            raise SavedQueryError(
                f"{path}: parameter name {pname!r} is not a word (YAML read it as a "
                f"{type(pname).__name__}); quote it or choose another name"
            )
        if not _NAME.match(pname):
            raise SavedQueryError(f"{path}: parameter name '{pname}' must be lowercase letters, digits, _")
        if keyword.iskeyword(pname):
            raise SavedQueryError(
                f"{path}: parameter name '{pname}' is a Python keyword; choose another name "
                "(Python callers pass parameters as keyword arguments, which a keyword cannot name)"
            )
        if pname in RESERVED:
            raise SavedQueryError(
                f"{path}: parameter name '{pname}' is reserved: the server gives it a meaning of its own "
                f"(names not available: {', '.join(sorted(RESERVED))})"
            )
        spec = spec or {}
        if not isinstance(spec, dict):
            raise SavedQueryError(
                f"{path}: parameter {pname}: its fields must be a mapping (type, default …)"
            )
        kind = spec.get("type", "string")
        if kind not in TYPES:
            raise SavedQueryError(f"{path}: parameter {pname}: type must be one of {', '.join(TYPES)}")
        if not re.search(rf"[?$]{pname}\b", projection):
            raise SavedQueryError(
                f"{path}: parameter {pname} must be a variable the query selects (?{pname}): "
                "its value is bound by substitution, which applies to selected variables"
            )
        default = spec.get("default")
        parameter = Parameter(
            name=pname,
            type=kind,
            description=str(spec.get("description", "")).strip(),
            default=None if default is None else str(default),
            required=bool(spec.get("required", False)),
            base=spec.get("base"),
            values=tuple(str(v) for v in spec.get("values", ()) or ()),
        )
        if parameter.default is not None:
            try:
                parameter.bind(parameter.default)
            except BadParameter as e:
                raise SavedQueryError(f"{path}: default of {e}") from None
        parameters.append(parameter)
    tags = meta.get("tags") or []
    return SavedQuery(
        name=name,
        title=str(meta["title"]).strip(),
        description=str(meta.get("description", "")).strip(),
        query=query,
        parameters=tuple(parameters),
        tags=tuple(tags if isinstance(tags, list) else [tags]),
        example=meta.get("example"),
        view=view,
        path=path,
    )


def load_all(folder: Path = QUERIES) -> dict[str, SavedQuery]:
    """Every saved query, by name; :class:`SavedQueryError` names the first ill-formed file."""
    return {q.name: q for q in (parse(p) for p in sorted(folder.glob("*.rq")))}


# ------------------------------------------------------------------------------------ values named nowhere
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
#: How many labelled resources are read to find the closest to a value named nowhere.
_CANDIDATES = 20000


def existing_query(given: dict[str, NamedNode]) -> str:
    """A SELECT of those of the ``given`` IRIs the store holds a statement about (as subject or object)."""
    terms = " ".join(str(term) for term in given.values())
    return (
        f"SELECT ?iri WHERE {{ VALUES ?iri {{ {terms} }} "
        "FILTER(EXISTS { ?iri ?p ?o } || EXISTS { ?s ?q ?iri }) }"
    )


def first_missing(given: dict[str, NamedNode], existing: set[str]) -> str | None:
    """The first parameter whose given IRI is not among the ``existing`` ones (:func:`existing_query`)."""
    return next((name for name, term in given.items() if term.value not in existing), None)


def candidates_query(parameter: Parameter) -> str:
    """A SELECT of labelled resources (``?s ?label``), in the parameter's namespace when it has one."""
    within = f' && STRSTARTS(STR(?s), "{parameter.base}")' if parameter.base else ""
    return (
        f"SELECT ?s ?label WHERE {{ ?s {_LABEL} ?label FILTER(isIRI(?s){within}) }}"
        f' ORDER BY (LANG(?label) != "en") LIMIT {_CANDIDATES}'
    )


def unknown_resource(parameter: Parameter, value: str, labelled: list[tuple[str, str]]) -> UnknownResource:
    """The error for an IRI value named nowhere: the parameter, the IRI, and the closest resources
    that exist, by label or by the end of their IRI (``labelled``: (IRI, label) pairs)."""
    iri = parameter.bind(value).value
    by_name: dict[str, str] = {}
    labels: dict[str, str] = {}
    for resource, label in labelled:
        labels.setdefault(resource, label)
        by_name.setdefault(label, resource)
        local = resource.removeprefix(parameter.base) if parameter.base else resource
        by_name.setdefault(local, resource)
    wanted = value.removeprefix(parameter.base) if parameter.base else value
    near: list[str] = []
    for name in closest(wanted.replace("-", " "), by_name, count=5) + closest(wanted, by_name, count=5):
        if by_name[name] not in near:
            near.append(by_name[name])
    message = f"{parameter.name}: no resource <{iri}> in the store"
    if near:
        shown = []
        for resource in near[:3]:
            name = f"'{resource.removeprefix(parameter.base)}'" if parameter.base else f"<{resource}>"
            shown.append(f"{name} ({labels[resource]})")
        message += "; the closest: " + ", ".join(shown)
    return UnknownResource(message)
