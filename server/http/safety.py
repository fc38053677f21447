"""What a request may make the server do: never contact another host, unless the operator allows it."""

from __future__ import annotations

from coopgraph.iris import is_system_graph
from coopgraph.sparql_text import QueryInfo, UpdateInfo


class Refused(Exception):
    """The request asks for something the server does not do; the message says what and why."""


class Forbidden(Refused):
    """The request would change a graph coopgraph maintains itself (answered 403)."""


def system_graph_refusal(graph: str) -> str:
    return (
        f"<{graph}> is maintained by coopgraph itself (its ontology, vocabularies, shapes and catalogue "
        "are loaded from the project's files) and cannot be changed over HTTP"
    )


def _services(targets: list[str], allowed: tuple[str, ...]) -> None:
    for target in targets:
        if target.startswith(("?", "$")):
            raise Refused(
                f"SERVICE {target}: a SERVICE whose endpoint is a variable could call any host; "
                "name an endpoint the operator has allowed"
            )
        if target not in allowed:
            raise Refused(
                f"SERVICE <{target}>: this server does not call other endpoints unless its operator "
                "allows them (setting service_allowlist)"
            )


def check_query(info: QueryInfo, allowed_services: tuple[str, ...]) -> None:
    _services(info.services, allowed_services)


def check_update(info: UpdateInfo, allowed_services: tuple[str, ...]) -> None:
    if len(info.loads) > len(info.silent_loads):
        raise Refused(
            "LOAD: this server does not fetch data from other hosts; send the data with the "
            "graph store protocol (PUT or POST /graphs) instead"
        )
    _services(info.services, allowed_services)
    for graph in info.graphs_written:
        if is_system_graph(graph):
            raise Forbidden(system_graph_refusal(graph))


#: What a ``LOAD SILENT`` becomes: the spec lets a silent operation fail without failing the request, and
#: this server never fetches, so it succeeds and changes nothing (an empty INSERT DATA keeps the ``;``
#: between the operations around it valid).
NO_OPERATION = "INSERT DATA { }"


def without_silent_loads(text: str, info: UpdateInfo) -> str:
    """The update with each ``LOAD SILENT`` operation made a no-op (:data:`NO_OPERATION`)."""
    for start, end in sorted(info.silent_loads, reverse=True):
        text = text[:start] + NO_OPERATION + text[end:]
    return text


def dataset(
    info: QueryInfo, default_graph_uri: list[str], named_graph_uri: list[str]
) -> tuple[list[str] | None, list[str] | None]:
    """The graphs to query: the protocol parameters, else the FROM clauses, else None (the union)."""
    if default_graph_uri or named_graph_uri:
        return list(default_graph_uri), list(named_graph_uri)
    if info.from_graphs or info.from_named_graphs:
        return list(info.from_graphs), list(info.from_named_graphs)
    return None, None
