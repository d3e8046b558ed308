"""ISO 3166 country and subdivision codes, checked against pycountry's tables."""

from __future__ import annotations

import pycountry

from erp_backends.normalize.errors import NormalizationError


def country_code(code: str) -> str:
    """The ISO 3166-1 alpha-2 code for an alpha-2 or alpha-3 code, in any case."""
    cleaned = code.strip().upper()
    country = None
    if len(cleaned) == 2:
        country = pycountry.countries.get(alpha_2=cleaned)
    elif len(cleaned) == 3:
        country = pycountry.countries.get(alpha_3=cleaned)
    if country is None:
        raise NormalizationError(f"unknown ISO 3166 country code {code!r}")
    return str(country.alpha_2)


def country_name(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        raise NormalizationError(f"unknown ISO 3166 country code {alpha_2!r}")
    return str(country.name)


def subdivision_code(country_alpha_2: str, local_code: str) -> str:
    """The ISO 3166-2 code ("US-CA") for a subdivision's local code ("CA") in a country."""
    full = f"{country_alpha_2.upper()}-{local_code.strip().upper()}"
    if pycountry.subdivisions.get(code=full) is None:  # type: ignore[no-untyped-call]
        raise NormalizationError(f"unknown ISO 3166-2 subdivision {full!r}")
    return full
