"""``GET /search?q=&type=&country=&lang=&limit=``: resources by name, as JSON or as an HTML results page."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from coopgraph.search import KINDS, check_kinds
from server.http.negotiation import prefers_html
from server.http.search_service import SearchService, SearchUnavailable

MAX_LIMIT = 100


class BadParameter(ValueError):
    pass


def _many(request: Request, name: str) -> list[str]:
    """A parameter given several times or as a comma-separated list."""
    return [v.strip() for value in request.query_params.getlist(name) for v in value.split(",") if v.strip()]


def limit_param(value: str | None, default: int = 10) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise BadParameter(f"limit: a number from 1 to {MAX_LIMIT}")
    return int(value)


def language(request: Request) -> str:
    """``lang``, else the first language of Accept-Language, else English."""
    lang = request.query_params.get("lang")
    if lang:
        return lang.strip().lower()[:35]
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first if first and first != "*" else "en"


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def search(request: Request, service: SearchService) -> Response:
    text = request.query_params.get("q", "")
    as_html = request.query_params.get("format") == "html" or (
        request.query_params.get("format") != "json" and prefers_html(request.headers.get("accept"))
    )
    try:
        kinds = check_kinds(_many(request, "type"))
        limit = limit_param(request.query_params.get("limit"))
    except ValueError as e:
        return error(400, str(e))
    countries = _many(request, "country")
    lang = language(request)
    hits: list[Any] = []
    if text.strip():
        try:
            hits = await service.run(
                lambda index: index.search(text, kinds=kinds, countries=countries, lang=lang, limit=limit)
            )
        except SearchUnavailable as e:
            return error(503, str(e))
    if as_html:
        return HTMLResponse(_page(text, kinds, countries, lang, hits))
    return JSONResponse(
        {
            "query": text,
            "type": kinds,
            "country": countries,
            "lang": lang,
            "results": [h.as_json() for h in hits],
        }
    )


def _page(text: str, kinds: list[str], countries: list[str], lang: str, hits: list[Any]) -> str:
    options = "".join(
        f'<option value="{k}"{" selected" if k in kinds else ""}>{html.escape(v.label)}</option>'
        for k, v in KINDS.items()
    )
    form = (
        '<form method="get" action="/search" role="search">'
        f'<input type="search" name="q" value="{html.escape(text)}" autofocus '
        'placeholder="ha long, Đại học Quốc gia Hà Nội, VNU, 清华大学…" size="40">'
        f'<select name="type"><option value="">any type</option>{options}</select>'
        f'<input name="country" value="{html.escape(",".join(countries))}" '
        'placeholder="country (vn)" size="8">'
        f'<input type="hidden" name="lang" value="{html.escape(lang)}">'
        "<button>Search</button></form>"
    )
    rows = "".join(
        f'<li><a href="{html.escape(h.iri)}" lang="{html.escape(h.label_lang)}">{html.escape(h.label)}</a> '
        f'<span class="tags">{html.escape(" ".join(h.kinds))} '
        f"{html.escape(' '.join(h.countries).upper())}</span>"
        f"<br><small>{html.escape(h.why)} · <code>{html.escape(h.iri)}</code></small></li>"
        for h in hits
    )
    query = urlencode([("q", text), *[("type", k) for k in kinds], ("lang", lang), ("format", "json")])
    summary = (
        f'<p>{len(hits)} result(s) · <a href="/search?{html.escape(query)}">JSON</a></p><ol>{rows}</ol>'
        if text.strip()
        else "<p>Names in any language, with or without accents; acronyms; ROR and Wikidata ids.</p>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Search — coopgraph</title>'
        '<link rel="stylesheet" href="/static/ui/pages.css"></head><body>'
        '<p><a href="/">coopgraph</a> · <a href="/queries">saved queries</a> · '
        '<a href="/reconcile">reconciliation service</a></p>'
        f"<h1>Search</h1>{form}{summary}</body></html>"
    )


def endpoint(service: SearchService) -> Callable[[Request], Awaitable[Response]]:
    """The ``/search`` endpoint on one search service."""

    async def search_endpoint(request: Request) -> Response:
        return await search(request, service)

    return search_endpoint
