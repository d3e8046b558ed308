"""Without a CRM or shop in the config, their fields are null with a clear error."""

from tests.harness import error_codes, graphql, odoo_rpc
from tests.resolvers.queries import encode

CUSTOMER_WITH_CRM_AND_SHOP = """
query C($id: ID!) {
  customer(id: $id) { name crm { contactId } shop { id } }
}
"""
ORDER_FROM_THE_SHOP = """
query O($id: ID!) { order(id: $id) { number channel shopOrder { number } } }
"""


def test_crm_and_shop_fields_say_which_backend_is_missing(gateway, customer_id):
    answer = graphql(gateway, CUSTOMER_WITH_CRM_AND_SHOP, {"id": customer_id})
    customer = answer["data"]["customer"]
    assert customer["name"]
    assert customer["crm"] is None
    assert customer["shop"] is None
    assert sorted(error_codes(answer)) == ["BACKEND_NOT_CONFIGURED"] * 2
    by_path = {tuple(e["path"]): e for e in answer["errors"]}
    assert by_path["customer", "crm"]["extensions"]["backend"] == "crm"
    assert by_path["customer", "shop"]["extensions"]["backend"] == "shop"
    assert "[backends.shop]" in by_path["customer", "shop"]["message"]


def test_an_order_from_the_shop_is_known_by_its_reference_even_without_a_shop(
    gateway, odoo_emulator
):
    from_the_shop = [["client_order_ref", "=like", "SHOP-%"]]
    rows = odoo_rpc(
        odoo_emulator,
        "sale.order",
        "search_read",
        [from_the_shop],
        {"fields": ["id"], "limit": 1},
    )
    answer = graphql(gateway, ORDER_FROM_THE_SHOP, {"id": encode("Order", rows[0]["id"])})
    order = answer["data"]["order"]
    assert order["channel"] == "SHOP"
    assert order["shopOrder"] is None
    assert error_codes(answer) == ["BACKEND_NOT_CONFIGURED"]
