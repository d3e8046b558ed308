"""HubSpot's official Python client (`hubspot-api-client`) against the emulator over a
real socket. Generated from HubSpot's own OpenAPI specs and written independently of
the emulator and the adapter, it checks that the emulator reads, pages, associates,
writes (one by one and in batches), links records and fails as api.hubapi.com does
(shapes from ../shared/backend_apis.md, section 7): the client deserializes every
answer into its models, or raises."""

from __future__ import annotations

import json

import pytest
import requests
from hubspot import HubSpot  # type: ignore[import-untyped]
from hubspot.crm.associations.v4 import (  # type: ignore[import-untyped]
    ApiException as AssociationsError,
)
from hubspot.crm.associations.v4 import AssociationSpec as LinkSpec
from hubspot.crm.contacts import (  # type: ignore[import-untyped]
    ApiException,
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.deals import (  # type: ignore[import-untyped]
    SimplePublicObjectInputForCreate as DealInput,
)

from erp_backends.hubspot.emulator import create_app
from tests.servers import serve_in_thread

pytestmark = pytest.mark.slow

TOKEN = "pat-demo"


@pytest.fixture(scope="module")
def url():
    """A portal of its own: the tests write to it."""
    with serve_in_thread(create_app()) as url:
        yield url


@pytest.fixture(scope="module")
def hubspot(url):
    return HubSpot(access_token=TOKEN, host=url)


def error_of(caught: pytest.ExceptionInfo[Exception]) -> dict:
    """HubSpot's error body, which every error must carry."""
    body = json.loads(caught.value.body)  # type: ignore[attr-defined]
    assert {"status", "message", "correlationId", "category"} <= set(body)
    assert body["status"] == "error"
    return body


def company_of(hubspot) -> tuple[str, str]:
    """A contact with a company, and that company's id."""
    page = hubspot.crm.contacts.basic_api.get_page(limit=100, associations=["companies"])
    contact = next(c for c in page.results if c.associations)
    return contact.id, contact.associations["companies"].results[0].id


# --- reads -----------------------------------------------------------------------------------


def test_contacts_page_with_after_and_carry_their_companies(hubspot):
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = hubspot.crm.contacts.basic_api.get_page(
            limit=5, after=after, properties=["email", "firstname"], associations=["companies"]
        )
        assert len(page.results) == 5
        for contact in page.results:
            assert set(contact.properties) >= {"email", "firstname", "hs_object_id"}
            assert all(isinstance(v, str) or v is None for v in contact.properties.values())
            assert contact.created_at.tzinfo is not None
        seen += [c.id for c in page.results]
        after = page.paging.next.after
    assert seen == sorted(set(seen), key=int)
    linked = [c for c in page.results if c.associations]
    for contact in linked:
        types = {a.type for a in contact.associations["companies"].results}
        assert types <= {"contact_to_company", "contact_to_company_unlabeled"}


def test_one_contact_by_email_with_its_associations(hubspot):
    contact_id, company_id = company_of(hubspot)
    contact = hubspot.crm.contacts.basic_api.get_by_id(contact_id, properties=["email"])
    by_email = hubspot.crm.contacts.basic_api.get_by_id(
        contact.properties["email"], id_property="email", associations=["companies", "deals"]
    )
    assert by_email.id == contact_id
    ids = {a.id for a in by_email.associations["companies"].results}
    assert company_id in ids


def test_batch_read_by_email_names_the_inputs_not_found(hubspot):
    first = hubspot.crm.contacts.basic_api.get_page(limit=2, properties=["email"]).results
    emails = [c.properties["email"] for c in first]
    inputs = [SimplePublicObjectId(id=e) for e in [*emails, "nobody@example.org"]]
    answer = hubspot.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(inputs=inputs, properties=["email"], id_property="email")
    )
    assert answer.status == "COMPLETE"
    assert sorted(r.properties["email"] for r in answer.results) == sorted(emails)
    assert answer.num_errors == 1
    assert answer.errors[0].context["ids"] == ["nobody@example.org"]


def test_search_by_email(hubspot):
    email = hubspot.crm.contacts.basic_api.get_page(limit=1, properties=["email"]).results[0]
    wanted = email.properties["email"]
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="email", operator="EQ", value=wanted)])
        ],
        properties=["email"],
        limit=10,
    )
    found = hubspot.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert found.total == 1
    assert found.results[0].properties["email"] == wanted


def test_v4_associations_of_one_object(hubspot):
    contact_id, company_id = company_of(hubspot)
    page = hubspot.crm.associations.v4.basic_api.get_page("contacts", contact_id, "companies")
    target = next(r for r in page.results if str(r.to_object_id) == company_id)
    type_ids = {t.type_id for t in target.association_types}
    assert 279 in type_ids
    assert {t.category for t in target.association_types} == {"HUBSPOT_DEFINED"}
    none = hubspot.crm.associations.v4.basic_api.get_page("contacts", "999999", "companies")
    assert none.results == []
    with pytest.raises(AssociationsError) as caught:
        hubspot.crm.associations.v4.basic_api.get_page("contacts", contact_id, "widgets")
    assert caught.value.status == 400
    assert error_of(caught)["category"] == "VALIDATION_ERROR"


def test_owners_page(hubspot):
    owners = hubspot.crm.owners.owners_api.get_page(limit=100).results
    assert owners
    assert all("@" in owner.email for owner in owners)


# --- writes ----------------------------------------------------------------------------------


def test_a_contact_is_created_with_a_company_updated_and_archived(hubspot):
    _, company_id = company_of(hubspot)
    association = PublicAssociationsForObject(
        to=PublicObjectId(id=company_id),
        types=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=279)],
    )
    created = hubspot.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "new.buyer@example.org", "firstname": "New"},
            associations=[association],
        )
    )
    assert created.properties["email"] == "new.buyer@example.org"
    assert created.properties["hs_object_id"] == created.id
    read = hubspot.crm.contacts.basic_api.get_by_id(created.id, associations=["companies"])
    assert [a.id for a in read.associations["companies"].results] == [company_id]

    updated = hubspot.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"lastname": "Buyer"})
    )
    assert (updated.properties["firstname"], updated.properties["lastname"]) == ("New", "Buyer")

    with pytest.raises(ApiException) as caught:
        hubspot.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": "NEW.buyer@example.org"})
        )
    assert caught.value.status == 409
    assert error_of(caught)["message"] == f"Contact already exists. Existing ID: {created.id}"

    hubspot.crm.contacts.basic_api.archive(created.id)
    with pytest.raises(ApiException) as caught:
        hubspot.crm.contacts.basic_api.get_by_id(created.id)
    assert caught.value.status == 404
    assert error_of(caught)["category"] == "OBJECT_NOT_FOUND"


def test_bad_properties_are_validation_errors(hubspot):
    with pytest.raises(ApiException) as caught:
        hubspot.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"favourite_colour": "green"})
        )
    assert caught.value.status == 400
    body = error_of(caught)
    assert body["category"] == "VALIDATION_ERROR"
    assert "PROPERTY_DOESNT_EXIST" in body["message"]


def test_a_deal_is_created_for_a_contact_and_moved_on(hubspot):
    contact_id, _ = company_of(hubspot)
    deal = hubspot.crm.deals.basic_api.create(
        DealInput(
            properties={
                "dealname": "Big order",
                "amount": 1200,
                "dealstage": "appointmentscheduled",
            },
            associations=[
                {
                    "to": {"id": contact_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
                }
            ],
        )
    )
    assert deal.properties["amount"] == "1200"  # every value comes back a string
    moved = hubspot.crm.deals.basic_api.update(deal.id, {"properties": {"dealstage": "closedwon"}})
    assert moved.properties["dealstage"] == "closedwon"
    contact = hubspot.crm.contacts.basic_api.get_by_id(contact_id, associations=["deals"])
    assert deal.id in {a.id for a in contact.associations["deals"].results}


def test_contacts_batch_create_update_upsert_and_archive(hubspot):
    batch = hubspot.crm.contacts.batch_api
    created = batch.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties={"email": f"batch{n}@example.org", "firstname": f"B{n}"}
                )
                for n in (1, 2)
            ]
        )
    )
    assert created.status == "COMPLETE"
    ids = {r.properties["email"]: r.id for r in created.results}
    assert set(ids) == {"batch1@example.org", "batch2@example.org"}

    updated = batch.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(
                    id=ids["batch1@example.org"], properties={"lastname": "One"}
                ),
                SimplePublicObjectBatchInput(id="999999", properties={"lastname": "None"}),
            ]
        )
    )
    assert updated.num_errors == 1  # 207: the client reads the errors
    assert updated.errors[0].category == "OBJECT_NOT_FOUND"
    assert updated.errors[0].context["ids"] == ["999999"]
    assert [r.properties["lastname"] for r in updated.results] == ["One"]

    upserted = batch.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id=email, id_property="email", properties={"jobtitle": "Buyer"}
                )
                for email in ("batch2@example.org", "batch3@example.org")
            ]
        )
    )
    new = {r.properties["email"]: r.new for r in upserted.results}
    assert new == {"batch2@example.org": False, "batch3@example.org": True}
    read = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=f"batch{n}@example.org") for n in (1, 2, 3)],
            properties=["lastname", "jobtitle"],
            id_property="email",
        )
    )
    shown = {r.id: r.properties for r in read.results}
    assert shown[ids["batch1@example.org"]]["lastname"] == "One"
    assert shown[ids["batch2@example.org"]]["jobtitle"] == "Buyer"

    with pytest.raises(ApiException) as caught:
        batch.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id="B1", id_property="firstname", properties={}
                    )
                ]
            )
        )
    assert caught.value.status == 400
    assert error_of(caught)["category"] == "VALIDATION_ERROR"

    everyone = [SimplePublicObjectId(id=key) for key in [*ids.values(), "999999"]]
    assert batch.archive(BatchInputSimplePublicObjectId(inputs=everyone)) is None  # 204
    with pytest.raises(ApiException) as caught:
        hubspot.crm.contacts.basic_api.get_by_id(ids["batch1@example.org"])
    assert caught.value.status == 404


def test_v4_association_create_shows_on_reads(hubspot):
    contact = hubspot.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "linked@example.org"})
    )
    links = hubspot.crm.associations.v4.basic_api
    default = links.create_default("contacts", contact.id, "companies", "30003")
    assert default.status == "COMPLETE"
    pairs = {(r._from.id, r.to.id, r.association_spec.association_type_id) for r in default.results}
    assert pairs == {(contact.id, "30003", 279), ("30003", contact.id, 280)}

    labelled = links.create(
        "deals",
        "70001",
        "contacts",
        contact.id,
        [LinkSpec(association_category="HUBSPOT_DEFINED", association_type_id=3)],
    )
    assert (labelled.from_object_type_id, labelled.to_object_type_id) == ("0-3", "0-1")
    assert (str(labelled.from_object_id), str(labelled.to_object_id)) == ("70001", contact.id)
    assert labelled.labels == []

    read = hubspot.crm.contacts.basic_api.get_by_id(contact.id, associations=["companies", "deals"])
    assert [a.id for a in read.associations["companies"].results] == ["30003"]
    assert "70001" in {a.id for a in read.associations["deals"].results}
    page = links.get_page("contacts", contact.id, "companies")
    assert [str(r.to_object_id) for r in page.results] == ["30003"]

    with pytest.raises(AssociationsError) as caught:
        links.create_default("contacts", "999999", "companies", "30003")
    assert caught.value.status == 404
    assert error_of(caught)["category"] == "OBJECT_NOT_FOUND"


# --- errors ----------------------------------------------------------------------------------


def test_a_wrong_token_is_refused(url):
    stranger = HubSpot(access_token="pat-wrong", host=url)
    with pytest.raises(ApiException) as caught:
        stranger.crm.contacts.basic_api.get_page(limit=1)
    assert caught.value.status == 401
    assert error_of(caught)["category"] == "INVALID_AUTHENTICATION"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/crm/v3/nothing-here", 404),
        ("POST", "/crm/v3/owners/", 405),
        ("PUT", "/crm/v3/objects/contacts", 405),
    ],
)
def test_unknown_routes_and_methods_answer_json(url, method, path, status):
    response = requests.request(
        method, f"{url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert {"status", "message", "correlationId", "category"} <= set(body)
