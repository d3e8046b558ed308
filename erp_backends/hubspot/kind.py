"""HubSpot as the gateway's CRM: its `[backends.crm]` options and how its port opens."""

from __future__ import annotations

from dataclasses import dataclass

from erp_backends.hubspot.adapter import HubSpotCrm
from erp_backends.hubspot.client import HubSpotClient
from erp_backends.ports import CrmBackend
from erp_backends.registry import BackendKind, Connection, EmulatorEntry, Flag, Role, register


@dataclass(frozen=True, slots=True)
class HubSpotOptions:
    link_property: str = "email"  # the unique contact property holding the link value
    currency: str = "EUR"  # for deals without a deal_currency_code


def open_hubspot(connection: Connection, options: HubSpotOptions) -> CrmBackend:
    return HubSpotCrm(
        HubSpotClient(connection.http, connection.credentials),
        currency=options.currency,
        id_property=options.link_property,
        backend=connection.role,
    )


KIND: BackendKind[HubSpotOptions, CrmBackend] = BackendKind(
    name="hubspot",
    title="HubSpot",
    role=Role.CRM,
    options=HubSpotOptions,
    open=open_hubspot,
    emulator=EmulatorEntry(
        module="erp_backends.hubspot.emulator.sandbox",
        default_port=8071,
        summary="HubSpot CRM (v3 objects, v4 associations)",
        flags=(Flag("token", "pat-demo", "the private app token accepted"),),
    ),
)
register(KIND)
