"""The GraphiQL page: React, GraphiQL and `start.js` from the gateway itself.

No inline script or style, so that the CSP every HTML answer gets
(`gateway/edge/headers.py`) can allow scripts from the gateway's origin only. What the
page prefills from its address (`?query=`, `?variables=`, `#headers=`) is read by
`start.js`, and `graphiql_link` writes such an address.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from urllib.parse import quote, urlencode

PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>erp-gateway: GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{prefix}graphiql.min.css">
    <link rel="stylesheet" href="{prefix}page.css">
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script src="{prefix}react.production.min.js"></script>
    <script src="{prefix}react-dom.production.min.js"></script>
    <script src="{prefix}graphiql.min.js"></script>
    <script src="{prefix}start.js"></script>
  </body>
</html>
"""


def graphiql_page(assets_prefix: str) -> str:
    """The page, its files under `assets_prefix` (`Bundle.prefix`)."""
    return PAGE.format(prefix=html.escape(assets_prefix, quote=True))


def graphiql_link(endpoint: str, query: str, headers: Mapping[str, str] | None = None) -> str:
    """A link that opens GraphiQL at `endpoint` with `query` and `headers` filled in. The
    headers go in the fragment, which browsers do not send: a token in the query string
    would be written in access logs."""
    link = f"{endpoint}?{urlencode({'query': query}, quote_via=quote)}"
    if headers:
        link += "#" + urlencode({"headers": json.dumps(headers)}, quote_via=quote)
    return link
