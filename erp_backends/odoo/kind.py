"""Odoo as the gateway's ERP: its `[backends.erp]` options and how its ports open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.odoo.writes import OdooWriter
from erp_backends.registry import (
    BackendKind,
    Connection,
    EmulatorEntry,
    ErpPorts,
    Flag,
    Role,
    register,
)


@dataclass(frozen=True, slots=True)
class OdooOptions:
    database: str
    login: str = "admin"
    # "xmlrpc" for servers that expose only /xmlrpc/2 (a proxy that blocks /jsonrpc).
    protocol: Literal["jsonrpc", "json2", "xmlrpc"] = "jsonrpc"


def open_odoo(connection: Connection, options: OdooOptions) -> ErpPorts:
    odoo = OdooConnection(
        database=options.database,
        login=options.login,
        api_key=connection.credentials,
        protocol=options.protocol,
    )
    interactive = OdooClient(connection.http, odoo)
    return ErpPorts(
        reader=OdooErp(interactive, backend=connection.role),
        # Writes drain a queue: they leave part of the rate limit to reads and validation
        # (acceptance's own reads of credit and returns among them).
        writer=OdooWriter(
            OdooClient(connection.http.in_background(), odoo),
            reads=interactive,
            backend=connection.role,
        ),
    )


KIND: BackendKind[OdooOptions, ErpPorts] = BackendKind(
    name="odoo",
    title="Odoo",
    role=Role.ERP,
    options=OdooOptions,
    open=open_odoo,
    emulator=EmulatorEntry(
        module="erp_backends.odoo.emulator.sandbox",
        default_port=8069,
        summary="Odoo (JSON-RPC, JSON-2 and XML-RPC)",
        flags=(
            Flag("database", "demo"),
            Flag("login", "admin"),
            Flag("password", "admin", "the password, also the API key"),
        ),
    ),
)
register(KIND)
