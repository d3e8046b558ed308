"""Partner API tokens: their format, their hash, and the rules of a stored token (which
secrets it accepts and when, what revoking and rotating change).

A token reads `egw_<id>_<secret>`: the id (12 hex digits) is public, names the token in
`token list` and finds its record; the secret (32 random bytes, URL-safe base64) is
shown once, when the token is created or rotated, and only its hash is ever stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from erp_backends.rate_limit import RateLimit
from gateway.auth.errors import InvalidToken

__all__ = [
    "API_TOKEN_PREFIX",
    "COLUMNS",
    "ApiToken",
    "Fields",
    "NewSecret",
    "StoredToken",
    "TokenNotRotatable",
    "TokenState",
    "from_fields",
    "hash_secret",
    "new_secret",
    "new_token_id",
    "parse_duration",
    "parse_presented",
    "to_fields",
    "verified_token",
]

# Tells an API token from a JWT (which starts with "ey"); not a secret.
API_TOKEN_PREFIX = "egw_"  # noqa: S105
# The id is token_hex(6); the secret token_urlsafe(32): 43 characters of base64url.
_PRESENTED = re.compile(API_TOKEN_PREFIX + r"([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_DURATION = re.compile(r"([1-9][0-9]{0,9})([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
MAX_DURATION = timedelta(days=36500)


class TokenState(StrEnum):
    ACTIVE = "active"
    ROTATING = "rotating"  # rotated: the previous secret is still accepted for a while
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What the store knows of a token, minus its secret and hash: safe to show and log."""

    id: str
    name: str
    scopes: frozenset[str]
    # The global ids of the customers the token acts for; without customers:any, none
    # means it acts for no customer at all.
    customer_ids: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    rotated_at: datetime | None = None
    previous_valid_until: datetime | None = None  # end of the last rotation's grace period
    rate_limit: RateLimit | None = None  # its own (`token create --rate`); None: its kind's

    @property
    def credential(self) -> str:
        """How a `Principal` names this token for the audit."""
        return f"api_token:{self.id}"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def in_grace_period(self, now: datetime) -> bool:
        return self.previous_valid_until is not None and now < self.previous_valid_until

    def state(self, now: datetime) -> TokenState:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.is_expired(now):
            return TokenState.EXPIRED
        if self.in_grace_period(now):
            return TokenState.ROTATING
        return TokenState.ACTIVE


@dataclass(frozen=True, slots=True)
class NewSecret:
    """A freshly drawn secret: the full token to print once and the hash to store."""

    token: str
    hash: str

    def __repr__(self) -> str:
        return "NewSecret('**********')"


def new_token_id() -> str:
    return secrets.token_hex(6)


def new_secret(token_id: str) -> NewSecret:
    secret = secrets.token_urlsafe(32)
    return NewSecret(token=f"{API_TOKEN_PREFIX}{token_id}_{secret}", hash=hash_secret(secret))


def parse_presented(text: str) -> tuple[str, str]:
    """(id, secret) of a token as a client sent it; InvalidToken for anything else."""
    match = _PRESENTED.fullmatch(text)
    if match is None:
        raise InvalidToken("malformed API token")
    return match[1], match[2]


def hash_secret(secret: str) -> str:
    # A password needs a slow hash (bcrypt, scrypt) because people pick few of the
    # possible ones, which an attacker with the hashes can try one by one. Our secrets
    # are 256 random bits: no list of guesses exists, so a fast hash already makes a
    # stolen store useless, and checking a token on every request stays cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_duration(text: str) -> timedelta:
    """A duration like 90d, 12h, 30m or 3600s; ValueError naming the problem otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected a duration like 90d, 12h, 30m or 3600s, got {text!r}")
    try:
        duration = timedelta(**{_UNITS[match[2]]: int(match[1])})
    except OverflowError:
        duration = timedelta.max
    if duration > MAX_DURATION:
        raise ValueError(f"{text!r} is too long: at most {MAX_DURATION.days}d")
    return duration


class TokenNotRotatable(Exception):
    """A revoked or expired token stays dead: rotating it would revive it."""


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token as the store keeps it: with the hash of its secret (and, for a while
    after a rotation, of the previous one), never the secret itself."""

    token: ApiToken
    secret_hash: str = field(repr=False)
    previous_hash: str | None = field(default=None, repr=False)  # during a grace period

    def accepts(self, digest: str, now: datetime) -> bool:
        # compare_digest takes as long for a near miss as for a far one, so response
        # times do not tell an attacker how much of a guessed hash was right.
        if hmac.compare_digest(digest, self.secret_hash):
            return True
        return (
            self.previous_hash is not None
            and self.token.in_grace_period(now)
            and hmac.compare_digest(digest, self.previous_hash)
        )

    def revoked(self, now: datetime) -> StoredToken:
        if self.token.revoked_at is not None:
            return self  # revoking twice keeps the first time
        return replace(self, token=replace(self.token, revoked_at=now))

    def rotated(self, secret_hash: str, now: datetime, grace: timedelta) -> StoredToken:
        state = self.token.state(now)
        if state in (TokenState.REVOKED, TokenState.EXPIRED):
            raise TokenNotRotatable(f"API token {self.token.id} is {state}: create a new one")
        # Only the latest previous secret is kept: rotating again within a grace
        # period ends that period for the secret before.
        token = replace(self.token, rotated_at=now, previous_valid_until=now + grace)
        return StoredToken(token, secret_hash=secret_hash, previous_hash=self.secret_hash)


def verified_token(record: StoredToken | None, secret: str, now: datetime) -> ApiToken:
    """The token, if `secret` is its secret and it is still valid; InvalidToken else."""
    if record is None or not record.accepts(hash_secret(secret), now):
        # One answer for an unknown id and a wrong secret, so ids cannot be probed.
        raise InvalidToken("unknown API token")
    if record.token.revoked_at is not None:
        raise InvalidToken("API token revoked")
    if record.token.is_expired(now):
        raise InvalidToken("API token expired")
    return record.token


_TIMES = ("created_at", "expires_at", "revoked_at", "rotated_at", "previous_valid_until")
# `customer_ids` holds the bound customers' ids, space-separated like the scopes.
# `customer_id` is the one binding a token could have before tokens took several: rows
# and hashes written then have only it, read as a binding of one; it is still written
# (the first binding) so that a gateway of that time sharing the store keeps a bound
# token bound.
COLUMNS = (
    "id",
    "name",
    "scopes",
    "customer_ids",
    "customer_id",
    *_TIMES,
    "secret_hash",
    "previous_hash",
    "rate_limit",  # "600/minute", or None for the rate of the token's kind
)
# A stored token as one flat record of strings: a SQLite row, a Redis hash.
Fields = dict[str, str | None]


def to_fields(record: StoredToken) -> Fields:
    token = record.token
    times: Fields = {name: _iso(getattr(token, name)) for name in _TIMES}
    return {
        "id": token.id,
        "name": token.name,
        "scopes": " ".join(sorted(token.scopes)),
        "customer_ids": " ".join(token.customer_ids),
        "customer_id": token.customer_ids[0] if token.customer_ids else None,
        **times,
        "secret_hash": record.secret_hash,
        "previous_hash": record.previous_hash,
        "rate_limit": None if token.rate_limit is None else str(token.rate_limit),
    }


def from_fields(fields: Mapping[str, str | None]) -> StoredToken:
    token = ApiToken(
        id=str(fields["id"]),
        name=str(fields["name"]),
        scopes=frozenset(str(fields["scopes"]).split()),
        customer_ids=_customer_ids(fields),
        created_at=datetime.fromisoformat(str(fields["created_at"])),
        expires_at=_time(fields.get("expires_at")),
        revoked_at=_time(fields.get("revoked_at")),
        rotated_at=_time(fields.get("rotated_at")),
        previous_valid_until=_time(fields.get("previous_valid_until")),
        rate_limit=_rate(fields.get("rate_limit")),
    )
    return StoredToken(token, str(fields["secret_hash"]), fields.get("previous_hash") or None)


def _customer_ids(fields: Mapping[str, str | None]) -> tuple[str, ...]:
    """The bindings; a record from before `customer_ids` (None there) has its one
    `customer_id`, or none."""
    listed = fields.get("customer_ids")
    if listed is None:
        listed = fields.get("customer_id") or ""
    return tuple(listed.split())


def _rate(text: str | None) -> RateLimit | None:
    return RateLimit.parse(text) if text else None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
