"""The HubSpot emulator over real HTTP: CRM v3/v4 shapes, errors, paging, rate-limit
headers, call counting and faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.hubspot.emulator import EmulatorOptions, create_app
from erp_backends.rate_limit import RateLimit
from tests.servers import serve_in_thread

AUTH = {"Authorization": "Bearer pat-demo"}
ERROR_KEYS = {"status", "message", "correlationId", "category"}
KNOWN_EMAIL = "sales@horizon-supply.nl"  # the seed-1 ERP's first customer
RATE_HEADERS = {
    "x-hubspot-ratelimit-daily",
    "x-hubspot-ratelimit-daily-remaining",
    "x-hubspot-ratelimit-interval-milliseconds",
    "x-hubspot-ratelimit-max",
    "x-hubspot-ratelimit-remaining",
}


def post(url: str, path: str, body: Any, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=body, headers=kwargs.pop("headers", AUTH), **kwargs)


def get(url: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(f"{url}{path}", headers=kwargs.pop("headers", AUTH), **kwargs)


def batch_read(url: str, kind: str, ids: list[str], **body: Any) -> httpx.Response:
    inputs = [{"id": key} for key in ids]
    return post(url, f"/crm/v3/objects/{kind}/batch/read", {"inputs": inputs, **body})


def contact_id(url: str, email: str) -> str:
    return str(get(url, f"/crm/v3/objects/contacts/{email}?idProperty=email").json()["id"])


# --- auth and errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer pat-wrong"}, {"Authorization": "Basic cGF0LWRlbW8="}]
)
def test_calls_without_the_apps_token_are_refused(hubspot_emulator_url, headers):
    response = get(hubspot_emulator_url, "/crm/v3/objects/contacts", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["category"] == "INVALID_AUTHENTICATION"


def test_unknown_object_types_and_unique_properties_are_validation_errors(hubspot_emulator_url):
    unknown = get(hubspot_emulator_url, "/crm/v3/objects/widgets")
    by_name = batch_read(hubspot_emulator_url, "contacts", ["x"], idProperty="firstname")
    for response in (unknown, by_name):
        assert response.status_code == 400
        assert response.json()["category"] == "VALIDATION_ERROR"


def test_batches_of_more_than_100_or_with_duplicates_are_refused(hubspot_emulator_url):
    too_many = batch_read(hubspot_emulator_url, "contacts", [str(i) for i in range(101)])
    twice = batch_read(hubspot_emulator_url, "contacts", ["1001", "1001"])
    assert (too_many.status_code, twice.status_code) == (400, 400)
    assert "Duplicate IDs" in twice.json()["message"]


# --- objects ----------------------------------------------------------------------------


def test_batch_read_by_email_answers_207_naming_the_inputs_not_found(hubspot_emulator_url):
    # Given one known email (in another case) and one unknown
    emails = [KNOWN_EMAIL.upper(), "no@x.test"]
    properties = ["email", "mobilephone", "nosuch"]
    response = batch_read(
        hubspot_emulator_url, "contacts", emails, idProperty="email", properties=properties
    )
    # Then the known contact comes back and the unknown one is named in errors[]
    assert response.status_code == 207
    body = response.json()
    assert body["status"] == "COMPLETE"
    assert body["numErrors"] == 1
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"] == {"ids": ["no@x.test"]}
    [contact] = body["results"]
    assert set(contact) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    properties = contact["properties"]
    assert properties["email"] == KNOWN_EMAIL
    assert properties["hs_object_id"] == contact["id"]
    # And a known property without a value is null; an unknown one is left out
    assert properties["mobilephone"] is None
    assert "nosuch" not in properties
    assert {"createdate", "lastmodifieddate"} <= set(properties)


def test_batch_read_of_found_records_is_200_with_string_values(hubspot_emulator_url):
    response = batch_read(
        hubspot_emulator_url,
        "deals",
        ["70001", "70002"],
        properties=["amount", "closedate", "hs_is_closed"],
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert len(body["results"]) == 2
    for deal in body["results"]:
        assert all(isinstance(v, str) for v in deal["properties"].values())


def test_listing_pages_with_after_through_every_contact(hubspot_emulator_url):
    seen: list[str] = []
    after: str | None = None
    while True:
        params = {
            "limit": 100,
            "properties": "email,lifecyclestage",
            **({"after": after} if after else {}),
        }
        body = get(hubspot_emulator_url, "/crm/v3/objects/contacts", params=params).json()
        seen += [c["id"] for c in body["results"]]
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert "after=" in body["paging"]["next"]["link"]
    assert len(seen) == len(set(seen)) > 300
    assert get(hubspot_emulator_url, "/crm/v3/objects/contacts").json()["paging"]  # 10 a page


def test_one_record_by_id_or_by_email(hubspot_emulator_url):
    key = contact_id(hubspot_emulator_url, KNOWN_EMAIL)
    again = get(hubspot_emulator_url, f"/crm/v3/objects/contacts/{key}?properties=email").json()
    missing = get(hubspot_emulator_url, "/crm/v3/objects/contacts/999999")
    assert again["properties"]["email"] == KNOWN_EMAIL
    assert missing.status_code == 404
    assert missing.json()["category"] == "OBJECT_NOT_FOUND"


def test_search_filters_by_email_and_pages_without_rate_limit_headers(hubspot_emulator_url):
    # Given a search for two emails, one per page
    filters = [
        {
            "propertyName": "email",
            "operator": "IN",
            "values": [KNOWN_EMAIL, "bram.bos@horizon-supply.nl"],
        }
    ]
    body = {"filterGroups": [{"filters": filters}], "properties": ["email"], "limit": 1}
    first = post(hubspot_emulator_url, "/crm/v3/objects/contacts/search", body)
    after = first.json()["paging"]["next"]["after"]
    second = post(hubspot_emulator_url, "/crm/v3/objects/contacts/search", {**body, "after": after})
    # Then both are found, and search answers carry no rate-limit headers
    assert first.json()["total"] == 2
    assert "paging" not in second.json()
    emails = {r["properties"]["email"] for r in first.json()["results"] + second.json()["results"]}
    assert emails == {KNOWN_EMAIL, "bram.bos@horizon-supply.nl"}
    assert not RATE_HEADERS & set(first.headers)


def test_search_with_eq_groups_sorts_and_refuses_bad_filters(hubspot_emulator_url):
    by_email = {"propertyName": "email", "operator": "EQ", "value": KNOWN_EMAIL.upper()}
    evangelist = {"propertyName": "lifecyclestage", "operator": "EQ", "value": "evangelist"}
    active = {"propertyName": "notes_last_updated", "operator": "HAS_PROPERTY"}
    groups = [{"filters": [by_email]}, {"filters": [evangelist, active]}]
    sorts = [{"propertyName": "createdate", "direction": "DESCENDING"}]
    query = {"filterGroups": groups, "sorts": sorts, "properties": ["email", "createdate"]}
    search = "/crm/v3/objects/contacts/search"
    body = post(hubspot_emulator_url, search, {**query, "limit": 200}).json()
    created = [r["properties"]["createdate"] for r in body["results"]]
    assert KNOWN_EMAIL in {r["properties"]["email"] for r in body["results"]}
    assert body["total"] > 1
    assert created == sorted(created, reverse=True)
    bad = post(
        hubspot_emulator_url,
        "/crm/v3/objects/contacts/search",
        {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE"}]}]},
    )
    assert bad.status_code == 400


# --- associations and owners ------------------------------------------------------------


def test_v4_associations_carry_type_ids_and_207_for_inputs_without_any(hubspot_emulator_url):
    key = contact_id(hubspot_emulator_url, KNOWN_EMAIL)
    path = "/crm/v4/associations/contacts/companies/batch/read"
    response = post(hubspot_emulator_url, path, {"inputs": [{"id": key}, {"id": "999999"}]})
    assert response.status_code == 207
    body = response.json()
    [result] = body["results"]
    assert result["from"] == {"id": key}
    [company] = result["to"]
    assert isinstance(company["toObjectId"], int)
    assert company["associationTypes"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
    ]
    error = body["errors"][0]
    assert error["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert error["context"]["fromObjectId"] == ["999999"]
    path = "/crm/v4/associations/companies/contacts/batch/read"
    back = post(hubspot_emulator_url, path, {"inputs": [{"id": str(company["toObjectId"])}]}).json()
    assert int(key) in {to["toObjectId"] for to in back["results"][0]["to"]}


def test_owners_page_and_leave_out_the_former_owner(hubspot_emulator_url):
    owners, after = [], None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        body = get(hubspot_emulator_url, "/crm/v3/owners/", params=params).json()
        owners += body["results"]
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
    former = get(hubspot_emulator_url, "/crm/v3/owners", params={"archived": "true"}).json()
    assert 6 <= len(owners) <= 8
    assert not any(o["archived"] for o in owners)
    assert {"id", "email", "firstName", "lastName", "userId", "teams"} <= set(owners[0])
    assert [o["archived"] for o in former["results"]] == [True]
    one = get(hubspot_emulator_url, f"/crm/v3/owners/{owners[0]['id']}").json()
    params = {"email": owners[0]["email"].upper()}
    by_email = get(hubspot_emulator_url, "/crm/v3/owners/", params=params).json()
    assert one == owners[0] == by_email["results"][0]


# --- rate-limit headers, calls, faults ----------------------------------------------------


def test_answers_carry_hubspots_rate_limit_headers(hubspot_emulator_url):
    first = get(hubspot_emulator_url, "/crm/v3/owners/")
    second = get(hubspot_emulator_url, "/crm/v3/owners/")
    refused = get(hubspot_emulator_url, "/crm/v3/owners/", headers={})
    assert set(first.headers) >= RATE_HEADERS
    assert set(refused.headers) >= RATE_HEADERS
    assert first.headers["x-hubspot-ratelimit-interval-milliseconds"] == "10000"
    remaining = [int(r.headers["x-hubspot-ratelimit-daily-remaining"]) for r in (first, second)]
    assert remaining[1] == remaining[0] - 1


def test_calls_are_counted_per_object_and_operation(hubspot_emulator_url):
    httpx.delete(f"{hubspot_emulator_url}/_emulator/calls").raise_for_status()
    batch_read(hubspot_emulator_url, "contacts", [KNOWN_EMAIL], idProperty="email")
    batch_read(hubspot_emulator_url, "companies", ["30001"])
    deals_of = "/crm/v4/associations/contacts/deals/batch/read"
    post(hubspot_emulator_url, deals_of, {"inputs": [{"id": "1001"}]})
    get(hubspot_emulator_url, "/crm/v3/owners/")
    get(hubspot_emulator_url, "/crm/v3/owners/", headers={})  # refused: not counted
    counted = httpx.get(f"{hubspot_emulator_url}/_emulator/calls").json()
    assert counted == {
        "total": 4,
        "calls": {
            "contacts.batch_read": 1,
            "companies.batch_read": 1,
            "associations.contacts.deals.batch_read": 1,
            "owners.list": 1,
        },
        "faults": {},
    }


@pytest.mark.slow
def test_the_rate_limit_answers_hubspots_429_body():
    # Given an emulator that allows 2 calls a minute
    faults = FaultOptions(rate_limit=RateLimit(2, 60.0))
    with serve_in_thread(create_app(EmulatorOptions(faults=faults))) as url:
        # When it is called three times
        statuses = [get(url, "/crm/v3/owners/").status_code for _ in range(2)]
        throttled = get(url, "/crm/v3/owners/")
        controls = httpx.get(f"{url}/_emulator/calls")
    # Then the third is refused with HubSpot's own body and headers
    assert statuses == [200, 200]
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["status"] == "error"
    assert body["correlationId"]
    assert throttled.headers["x-hubspot-ratelimit-remaining"] == "0"
    assert int(throttled.headers["Retry-After"]) >= 1
    assert controls.status_code == 200


@pytest.mark.slow
def test_the_token_comes_from_the_options_and_faults_wrap_the_api():
    options = EmulatorOptions(token="pat-na1-test")
    with serve_in_thread(create_app(options)) as url:
        accepted = get(url, "/crm/v3/owners/", headers={"Authorization": "Bearer pat-na1-test"})
        refused = get(url, "/crm/v3/owners/")
    with serve_in_thread(create_app(EmulatorOptions(faults=FaultOptions(fail_rate=1.0)))) as url:
        failed = get(url, "/crm/v3/owners/")
        controls = httpx.get(f"{url}/_emulator/calls")
    assert (accepted.status_code, refused.status_code) == (200, 401)
    assert (failed.status_code, controls.status_code) == (503, 200)
