"""Redaction: what of a request's variables may be kept in the audit log.

Applied when an `AuditEntry` is built, so that no store ever receives a password, a
card number or a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Matched inside the key with case and separators dropped ("api_key", "apiKey", "API-Key"
# all become "apikey"). Over-redacting a "discardReason" is cheap; leaking a card is not.
SECRET_KEY_PARTS = tuple(
    "password passwd passphrase passcode pwd secret token jwt apikey accesskey privatekey"
    " authorization credential cookie card cvv cvc iban".split()
)
# Matched as whole words only: as substrings they hit "shipping", "author", "footprint".
SECRET_KEY_WORDS = frozenset({"pin", "otp", "ssn", "auth", "session"})
CREDENTIAL_SHAPES = re.compile(
    r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)+"  # a JWT (JWS or JWE)
    r"|egw_[0-9a-fA-F]+_[A-Za-z0-9_~.+/=-]+"  # a partner API token
    r"|\b(?i:bearer)\s+\S+"  # an Authorization header's value
)


def redact(value: Any) -> Any:
    """A deep copy of `value` (GraphQL variables) that is safe to keep.

    The rule: a dict entry whose key looks secret has its whole value replaced by
    "[redacted]"; a key looks secret when, lower-cased and without separators, it
    contains one of `SECRET_KEY_PARTS` (password, secret, token, apikey, authorization,
    card, cvv, cvc, iban, ...), or when one of its words (split at camelCase, "_", "-")
    is in `SECRET_KEY_WORDS` (pin, otp, ssn, auth, session). Anywhere else, the parts
    of a string that look like a credential (a JWT, an `egw_` API token, `Bearer ...`)
    become "[redacted]". Dicts and lists are walked recursively; other values are kept.
    """
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED if _is_secret_key(str(key)) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return CREDENTIAL_SHAPES.sub(REDACTED, value)
    return value


def _is_secret_key(key: str) -> bool:
    squashed = re.sub(r"[^a-z0-9]", "", key.lower())
    if any(part in squashed for part in SECRET_KEY_PARTS):
        return True
    spaced = re.sub(r"([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3 \2\4", key)
    return not SECRET_KEY_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", spaced.lower()))
