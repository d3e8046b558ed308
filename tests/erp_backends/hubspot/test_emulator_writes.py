"""Writes and one-object association reads on the HubSpot emulator, in-process, each
test on a fresh portal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from erp_backends.hubspot.emulator import create_app
from tests.inprocess import serve_in_process

AUTH = {"Authorization": "Bearer pat-demo"}
CONTACTS = "/crm/v3/objects/contacts"


@pytest.fixture
def portal():
    with serve_in_process(create_app()) as client:
        yield client


def call(portal: httpx.Client, method: str, path: str, status: int = 200, **kw: Any) -> Any:
    response = portal.request(method, path, headers=AUTH, **kw)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_update_by_email_moves_the_email_index(portal):
    contact = call(portal, "GET", CONTACTS, params={"limit": 1})["results"][0]
    old = contact["properties"]["email"]
    path = f"{CONTACTS}/{old}?idProperty=email"
    changed = call(portal, "PATCH", path, json={"properties": {"email": "moved@example.org"}})
    assert changed["id"] == contact["id"]
    assert changed["updatedAt"] >= contact["updatedAt"]
    found = call(portal, "GET", f"{CONTACTS}/moved@example.org", params={"idProperty": "email"})
    assert found["id"] == contact["id"]
    call(portal, "GET", f"{CONTACTS}/{old}", 404, params={"idProperty": "email"})
    call(portal, "PATCH", f"{CONTACTS}/999999", 404, json={"properties": {}})


@pytest.mark.parametrize(
    ("properties", "error"),
    [
        ({"hs_object_id": "5"}, "READ_ONLY_VALUE"),
        ({"email": "not an email"}, "INVALID_EMAIL"),
        ({"colour": "red"}, "PROPERTY_DOESNT_EXIST"),
    ],
)
def test_bad_properties_name_their_error(portal, properties, error):
    body = call(portal, "POST", CONTACTS, 400, json={"properties": properties})
    assert body["category"] == "VALIDATION_ERROR"
    assert error in body["message"]


def test_an_association_needs_a_known_type_and_an_existing_record(portal):
    def create(type_id: int, to: str) -> httpx.Response:
        association = {
            "to": {"id": to},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
        }
        body = {"properties": {"firstname": "A"}, "associations": [association]}
        return portal.post(CONTACTS, json=body, headers=AUTH)

    assert create(9999, "30001").status_code == 400
    assert create(279, "1").status_code == 400
    assert create(279, "30001").status_code == 201


def test_archiving_removes_the_record_and_its_associations(portal):
    page = call(portal, "GET", CONTACTS, params={"limit": 100, "associations": "companies"})
    contact = next(c for c in page["results"] if "associations" in c)
    company = contact["associations"]["companies"]["results"][0]["id"]
    call(portal, "DELETE", f"{CONTACTS}/{contact['id']}", 204)
    call(portal, "GET", f"{CONTACTS}/{contact['id']}", 404)
    back = f"/crm/v4/objects/companies/{company}/associations/contacts"
    ids = {
        str(r["toObjectId"]) for r in call(portal, "GET", back, params={"limit": 500})["results"]
    }
    assert contact["id"] not in ids


def test_one_objects_associations_page_with_after(portal):
    companies = call(portal, "GET", "/crm/v3/objects/companies", params={"limit": 100})
    for company in companies["results"]:
        path = f"/crm/v4/objects/companies/{company['id']}/associations/contacts"
        if len(call(portal, "GET", path)["results"]) >= 2:
            break
    first = call(portal, "GET", path, params={"limit": 1})
    second = call(
        portal, "GET", path, params={"limit": 1, "after": first["paging"]["next"]["after"]}
    )
    assert first["results"][0]["toObjectId"] != second["results"][0]["toObjectId"]
    assert first["paging"]["next"]["link"].endswith(f"after={first['paging']['next']['after']}")


# --- batch writes ----------------------------------------------------------------------------


def batch(portal: httpx.Client, kind: str, action: str, inputs: list, status: int = 200) -> Any:
    path = f"/crm/v3/objects/{kind}/batch/{action}"
    return call(portal, "POST", path, status, json={"inputs": inputs})


def by_email(portal: httpx.Client, email: str, status: int = 200) -> Any:
    return call(portal, "GET", f"{CONTACTS}/{email}", status, params={"idProperty": "email"})


def test_batch_create_answers_201_with_every_record(portal):
    inputs = [
        {"properties": {"email": "b1@example.org", "firstname": "B1"}, "objectWriteTraceId": "t1"},
        {"properties": {"email": "b2@example.org", "firstname": "B2"}},
    ]
    answer = batch(portal, "contacts", "create", inputs, 201)
    assert answer["status"] == "COMPLETE"
    assert {"startedAt", "completedAt"} <= set(answer)
    assert "errors" not in answer
    made = {r["properties"]["email"]: r for r in answer["results"]}
    assert set(made) == {"b1@example.org", "b2@example.org"}
    assert made["b1@example.org"]["objectWriteTraceId"] == "t1"
    assert by_email(portal, "b2@example.org")["id"] == made["b2@example.org"]["id"]


def test_a_batch_create_fails_whole_on_a_bad_input_or_a_taken_email(portal):
    taken = call(portal, "GET", CONTACTS, params={"limit": 1})["results"][0]
    fresh = {"properties": {"email": "fresh@example.org"}}
    bad = batch(portal, "contacts", "create", [fresh, {"properties": {"colour": "red"}}], 400)
    assert bad["category"] == "VALIDATION_ERROR"
    assert "PROPERTY_DOESNT_EXIST" in bad["message"]
    email = taken["properties"]["email"]
    conflict = batch(portal, "contacts", "create", [fresh, {"properties": {"email": email}}], 409)
    assert conflict["category"] == "CONFLICT"
    assert conflict["message"] == f"Contact already exists. Existing ID: {taken['id']}"
    twice = batch(portal, "contacts", "create", [fresh, fresh], 400)
    assert twice["category"] == "VALIDATION_ERROR"
    by_email(portal, "fresh@example.org", 404)  # nothing of either batch was made


def test_batches_take_at_most_100_inputs(portal):
    inputs = [{"properties": {"name": f"Co {n}"}} for n in range(101)]
    body = batch(portal, "companies", "create", inputs, 400)
    assert body["category"] == "VALIDATION_ERROR"
    assert "100" in body["message"]
    batch(portal, "companies", "archive", [{"id": str(n)} for n in range(101)], 400)


def test_batch_update_is_207_for_ids_not_found_and_updates_the_rest(portal):
    deal = call(portal, "GET", "/crm/v3/objects/deals", params={"limit": 1})["results"][0]
    inputs = [
        {"id": deal["id"], "properties": {"dealstage": "closedwon", "amount": 99.5}},
        {"id": "999999", "properties": {"dealstage": "closedlost"}},
    ]
    answer = batch(portal, "deals", "update", inputs, 207)
    assert answer["numErrors"] == 1
    error = answer["errors"][0]
    assert (error["status"], error["category"]) == ("error", "OBJECT_NOT_FOUND")
    assert error["context"]["ids"] == ["999999"]
    assert [r["id"] for r in answer["results"]] == [deal["id"]]
    read = call(portal, "GET", f"/crm/v3/objects/deals/{deal['id']}")
    assert (read["properties"]["dealstage"], read["properties"]["amount"]) == ("closedwon", "99.5")
    only_good = batch(portal, "deals", "update", inputs[:1])
    assert "errors" not in only_good


def test_batch_update_by_email_and_its_refusals(portal):
    contact = call(portal, "GET", CONTACTS, params={"limit": 1})["results"][0]
    email = contact["properties"]["email"]
    inputs = [{"id": email, "idProperty": "email", "properties": {"jobtitle": "Buyer"}}]
    answer = batch(portal, "contacts", "update", inputs)
    assert answer["results"][0]["id"] == contact["id"]
    shown = call(portal, "GET", f"{CONTACTS}/{contact['id']}", params={"properties": "jobtitle"})
    assert shown["properties"]["jobtitle"] == "Buyer"
    by_name = [{"id": "Ann", "idProperty": "firstname", "properties": {}}]
    body = batch(portal, "contacts", "update", by_name, 400)
    assert "non-unique" in body["message"]
    twice = [{"id": contact["id"], "properties": {}}] * 2
    assert "Duplicate IDs" in batch(portal, "contacts", "update", twice, 400)["message"]


def test_batch_upsert_creates_or_updates_by_email(portal):
    contact = call(portal, "GET", CONTACTS, params={"limit": 1})["results"][0]
    email = contact["properties"]["email"]
    inputs = [
        {"id": email, "idProperty": "email", "properties": {"lastname": "Upserted"}},
        {"id": "brand.new@example.org", "idProperty": "email", "properties": {"firstname": "N"}},
    ]
    answer = batch(portal, "contacts", "upsert", inputs)
    assert answer["status"] == "COMPLETE"
    new = {r["properties"]["email"]: r["new"] for r in answer["results"]}
    assert new == {email: False, "brand.new@example.org": True}
    assert by_email(portal, email)["properties"]["lastname"] == "Upserted"
    assert by_email(portal, "brand.new@example.org")["properties"]["firstname"] == "N"
    not_an_email = [{"id": "nobody", "idProperty": "email", "properties": {}}]
    body = batch(portal, "contacts", "upsert", not_an_email, 400)
    assert "INVALID_EMAIL" in body["message"]


@pytest.mark.parametrize(
    ("kind", "id_property"),
    [("contacts", "firstname"), ("companies", "domain"), ("contacts", None)],
)
def test_batch_upsert_needs_a_unique_id_property(portal, kind, id_property):
    item = {"id": "x", "properties": {}}
    if id_property:
        item["idProperty"] = id_property
    body = batch(portal, kind, "upsert", [item], 400)
    assert body["category"] == "VALIDATION_ERROR"


def test_batch_archive_is_204_and_the_records_are_gone(portal):
    made = batch(portal, "companies", "create", [{"properties": {"name": "Gone Ltd"}}], 201)
    key = made["results"][0]["id"]
    response = portal.post(
        "/crm/v3/objects/companies/batch/archive",
        json={"inputs": [{"id": key}, {"id": "999999"}]},
        headers=AUTH,
    )
    assert response.status_code == 204
    assert response.content == b""
    call(portal, "GET", f"/crm/v3/objects/companies/{key}", 404)


def test_batch_read_still_answers_after_batch_writes(portal):
    made = batch(portal, "contacts", "create", [{"properties": {"email": "r@example.org"}}], 201)
    key = made["results"][0]["id"]
    body = {"inputs": [{"id": key}, {"id": "999999"}], "properties": ["email"]}
    answer = call(portal, "POST", f"{CONTACTS}/batch/read", 207, json=body)
    assert [r["properties"]["email"] for r in answer["results"]] == ["r@example.org"]
    assert answer["numErrors"] == 1


# --- v4 association writes -------------------------------------------------------------------


def linked_companies(portal: httpx.Client, contact_id: str) -> dict[str, set[str]]:
    read = call(portal, "GET", f"{CONTACTS}/{contact_id}", params={"associations": "companies"})
    results = read.get("associations", {}).get("companies", {}).get("results", [])
    found: dict[str, set[str]] = {}
    for result in results:
        found.setdefault(result["id"], set()).add(result["type"])
    return found


def test_a_default_association_shows_on_reads_both_ways(portal):
    made = batch(portal, "contacts", "create", [{"properties": {"email": "a@example.org"}}], 201)
    contact = made["results"][0]["id"]
    path = f"/crm/v4/objects/contacts/{contact}/associations/default/companies/30001"
    answer = call(portal, "PUT", path)
    assert answer["status"] == "COMPLETE"
    specs = {
        (r["from"]["id"], r["to"]["id"], r["associationSpec"]["associationTypeId"])
        for r in answer["results"]
    }
    assert specs == {(contact, "30001", 279), ("30001", contact, 280)}
    assert linked_companies(portal, contact) == {"30001": {"contact_to_company_unlabeled"}}
    back = call(
        portal,
        "GET",
        "/crm/v4/objects/companies/30001/associations/contacts",
        params={"limit": 500},
    )
    ours = [r for r in back["results"] if str(r["toObjectId"]) == contact]
    assert [t["typeId"] for t in ours[0]["associationTypes"]] == [280]


def test_an_association_by_type_labels_the_primary_and_can_be_removed(portal):
    made = batch(portal, "contacts", "create", [{"properties": {"email": "p@example.org"}}], 201)
    contact = made["results"][0]["id"]
    path = f"/crm/v4/objects/contact/{contact}/associations/company/30002"
    primary = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    answer = call(portal, "PUT", path, 201, json=primary)
    assert answer == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": int(contact),
        "toObjectTypeId": "0-2",
        "toObjectId": 30002,
        "labels": ["Primary"],
    }
    assert linked_companies(portal, contact) == {
        "30002": {"contact_to_company", "contact_to_company_unlabeled"}
    }
    v4 = call(portal, "GET", f"/crm/v4/objects/contacts/{contact}/associations/companies")
    assert {t["typeId"] for t in v4["results"][0]["associationTypes"]} == {1, 279}
    wrong = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]
    assert call(portal, "PUT", path, 400, json=wrong)["category"] == "VALIDATION_ERROR"
    call(portal, "DELETE", path, 204)
    assert linked_companies(portal, contact) == {}


@pytest.mark.parametrize(
    "path",
    [
        "/crm/v4/objects/contacts/999999/associations/default/companies/30001",
        "/crm/v4/objects/contacts/1001/associations/default/companies/1",
    ],
)
def test_associating_an_unknown_record_is_404(portal, path):
    body = call(portal, "PUT", path, 404)
    assert (body["status"], body["category"]) == ("error", "OBJECT_NOT_FOUND")
    assert {"message", "correlationId"} <= set(body)
