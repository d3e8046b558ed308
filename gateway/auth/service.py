"""Opens what authentication needs for the life of the app: the JWKS client, the API
token store and the audit log."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx

from gateway.auth.audit import AuditLog, open_audit_log
from gateway.auth.authenticate import Authenticator
from gateway.auth.jwks import JwksKeys
from gateway.auth.jwt_tokens import JwtVerifier
from gateway.auth.token_store import ApiTokenStore, open_token_store
from gateway.config import AuthSettings


@dataclass(frozen=True, slots=True)
class AuthServices:
    authenticator: Authenticator
    tokens: ApiTokenStore
    audit: AuditLog


async def open_auth(settings: AuthSettings, stack: AsyncExitStack) -> AuthServices:
    jwks = None
    if settings.jwks_url is not None:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=5.0))
        jwks = JwksKeys(
            settings.jwks_url,
            http,
            min_refresh_s=settings.jwks_min_refresh_s,
            max_age_s=settings.jwks_max_age_s,
        )
    tokens = open_token_store(settings.store_connect_url())
    stack.push_async_callback(tokens.close)
    audit = open_audit_log(settings.store_connect_url())
    stack.push_async_callback(audit.close)
    authenticator = Authenticator(settings, JwtVerifier(settings, jwks), tokens)
    return AuthServices(authenticator=authenticator, tokens=tokens, audit=audit)
