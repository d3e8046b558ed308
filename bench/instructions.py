"""Instructions per request of a served gateway, counted by callgrind: a figure that
the machine's load does not move, to A/B a change to the hot path.

CPU time per request on a shared 2-core machine moves by 10-20 % between identical
runs (`bench/peer.py` shows it round to round), more than most single changes gain.
This runs `erp-gateway serve` (the peer bench's "nocache" gateway, over one Odoo
emulator) under valgrind's callgrind with counting off, warms it up, counts the
instructions of N requests sent one after another, and prints instructions per
request for each tree: the working tree (".") or a git revision (checked out in a
temporary worktree). Repeat runs agree within about 1 %. `--query federated` counts
`bench/federated_360.py`'s query instead, served by its `--serve` (the gateway in
front of all three emulators, no cache); the figure then includes the benchmark's
HTTP client, in the same process.

What it cannot see: anything that needs requests in flight together. Under 10
concurrent clients a change can cost tail latency that one request at a time never
shows (a larger young-generation threshold for the garbage collector cut instructions
by 3 % here and doubled p99 in `bench/peer.py`), so a change that passes this is
measured with `make peer-bench` too.

    .venv/bin/python -m bench.instructions [--tree . --tree HEAD~1 ...]
        [--query flat|nested|empty|federated] [--requests 20]

Needs valgrind (`apt-get install valgrind`); a run takes a few minutes per tree.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.harness import sandbox
from bench.peer import FLAT, NESTED, gateway_config
from gateway.wiring.server import bind
from tests.harness import STAFF_TOKEN, TEST_SECRET, bearer
from tests.resolvers.queries import FEDERATED_360

QUERIES = {"flat": FLAT, "nested": NESTED, "empty": "{ __typename }", "federated": FEDERATED_360}
REPO = Path(__file__).resolve().parent.parent
STARTED = "Application startup complete"
FEDERATION_SERVING = re.compile(r"serving (\S+) customer (\S+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tree",
        action="append",
        help='"." (the working tree, the default) or a git revision; repeatable',
    )
    parser.add_argument("--query", choices=sorted(QUERIES), default="flat")
    parser.add_argument("--requests", type=int, default=20, help="counted, after 10 unseen")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: apt-get install valgrind")
    with ExitStack() as stack:
        federated = args.query == "federated"
        odoo = "" if federated else stack.enter_context(sandbox("odoo", 0))
        for tree in args.tree or ["."]:
            folder = stack.enter_context(checked_out(tree))
            count = instructions_per_request(folder, odoo, args.query, args.requests)
            print(f"{tree}: {count:,} instructions per request ({args.query})", flush=True)


@contextmanager
def checked_out(tree: str) -> Iterator[Path]:
    """The folder holding `tree`: the repository itself for ".", else a temporary
    worktree of that revision, removed afterwards."""
    if tree == ".":
        yield REPO
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    git = ["git", "-C", str(REPO)]
    subprocess.run([*git, "worktree", "add", "--detach", str(folder), tree], check=True)
    try:
        yield folder
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=True)


def instructions_per_request(tree: Path, odoo: str, query_name: str, requests: int) -> int:
    """`odoo`: the emulator's URL, unused for the federated query (it brings its own)."""
    stores = tempfile.mkdtemp(prefix="bench-instructions-stores-")
    log_path = Path(stores) / "gateway.log"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    command += ["--callgrind-out-file=/dev/null", sys.executable, "-m"]
    if query_name == "federated":
        command += ["bench.federated_360", "--serve"]
    else:
        config = Path(stores) / "gateway.toml"
        config.write_text(gateway_config(odoo, "nocache", stores), encoding="utf-8")
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        sock.close()
        command += ["gateway", "serve", "--config", str(config), "--port", str(port)]
        url = f"http://127.0.0.1:{port}/graphql"
    environ = {
        **os.environ,
        "PYTHONPATH": str(tree),  # the tree's modules, the repository's virtualenv
        "ODOO_API_KEY": "admin",
        "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal(),
    }
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=tree, env=environ, stdout=log, stderr=log)
    try:
        body: dict[str, Any] = {"query": QUERIES[query_name]}
        if query_name == "federated":
            serving = wait_for(server, log_path, FEDERATION_SERVING)
            url = f"{serving[1]}/graphql"
            body["variables"] = {"id": serving[2], "first": 50}
        else:
            wait_for(server, log_path, re.compile(STARTED))
        with httpx.Client(timeout=300, headers=bearer(STAFF_TOKEN)) as client:
            for _ in range(10):  # caches, specialisation, connections: not counted
                ask(client, url, body)
            control(server, "on")
            for _ in range(requests):
                ask(client, url, body)
            control(server, "off")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=300)
    collected = re.search(r"Collected : (\d+)", log_path.read_text())
    if collected is None:
        raise SystemExit(f"callgrind reported no count; see {log_path}")
    return int(collected.group(1)) // requests


def wait_for(
    server: subprocess.Popen[bytes], log_path: Path, line: re.Pattern[str]
) -> re.Match[str]:
    """The first match of `line` in the log, once the server has written it."""
    deadline = time.monotonic() + 600  # valgrind runs the start 50 times slower
    while (found := line.search(log_path.read_text())) is None:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the gateway did not start under valgrind; see {log_path}")
        time.sleep(1)
    return found


def ask(client: httpx.Client, url: str, body: dict[str, Any]) -> None:
    answer = client.post(url, json=body)
    if answer.status_code != 200 or "errors" in answer.json():
        raise SystemExit(f"the query failed: {answer.status_code} {answer.text[:300]}")


def control(server: subprocess.Popen[bytes], switch: str) -> None:
    subprocess.run(
        ["callgrind_control", "-i", switch, str(server.pid)], check=True, capture_output=True
    )


if __name__ == "__main__":
    main()
