"""graphql-http's server audit of the GraphQL over HTTP spec (tests/js/audit.mjs), run
against `erp-gateway demo`: every audit must pass, warnings included."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.harness import require_node_packages
from tests.servers import free_port

# Starts the demo and Node.js as processes.
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SCRIPT = shutil.which("erp-gateway", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "gateway"]
STARTED = "Press Ctrl-C to stop"
START_TIMEOUT_S = 90.0  # the demo seeds three systems; CI's two cores are shared
AUDIT_TIMEOUT_S = 120.0


@contextmanager
def running_demo() -> Iterator[str]:
    """`erp-gateway demo` on a free port, stopped with Ctrl-C; yields its endpoint."""
    port = free_port()
    demo = subprocess.Popen(
        [*COMMAND, "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert demo.stdout is not None
    output = ""
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while STARTED not in output:
            line = demo.stdout.readline()
            assert line or demo.poll() is None, f"the demo stopped:\n{output}"
            assert time.monotonic() < deadline, f"the demo did not start:\n{output}"
            output += line
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=15)
        finally:
            demo.kill()
            demo.stdout.close()


def test_the_demo_passes_every_graphql_over_http_audit():
    require_node_packages(HERE)
    node = shutil.which("node")
    assert node is not None

    with running_demo() as endpoint:
        audit = subprocess.run(
            [node, str(HERE / "audit.mjs"), endpoint],
            capture_output=True,
            text=True,
            timeout=AUDIT_TIMEOUT_S,
            env={**os.environ, "NO_COLOR": "1"},
        )

    report = audit.stdout + audit.stderr
    print(report)  # every audit by name, shown by pytest -s or on failure
    counts = re.search(r"^(\d+) ok, (\d+) notices, (\d+) warnings, (\d+) errors$", report, re.M)
    assert counts, f"the audit did not finish:\n{report}"
    failed = [line for line in report.splitlines() if line.startswith(("warn", "error"))]
    assert not failed, "\n".join(failed)
    assert int(counts[1]) >= 61, report  # graphql-http 1.23.1 has 61 audits
    assert audit.returncode == 0, report
