"""Staff act as a customer with X-Act-As-Customer; every such request, and every refused
attempt, is in the audit log with both identities."""

import asyncio
import uuid

from gateway.auth.audit import open_audit_log
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import CUSTOMERS_IMPERSONATE
from tests.harness import (
    READ_SCOPES,
    TEST_STORE,
    bearer,
    data_of,
    error_codes,
    graphql,
    send,
    token_for,
)

HELPER = token_for(
    PrincipalKind.STAFF, scopes=READ_SCOPES | {CUSTOMERS_IMPERSONATE}, subject="staff-alice"
)
AS_CUSTOMER = """
query HelpCustomer($order: ID!, $cardNumber: String) {
  viewer { subject kind actor { subject } customer { id } }
  order(id: $order) { number }
  products(search: $cardNumber, first: 1) { totalCount }
}
"""


def audit_entry(request_id: str):
    async def read():
        log = open_audit_log(TEST_STORE)
        try:
            return [e for e in await log.tail(200) if e.request_id == request_id]
        finally:
            await log.close()

    return asyncio.run(read())


def test_staff_act_as_a_customer_and_the_audit_log_names_both(gateway, accounts):
    mine = accounts[0]
    request_id = uuid.uuid4().hex
    headers = {"X-Act-As-Customer": mine.customer_id, "X-Request-ID": request_id}
    own = graphql(
        gateway,
        AS_CUSTOMER,
        {"order": mine.order_id, "cardNumber": "4111111111111111"},
        token=HELPER,
        headers=headers,
    )
    viewer = data_of(own)["viewer"]
    assert viewer == {
        "subject": mine.customer_id,
        "kind": "customer",
        "actor": {"subject": "staff-alice"},
        "customer": {"id": mine.customer_id},
    }
    assert own["data"]["order"] == {"number": mine.order_number}

    [entry] = audit_entry(request_id)
    assert entry.actor == "staff-alice"
    assert entry.subject == entry.customer_id == mine.customer_id
    assert entry.operation_name == "HelpCustomer"
    assert entry.outcome == "ok"
    assert entry.variables["order"] == mine.order_id
    assert entry.variables["cardNumber"] == "[redacted]"
    # The argument the secret variable went into holds it redacted too.
    assert entry.arguments["products"] == {"search": "[redacted]", "first": 1}
    assert entry.arguments["order"] == {"id": mine.order_id}
    assert "4111111111111111" not in entry.to_json()


def test_while_acting_as_a_customer_staff_see_only_that_customer(gateway, accounts):
    mine, theirs = accounts
    request_id = uuid.uuid4().hex
    headers = {"X-Act-As-Customer": mine.customer_id, "X-Request-ID": request_id}
    answer = graphql(
        gateway, AS_CUSTOMER, {"order": theirs.order_id}, token=HELPER, headers=headers
    )
    assert error_codes(answer) == ["NOT_FOUND"]
    [entry] = audit_entry(request_id)
    assert entry.outcome == "error: NOT_FOUND"


def test_impersonation_without_the_scope_is_refused_and_audited(gateway, accounts):
    request_id = uuid.uuid4().hex
    plain_staff = token_for(PrincipalKind.STAFF, subject="staff-bob")
    response = send(
        gateway,
        "POST",
        "/graphql",
        json={"query": "{ viewer { subject } }"},
        headers={
            **bearer(plain_staff),
            "X-Act-As-Customer": accounts[0].customer_id,
            "X-Request-ID": request_id,
        },
    )
    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert CUSTOMERS_IMPERSONATE in error["message"]
    [entry] = audit_entry(request_id)
    assert entry.subject == "staff-bob"
    assert entry.outcome.startswith("denied: ")
    assert entry.variables == {"actAsCustomer": accounts[0].customer_id}


def test_customers_and_partners_cannot_impersonate(gateway, accounts):
    mine, theirs = accounts
    for token in (mine.token(), token_for(PrincipalKind.PARTNER, scopes=READ_SCOPES)):
        response = send(
            gateway,
            "POST",
            "/graphql",
            json={"query": "{ viewer { subject } }"},
            headers={**bearer(token), "X-Act-As-Customer": theirs.customer_id},
        )
        assert response.status_code == 403
        assert "only staff" in response.json()["errors"][0]["message"]


def test_acting_as_something_that_is_not_a_customer_is_refused(gateway, accounts):
    response = send(
        gateway,
        "POST",
        "/graphql",
        json={"query": "{ viewer { subject } }"},
        headers={**bearer(HELPER), "X-Act-As-Customer": accounts[0].order_id},
    )
    assert response.status_code == 403
    assert "not the id of a customer" in response.json()["errors"][0]["message"]


def test_requests_without_impersonation_are_not_audited(gateway, accounts):
    request_id = uuid.uuid4().hex
    graphql(gateway, "{ viewer { subject } }", headers={"X-Request-ID": request_id})
    assert audit_entry(request_id) == []
