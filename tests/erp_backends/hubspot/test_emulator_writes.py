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
