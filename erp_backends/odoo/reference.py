"""What the adapter learns once per process from the Odoo it talks to.

- Field names that differ between Odoo versions (`product_uom` became `product_uom_id`,
  a payment's `ref` became `memo`): `fields_get` tells which this server has.
- Codes of reference records (a country's ISO code, a warehouse's short code) that
  many2one pairs do not carry: read once, then kept, since they practically never change.

Concurrent first uses share one backend call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from erp_backends.errors import BackendDataError
from erp_backends.odoo.client import OdooClient


class ModelFields:
    """The fields each model has on this server, fetched on first use."""

    def __init__(self, client: OdooClient, *, backend: str) -> None:
        self._client = client
        self._backend = backend
        self._fields: dict[str, asyncio.Task[dict[str, Any]]] = {}

    async def first_of(self, model: str, *candidates: str) -> str:
        """The first of `candidates` that `model` has; an error when it has none."""
        fields = await self._of(model)
        for name in candidates:
            if name in fields:
                return name
        raise BackendDataError(
            f"Odoo {model} has none of the fields {', '.join(candidates)}; "
            "is this an Odoo version the adapter supports (17 to 19)?",
            backend=self._backend,
        )

    async def has(self, model: str, name: str) -> bool:
        return name in await self._of(model)

    def _of(self, model: str) -> asyncio.Task[dict[str, Any]]:
        task = self._fields.get(model)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = asyncio.ensure_future(self._client.fields_get(model))
            self._fields[model] = task
        return task


class ReferenceCodes:
    """A code field of small reference models (countries, states, warehouses) by id."""

    def __init__(self, client: OdooClient) -> None:
        self._client = client
        self._codes: dict[tuple[str, int], str] = {}
        self._lock = asyncio.Lock()

    async def codes(self, model: str, ids: Iterable[int], field: str = "code") -> dict[int, str]:
        wanted = set(ids)
        async with self._lock:
            missing = sorted(i for i in wanted if (model, i) not in self._codes)
            if missing:
                rows = await self._client.search_read(model, [("id", "in", missing)], [field])
                for row in rows:
                    if isinstance(row.get(field), str):
                        self._codes[model, row["id"]] = row[field]
        return {i: self._codes[model, i] for i in wanted if (model, i) in self._codes}
