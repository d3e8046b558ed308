"""Only the canonical spelling of a global id, the one the gateway issues, names an
object. Any other spelling of an existing object's id (leading zeros, a sign, other
padding, stray characters, a lowercase type...) is answered exactly like the same
spelling of an id that was never issued, and like a canonical id that names nothing: on
`node`, on the typed lookups and in every mutation that takes an id, so a response never
tells a client which records exist. The gateway has the cache on (see conftest.py),
where a leading zero used to crash the request."""

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import SCOPES
from resolvers.node import KEY_FORMS, decode_id, encode_id
from resolvers.node_queries import NODE_LOADERS
from tests.harness import READ_SCOPES, STAFF_TOKEN, data_of, graphql, token_for

MISSING_KEY = "987654321"
WRITE_SCOPES = frozenset(SCOPES) - {"payments:write-impersonated"}
STAFF_WRITER = token_for(PrincipalKind.STAFF, scopes=WRITE_SCOPES, subject="staff-ids")
PRINCIPALS = ["staff", "customer"]
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
Sent = tuple[str, dict]  # an id as sent, and the answer to it


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def unused_bits_set(global_id: str) -> str:
    """The same bytes with the bits that padding leaves unused set: decoders ignore them.
    An id without padding has no such bits; it gets excess padding instead."""
    body = global_id.rstrip("=")
    padding = len(global_id) - len(body)
    if not padding:
        return global_id + "=="
    last = B64_ALPHABET.index(body[-1]) | (0b1111 if padding == 2 else 0b11)
    return body[:-1] + B64_ALPHABET[last] + "=" * padding


def repadded(global_id: str) -> str:
    return global_id.rstrip("=") if global_id.endswith("=") else global_id + "=="


# Spellings of the id of (type name, key) other than the canonical b64("Type:key").
SPELLINGS: dict[str, Callable[[str, str], str]] = {
    "leading zero": lambda t, k: b64(f"{t}:0{k}"),
    "two leading zeros": lambda t, k: b64(f"{t}:00{k}"),
    "plus sign": lambda t, k: b64(f"{t}:+{k}"),
    "space before the key": lambda t, k: b64(f"{t}: {k}"),
    "newline after the key": lambda t, k: b64(f"{t}:{k}\n"),
    "lowercase type": lambda t, k: b64(f"{t.lower()}:{k}"),
    "uppercase type": lambda t, k: b64(f"{t.upper()}:{k}"),
    "padding dropped or added": lambda t, k: repadded(b64(f"{t}:{k}")),
    "excess padding": lambda t, k: b64(f"{t}:{k}") + "==",
    "unused bits set": lambda t, k: unused_bits_set(b64(f"{t}:{k}")),
    "whitespace around": lambda t, k: f" {b64(f'{t}:{k}')}\n",
    "line break inside": lambda t, k: f"{b64(f'{t}:{k}')[:8]}\n{b64(f'{t}:{k}')[8:]}",
    "trailing garbage": lambda t, k: b64(f"{t}:{k}") + "!",
    "data after the padding": lambda t, k: b64(f"{t}:{k}") + "AAAA",
    "not base64": lambda t, k: f"{t}:{k}",
    "bare key": lambda t, k: k,
}


@dataclass(frozen=True)
class IdInput:
    """A place where a client sends an id: a query's argument or a mutation's input."""

    operation: str  # "query" or "mutation"
    field: str  # the field, reading its id (or its input) from `$v`
    variable_type: str
    id_type: str
    value: Callable[[str], object] = str  # the variable's value that carries this id


def read(field: str, id_type: str) -> IdInput:
    return IdInput("query", f"{field}(id: $v) {{ id }}", "ID!", id_type)


def mutation(name: str, id_field: str, id_type: str, **rest: object) -> IdInput:
    """A mutation whose input, but for the id, is refused after the id is looked up: the
    tests never write."""
    payload = "{ receipt { commandId } userErrors { field code message } }"
    input_type = f"{name[0].upper()}{name[1:]}Input!"
    return IdInput(
        "mutation",
        f"{name}(input: $v) {payload}",
        input_type,
        id_type,
        lambda global_id: {id_field: global_id, **rest},
    )


NO_SUCH_SKU = {"sku": "NO-SUCH-SKU", "quantity": "1"}
READS = {
    "node of a customer": read("node", "Customer"),
    "node of an order": read("node", "Order"),
    "node of an invoice": read("node", "Invoice"),
    "node of a payment": read("node", "Payment"),
    "node of a product": read("node", "Product"),
    "customer": read("customer", "Customer"),
    "order": read("order", "Order"),
    "invoice": read("invoice", "Invoice"),
}
MUTATIONS = {
    "placeOrder": mutation("placeOrder", "customerId", "Customer", lines=[NO_SUCH_SKU]),
    "reorder": mutation("reorder", "orderId", "Order", lines=[NO_SUCH_SKU]),
    "cancelOrder": mutation("cancelOrder", "orderId", "Order", idempotencyKey=""),
    "requestReturn": mutation(
        "requestReturn", "orderId", "Order", lines=[NO_SUCH_SKU], idempotencyKey=""
    ),
    "payInvoice": mutation(
        "payInvoice", "invoiceId", "Invoice", amount={"amount": "0", "currency": "EUR"}
    ),
}


@pytest.fixture(scope="module")
def existing(gateway, accounts) -> dict[str, str]:
    """The canonical id of one existing object of each type, all visible to the customer."""
    mine = accounts[0]
    products = data_of(graphql(gateway, "{ products(first: 1) { nodes { id } } }"))
    return {
        "Customer": mine.customer_id,
        "Order": mine.order_id,
        "Invoice": mine.invoice_id,
        "Payment": mine.payment_id,
        "Product": products["products"]["nodes"][0]["id"],
    }


def key_of(global_id: str) -> str:
    decoded = decode_id(global_id)
    assert decoded is not None, global_id
    return decoded[1]


def token_of(principal: str, accounts, *, writes: bool) -> str:
    if principal == "customer":
        return accounts[0].token(WRITE_SCOPES if writes else READ_SCOPES)
    return STAFF_WRITER if writes else STAFF_TOKEN


def ask_each(gateway, asks: list[tuple[IdInput, str]], token: str) -> list[dict]:
    """The answer to each (path, id), asked in one operation as aliases s0, s1...; each
    alias's answer is its data and its errors, without where in the operation they were."""
    params = ", ".join(f"$v{i}: {where.variable_type}" for i, (where, _) in enumerate(asks))
    fields = " ".join(
        f"s{i}: {where.field.replace('$v', f'$v{i}')}" for i, (where, _) in enumerate(asks)
    )
    variables = {f"v{i}": where.value(global_id) for i, (where, global_id) in enumerate(asks)}
    operation = f"{asks[0][0].operation}({params}) {{ {fields} }}"
    answer = graphql(gateway, operation, variables, token=token)
    assert answer.get("data") is not None, answer
    errors = answer.get("errors", [])
    return [
        {
            "data": answer["data"][f"s{i}"],
            "errors": [
                {k: v for k, v in error.items() if k not in ("locations", "path")}
                for error in errors
                if error["path"][0] == f"s{i}"
            ],
        }
        for i in range(len(asks))
    ]


def as_seen(asked: Sent) -> str:
    """The answer with the id it echoes replaced, so that answers about two ids compare;
    a message must echo the id as the client sent it."""
    sent, answer = asked
    text = json.dumps(answer, sort_keys=True)
    echoed = json.dumps(repr(sent))[1:-1]  # messages quote ids with repr()
    assert echoed in text, asked
    return text.replace(echoed, "<id>")


GROUPS = {"reads": READS, "mutations": MUTATIONS}


def group_of(path: str) -> str:
    return "reads" if path in READS else "mutations"


@pytest.fixture(scope="module")
def asked(gateway, accounts, existing) -> Callable[[str, str, str | None, bool], dict[str, Sent]]:
    """`asked(group, principal, spelling, of_existing)`: what the client gets on each path
    of the group for the id of the existing object (or of a missing one) spelled that
    way (None: canonically). A group's paths are asked in one operation, as a request
    each would make this module slow; but only ids of one spelling share an operation,
    so no other spelling's lookup in the same batch can hide a failure."""
    memo: dict[tuple[str, str, str | None, bool], dict[str, Sent]] = {}

    def spelled(id_type: str, spelling: str | None, of_existing: bool) -> str:
        key = key_of(existing[id_type]) if of_existing else MISSING_KEY
        return encode_id(id_type, key) if spelling is None else SPELLINGS[spelling](id_type, key)

    def answers(
        group: str, principal: str, spelling: str | None, of_existing: bool
    ) -> dict[str, Sent]:
        asking = (group, principal, spelling, of_existing)
        if asking not in memo:
            paths = GROUPS[group]
            sent = [
                (where, spelled(where.id_type, spelling, of_existing)) for where in paths.values()
            ]
            token = token_of(principal, accounts, writes=group == "mutations")
            got = ask_each(gateway, sent, token)
            memo[asking] = {
                path: (global_id, answer)
                for path, (_, global_id), answer in zip(paths, sent, got, strict=True)
            }
        return memo[asking]

    return answers


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("path", READS)
def test_the_canonical_id_still_names_its_object(asked, path, principal):
    global_id, answer = asked("reads", principal, None, True)[path]
    assert answer == {"data": {"id": global_id}, "errors": []}


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("path", MUTATIONS)
def test_a_mutation_finds_the_object_of_a_canonical_id(asked, path, principal):
    _, answer = asked("mutations", principal, None, True)[path]
    codes = [error["code"] for error in answer["data"]["userErrors"]]
    # Refused for a reason past the lookup (an unknown SKU, a bad amount...): found.
    assert answer["data"]["receipt"] is None
    assert codes
    assert "NOT_FOUND" not in codes


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("path", [*READS, *MUTATIONS])
def test_another_spelling_answers_like_a_missing_id(asked, path, principal, spelling):
    group = group_of(path)
    spelled = asked(group, principal, spelling, True)[path]
    assert spelled[0] != asked(group, principal, None, True)[path][0]  # another spelling indeed
    seen = as_seen(spelled)
    assert '"NOT_FOUND"' in seen
    assert seen == as_seen(asked(group, principal, spelling, False)[path])
    assert seen == as_seen(asked(group, principal, None, False)[path])


@pytest.mark.parametrize("path", ["order", "invoice", "customer"])
def test_an_id_of_another_type_is_bad_input_whether_or_not_its_object_exists(
    gateway, existing, path
):
    of_existing, of_missing = existing["Payment"], encode_id("Payment", MISSING_KEY)
    asks = [(READS[path], of_existing), (READS[path], of_missing)]
    answers = ask_each(gateway, asks, STAFF_TOKEN)
    assert [error["extensions"]["code"] for error in answers[0]["errors"]] == ["BAD_USER_INPUT"]
    assert as_seen((of_existing, answers[0])) == as_seen((of_missing, answers[1]))


def test_the_standard_alphabet_is_another_spelling(monkeypatch):
    # Decimal keys never produce "-" or "_", so the two alphabets spell today's ids alike;
    # a type whose keys do must still be read in the URL-safe spelling only.
    monkeypatch.setitem(KEY_FORMS, "Thing", re.compile(".+"))
    canonical = encode_id("Thing", "???")
    assert "_" in canonical
    assert decode_id(canonical) == ("Thing", "???")
    assert decode_id(base64.b64encode(b"Thing:???").decode()) is None


def test_every_type_with_ids_can_be_fetched_with_node():
    assert KEY_FORMS.keys() == NODE_LOADERS.keys()
