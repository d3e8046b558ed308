"""From a request's headers to its `Principal`.

    Authorization: Bearer <JWT or partner API token>   or   X-API-Key: <API token>
    X-Act-As-Customer: <customer id>   (staff with customers:impersonate only)

No credentials make the anonymous principal, which may explore the schema but reads
nothing. Credentials that are present but wrong are an error, never anonymity: a client
with an expired token must learn so, not get empty answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers

from erp_backends.rate_limit import RateLimit
from gateway.auth.api_tokens import API_TOKEN_PREFIX
from gateway.auth.errors import ImpersonationDenied, InvalidToken
from gateway.auth.jwt_tokens import JwtVerifier
from gateway.auth.principal import ANONYMOUS, Principal, PrincipalKind
from gateway.auth.scopes import CUSTOMERS_IMPERSONATE
from gateway.auth.token_store import ApiTokenStore
from gateway.config import AuthSettings
from gateway.global_ids import key_of

ACT_AS_HEADER = "x-act-as-customer"
# Identity providers' JWTs stay well below 8 KiB (a common server limit for a header)
# and API tokens below 100 bytes: anything bigger is refused before it is decoded.
MAX_CREDENTIAL_HEADER_BYTES = 8192
CREDENTIAL_HEADERS = {b"authorization": "Authorization", b"x-api-key": "X-API-Key"}
TOKEN_KINDS = {kind.value: kind for kind in PrincipalKind if kind is not PrincipalKind.ANONYMOUS}


class Authenticator:
    def __init__(self, settings: AuthSettings, jwts: JwtVerifier, tokens: ApiTokenStore) -> None:
        self._settings = settings
        self._jwts = jwts
        self._tokens = tokens

    async def principal_for(self, headers: Headers) -> Principal:
        _refuse_oversized_credentials(headers)
        credential = _credential_of(headers)
        if credential is None:
            principal = ANONYMOUS
        elif credential.startswith(API_TOKEN_PREFIX):
            principal = await self._api_token_principal(credential)
        else:
            principal = self._jwt_principal(await self._jwts.claims_of(credential))
        act_as = headers.get(ACT_AS_HEADER)
        return principal if act_as is None else _impersonating(principal, act_as.strip())

    async def _api_token_principal(self, presented: str) -> Principal:
        token = await self._tokens.verify(presented)
        return _principal(
            f"partner:{token.name}",
            PrincipalKind.PARTNER,
            token.scopes,
            token.customer_ids,
            credential=token.credential,
            rate_limit=token.rate_limit,
        )

    def _jwt_principal(self, claims: Mapping[str, Any]) -> Principal:
        names = self._settings.claims
        subject = claims.get(names.subject)
        if not isinstance(subject, str) or not subject:
            raise InvalidToken(f"the token has no {names.subject} claim")
        kind_name = claims.get(names.kind, self._settings.default_kind)
        kind = TOKEN_KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            raise InvalidToken(
                f"the token's {names.kind} claim must be one of " + ", ".join(TOKEN_KINDS)
            )
        customer_ids = self._customer_ids(claims, kind)
        scopes = _scopes_of(claims, names.scope)
        return _principal(subject, kind, scopes, customer_ids, credential="jwt")

    def _customer_ids(self, claims: Mapping[str, Any], kind: PrincipalKind) -> tuple[str, ...]:
        """The customers a token acts for: a customer token's one customer, a partner
        token's customers (one id, or a list of them); none for anyone else."""
        claim = self._settings.claims.customer_id
        value = claims.get(claim)
        if kind is PrincipalKind.CUSTOMER:
            if value is None:
                raise InvalidToken(f"a customer token needs a {claim} claim")
            if not isinstance(value, str):
                raise InvalidToken(f"the token's {claim} claim is not a customer id")
            return (value,)
        if kind is not PrincipalKind.PARTNER or value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(dict.fromkeys(value))
        raise InvalidToken(f"the token's {claim} claim must be a customer id or a list of them")


def _principal(
    subject: str,
    kind: PrincipalKind,
    scopes: frozenset[str],
    customer_ids: tuple[str, ...],
    *,
    credential: str,
    rate_limit: RateLimit | None = None,
) -> Principal:
    """A principal acting for these customers: a partner is bound to all of them, and
    acts as the one when there is one (the customer an order is for, unless named)."""
    keys = tuple(_customer_key(customer_id) for customer_id in customer_ids)
    one = len(keys) == 1
    return Principal(
        subject=subject,
        kind=kind,
        scopes=scopes,
        customer_id=customer_ids[0] if one else None,
        customer_key=keys[0] if one else None,
        bound_keys=frozenset(keys) if kind is PrincipalKind.PARTNER else frozenset(),
        credential=credential,
        rate_limit=rate_limit,
    )


def _refuse_oversized_credentials(headers: Headers) -> None:
    """On the raw bytes, and every copy of a header, not just the one `get` returns."""
    for name, value in headers.raw:
        shown = CREDENTIAL_HEADERS.get(name.lower())
        if shown is not None and len(value) > MAX_CREDENTIAL_HEADER_BYTES:
            raise InvalidToken(
                f"the {shown} header is longer than {MAX_CREDENTIAL_HEADER_BYTES} bytes"
            )


def _credential_of(headers: Headers) -> str | None:
    authorization, api_key = headers.get("authorization"), headers.get("x-api-key")
    if authorization is not None and api_key is not None:
        raise InvalidToken("send one credential: Authorization or X-API-Key, not both")
    if api_key is not None:
        if not api_key.strip():
            raise InvalidToken("the X-API-Key header is empty")
        return api_key.strip()
    if authorization is None:
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise InvalidToken("the Authorization header must be 'Bearer <token>'")
    return credential.strip()


def _scopes_of(claims: Mapping[str, Any], claim: str) -> frozenset[str]:
    """Scopes as OAuth 2 sends them (`scope`, space-separated) or as some identity
    providers do (a list, often in `scp`)."""
    value = claims.get(claim)
    if value is None and claim == "scope":
        value = claims.get("scp")
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(scope, str) for scope in value):
        return frozenset(value)
    raise InvalidToken(f"the token's {claim} claim must be a string or a list of strings")


def _customer_key(customer_id: str) -> str:
    key = key_of(customer_id, "Customer")
    if key is None:
        raise InvalidToken("the token's customer id is not the id of a customer")
    return key


def _impersonating(staff: Principal, customer_id: str) -> Principal:
    if staff.kind is not PrincipalKind.STAFF:
        raise ImpersonationDenied("only staff may act as a customer", staff, customer_id)
    if not staff.has_scope(CUSTOMERS_IMPERSONATE):
        reason = f"acting as a customer needs the {CUSTOMERS_IMPERSONATE} scope"
        raise ImpersonationDenied(reason, staff, customer_id)
    customer_key = key_of(customer_id, "Customer")
    if customer_key is None:
        reason = "X-Act-As-Customer is not the id of a customer"
        raise ImpersonationDenied(reason, staff, customer_id)
    return Principal(
        subject=customer_id,
        kind=PrincipalKind.CUSTOMER,
        # The staff member's rights, bounded to this customer; not the right to hop on.
        scopes=staff.scopes - {CUSTOMERS_IMPERSONATE},
        customer_id=customer_id,
        customer_key=customer_key,
        actor=staff,
        credential=staff.credential,
    )
