"""A load generator's HTTP/1.1 client: one keep-alive connection, JSON POSTs, nothing else.

A benchmark measures the server, so its clients should cost next to nothing. httpx spends
about 6 ms of CPU per request here (its models, hooks and connection pool); 200 of its
clients on a 2-core machine took most of a core from the gateway they measured. This
client writes the request bytes itself and reads the answer by Content-Length (or
chunks), as wrk or k6 would: a tenth of the CPU.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class LeanClient:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"LeanClient speaks plain http only, not {base_url!r}")
        self._host, self._port = parts.hostname, parts.port or 80
        fixed = {"Host": f"{self._host}:{self._port}", "Content-Type": "application/json"}
        self._head = "".join(f"{k}: {v}\r\n" for k, v in (fixed | headers).items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()

    async def post_json(self, path: str, body: Any) -> tuple[int, Any]:
        """The status and the decoded JSON answer of POST `path`."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        payload = json.dumps(body).encode()
        request = f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(payload)}\r\n\r\n"
        self._writer.write(request.encode() + payload)
        status_line, *header_lines = (
            (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        )
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        if headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunks()
        else:
            content = await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self._writer.close()
            self._reader = self._writer = None
        return int(status_line.split(" ", 2)[1]), json.loads(content) if content else None

    async def _chunks(self) -> bytes:
        assert self._reader is not None
        content = b""
        while size := int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16):
            content += await self._reader.readexactly(size)
            await self._reader.readexactly(2)
        await self._reader.readuntil(b"\r\n")  # the empty trailer
        return content
