"""GraphiQL's JS and CSS, served by the gateway itself, so that the IDE works with no
internet and behind a proxy that blocks CDNs.

The files under `static/` (React's and GraphiQL's browser bundles, vendored from npm:
see README.md here, and the page's own `start.js` and `page.css`) are read once per
process, on first use: a gateway with GraphiQL off, or never opened, never reads them.
Their URL names a digest of them all, `/graphql/assets/<digest>/<name>`, so a browser
keeps them a year without asking again (`immutable`) and a gateway upgraded to other
files publishes other URLs; another digest is a 404, never another version's file kept
for a year under this one's name. A client that accepts gzip gets it
(graphiql.min.js: 3.5 MB, 0.7 MB gzipped), compressed once per file, off the event
loop, however many ask at the same time.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

ASSETS_PATH = "/graphql/assets"
ROUTE = ASSETS_PATH + "/{digest}/{name}"
STATIC = Path(__file__).with_name("static")
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CACHE_FOREVER = "public, max-age=31536000, immutable"
GZIP_LEVEL = 6  # level 9 takes twice as long for 2% less


@dataclass
class Asset:
    body: bytes
    content_type: str
    _gzipped: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def gzipped(self) -> bytes:
        """The body gzipped, compressed by the first caller while the others wait."""
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.body, GZIP_LEVEL, mtime=0)
            return self._gzipped


class Bundle:
    """The files by name, and the digest that their URLs carry."""

    def __init__(self, files: dict[str, Asset]) -> None:
        self.files = files
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(f"{name}\0{len(files[name].body)}\0".encode())
            digest.update(files[name].body)
        self.digest = digest.hexdigest()[:16]

    def prefix(self, root_path: str) -> str:
        """Where the files are, for a gateway mounted at `root_path` by a proxy."""
        return f"{root_path}{ASSETS_PATH}/{self.digest}/"


@functools.cache
def bundle() -> Bundle:
    return Bundle(
        {
            path.name: Asset(path.read_bytes(), CONTENT_TYPES[path.suffix])
            for path in STATIC.iterdir()
            if path.suffix in CONTENT_TYPES
        }
    )


async def loaded_bundle() -> Bundle:
    """The bundle, read in a thread the first time (4 MB)."""
    return await anyio.to_thread.run_sync(bundle)


async def serve_asset(request: Request) -> Response:
    files = await loaded_bundle()
    asset = files.files.get(request.path_params["name"])
    if asset is None or request.path_params["digest"] != files.digest:
        raise HTTPException(404)
    headers = {"Cache-Control": CACHE_FOREVER, "Vary": "Accept-Encoding"}
    body = asset.body
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        body = await anyio.to_thread.run_sync(asset.gzipped)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.content_type, headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether `Accept-Encoding` gives gzip (by name, else by `*`) a weight above 0."""
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        weight = params.strip().removeprefix("q=").strip()
        weights[coding.strip()] = _weight(weight) if weight else 1.0
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _weight(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
