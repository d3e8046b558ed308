"""WooCommerce as the gateway's shop: its `[backends.shop]` options and how its port
opens."""

from __future__ import annotations

from dataclasses import dataclass

from erp_backends.ports import ShopBackend
from erp_backends.registry import BackendKind, Connection, EmulatorEntry, Flag, Role, register
from erp_backends.woocommerce.adapter import WooCommerceShop
from erp_backends.woocommerce.client import WooCommerceClient, WooCommerceKeys


@dataclass(frozen=True, slots=True)
class WooCommerceOptions:
    # ERP orders that came from the shop carry "<prefix><shop order number>" as the
    # customer's reference; that is how an ERP order finds its shop order.
    order_reference_prefix: str = "SHOP-"
    currency: str = "EUR"  # the shop's currency (WooCommerce > Settings > General)


def open_woocommerce(connection: Connection, options: WooCommerceOptions) -> ShopBackend:
    keys = WooCommerceKeys.from_secret(connection.credentials)
    return WooCommerceShop(WooCommerceClient(connection.http, keys), currency=options.currency)


def key_problem(credentials: str) -> str | None:
    try:
        WooCommerceKeys.from_secret(credentials)
    except ValueError:
        return "must hold consumer_key:consumer_secret"
    return None


KIND: BackendKind[WooCommerceOptions, ShopBackend] = BackendKind(
    name="woocommerce",
    title="WooCommerce",
    role=Role.SHOP,
    options=WooCommerceOptions,
    open=open_woocommerce,
    emulator=EmulatorEntry(
        module="erp_backends.woocommerce.emulator.sandbox",
        default_port=8072,
        summary="WooCommerce (REST API v3)",
        flags=(Flag("consumer_key", "ck_demo"), Flag("consumer_secret", "cs_demo")),
    ),
    check_credentials=key_problem,
    # The REST API finds customers by email; it has no field for the ERP's reference.
    link_fields=("email",),
)
register(KIND)
