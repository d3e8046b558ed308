"""A small Chrome DevTools Protocol client: headless Chromium that can reach loopback only.

`Browser` starts /usr/bin/chromium (or CHROMIUM) with a profile of its own in a
temporary folder and every name but 127.0.0.1 unresolvable and a dead proxy for
anything else, so a page that wants a CDN fails instead of reaching the internet.
`Page` is one tab: it records every request the tab makes (CDP `Network` events),
every console message and uncaught exception, and runs JavaScript in it.

Nothing waits a fixed time: `Page.wait_for` polls a condition in the page until it
holds, with a deadline generous enough for a busy machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT_S = 60.0
WAIT_TIMEOUT_S = 60.0
POLL_S = 0.1
# Chromium's own background traffic (updates, safe browsing, sync) is switched off,
# and whatever is left cannot leave loopback: no name resolves but 127.0.0.1, and every
# other host goes to a proxy on a port nobody listens on (the discard port).
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--remote-debugging-port=0",
    "about:blank",
)


class CdpError(Exception):
    """The browser refused a command."""


class Connection:
    """One websocket to the browser: commands by id, events to the page that asked."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.pages: dict[str, Page] = {}
        self._reader = asyncio.create_task(self._read())

    async def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        answer = self._pending[self._next_id] = asyncio.get_running_loop().create_future()
        await self._socket.send(json.dumps(message))
        return await asyncio.wait_for(answer, WAIT_TIMEOUT_S)

    async def _read(self) -> None:
        async for raw in self._socket:
            message = json.loads(raw)
            if "id" in message:
                answer = self._pending.pop(message["id"])
                if "error" in message:
                    answer.set_exception(CdpError(f"{message['error']}"))
                else:
                    answer.set_result(message.get("result", {}))
            elif (page := self.pages.get(message.get("sessionId", ""))) is not None:
                page.on_event(message["method"], message.get("params", {}))

    async def close(self) -> None:
        self._reader.cancel()
        await self._socket.close()


class Page:
    """A tab: what it requested, what it logged, and JavaScript run in it."""

    def __init__(self, connection: Connection, session: str) -> None:
        self._connection = connection
        self._session = session
        self.requests: list[str] = []  # every URL the tab asked for, in order
        self.failures: list[str] = []  # requests that failed, with why
        self.console: list[str] = []  # console messages and log entries, "level: text"
        self.exceptions: list[str] = []

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failures.append(f"{params.get('errorText')} {params.get('blockedReason', '')}")
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            self.console.append(f"{params['type']}: {text}")
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.console.append(f"{entry['level']}: {entry['source']}: {entry['text']}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.exceptions.append(
                details.get("exception", {}).get("description", details.get("text"))
            )

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        return await self._connection.call(method, self._session, **params)

    async def goto(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        """The value of `expression` (awaited if it is a promise), as JSON."""
        result = await self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise CdpError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout_s: float = WAIT_TIMEOUT_S) -> Any:
        """The first truthy value of `expression`, polled until the deadline."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            try:
                value = await self.evaluate(expression)
            except CdpError:  # the page is still navigating
                value = None
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                requests = [url[:200] for url in self.requests]
                raise AssertionError(
                    f"never true: {expression}\nconsole: {self.console}\n"
                    f"exceptions: {self.exceptions}\nrequests: {requests}"
                )
            await asyncio.sleep(POLL_S)


class Browser:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def new_page(self) -> Page:
        """A tab that records its requests, console and exceptions from the start."""
        target = await self._connection.call("Target.createTarget", url="about:blank")
        attached = await self._connection.call(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        page = Page(self._connection, attached["sessionId"])
        self._connection.pages[attached["sessionId"]] = page
        for domain in ("Network", "Runtime", "Log", "Page"):
            await page.call(f"{domain}.enable")
        return page


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


@asynccontextmanager
async def running_browser() -> AsyncIterator[Browser]:
    """Headless Chromium with a profile of its own, reaching loopback only."""
    # Chromium's helper processes may still write to the profile as it goes away.
    with tempfile.TemporaryDirectory(
        prefix="erp-gateway-chromium-", ignore_cleanup_errors=True
    ) as profile:
        process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            f"--user-data-dir={profile}",
            *FLAGS,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            endpoint = await _devtools_endpoint(Path(profile), process)
            async with connect(endpoint, max_size=None) as socket:
                connection = Connection(socket)
                try:
                    yield Browser(connection)
                finally:
                    await connection.close()
        finally:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _devtools_endpoint(profile: Path, process: asyncio.subprocess.Process) -> str:
    """The browser's websocket, from the file Chromium writes once it listens."""
    active_port = profile / "DevToolsActivePort"
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
    while not (active_port.exists() and len(active_port.read_text().splitlines()) >= 2):
        if process.returncode is not None:
            raise AssertionError(f"chromium stopped at start (exit {process.returncode})")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("chromium did not open its DevTools port")
        await asyncio.sleep(POLL_S)
    port, path = active_port.read_text().splitlines()[:2]
    return f"ws://127.0.0.1:{port}{path}"
