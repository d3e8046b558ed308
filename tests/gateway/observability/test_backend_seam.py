"""The observer seam of `BackendHttp`: told of every request sent, with its outcome, able
to add headers; a request never sent (an open circuit) is no call."""

from __future__ import annotations

import httpx
import pytest

from erp_backends.errors import BackendUnavailable
from erp_backends.http import BackendHttp, CircuitOpen, Resilience
from gateway.observability.backend_calls import call_outcome


class Recorder:
    def __init__(self):
        self.ended = []

    def sending(self, backend, request):
        request.headers["x-observed"] = "yes"

        def done(status, error):
            self.ended.append((backend, request.method, call_outcome(status, error)))

        return done


async def no_sleep(_seconds):
    return None


def backend_over(answers, observer, **policy):
    seen = []

    def answer(request):
        seen.append(request.headers.get("x-observed"))
        return answers.pop(0)

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    http = BackendHttp(
        client,
        "http://backend.test",
        backend="crm",
        system="HubSpot",
        resilience=Resilience(**policy),
        sleep=no_sleep,
        observer=observer,
    )
    return http, seen


async def test_every_attempt_is_observed_with_its_outcome():
    recorder = Recorder()
    answers = [httpx.Response(503), httpx.Response(404), httpx.Response(200)]
    http, seen = backend_over(answers, recorder, retries=2)
    response = await http.request("GET", "/x", read=True)
    assert response.status_code == 404  # a 4xx goes back to the system client
    assert recorder.ended == [("crm", "GET", "unavailable"), ("crm", "GET", "client_error")]
    assert seen == ["yes", "yes"]  # the observer's header went out with each attempt


async def test_a_call_refused_by_the_open_circuit_is_not_a_call():
    recorder = Recorder()
    http, seen = backend_over([httpx.Response(503)], recorder, retries=0, circuit_failures=1)
    with pytest.raises(BackendUnavailable):
        await http.request("POST", "/x", read=False)
    with pytest.raises(CircuitOpen):
        await http.request("POST", "/x", read=False)
    assert recorder.ended == [("crm", "POST", "unavailable")]
    assert seen == ["yes"]
