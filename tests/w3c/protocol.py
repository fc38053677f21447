"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, against a live endpoint.

The Protocol and Graph Store manifests model a test as an ``ht:Connection``: an ordered list of
``ht:Request``s (method, ``ht:absolutePath``, headers, a body as ``cnt:chars``), each with an ``ht:resp``
giving ``mf:expectedStatus`` (``hts:StatusCode2xx`` or a named status), ``mf:expectedFormat``
("boolean", "tabular" or "RDF"), ``mf:expectedBoolean``, ``mf:expectedLocation`` (a template variable
filled from the Location header) and, for the Graph Store, expected headers and an RDF body the answer
must be isomorphic to. Paths start with /sparql (Protocol) or /gsp (Graph Store) and are re-rooted on
the endpoint's query, update and graph-store URLs.

Protocol tests may carry ``ut:graphData``: those graphs are loaded first, by an update. Graph Store
tests assume an empty dataset: ``DROP ALL`` is sent before each. The three Service Description tests
have no machine-readable action; they are read as: a GET on the query URL without a query answers RDF
(returns-rdf), that RDF holds ``?s sd:endpoint <query URL>`` (has-endpoint-triple), and each service is
an ``sd:Service`` with an ``sd:endpoint`` and only languages of the vocabulary (conforms-to-schema).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

import requests
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

from tests.conftest import CONFORMANCE, conformance_path
from tests.w3c.manifest import MF, entries, file_path

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPARQL11 = CONFORMANCE / "rdf-tests" / "sparql" / "sparql11"
SUITES = {
    "protocol": SPARQL11 / "protocol" / "manifest.ttl",
    "graph-store": SPARQL11 / "graph-store-protocol" / "manifest.ttl",
    "service-description": SPARQL11 / "service-description" / "manifest.ttl",
}
NAMED_STATUS = {
    "OK": 200,
    "Created": 201,
    "Accepted": 202,
    "NoContent": 204,
    "BadRequest": 400,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "NotAcceptable": 406,
    "Conflict": 409,
    "UnsupportedMediaType": 415,
}
RESULTS = {"application/sparql-results+xml", "application/sparql-results+json", "application/json"}
RDF_FORMATS = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "text/n3": "n3",
}
FORMATS = {
    "boolean": RESULTS,
    "tabular": RESULTS | {"text/csv", "text/tab-separated-values"},
    "RDF": set(RDF_FORMATS) | {"application/xhtml+xml", "text/html"},
}
RESET = "DROP ALL"


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    graph: Graph
    node: Node

    @property
    def id(self) -> str:
        return f"{self.suite}:{self.name}"


def cases() -> list[Case]:
    return [
        Case(suite, str(test).rpartition("#")[2], graph, test)
        for suite, manifest in SUITES.items()
        for graph, test in entries(manifest)
    ]


def media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def local_name(term: Node) -> str:
    return str(term).rpartition("#")[2]


@dataclass
class Endpoint:
    query_url: str
    update_url: str
    gsp_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers.update(self.headers)

    def problem(self, case: Case) -> str | None:
        """What the endpoint gets wrong on ``case``, or None when it passes."""
        if case.suite == "service-description":
            return self._service_description(case.name)
        if case.suite == "graph-store":
            self.update(RESET)
        else:
            self._load_graph_data(case)
        connection = case.graph.value(case.node, MF.action)
        template: dict[str, str] = {}
        for number, request in enumerate(
            Collection(case.graph, case.graph.value(connection, HT.requests)), 1
        ):
            problems = self._request(case.graph, request, template)
            if problems:
                return f"request #{number}: " + "; ".join(problems)
        return None

    def update(self, text: str) -> None:
        answer = self.session.post(
            self.update_url,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            timeout=self.timeout,
        )
        assert answer.status_code < 300, f"setting up failed: {answer.status_code} {answer.text[:200]}"

    def _load_graph_data(self, case: Case) -> None:
        for data in case.graph.objects(case.node, UT.graphData):
            source = conformance_path(file_path(case.graph.value(data, UT.graph)))
            name = str(case.graph.value(data, RDFS.label))
            graph = Graph().parse(source, format="nt" if source.suffix == ".nt" else "turtle")
            triples = " ".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)
            self.update(f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}")

    def _url(self, path: str, body: str | None, content_type: str) -> str:
        """The endpoint URL for a manifest's ``ht:absolutePath``."""
        if path.startswith("/sparql"):
            rest = path.removeprefix("/sparql").lstrip("/")
            query_string = rest.removeprefix("?")
            params = urllib.parse.parse_qs(query_string)
            is_update = (
                media_type(content_type) == "application/sparql-update"
                or "update" in params
                or any(key.startswith("using-") for key in params)
                or (
                    body is not None
                    and media_type(content_type) == "application/x-www-form-urlencoded"
                    and "update" in urllib.parse.parse_qs(body)
                )
            )
            base = self.update_url if is_update else self.query_url
            return base + (("&" if "?" in base else "?") + query_string if query_string else "")
        assert path.startswith("/gsp"), f"unexpected ht:absolutePath {path}"
        rest = path.removeprefix("/gsp")
        if rest.startswith("?"):
            return self.gsp_url + ("&" if "?" in self.gsp_url else "?") + rest[1:]
        return self.gsp_url.rstrip("/") + rest

    def _request(self, graph: Graph, request: Node, template: dict[str, str]) -> list[str]:
        method = str(graph.value(request, HT.methodName))
        path = str(graph.value(request, HT.absolutePath))
        headers: dict[str, str] = {}
        header_list = graph.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body_node = graph.value(request, HT.body)
        body = None if body_node is None else str(graph.value(body_node, CNT.chars))
        for variable, value in template.items():
            path = path.replace(variable, value)
            body = None if body is None else body.replace(variable, value)
        encoding = "utf-8"
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8").lower()
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        url = self._url(path, body, content_type)
        answer = self.session.request(
            method,
            url,
            data=None if body is None else body.encode(encoding),
            headers=headers,
            allow_redirects=False,
            timeout=self.timeout,
        )
        response = graph.value(request, HT.resp)
        if response is None:
            return []
        status = _status_problem(graph, response, answer.status_code)
        if status:
            return [f"{status} for {method} {url} :: {answer.text[:160]!r}"]
        return _response_problems(graph, response, answer, url, method, template)

    def _service_description(self, name: str) -> str | None:
        answer = self.session.get(
            self.query_url,
            headers={
                "Accept": "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8, "
                "application/ld+json;q=0.5"
            },
            timeout=self.timeout,
        )
        if answer.status_code // 100 != 2:
            return f"GET {self.query_url} -> {answer.status_code}"
        kind = media_type(answer.headers.get("Content-Type"))
        if kind not in RDF_FORMATS:
            return f"the service description is served as {kind!r}"
        try:
            description = Graph().parse(
                data=answer.content, format=RDF_FORMATS[kind], publicID=self.query_url
            )
        except Exception as error:
            return f"the service description does not parse: {error}"
        if name == "returns-rdf":
            return None
        if name == "has-endpoint-triple":
            if (None, SD.endpoint, URIRef(self.query_url)) in description:
                return None
            return f"no ?s sd:endpoint <{self.query_url}> ({len(description)} triples)"
        assert name == "conforms-to-schema", f"unknown service description test {name}"
        services = set(description.subjects(RDF.type, SD.Service)) | set(description.subjects(SD.endpoint))
        if not services:
            return "no sd:Service"
        languages = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        for service in services:
            if (service, RDF.type, SD.Service) not in description:
                return f"{service} has an sd:endpoint but is not an sd:Service"
            if description.value(service, SD.endpoint) is None:
                return f"{service} has no sd:endpoint"
            unknown = set(description.objects(service, SD.supportedLanguage)) - languages
            if unknown:
                return f"unknown sd:supportedLanguage {sorted(unknown)}"
        return None


def _status_problem(graph: Graph, response: Node, code: int) -> str | None:
    expected = [local_name(e) for e in graph.objects(response, MF.expectedStatus)]
    for name in expected:
        family = re.fullmatch(r"StatusCode(\d)xx", name)
        if (family and code // 100 == int(family.group(1))) or NAMED_STATUS.get(name) == code:
            return None
        if name.isdigit() and int(name) == code:
            return None
    return f"status {code} not in {expected}" if expected else None


def _boolean(answer: requests.Response) -> bool:
    kind = media_type(answer.headers.get("Content-Type"))
    if "json" in kind:
        return bool(answer.json()["boolean"])
    if "xml" in kind:
        found = re.search(r"<boolean>\s*(true|false)\s*</boolean>", answer.text)
        if found:
            return found.group(1) == "true"
    if kind in ("text/plain", "text/boolean"):
        return answer.text.strip() == "true"
    raise ValueError(f"cannot read a boolean result from {kind}")


def _response_problems(
    graph: Graph, response: Node, answer: requests.Response, url: str, method: str, template: dict[str, str]
) -> list[str]:
    problems = []
    location_variable = graph.value(response, MF.expectedLocation)
    if location_variable is not None:
        location = answer.headers.get("Location")
        if location:
            template[str(location_variable)] = urllib.parse.urljoin(url, location)
        else:
            problems.append("expected a Location header")
    given_type = media_type(answer.headers.get("Content-Type"))
    expected_format = graph.value(response, MF.expectedFormat)
    if expected_format is not None:
        if given_type not in FORMATS[str(expected_format)]:
            problems.append(f"format {expected_format}: unexpected Content-Type {given_type!r}")
        elif str(expected_format) == "RDF":
            try:
                Graph().parse(data=answer.content, format=RDF_FORMATS.get(given_type, "turtle"), publicID=url)
            except Exception as error:
                problems.append(f"the RDF answer does not parse as {given_type}: {error}")
    expected_boolean = graph.value(response, MF.expectedBoolean)
    if isinstance(expected_boolean, Literal):
        try:
            if _boolean(answer) != expected_boolean.toPython():
                problems.append(f"boolean {_boolean(answer)}, expected {expected_boolean}")
        except (ValueError, KeyError) as error:
            problems.append(str(error))
    expected_type = None
    header_list = graph.value(response, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            name = str(graph.value(header, HT.fieldName)).lower()
            value = str(graph.value(header, HT.fieldValue))
            if name == "content-type":
                expected_type = value
                if given_type != media_type(value):
                    problems.append(f"Content-Type {given_type!r}, expected {value!r}")
            elif answer.headers.get(name) != value:
                problems.append(f"header {name}: {answer.headers.get(name)!r}, expected {value!r}")
    body = graph.value(response, HT.body)
    if body is not None and method != "HEAD":
        expected_text = str(graph.value(body, CNT.chars))
        for variable, value in template.items():
            expected_text = expected_text.replace(variable, value)
        try:
            wanted = Graph().parse(
                data=expected_text, format=RDF_FORMATS.get(media_type(expected_type), "turtle"), publicID=url
            )
            given = Graph().parse(
                data=answer.content, format=RDF_FORMATS.get(given_type, "turtle"), publicID=url
            )
        except Exception as error:
            problems.append(f"cannot compare the RDF bodies: {error}")
        else:
            if not isomorphic(wanted, given):
                problems.append(
                    f"the answer's graph is not the expected one ({len(given)} vs {len(wanted)} triples)"
                )
    return problems
