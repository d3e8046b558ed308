"""What a log line must never carry: credentials, whatever logged them.

A token can reach a log line by accident (an exception quoting a header, a GET request
whose query string holds one, a connection URL with its password), so every message and
traceback is scrubbed as it is written: the credential shapes of the audit log's
redaction (a JWT, an `egw_` API token, `Bearer ...`) and the password of a URL.
"""

from __future__ import annotations

import re

from gateway.auth.redaction import CREDENTIAL_SHAPES, REDACTED

# scheme://user:password@host: the password goes, the rest tells where.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@")


# What every credential shape above contains (lower-cased): most lines hold none of
# them and skip the regular expressions, which cost several times more than this test.
_HINTS = ("eyj", "egw_", "bearer", "://")


def scrub(text: str) -> str:
    """`text` without the credentials it may quote."""
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return text
    text = CREDENTIAL_SHAPES.sub(REDACTED, text)
    return _URL_PASSWORD.sub(rf"\g<head>{REDACTED}@", text)
