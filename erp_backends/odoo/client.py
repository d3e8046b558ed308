"""Odoo's external API on the wire: JSON-RPC (`/jsonrpc`, Odoo <= 19), XML-RPC
(`/xmlrpc/2/*`, the same services, for servers that expose only it; see
`client_xmlrpc.py`) and JSON-2 (`/json/2/<model>/<method>`, Odoo 19+). Wire calls only;
mapping lives in `adapter.py`.

Every protocol is driven through `OdooClient.call(model, method, ids, **named)`: JSON-2
takes named arguments only, and `execute_kw` (JSON-RPC or XML-RPC) accepts them as its
kwargs, so the adapter writes every call once. `create` is the exception (see
`OdooClient.create`).
Only the ORM's read methods are retried by `BackendHttp`; every other method (`create`,
`action_confirm`...) is a write and is sent once.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import orjson

from erp_backends import wire_json
from erp_backends.errors import (
    BackendDataError,
    BackendError,
    BackendRequestError,
    BackendUnavailable,
)
from erp_backends.http import BackendHttp
from erp_backends.odoo.client_xmlrpc import xmlrpc_call
from erp_backends.odoo.errors import OdooAccessDenied, odoo_error

Protocol = Literal["jsonrpc", "json2", "xmlrpc"]
# The ORM methods that only read: safe to retry after a timeout or a lost connection.
READ_METHODS = frozenset(
    {
        "search_read",
        "web_search_read",
        "read",
        "search",
        "search_count",
        "fields_get",
        "name_search",
        "context_get",
    }
)
Domain = list[Any]
Row = dict[str, Any]
_JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class OdooConnection:
    """Which database and as whom; `api_key` is a password or an API key."""

    database: str
    login: str
    api_key: str = field(repr=False)
    protocol: Protocol = "jsonrpc"


class OdooClient:
    """Calls Odoo's ORM methods over the configured protocol.

    Raises only `erp_backends.errors.BackendError` subclasses (Odoo's own errors as the
    typed ones in `erp_backends.odoo.errors`).
    """

    def __init__(self, http: BackendHttp, connection: OdooConnection) -> None:
        self._http = http
        self._conn = connection
        self._backend = http.backend
        self._uid: int | None = None
        self._login_lock = asyncio.Lock()
        self._ids = itertools.count(1)

    async def call(
        self, model: str, method: str, ids: list[int] | None = None, **named: Any
    ) -> Any:
        """Call `method` of `model`; only the ORM's read methods are ever retried."""
        read = method in READ_METHODS
        if self._conn.protocol == "json2":
            body = dict(named) if ids is None else {"ids": ids, **named}
            return await self._call_json2(model, method, body, read=read)
        return await self._execute_kw(model, method, [ids] if ids is not None else [], named, read)

    async def create(
        self, model: str, vals_list: list[Row], *, context: dict[str, Any] | None = None
    ) -> list[int]:
        """Create records, sent once (never retried); their ids, in order.

        JSON-2 names the values `vals_list`; JSON-RPC must pass them positionally, since
        Odoo's `call_kw` reads `args[0]` to decide between an id and a list of ids (on
        JSON-RPC and XML-RPC alike).
        """
        named: dict[str, Any] = {} if context is None else {"context": context}
        if self._conn.protocol == "json2":
            body = {"vals_list": vals_list, **named}
            ids = await self._call_json2(model, "create", body, read=False)
        else:
            ids = await self._execute_kw(model, "create", [vals_list], named, read=False)
        if not isinstance(ids, list) or not all(_is_id(i) for i in ids):
            raise self._bad_answer(f"{model}.create", ids)
        return ids

    async def _execute_kw(
        self, model: str, method: str, args: list[Any], named: dict[str, Any], read: bool
    ) -> Any:
        uid = await self._login()
        return await self._rpc(
            "object",
            "execute_kw",
            [self._conn.database, uid, self._conn.api_key, model, method, args, named],
            read=read,
        )

    async def search_read(
        self,
        model: str,
        domain: Domain,
        fields: list[str],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[Row]:
        named: dict[str, Any] = {"domain": domain, "fields": fields, "offset": offset}
        optional = {"limit": limit, "order": order, "context": context}
        named.update({name: value for name, value in optional.items() if value is not None})
        rows = await self.call(model, "search_read", **named)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise self._bad_answer(f"{model}.search_read", rows)
        return rows

    async def web_search_read(
        self,
        model: str,
        domain: Domain,
        specification: dict[str, Any],
        *,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[Row]:
        """The records as the web client reads them (Odoo 17+): `specification` names
        each field (`{"name": {}}`); a many2one given `{"fields": {...}}` comes as the
        related record's own fields, `{"id": 7, "display_name": "EUR"}`, so one call
        reads records and what they link to. Other many2ones are bare ids (or false)."""
        named: dict[str, Any] = {"domain": domain, "specification": specification}
        optional = {"order": order, "context": context}
        named.update({name: value for name, value in optional.items() if value is not None})
        answer = await self.call(model, "web_search_read", **named)
        rows = answer.get("records") if isinstance(answer, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise self._bad_answer(f"{model}.web_search_read", answer)
        return rows

    async def search_count(self, model: str, domain: Domain) -> int:
        count = await self.call(model, "search_count", domain=domain)
        if not isinstance(count, int) or isinstance(count, bool):
            raise self._bad_answer(f"{model}.search_count", count)
        return count

    async def fields_get(self, model: str) -> dict[str, Row]:
        described = await self.call(model, "fields_get", attributes=["type", "relation"])
        if not isinstance(described, dict):
            raise self._bad_answer(f"{model}.fields_get", described)
        return described

    async def _login(self) -> int:
        if self._uid is not None:
            return self._uid
        async with self._login_lock:
            if self._uid is None:
                conn = self._conn
                uid = await self._rpc(
                    "common",
                    "authenticate",
                    [conn.database, conn.login, conn.api_key, {}],
                    read=True,
                )
                if not isinstance(uid, int) or isinstance(uid, bool):
                    raise OdooAccessDenied(
                        f"Odoo refused the login {conn.login!r} on database {conn.database!r}",
                        backend=self._backend,
                        odoo_name="odoo.exceptions.AccessDenied",
                    )
                self._uid = uid
            return self._uid

    async def _rpc(self, service: str, method: str, args: list[Any], *, read: bool) -> Any:
        """A call of the services behind `/jsonrpc` and `/xmlrpc/2/`."""
        if self._conn.protocol == "xmlrpc":
            return await xmlrpc_call(self._http, service, method, args, read=read)
        return await self._jsonrpc(service, method, args, read=read)

    async def _jsonrpc(self, service: str, method: str, args: list[Any], *, read: bool) -> Any:
        envelope = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self._ids),
            "params": {"service": service, "method": method, "args": args},
        }
        response = await self._http.request(
            "POST", "/jsonrpc", read=read, content=_encoded(envelope), headers=_JSON
        )
        if response.status_code != 200:
            raise self._http_error(response, f"{service}.{method}")
        body = self._json(response, f"{service}.{method}")
        if not isinstance(body, dict) or ("result" not in body and "error" not in body):
            raise self._bad_answer(f"{service}.{method}", body)
        if "error" in body:
            raise self._odoo_error(body["error"])
        return body["result"]

    async def _call_json2(self, model: str, method: str, body: Row, *, read: bool) -> Any:
        headers = {
            **_JSON,
            "Authorization": f"bearer {self._conn.api_key}",
            "X-Odoo-Database": self._conn.database,
        }
        path = f"/json/2/{model}/{method}"
        response = await self._http.request(
            "POST", path, read=read, content=_encoded(body), headers=headers
        )
        if response.status_code == 200:
            return self._json(response, f"{model}.{method}")
        raise self._http_error(response, f"{model}.{method}")

    def _http_error(self, response: httpx.Response, what: str) -> BackendError:
        status = response.status_code
        odoo_object = _odoo_error_object(response)
        if odoo_object is not None:
            return odoo_error(odoo_object[0], odoo_object[1], backend=self._backend)
        if status >= 500:
            return BackendUnavailable(
                f"Odoo answered {what} with HTTP {status}", backend=self._backend
            )
        return BackendRequestError(
            f"Odoo answered {what} with HTTP {status}; is {self._http.base_url} an Odoo "
            f"server that speaks the {self._conn.protocol} protocol?",
            backend=self._backend,
        )

    def _odoo_error(self, error: Any) -> BackendError:
        if not isinstance(error, dict):
            return self._bad_answer("error", error)
        data = error.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            return odoo_error(data["name"], str(data.get("message", "")), backend=self._backend)
        return odoo_error(
            "odoo.http.SessionExpiredException" if error.get("code") == 100 else "unknown",
            str(error.get("message", "")),
            backend=self._backend,
        )

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return wire_json.loads(response.content)
        except ValueError:
            raise self._bad_answer(what, response.text[:80]) from None

    def _bad_answer(self, what: str, got: Any) -> BackendDataError:
        return BackendDataError(
            f"Odoo answered {what} with an unexpected shape: {str(got)[:80]!r}",
            backend=self._backend,
        )


def _odoo_error_object(response: httpx.Response) -> tuple[str, str] | None:
    """Odoo's JSON-2 error body `{"name": ..., "message": ...}`, if that is what it is."""
    try:
        body = wire_json.loads(response.content)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        return body["name"], str(body.get("message", ""))
    return None


def _encoded(body: object) -> bytes:
    """The JSON of a request, as httpx's `json=` writes it (compact, UTF-8) at a fraction
    of its cost; keys that are not strings are written as strings, as `json` does."""
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
