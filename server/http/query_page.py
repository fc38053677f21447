"""The query page: YASGUI on this server's ``/sparql``, served at ``/`` and to browsers at ``/sparql``.

YASGUI is vendored from npm (``server/static/vendor/yasgui/VENDORED.md``), and so are the libraries
of the result views beside its table (``server/static/ui/views.js``: charts, timeline, map, network);
the page loads nothing from another host, and its Content-Security-Policy tells the browser to
refuse anything that would.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from coopgraph import iris
from server.http.guard import CONTENT_SECURITY_POLICY

#: ``server/``, which holds the page's template and static files (package data of the ``server`` package).
SERVER_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = SERVER_DIR / "templates" / "query.html"
#: Served at ``/static``: the page's script and style (``ui/``) and the vendored YASGUI (``vendor/yasgui/``).
STATIC = SERVER_DIR / "static"

#: The page's first query, after PREFIX lines for every project prefix.
DEFAULT_QUERY_BODY = """\
# Higher education institutions and their countries.
SELECT ?institution ?name ?country WHERE {
  ?institution a/rdfs:subClassOf* cg:HigherEducationInstitution ;
      rdfs:label ?name .
  FILTER (LANG(?name) = "en")
  OPTIONAL { ?institution cg:country/skos:prefLabel ?country FILTER (LANG(?country) = "en") }
}
ORDER BY ?country ?name
LIMIT 100
"""

#: A language tag as labels are tagged (en, vi, zh); anything else reads as English.
_LANG = re.compile(r"^[a-z]{2,3}$")


def default_query() -> str:
    return iris.sparql_prologue() + "\n" + DEFAULT_QUERY_BODY.rstrip("\n")


@lru_cache(maxsize=1)
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON that cannot end the ``<script>`` block it sits in."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def reader_language(request: Request) -> str:
    """The language labels are shown in: ``?lang=``, else the browser's first, else English."""
    asked = request.query_params.get("lang") or request.headers.get("accept-language", "")
    tag = asked.split(",")[0].split(";")[0].split("-")[0].strip().lower()
    return tag if _LANG.match(tag) else "en"


def render(root: str = "", lang: str = "en") -> str:
    """The page for a server mounted at ``root`` ("" at the host's root), labels in ``lang``."""
    root = root.rstrip("/")
    config = {
        "root": root,
        "lang": lang,
        "endpoint": root + "/sparql",
        "download": root + "/download",
        "search": root + "/search",
        "schema": root + "/query/schema?lang=" + lang,  # the query builder's classes and properties
        "prefixes": iris.QUERY_PREFIXES,
        # The saved queries as examples, each with its parameters' defaults bound in a VALUES clause
        # (their text alone leaves them unbound); /queries/{name} runs them with other values.
        "queries": root + "/queries?format=json&bind=defaults",
        "method": "POST",
        "defaultQuery": default_query(),
        "persistenceId": "coopgraph-query",
    }
    return (
        _template()
        .replace("{{endpoint}}", html.escape(root + "/sparql"))
        .replace("{{root}}", html.escape(root))
        .replace("{{lang}}", html.escape(lang))
        .replace("{{config}}", script_json(config))  # last: its text is never scanned again
    )


async def query_page(request: Request) -> Response:
    return HTMLResponse(
        render(request.scope.get("root_path", ""), reader_language(request)),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Vary": "Accept, Accept-Language",  # /sparql answers the same URL with RDF to other clients
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )
