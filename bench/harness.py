"""What the benchmarks share: emulators as their own processes, and timed query runs."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from erp_backends import registry
from gateway.wiring.server import bind
from tests.harness import STAFF_TOKEN, EmulatorCalls, bearer


@contextmanager
def sandbox(system: str, latency_ms: float, *options: str) -> Iterator[str]:
    """`erp-gateway sandbox <system>` on a free port, as its own process, as a real
    backend would be; yields its URL."""
    title = next(kind.title for kind in registry.kinds() if kind.name == system)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    command = [sys.executable, "-m", "gateway", "sandbox", system]
    # No access log: a line per request cost the emulator a seventh of its CPU, which
    # it takes from the gateway's machine in every benchmark.
    command += ["--port", str(port), "--latency-ms", str(latency_ms), "--no-access-log"]
    command += options
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(f"{title} emulator"):
                break
        else:
            raise SystemExit(f"the {system} emulator did not start")
        # Keep reading its output: a full pipe would block the emulator mid-benchmark.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class ServedGateway:
    url: str
    group: int  # the process group of its supervisor and workers, for CPU accounting


@contextmanager
def served_gateway(
    config: str, workers: int, environ: Mapping[str, str]
) -> Iterator[ServedGateway]:
    """`erp-gateway serve --workers N` with `config` as its gateway.toml and `environ`
    added to its environment (the secrets), as an operator runs it; yields its URL and
    process group once every process answers."""
    folder = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    (folder / "gateway.toml").write_text(config, encoding="utf-8")
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(folder / "gateway.toml")]
    command += ["--port", str(port), "--workers", str(workers)]
    log = (folder / "gateway.log").open("w")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **environ},
        start_new_session=True,  # its own process group: the workers stop with it
    )
    try:
        deadline = time.monotonic() + 60
        while (folder / "gateway.log").read_text().count("Application startup complete") < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the gateway did not start; see {folder / 'gateway.log'}")
            time.sleep(0.1)
        yield ServedGateway(f"http://127.0.0.1:{port}", process.pid)
    finally:
        # A worker finishes the commands it holds before it stops, which a throttled ERP
        # can make long; a benchmark has measured what it came for by now.
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def group_cpu_s(group: int) -> float:
    """CPU seconds used so far by every thread of every process of a process group, to
    the nanosecond (the scheduler's own account in `/proc/<pid>/task/<tid>/schedstat`;
    `/proc/<pid>/stat` counts in ticks of 10 ms, a third of one query)."""
    total_ns = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                if int(file.read().rsplit(")", 1)[1].split()[2]) != group:  # pgrp
                    continue
            for task in os.listdir(f"/proc/{entry}/task"):
                with open(f"/proc/{entry}/task/{task}/schedstat") as file:
                    total_ns += int(file.read().split()[0])  # time on a CPU
        except OSError:  # gone since listed
            continue
    return total_ns / 1e9


def this_process_but_this_thread_s() -> float:
    """CPU seconds of this process outside the calling thread: the gateway's, when it
    is served in a thread here (`serve_in_thread`) and the client is the caller."""
    return time.process_time() - time.thread_time()


@dataclass
class Runs:
    timings_ms: list[float]
    calls: list[dict[str, int]]  # per run: backend role -> calls it received
    # per run: CPU time the gateway spent on it (see `timed_runs`)
    server_cpu_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings_ms)

    def percentile(self, pct: int) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]

    @property
    def median_server_cpu_ms(self) -> float:
        return statistics.median(self.server_cpu_ms)

    def median_calls(self, role: str) -> float:
        return statistics.median(run[role] for run in self.calls)

    def spread(self) -> str:
        return f"p10 {self.percentile(10):.1f}, p90 {self.percentile(90):.1f}"


def timed_runs(
    gateway: str,
    body: dict,
    runs: int,
    backends: Mapping[str, EmulatorCalls],
    *,
    warm_up: int = 3,
    server_cpu_s: Callable[[], float] = this_process_but_this_thread_s,
) -> Runs:
    """Send `body` `runs` times after `warm_up` runs, timing each, counting the calls
    each backend received for it, and the gateway's CPU time by `server_cpu_s` (by
    default: a gateway served in a thread of this process)."""
    timings, calls, server_cpu = [], [], []
    with httpx.Client(base_url=gateway, timeout=60, headers=bearer(STAFF_TOKEN)) as client:
        for _ in range(warm_up):  # logins, field names, reference codes, owner lists
            client.post("/graphql", json=body).raise_for_status()
        for _ in range(runs):
            for counter in backends.values():
                counter.reset()
            cpu = server_cpu_s()
            started = time.perf_counter()
            response = client.post("/graphql", json=body)
            timings.append((time.perf_counter() - started) * 1000)
            server_cpu.append((server_cpu_s() - cpu) * 1000)
            answer = response.json()
            if "errors" in answer:
                raise SystemExit(f"the query failed: {answer['errors']}")
            calls.append({role: counter.total() for role, counter in backends.items()})
    return Runs(timings, calls, server_cpu)
