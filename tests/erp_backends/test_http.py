"""Retries, backoff and the circuit breaker of BackendHttp, against canned answers."""

import httpx
import pytest
import respx

from erp_backends.errors import BackendRateLimited, BackendTimeout, BackendUnavailable
from erp_backends.http import URLS_KEPT, BackendHttp, CircuitOpen, Resilience

URL = "http://backend.test"


class FakeTime:
    """A clock that only moves when the code under test sleeps (or the test says so)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
async def backend(fake_time):
    async with httpx.AsyncClient() as client:

        def make(**policy):
            return BackendHttp(
                client,
                URL,
                backend="crm",
                system="HubSpot",
                resilience=Resilience(**policy),
                sleep=fake_time.sleep,
                clock=fake_time.clock,
            )

        yield make


@respx.mock
async def test_a_read_is_retried_after_a_503_with_jittered_backoff(backend, fake_time):
    route = respx.get(f"{URL}/x").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json=[])]
    )
    response = await backend(retries=2, backoff_s=0.2).request("GET", "/x", read=True)
    assert response.status_code == 200
    assert route.call_count == 3
    assert 0 <= fake_time.sleeps[0] <= 0.2
    assert 0 <= fake_time.sleeps[1] <= 0.4


@respx.mock
async def test_a_write_is_sent_once(backend):
    route = respx.post(f"{URL}/x").mock(return_value=httpx.Response(503))
    with pytest.raises(BackendUnavailable, match="HubSpot answered POST /x with HTTP 503"):
        await backend(retries=3).request("POST", "/x", read=False)
    assert route.call_count == 1


@respx.mock
async def test_retry_after_is_honoured(backend, fake_time):
    respx.get(f"{URL}/x").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)]
    )
    await backend(retries=1).request("GET", "/x", read=True)
    assert fake_time.sleeps == [2.0]


@respx.mock
async def test_a_retry_after_longer_than_we_wait_fails_at_once(backend, fake_time):
    route = respx.get(f"{URL}/x").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "60"})
    )
    with pytest.raises(BackendRateLimited) as raised:
        await backend(retries=3, max_backoff_s=5).request("GET", "/x", read=True)
    assert raised.value.retry_after == 60
    assert route.call_count == 1
    assert fake_time.sleeps == []


@respx.mock
async def test_timeouts_are_retried_then_reported(backend):
    route = respx.get(f"{URL}/x").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(BackendTimeout, match="HubSpot did not answer within 1s"):
        await backend(retries=2, timeout_s=1).request("GET", "/x", read=True)
    assert route.call_count == 3


@respx.mock
async def test_other_answers_go_back_to_the_caller_untouched(backend):
    route = respx.get(f"{URL}/x").mock(return_value=httpx.Response(500, json={"name": "x"}))
    response = await backend(retries=2).request("GET", "/x", read=True)
    assert response.status_code == 500
    assert route.call_count == 1


@respx.mock
async def test_the_circuit_opens_after_repeated_failures_and_fails_fast(backend, fake_time):
    route = respx.get(f"{URL}/x").mock(side_effect=httpx.ConnectError("refused"))
    http = backend(retries=0, circuit_failures=3, circuit_reset_s=30)
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            await http.request("GET", "/x", read=True)
    assert http.breaker.state == "open"

    with pytest.raises(CircuitOpen, match="next try is in 30s"):
        await http.request("GET", "/x", read=True)
    assert route.call_count == 3  # the open circuit did not call the backend


@respx.mock
async def test_after_the_reset_time_one_probe_closes_or_reopens_it(backend, fake_time):
    route = respx.get(f"{URL}/x").mock(side_effect=httpx.ConnectError("refused"))
    http = backend(retries=0, circuit_failures=1, circuit_reset_s=30)
    with pytest.raises(BackendUnavailable):
        await http.request("GET", "/x", read=True)

    fake_time.now += 30  # a failed probe opens the circuit again for another 30 s
    with pytest.raises(BackendUnavailable):
        await http.request("GET", "/x", read=True)
    assert http.breaker.state == "open"
    assert route.call_count == 2
    fake_time.now += 10
    with pytest.raises(CircuitOpen):
        await http.request("GET", "/x", read=True)

    fake_time.now += 20  # the backend is back: the probe succeeds and closes the circuit
    route.mock(side_effect=None, return_value=httpx.Response(200))
    assert (await http.request("GET", "/x", read=True)).status_code == 200
    assert http.breaker.state == "closed"


@respx.mock
async def test_while_a_probe_is_out_other_calls_fail_fast(backend, fake_time):
    respx.get(f"{URL}/x").mock(side_effect=httpx.ConnectError("refused"))
    http = backend(retries=0, circuit_failures=1, circuit_reset_s=5)
    with pytest.raises(BackendUnavailable):
        await http.request("GET", "/x", read=True)
    fake_time.now += 5
    assert http.breaker.retry_in() is None  # this caller is the probe
    assert http.breaker.state == "half-open"
    assert http.breaker.retry_in() == 0.0  # everyone else waits for its outcome


@respx.mock
async def test_throttling_does_not_open_the_circuit(backend):
    respx.get(f"{URL}/x").mock(return_value=httpx.Response(429))
    http = backend(retries=0, circuit_failures=2)
    for _ in range(5):
        with pytest.raises(BackendRateLimited):
            await http.request("GET", "/x", read=True)
    assert http.breaker.state == "closed"


@respx.mock
async def test_paths_beyond_the_parsed_urls_kept_are_sent_where_they_name(backend):
    # A path's URL is parsed once and kept, up to URLS_KEPT paths; the rest each time.
    route = respx.get(url__regex=rf"{URL}/records/\d+").mock(return_value=httpx.Response(200))
    http = backend()
    paths = [f"/records/{i}" for i in range(URLS_KEPT + 3)] + ["/records/1", "/records/1"]
    for path in paths:
        await http.request("GET", path, read=True, params={"q": path})
    sent = [(call.request.url.path, call.request.url.params["q"]) for call in route.calls]
    assert sent == [(path, path) for path in paths]
