"""ISO 3166 country and subdivision codes, checked against pycountry's tables."""

from __future__ import annotations

import functools
import unicodedata

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


# Spellings pycountry's tables lack (they hold ISO's codes and English names): usual
# short forms and the own names of frequent destinations. Keys as `_key` leaves them.
_ALIASES = {
    "UK": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "AMERICA": "US",
    "RUSSIA": "RU",
    "SOUTH KOREA": "KR",
    "TURKEY": "TR",
    "IVORY COAST": "CI",
    "HOLLAND": "NL",
    "THE NETHERLANDS": "NL",
    "DEUTSCHLAND": "DE",
    "OSTERREICH": "AT",
    "SCHWEIZ": "CH",
    "SUISSE": "CH",
    "SVIZZERA": "CH",
    "ESPANA": "ES",
    "ITALIA": "IT",
    "NEDERLAND": "NL",
    "BELGIE": "BE",
    "BELGIQUE": "BE",
    "POLSKA": "PL",
    "SVERIGE": "SE",
    "DANMARK": "DK",
    "NORGE": "NO",
    "SUOMI": "FI",
    "EIRE": "IE",
    "CESKO": "CZ",
    "MAGYARORSZAG": "HU",
}


def parse_country(text: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country as people write it: a code of any kind
    ("us", "USA", "U.S.A.", "840"), its English name ("United States", "Côte d'Ivoire")
    or a common other name ("UK", "Deutschland"). Anything else is refused, never
    guessed."""
    spaced = " ".join(text.split())
    undotted = spaced.replace(".", "")
    numeric = undotted.zfill(3) if undotted.isdigit() else undotted  # "40" is Austria's "040"
    for candidate in dict.fromkeys((spaced, numeric)):
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            pass
    alpha_2 = _ALIASES.get(_key(text)) or _plain_names().get(_key(text))
    if alpha_2 is None:
        raise NormalizationError(f"unknown country {text!r}")
    return alpha_2


def parse_region(text: str, country_alpha_2: str) -> str:
    """The ISO 3166-2 code of a subdivision of the country, written as its code ("US-CA"),
    its code within the country ("CA") or its name ("California", "Baden-Wurttemberg"),
    in any case."""
    key = _key(text)
    subdivisions = pycountry.subdivisions.get(country_code=country_alpha_2) or ()  # type: ignore[no-untyped-call]
    for subdivision in subdivisions:
        code = str(subdivision.code)
        if key in (code, code.split("-", 1)[1], _key(str(subdivision.name))):
            return code
    raise NormalizationError(f"{text!r} is no ISO 3166-2 subdivision of {country_alpha_2}")


def region_country(text: str) -> str | None:
    """The country of a full ISO 3166-2 code ("us-ca" -> "US"), or None."""
    subdivision = pycountry.subdivisions.get(code=text.strip().upper())  # type: ignore[no-untyped-call]
    return None if subdivision is None else str(subdivision.country_code)


@functools.cache
def _plain_names() -> dict[str, str]:
    """Each country's names without accents ("COTE D'IVOIRE"): people type them so."""
    return {
        _key(str(name)): str(country.alpha_2)
        for country in pycountry.countries
        for attribute in ("name", "official_name", "common_name")
        if (name := getattr(country, attribute, None))
    }


def _key(text: str) -> str:
    """Upper case, without accents, dots or extra spaces: "U.S.A. " -> "USA",
    "Österreich" -> "OSTERREICH"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "")
    return " ".join(plain.split()).upper()
