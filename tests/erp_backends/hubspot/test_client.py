"""Protocol edge cases of the HubSpot client and adapter, against canned answers (respx).

The normal path runs against the emulator over HTTP in test_adapter.py; this file
covers answers the emulator does not give on demand: 429 bodies and headers, 207
partials with other errors, error bodies, odd shapes, and paging.
"""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from erp_backends.errors import BackendDataError, BackendRateLimited, BackendUnavailable
from erp_backends.http import BackendHttp, Resilience
from erp_backends.hubspot.adapter import HubSpotCrm
from erp_backends.hubspot.client import HubSpotClient
from erp_backends.hubspot.errors import (
    HubSpotAuthError,
    HubSpotRequestError,
    HubSpotServerError,
)

URL = "https://api.hubapi.test"
TOKEN = "pat-na1-token-that-must-never-leak"
CONTACTS = f"{URL}/crm/v3/objects/contacts/batch/read"
COMPANIES_OF = f"{URL}/crm/v4/associations/contacts/companies/batch/read"
DEALS_OF = f"{URL}/crm/v4/associations/contacts/deals/batch/read"
OWNERS = f"{URL}/crm/v3/owners/"
ONE_CONTACT = rf"^{URL}/crm/v3/objects/contacts/[^/?]+(\?.*)?$"
RATE_LIMITED = {
    "status": "error",
    "message": "You have reached your ten_secondly_rolling limit.",
    "errorType": "RATE_LIMIT",
    "correlationId": "c033cdaa-2c40-4a64-ae48-b4cec88dad24",
    "policyName": "TEN_SECONDLY_ROLLING",
    "requestId": "3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd",
}


async def no_sleep(_):
    pass


def client(http: httpx.AsyncClient, retries: int = 0) -> HubSpotClient:
    backend_http = BackendHttp(
        http,
        URL,
        backend="crm",
        system="HubSpot",
        resilience=Resilience(retries=retries),
        sleep=no_sleep,
    )
    return HubSpotClient(backend_http, TOKEN)


def contact(key: str, email: str, **properties: str | None) -> dict:
    return {
        "id": key,
        "properties": {"email": email, "hs_object_id": key, **properties},
        "createdAt": "2026-01-05T10:00:00.000Z",
        "updatedAt": "2026-01-05T10:00:00.000Z",
        "archived": False,
    }


def batch(results: list, errors: list | None = None, status: int = 200) -> httpx.Response:
    body: dict = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": "2026-10-10T10:00:00.000Z",
        "completedAt": "2026-10-10T10:00:00.050Z",
    }
    if errors:
        body.update(numErrors=len(errors), errors=errors)
    return httpx.Response(status, json=body)


def not_found(*ids: str) -> dict:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
        "context": {"ids": list(ids)},
    }


def inputs(call) -> list:
    return json.loads(call.request.content)["inputs"]


@pytest.fixture
async def http():
    async with httpx.AsyncClient() as http:
        yield http


# --- batches ----------------------------------------------------------------------------


@respx.mock
async def test_a_207_leaves_out_what_was_not_found_and_sends_the_bearer_token(http):
    route = respx.post(CONTACTS).mock(
        return_value=batch([contact("51", "ada@x.test")], [not_found("nobody@x.test")], status=207)
    )

    rows = await client(http).batch_read(
        "contacts", ["ada@x.test", "nobody@x.test"], ["email"], id_property="email"
    )

    assert [row["id"] for row in rows] == ["51"]
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {
        "inputs": [{"id": "ada@x.test"}, {"id": "nobody@x.test"}],
        "properties": ["email"],
        "idProperty": "email",
    }


@respx.mock
async def test_other_errors_of_a_207_fail_the_call(http):
    invalid = {"status": "error", "category": "VALIDATION_ERROR", "message": "Property bad"}
    respx.post(CONTACTS).mock(return_value=batch([], [invalid], status=207))
    with pytest.raises(HubSpotRequestError) as raised:
        await client(http).batch_read("contacts", ["1"], ["email"])
    assert raised.value.category == "VALIDATION_ERROR"


@respx.mock
async def test_more_than_100_inputs_go_in_chunks_of_100(http):
    route = respx.post(CONTACTS).mock(return_value=batch([]))
    await client(http).batch_read("contacts", [str(n) for n in range(250)], ["email"])
    assert sorted(len(inputs(call)) for call in route.calls) == [50, 100, 100]


@respx.mock
async def test_association_pages_are_followed_per_input(http):
    def to(*ids: int) -> list:
        return [
            {
                "toObjectId": i,
                "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 4, "label": None}],
            }
            for i in ids
        ]

    first = batch(
        [
            {"from": {"id": "1"}, "to": to(10, 11), "paging": {"next": {"after": "MTE="}}},
            {"from": {"id": "2"}, "to": to(20)},
        ]
    )
    second = batch([{"from": {"id": "1"}, "to": [{"toObjectId": "12", "associationTypes": []}]}])
    route = respx.post(DEALS_OF).mock(side_effect=[first, second])

    found = await client(http).associations("contacts", "deals", ["1", "2"])

    assert {key: [a.id for a in links] for key, links in found.items()} == {
        "1": ["10", "11", "12"],
        "2": ["20"],
    }
    assert inputs(route.calls[1]) == [{"id": "1", "after": "MTE="}]


@respx.mock
async def test_owners_are_read_page_by_page(http):
    page = {
        "results": [{"id": "7", "firstName": "Ada", "lastName": "L", "email": "a@x.test"}],
        "paging": {"next": {"after": "NTI1Cg%3D%3D", "link": "?after=NTI1Cg%3D%3D"}},
    }
    last = {"results": [{"id": "8", "firstName": None, "lastName": None, "email": "b@x.test"}]}
    route = respx.get(OWNERS).mock(
        side_effect=[httpx.Response(200, json=page), httpx.Response(200, json=last)]
    )

    owners = await client(http).owners()

    assert [o["id"] for o in owners] == ["7", "8"]
    assert route.calls[1].request.url.params["after"] == "NTI1Cg%3D%3D"


# --- errors -----------------------------------------------------------------------------


@respx.mock
async def test_429_is_rate_limited_and_retried_after_the_servers_hint(http):
    limited = httpx.Response(
        429,
        json=RATE_LIMITED,
        headers={
            "Retry-After": "1",
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        },
    )
    route = respx.post(CONTACTS).mock(side_effect=[limited, limited, batch([])])
    with pytest.raises(BackendRateLimited) as raised:
        await client(http).batch_read("contacts", ["1"], ["email"])
    assert raised.value.retry_after == 1.0
    assert await client(http, retries=1).batch_read("contacts", ["1"], ["email"]) == []
    assert route.call_count == 3


@pytest.mark.parametrize(
    ("status", "category", "expected"),
    [
        (401, "INVALID_AUTHENTICATION", HubSpotAuthError),
        (403, "MISSING_SCOPES", HubSpotAuthError),
        (400, "VALIDATION_ERROR", HubSpotRequestError),
        (404, "OBJECT_NOT_FOUND", HubSpotRequestError),
        (500, "INTERNAL_ERROR", HubSpotServerError),
    ],
)
@respx.mock
async def test_error_bodies_become_typed_errors(http, status, category, expected):
    body = {
        "status": "error",
        "message": "Something was wrong",
        "category": category,
        "correlationId": "aeb5e7a6-0c94-4e1b-9f0a-7b0bfbd5a83f",
    }
    respx.post(CONTACTS).mock(return_value=httpx.Response(status, json=body))
    with pytest.raises(expected) as raised:
        await client(http).batch_read("contacts", ["1"], ["email"])
    error = raised.value
    assert (error.status, error.category, error.backend) == (status, category, "crm")
    assert error.correlation_id == body["correlationId"]
    assert category in str(error)
    assert TOKEN not in str(error)
    assert isinstance(error, BackendUnavailable) == (status == 500)


@respx.mock
async def test_a_page_that_is_not_hubspots_is_a_request_error(http):
    respx.get(OWNERS).mock(return_value=httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(HubSpotRequestError, match="HTTP 404"):
        await client(http).owners()


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"status": "COMPLETE", "results": {"id": "1"}}, "results"),
        ({"status": "COMPLETE", "results": [], "errors": "many"}, "errors"),
        ({"results": [{"from": {"id": "1"}, "to": [{"toObjectId": None}]}]}, "toObjectId"),
        ({"results": [{"from": {}, "to": []}]}, "from.id"),
    ],
)
@respx.mock
async def test_unexpected_shapes_are_data_errors_naming_the_field(http, answer, field):
    respx.post(CONTACTS).mock(return_value=httpx.Response(200, json=answer))
    respx.post(COMPANIES_OF).mock(return_value=httpx.Response(200, json=answer))
    hubspot = client(http)
    read = (
        hubspot.associations("contacts", "companies", ["1"])
        if "from" in str(answer)
        else hubspot.batch_read("contacts", ["1"], ["email"])
    )
    with pytest.raises(BackendDataError, match=field):
        await read


# --- the adapter on odd records ---------------------------------------------------------


def route_profile(contact_row: dict, *, deals: list | None = None) -> None:
    """One contact read by its link value, with its deals' ids (v3 names)."""
    links = [{"id": d["id"], "type": "contact_to_deal"} for d in deals or []]
    answer = {**contact_row, "associations": {"deals": {"results": links}}}
    respx.get(url__regex=ONE_CONTACT).mock(return_value=httpx.Response(200, json=answer))
    respx.post(f"{URL}/crm/v3/objects/deals/batch/read").mock(return_value=batch(deals or []))
    respx.get(OWNERS).mock(return_value=httpx.Response(200, json={"results": []}))


@respx.mock
async def test_custom_stages_dates_in_milliseconds_and_closed_custom_pipelines(http):
    row = contact(
        "51",
        "ada@x.test",
        lifecyclestage="1057456",
        notes_last_updated="1767225600000",
        company="Ada Ltd",
    )
    deals = [
        {
            "id": "9",
            "properties": {
                "dealname": "Won",
                "dealstage": "1011",
                "hs_is_closed": "true",
                "amount": "10",
                "closedate": "2026-01-01T00:00:00Z",
            },
        },
        {
            "id": "8",
            "properties": {
                "dealname": "Open",
                "dealstage": "1010",
                "hs_is_closed": "false",
                "amount": "1500.5",
                "deal_currency_code": "chf",
                "closedate": "2026-12-15",
            },
        },
    ]
    route_profile(row, deals=deals)

    found = await HubSpotCrm(client(http), currency="EUR").profiles_by_link(["Ada@X.test"])

    profile = found["Ada@X.test"]
    assert profile.lifecycle_stage is not None
    assert profile.lifecycle_stage.value == "other"
    assert profile.company_name == "Ada Ltd"
    assert profile.last_activity_at is not None
    assert profile.last_activity_at.isoformat() == "2026-01-01T00:00:00+00:00"
    [deal] = profile.open_deals
    assert (deal.id, deal.stage, str(deal.closes_on)) == ("8", "1010", "2026-12-15")
    assert deal.amount is not None
    assert (str(deal.amount.amount), deal.amount.currency) == ("1500.50", "CHF")


@pytest.mark.parametrize(
    ("properties", "named"),
    [
        ({"notes_last_updated": "last tuesday"}, "notes_last_updated"),
        ({"lifecyclestage": 3}, "lifecyclestage"),
    ],
)
@respx.mock
async def test_bad_contact_values_are_data_errors_naming_the_property(http, properties, named):
    route_profile(contact("51", "ada@x.test", **properties))
    with pytest.raises(BackendDataError, match=f"contact 51: property '{named}'"):
        await HubSpotCrm(client(http)).profiles_by_link(["ada@x.test"])


@respx.mock
async def test_bad_deal_amounts_and_currencies_are_data_errors(http):
    deals = [
        {
            "id": "8",
            "properties": {
                "dealname": "x",
                "dealstage": "qualifiedtobuy",
                "amount": "12",
                "deal_currency_code": "XXZ",
            },
        }
    ]
    route_profile(contact("51", "ada@x.test"), deals=deals)
    with pytest.raises(BackendDataError, match="deal 8: property 'deal_currency_code'"):
        await HubSpotCrm(client(http)).profiles_by_link(["ada@x.test"])


@respx.mock
async def test_another_unique_property_can_link_the_contact(http):
    # Given contacts linked by a custom unique property holding the ERP's reference
    row = contact("51", "ada@x.test", erp_reference="C00042")
    route_profile(row)
    crm = HubSpotCrm(client(http), id_property="erp_reference")
    # When profiles are asked for by reference
    found = await crm.profiles_by_link(["c00042"])
    # Then HubSpot was asked by that property, and the contact found by its value
    sent = respx.calls[0].request.url
    assert sent.path == "/crm/v3/objects/contacts/c00042"
    assert sent.params["idProperty"] == "erp_reference"
    assert "erp_reference" in sent.params["properties"].split(",")
    assert found["c00042"].id == "51"
    assert found["c00042"].email == "ada@x.test"


# --- one contact with its associations ----------------------------------------------------


@respx.mock
async def test_one_contact_comes_with_its_primary_company_and_deals_in_one_get(http):
    # Given a contact whose email must be escaped in a path, with a primary company
    # (named twice, as v3 names it) and another one, and a deal
    row = contact("51", "ada+eu@x.test")
    row["associations"] = {
        "companies": {
            "results": [
                {"id": "7", "type": "contact_to_company_unlabeled"},
                {"id": "9", "type": "contact_to_company"},
                {"id": "9", "type": "contact_to_company_unlabeled"},
            ]
        },
        "deals": {"results": [{"id": "8", "type": "contact_to_deal"}]},
    }
    one = respx.get(url__regex=ONE_CONTACT).mock(return_value=httpx.Response(200, json=row))
    companies = respx.post(f"{URL}/crm/v3/objects/companies/batch/read").mock(
        return_value=batch([{"id": "9", "properties": {"name": "Ada Ltd"}}])
    )
    respx.post(f"{URL}/crm/v3/objects/deals/batch/read").mock(return_value=batch([]))
    respx.get(OWNERS).mock(return_value=httpx.Response(200, json={"results": []}))
    # When its profile is asked for
    found = await HubSpotCrm(client(http)).profiles_by_link(["Ada+EU@x.test"])
    # Then one GET named it by email, escaped, with the associations asked for
    url = one.calls.last.request.url
    assert url.raw_path.startswith(b"/crm/v3/objects/contacts/ada%2Beu%40x.test?")
    assert url.params["idProperty"] == "email"
    assert url.params["associations"] == "companies,deals"
    # And the primary company is the one read, with no v4 association read
    assert inputs(companies.calls.last) == [{"id": "9"}]
    assert found["Ada+EU@x.test"].company_name == "Ada Ltd"
    assert [c.request.url.path for c in respx.calls if "v4" in c.request.url.path] == []


@respx.mock
async def test_associations_that_come_paged_are_read_whole_by_the_v4_batch(http):
    # Given a contact whose deals HubSpot pages in its GET, while its companies came whole
    row = contact("51", "ada@x.test")
    row["associations"] = {
        "deals": {
            "results": [{"id": "8", "type": "contact_to_deal"}],
            "paging": {"next": {"after": "MTA=", "link": "?after=MTA="}},
        }
    }
    respx.get(url__regex=ONE_CONTACT).mock(return_value=httpx.Response(200, json=row))
    every_deal = [{"toObjectId": n, "associationTypes": [{"typeId": 4}]} for n in (8, 10)]
    deals_of = respx.post(DEALS_OF).mock(
        return_value=batch([{"from": {"id": "51"}, "to": every_deal}])
    )
    companies_of = respx.post(COMPANIES_OF).mock(return_value=batch([]))
    deals = respx.post(f"{URL}/crm/v3/objects/deals/batch/read").mock(return_value=batch([]))
    respx.get(OWNERS).mock(return_value=httpx.Response(200, json={"results": []}))
    # When its profile is asked for
    await HubSpotCrm(client(http)).profiles_by_link(["ada@x.test"])
    # Then its deals were read whole by the v4 batch, and its companies not again
    assert inputs(deals_of.calls.last) == [{"id": "51"}]
    assert sorted(i["id"] for i in inputs(deals.calls.last)) == ["10", "8"]
    assert not companies_of.called


@pytest.mark.parametrize(
    ("answer", "profiles"),
    [
        (httpx.Response(404, json=not_found()), {}),
        (httpx.Response(200, json=contact("51", "someone-else@x.test")), {}),
    ],
)
@respx.mock
async def test_a_contact_that_is_not_there_has_no_profile(http, answer, profiles):
    respx.get(url__regex=ONE_CONTACT).mock(return_value=answer)
    assert await HubSpotCrm(client(http)).profiles_by_link(["ada@x.test"]) == profiles
    assert len(respx.calls) == 1


@pytest.mark.parametrize(
    ("answer", "error", "named"),
    [
        (httpx.Response(404, text="<html>Not Found</html>"), HubSpotRequestError, "HTTP 404"),
        (
            httpx.Response(200, json={**contact("51", "ada@x.test"), "associations": []}),
            BackendDataError,
            "associations",
        ),
        (
            httpx.Response(
                200,
                json={**contact("51", "ada@x.test"), "associations": {"deals": {"results": [{}]}}},
            ),
            BackendDataError,
            r"associations\[\]\.id/type",
        ),
    ],
)
@respx.mock
async def test_a_get_answer_that_is_not_hubspots_is_an_error_naming_it(http, answer, error, named):
    respx.get(url__regex=ONE_CONTACT).mock(return_value=answer)
    with pytest.raises(error, match=named):
        await HubSpotCrm(client(http)).profiles_by_link(["ada@x.test"])
