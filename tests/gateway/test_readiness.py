"""`/readyz`: what serving needs, check by check, against a Redis the test stops."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import redis

from gateway.config import AuthSettings, CacheSettings, QueueSettings, Settings
from gateway.secrets import Secret
from gateway.wiring.readiness import PASSED, Outcome, Readiness
from tests.harness import NO_CACHE, TEST_SECRET, FakeClock, odoo_settings
from tests.inprocess import in_process_gateway
from tests.servers import free_port

READYZ = "/readyz"


class PrivateRedis:
    """A redis-server of the test's own on a free port, which it stops and starts again
    on that port: the shared Redis at 6379 is never touched."""

    def __init__(self, workdir: Path, password: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("no redis-server installed: /readyz against a stopped Redis not run")
        self.port = free_port()
        self.argv = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.argv += ["--appendonly", "no", "--dir", str(workdir)]
        if password is not None:
            self.argv += ["--requirepass", password]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not listen on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def private_redis(workdir: Path, password: str | None = None) -> Iterator[PrivateRedis]:
    server = PrivateRedis(workdir, password)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def settings_over(
    tmp_path: Path, cache_url: str = "memory://", queue_url: str | None = None
) -> Settings:
    """The gateway in front of the in-process Odoo emulator, with its cache and queue
    where the test says and its token store in `tmp_path`."""
    settings = odoo_settings("http://erp.in-process")
    queue = queue_url or f"sqlite:///{tmp_path}/queue/queue.sqlite3"
    return replace(
        settings,
        cache=replace(NO_CACHE, url=cache_url),
        queue=QueueSettings(url=queue, worker=False),
        auth=AuthSettings(secret=TEST_SECRET, store=f"sqlite:///{tmp_path}/auth/auth.sqlite3"),
    )


def checks_of(answer: httpx.Response) -> dict[str, dict[str, str]]:
    body = answer.json()
    assert body["status"] == ("ok" if answer.status_code == 200 else "failed")
    return body["checks"]


@pytest.mark.slow
def test_readyz_follows_a_redis_that_stops_and_starts_again(tmp_path, odoo_emulator_app):
    # Given a gateway whose cache and queue are a private Redis
    with private_redis(tmp_path) as server:
        clock = FakeClock()
        settings = settings_over(tmp_path, server.url, server.url)
        with in_process_gateway(settings, {"erp": odoo_emulator_app}, clock=clock) as client:
            # when everything answers, then it is ready, check by check
            answer = client.get(READYZ)
            assert answer.status_code == 200, answer.text
            assert checks_of(answer) == {
                "cache": {"status": "ok"},
                "queue": {"status": "ok"},
                "auth_store": {"status": "ok"},
            }
            assert answer.headers["cache-control"] == "no-store"

            # when Redis stops, then (once the last answer is stale) it is not, naming why
            server.stop()
            clock.advance(2)
            answer = client.get(READYZ)
            assert answer.status_code == 503, answer.text
            checks = checks_of(answer)
            assert checks["cache"] == {"status": "failed", "reason": "Redis unreachable"}
            assert checks["queue"] == {"status": "failed", "reason": "Redis unreachable"}
            assert checks["auth_store"] == {"status": "ok"}
            assert str(server.port) not in answer.text  # no address for strangers

            # when it is back, then so is the gateway
            server.start()
            clock.advance(2)
            answer = client.get(READYZ)
            assert answer.status_code == 200, answer.text


@pytest.mark.slow
def test_a_flood_of_probes_opens_no_connection_per_probe(tmp_path, odoo_emulator_app):
    # Given a gateway whose cache is a private Redis, and a client counting its connections
    with private_redis(tmp_path) as server:
        clock = FakeClock()
        settings = settings_over(tmp_path, server.url)
        counter = redis.Redis.from_url(server.url)
        with in_process_gateway(settings, {"erp": odoo_emulator_app}, clock=clock) as client:
            assert client.get(READYZ).status_code == 200
            before = counter.info("stats")["total_connections_received"]
            # when 60 probes come, with a new round of checks due every third one
            for probe in range(60):
                if probe % 3 == 0:
                    clock.advance(2)
                assert client.get(READYZ).status_code == 200
            # then the rounds reused the connection they had
            after = counter.info("stats")["total_connections_received"]
        counter.close()
        assert after - before <= 1


@pytest.mark.slow
def test_a_wrong_redis_password_is_named_and_never_shown(tmp_path, odoo_emulator_app):
    # Given a Redis with a password, and a gateway configured with another one
    with private_redis(tmp_path, password="right-password-123") as server:
        settings = settings_over(tmp_path, server.url)
        cache = CacheSettings(url=server.url, password=Secret("wrong-password-456"))
        settings = replace(settings, cache=replace(cache, ttls=NO_CACHE.ttls))
        with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
            # when a stranger probes, then the answer says what failed and nothing more
            answer = client.get(READYZ)
    assert answer.status_code == 503
    assert checks_of(answer)["cache"] == {
        "status": "failed",
        "reason": "Redis refused the password",
    }
    assert "password-456" not in answer.text
    assert "redis://" not in answer.text


def test_a_store_that_cannot_be_read_fails_its_check(tmp_path, odoo_emulator_app):
    # Given a gateway whose token store and queue are SQLite files, its cache in memory
    clock = FakeClock()
    settings = settings_over(tmp_path)
    with in_process_gateway(settings, {"erp": odoo_emulator_app}, clock=clock) as client:
        answer = client.get(READYZ)
        assert answer.status_code == 200, answer.text
        assert checks_of(answer) == {"queue": {"status": "ok"}, "auth_store": {"status": "ok"}}
        # when the token store's file is overwritten with something that is not SQLite
        store = tmp_path / "auth" / "auth.sqlite3"
        store.parent.mkdir(exist_ok=True)
        store.write_bytes(b"not a database" * 100)
        clock.advance(2)
        answer = client.get(READYZ)
    # then the auth store's check fails, and the queue's does not
    assert answer.status_code == 503
    checks = checks_of(answer)
    assert checks["auth_store"] == {"status": "failed", "reason": "SQLite file unreadable"}
    assert checks["queue"] == {"status": "ok"}
    assert str(tmp_path) not in answer.text


def test_a_store_whose_folder_cannot_be_made_fails_its_check(tmp_path, odoo_emulator_app):
    # Given a token store under a path where a file stands in for its folder
    (tmp_path / "auth").write_text("a file, not a folder")
    settings = settings_over(tmp_path)
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        answer = client.get(READYZ)
    # then its check fails (the queue's, in a folder yet to be made, passes)
    assert answer.status_code == 503
    checks = checks_of(answer)
    assert checks["auth_store"] == {"status": "failed", "reason": "SQLite folder not writable"}
    assert checks["queue"] == {"status": "ok"}


class CountingCheck:
    """A check that answers `outcome` once the test sets `release`."""

    def __init__(self, outcome: Outcome = PASSED) -> None:
        self.calls = 0
        self.outcome = outcome
        self.release = asyncio.Event()

    async def __call__(self) -> Outcome:
        self.calls += 1
        await self.release.wait()
        return self.outcome


def test_probes_at_once_share_one_round_and_a_fresh_answer():
    async def scenario() -> None:
        # Given a readiness whose one check is held until the test releases it
        clock = FakeClock()
        check = CountingCheck()
        readiness = Readiness({"store": check}, clock=clock)
        # when twenty probes arrive while it runs
        probes = [asyncio.create_task(readiness.report()) for _ in range(20)]
        await asyncio.sleep(0)
        check.release.set()
        reports = await asyncio.gather(*probes)
        # then they all got the one round's answer
        assert check.calls == 1
        assert all(report.ready for report in reports)
        # and a probe within the second gets it again; a later one a new round
        await readiness.report()
        assert check.calls == 1
        clock.advance(1.5)
        await readiness.report()
        assert check.calls == 2

    asyncio.run(scenario())


def test_a_check_that_does_not_answer_fails_on_its_timeout():
    async def scenario() -> None:
        # Given a check that never answers
        hung, other = CountingCheck(), CountingCheck()
        other.release.set()
        readiness = Readiness({"store": hung, "other": other}, timeout_s=0.01)
        # when probed, then it fails on its own timeout and the other check passes
        report = await readiness.report()
        assert not report.ready
        assert report.as_json()["checks"] == {
            "store": {"status": "failed", "reason": "no answer within 0.01 s"},
            "other": {"status": "ok"},
        }

    asyncio.run(scenario())


def test_a_probe_that_hangs_up_does_not_cancel_the_round_others_wait_for():
    async def scenario() -> None:
        check = CountingCheck()
        readiness = Readiness({"store": check})
        leaving = asyncio.create_task(readiness.report())
        staying = asyncio.create_task(readiness.report())
        await asyncio.sleep(0)
        leaving.cancel()
        await asyncio.sleep(0)
        check.release.set()
        assert (await staying).ready
        assert check.calls == 1

    asyncio.run(scenario())


def test_a_check_that_raises_fails_alone():
    async def broken() -> Outcome:
        raise RuntimeError("a bug in a check")

    async def scenario() -> None:
        passing = CountingCheck()
        passing.release.set()
        report = await Readiness({"broken": broken, "fine": passing}).report()
        assert report.as_json()["checks"] == {
            "broken": {"status": "failed", "reason": "the check failed"},
            "fine": {"status": "ok"},
        }

    asyncio.run(scenario())
