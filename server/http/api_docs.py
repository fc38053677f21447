"""``/docs`` and ``/redoc``: the OpenAPI document shown by Swagger UI and ReDoc, both served from this
server's own copies (``server/static/vendor/``), so that the pages work without network access and under
the Content-Security-Policy of every answer (no inline script)."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>coopgraph API{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
</head>
<body data-root="{root}">
{body}
</body>
</html>
"""


def _page(request: Request, title: str, head: str, body: str) -> Response:
    root = html.escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
    page = _PAGE.format(title=title, root=root, head=head.format(root=root), body=body.format(root=root))
    return HTMLResponse(page)


async def swagger_ui(request: Request) -> Response:
    return _page(
        request,
        "",
        '<link rel="stylesheet" href="{root}/static/vendor/swagger-ui/swagger-ui.css">',
        '<div id="swagger-ui"></div>\n'
        '<script src="{root}/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>\n'
        '<script src="{root}/static/ui/docs.js"></script>',
    )


async def redoc(request: Request) -> Response:
    return _page(
        request,
        " reference",
        "",
        '<div id="redoc"></div>\n'
        '<script src="{root}/static/vendor/redoc/redoc.standalone.js"></script>\n'
        '<script src="{root}/static/ui/redoc.js"></script>',
    )
