"""The world's parties: the selling company and its administrator, then 240 customer
companies in eight countries, some with a delivery and an invoice address.

Names, streets, phones and VAT numbers follow each country's conventions
(`data.COUNTRIES`). The draws come from one generator, in the order Odoo's seed used to
make them, so that every system's projection stays as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from itertools import product as combinations

from erp_backends.emulation.world.data import (
    COMPANY_TRADES,
    COMPANY_WORDS,
    COUNTRIES,
    DELIVERY_NAMES,
    EMAIL_BOXES,
    INVOICE_NAMES,
    CountryStyle,
)

CUSTOMER_COUNT = 240
_DUTCH_BE = frozenset({"Antwerp", "Ghent", "Leuven", "Bruges", "Mechelen"})


@dataclass(frozen=True)
class Address:
    street: str | None
    street2: str | None
    city: str | None
    zip: str | None
    state: str  # a US state's code, "" elsewhere
    country: str  # ISO 3166 alpha-2


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    address: Address | None = None


# The company whose systems these are, and its administrator.
SELLER_NAME = "YourCompany"
SELLER_ADDRESS = Address(
    street="250 Executive Park Blvd, Suite 3400",
    street2=None,
    city="San Francisco",
    zip="94134",
    state="CA",
    country="US",
)
SELLER_EMAIL = "info@yourcompany.example.com"
SELLER_PHONE = "+1 555-555-5556"
SELLER_WEBSITE = "https://www.example.com"
ADMIN = Person(
    name="Mitchell Admin",
    email="admin@yourcompany.example.com",
    address=Address(
        street="215 Vine St", street2=None, city="Scranton", zip="18503", state="PA", country="US"
    ),
)


@dataclass(frozen=True)
class Contact:
    """A customer's delivery or invoice address, with whom to reach there."""

    kind: str  # "delivery" or "invoice"
    name: str
    email: str
    lang: str
    address: Address


@dataclass(frozen=True)
class Customer:
    """A customer company."""

    number: int  # the world's own, 1 onwards in creation order; its reference C00001
    name: str
    style: CountryStyle
    address: Address
    lang: str
    email: str | None
    phone: str | None
    website: str | None
    vat: str | None
    rank: int  # how much of a customer it is (Odoo's customer_rank), 1-40
    created: datetime
    delivery: Contact | None
    invoice: Contact | None

    @property
    def ref(self) -> str:
        return f"C{self.number:05d}"

    @property
    def country(self) -> str:
        return self.style.code

    @property
    def currency(self) -> str:
        return self.style.currency


def draw_customers(rng: random.Random) -> list[Customer]:
    styles = [s for s in COUNTRIES for _ in range(round(s.share * CUSTOMER_COUNT))]
    styles += [COUNTRIES[0]] * (CUSTOMER_COUNT - len(styles))
    rng.shuffle(styles)
    names = rng.sample(list(combinations(COMPANY_WORDS, COMPANY_TRADES)), len(styles))
    return [
        _customer(rng, number, style, words, trade)
        for number, (style, (words, trade)) in enumerate(zip(styles, names, strict=True), 1)
    ]


def _customer(
    rng: random.Random, number: int, style: CountryStyle, words: str, trade: str
) -> Customer:
    slug = f"{words}-{trade}".lower().replace(" ", "-")
    name = f"{words} {trade} {rng.choice(style.legal_forms)}"
    # The draws in the order of the record Odoo's seed used to build.
    address = _address(rng, style)
    lang = "nl_BE" if style.code == "BE" and address.city in _DUTCH_BE else style.lang
    has_vat = style.vat_format is not None and rng.random() < 0.9
    email = f"{rng.choice(EMAIL_BOXES)}@{slug}.{style.tld}" if rng.random() < 0.95 else None
    phone = _digits(rng, style.phone_format) if rng.random() < 0.9 else None
    website = f"https://www.{slug}.{style.tld}" if rng.random() < 0.7 else None
    vat = _digits(rng, style.vat_format) if has_vat and style.vat_format else None
    rank = rng.randint(1, 40)
    created = datetime(2024, rng.randint(1, 9), rng.randint(1, 28), 10)
    children = {
        kind: _contact(rng, style, kind, slug)
        for kind, chance in (("delivery", 0.35), ("invoice", 0.25))
        if rng.random() < chance
    }
    return Customer(
        number=number,
        name=name,
        style=style,
        address=address,
        lang=lang,
        email=email,
        phone=phone,
        website=website,
        vat=vat,
        rank=rank,
        created=created,
        delivery=children.get("delivery"),
        invoice=children.get("invoice"),
    )


def _contact(rng: random.Random, style: CountryStyle, kind: str, slug: str) -> Contact:
    name = rng.choice(DELIVERY_NAMES if kind == "delivery" else INVOICE_NAMES)
    box = "warehouse" if kind == "delivery" else rng.choice(("ap", "billing", "invoices"))
    address = _address(rng, style)
    return Contact(kind, name, f"{box}@{slug}.{style.tld}", style.lang, address)


def _address(rng: random.Random, style: CountryStyle) -> Address:
    city, zip_code, state = rng.choice(style.cities)
    number = rng.randint(10, 4999) if style.code == "US" else rng.randint(1, 250)
    street = style.street_format.format(n=number, street=rng.choice(style.streets))
    extra = rng.choice(("Suite 200", "Floor 3", "Unit 12", "Building B"))
    street2 = extra if rng.random() < 0.15 else None
    return Address(street, street2, city, zip_code, state, style.code)


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if c == "#" else c for c in pattern)
