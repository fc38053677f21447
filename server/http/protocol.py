"""Reading requests the way the SPARQL protocol says: bodies within limits, forms decoded exactly once,
one reader of the POST of a query or an update (a form field or the whole body)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from pyoxigraph import NamedNode
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}

    def response(self) -> Response:
        return PlainTextResponse(self.message + "\n", status_code=self.status, headers=self.headers)


def content_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    media, *params = [p.strip() for p in raw.split(";")]
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"')
    return media.lower(), parsed


def require_utf8(params: dict[str, str]) -> None:
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported: send the request body as UTF-8")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than the {limit:,}-byte limit")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is larger than the {limit:,}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProtocolError(400, f"the request body is not valid UTF-8 (byte {e.start})") from None


def url_params(request: Request) -> dict[str, list[str]]:
    """The parameters of the request's URL, each name with all its values in order (400 unless the
    percent-decoded values are UTF-8: Starlette would turn ``%FF`` into U+FFFD)."""
    query = request.scope.get("query_string", b"")
    try:
        return parse_qs(query.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, URL_NOT_UTF8) from None


URL_NOT_UTF8 = "the URL is not valid UTF-8 once percent-decoded; percent-encode UTF-8 bytes only"


def check_iri(value: str, name: str) -> str:
    """``value`` if it is an absolute IRI, else a 400 naming the parameter it came in."""
    try:
        NamedNode(value)
    except ValueError as e:
        raise ProtocolError(400, f"'{name}': {value!r} is not an absolute IRI ({e})") from None
    return value


#: The values of the ``version`` parameter of the SPARQL 1.2 Protocol drafts that this server answers.
PROTOCOL_VERSIONS = ("1.1", "1.2")


def check_version(params: dict[str, list[str]]) -> None:
    """A 400 unless each ``version`` parameter names a protocol version this server speaks."""
    for value in params.get("version", ()):
        if value not in PROTOCOL_VERSIONS:
            raise ProtocolError(
                400,
                f"protocol version {value!r} is not supported; this server speaks SPARQL "
                + ", ".join(PROTOCOL_VERSIONS),
            )


def check_depth(depth: int, limit: int, what: str) -> None:
    """A 400 for a query or update nested deeper than ``limit``: Oxigraph's parser recurses into each
    bracket, and thousands of them overflow a worker's stack."""
    if depth > limit:
        raise ProtocolError(
            400,
            f"the {what} nests brackets {depth} deep; the limit is {limit} (setting max_nesting_depth)",
        )


def check_iris(params: dict[str, list[str]], *names: str) -> None:
    for name in names:
        for value in params.get(name, ()):
            check_iri(value, name)


def parse_form(body: bytes) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body, percent-decoded once (``100%2541`` is ``100%41``)."""
    try:
        return parse_qs(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
        )
    except UnicodeDecodeError:
        raise ProtocolError(400, "a form body must be percent-encoded ASCII") from None


def single(values: list[str] | None, name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter; send exactly one")
    return values[0]


FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class PostedOperation:
    """How the SPARQL protocol POSTs one kind of operation, and what its endpoint refuses."""

    field: str  #: the form field that holds it ("query", "update")
    media_type: str  #: the media type of a direct POST
    other_field: str  #: the other operation's form field, refused with :attr:`misdirected`
    other_media_type: str | None  #: the other operation's media type refused with it (None: a 415)
    misdirected: str  #: the answer (400) to the other operation sent here
    unsupported: str  #: the answer (415) to any other media type


async def read_posted(
    request: Request, limit: int, operation: PostedOperation
) -> tuple[str, dict[str, list[str]]]:
    """The operation's text and the request's parameters (its URL's, then a form's fields)."""
    params = url_params(request)
    if operation.field in params:  # the protocol puts a POST's operation in its body, never in its URL
        raise ProtocolError(
            400,
            f"a POST carries the {operation.field} in its body (as {operation.media_type}, or in a form's "
            f"'{operation.field}' field), not in the URL; GET /sparql takes a query in the URL",
        )
    check_version(params)
    media, ctype = content_type(request)
    body = await read_body(request, limit)
    if media == FORM:
        form = parse_form(body)
        if operation.other_field in form:
            raise ProtocolError(400, operation.misdirected)
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        check_version(params)
        text = single(params.get(operation.field), operation.field)
        if text is None:
            raise ProtocolError(400, f"the form has no '{operation.field}' field")
        return text, params
    if media == operation.media_type:
        require_utf8(ctype)
        return decode(body), params
    if media == operation.other_media_type:
        raise ProtocolError(400, operation.misdirected)
    raise ProtocolError(415, operation.unsupported)
