"""CORS: browser apps on the configured origins may call the API; no other page can.

What a browser does, as headers: a preflight (`OPTIONS` with `Origin` and
`Access-Control-Request-*`) before a POST with `Authorization`, then the request with
`Origin`; the page may read the answer only when `Access-Control-Allow-Origin` names it.
"""

from dataclasses import replace

import pytest

from gateway.config import ConfigError, HttpSettings, settings_from_dict
from tests.gateway.test_config import ENV, erp
from tests.harness import STAFF_TOKEN, bearer, odoo_settings
from tests.inprocess import in_process_gateway

ERP = "http://erp.in-process"
APP = "https://app.example.com"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}
QUERY = {"query": "{ viewer { kind } }"}


def gateway_for(odoo_emulator_app, *origins: str):
    settings = replace(odoo_settings(ERP), http=HttpSettings(cors_origins=origins))
    return in_process_gateway(settings, {"erp": odoo_emulator_app})


def test_without_cors_origins_no_page_may_read_an_answer(odoo_emulator_app):
    with gateway_for(odoo_emulator_app) as gateway:
        preflight = gateway.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
        answer = gateway.post(
            "/graphql", json=QUERY, headers={"Origin": APP, **bearer(STAFF_TOKEN)}
        )
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


def test_a_listed_origin_passes_the_preflight_and_reads_answers_and_refusals(
    odoo_emulator_app,
):
    with gateway_for(odoo_emulator_app, APP) as gateway:
        preflight = gateway.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
        answer = gateway.post(
            "/graphql", json=QUERY, headers={"Origin": APP, **bearer(STAFF_TOKEN)}
        )
        refused = gateway.post("/graphql", json=QUERY, headers={"Origin": APP, **bearer("x.y.z")})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed.split(", "))
    assert preflight.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in preflight.headers  # tokens, no cookies
    assert answer.json() == {"data": {"viewer": {"kind": "staff"}}}
    assert answer.headers["access-control-allow-origin"] == APP
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    assert "origin" in answer.headers["vary"].lower()  # a shared cache keeps them apart
    # The app can read why it was refused, not just that the request failed.
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == APP


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://app.example.com.evil.example", "null"]
)
def test_another_origin_gets_nothing_it_could_read(odoo_emulator_app, origin):
    with gateway_for(odoo_emulator_app, APP) as gateway:
        preflight = gateway.options("/graphql", headers={"Origin": origin, **PREFLIGHT})
        answer = gateway.post(
            "/graphql", json=QUERY, headers={"Origin": origin, **bearer(STAFF_TOKEN)}
        )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in answer.headers


def test_a_header_the_api_does_not_read_fails_the_preflight(odoo_emulator_app):
    headers = {"Origin": APP, **PREFLIGHT, "Access-Control-Request-Headers": "x-smuggled"}
    with gateway_for(odoo_emulator_app, APP) as gateway:
        assert gateway.options("/graphql", headers=headers).status_code == 400


def test_a_star_lets_every_origin_read_without_credentials(odoo_emulator_app):
    with gateway_for(odoo_emulator_app, "*") as gateway:
        answer = gateway.post(
            "/graphql",
            json=QUERY,
            headers={"Origin": "http://localhost:5173", **bearer(STAFF_TOKEN)},
        )
    assert answer.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("origins", "problem"),
    [
        (["https://app.example.com/"], "is not an origin"),
        (["https://app.example.com/portal"], "is not an origin"),
        (["app.example.com"], "is not an origin"),
        (["ftp://app.example.com"], "is not an origin"),
        (["*", APP], '"*" allows every origin'),
        ("https://app.example.com", "expected a list of strings"),
    ],
)
def test_an_origin_a_browser_would_never_send_is_a_config_error(origins, problem):
    with pytest.raises(ConfigError, match=f"http.cors_origins: .*{problem}"):
        settings_from_dict({**erp(), "http": {"cors_origins": origins}}, ENV)


def test_configured_origins_are_read():
    data = {**erp(), "http": {"cors_origins": [APP, "http://localhost:5173"]}}
    assert settings_from_dict(data, ENV).http.cors_origins == (APP, "http://localhost:5173")
