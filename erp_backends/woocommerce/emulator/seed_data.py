"""Word lists and wire formats the WooCommerce emulator's seed draws from."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from erp_backends.emulation.world.data import names

SITE_URL = "https://shop.yourcompany.example.com"
SITE_TIMEZONE = ZoneInfo("Europe/Brussels")  # the shop's "site time" for date_created
SHOP_CURRENCY = "EUR"
WC_VERSION = "9.8.5"

# The contact person who signed up for a customer company's shop account, by country.
FIRST_NAMES = {
    "US": names(
        "James, Mary, Robert, Patricia, Michael, Jennifer, David, Linda, Emily, Daniel, Sarah, "
        "Kevin"
    ),
    "BE": names(
        "Lucas, Emma, Louis, Olivia, Arthur, Louise, Noah, Mila, Jules, Elise, Wout, Lotte"
    ),
    "DE": names(
        "Lukas, Anna, Jonas, Lea, Felix, Marie, Paul, Sophie, Maximilian, Hannah, Jürgen, Katrin"
    ),
    "FR": names(
        "Gabriel, Léa, Hugo, Chloé, Raphaël, Manon, Théo, Camille, Antoine, Inès, Mathieu, Élodie"
    ),
    "NL": names("Daan, Julia, Sem, Tess, Bram, Fenna, Lars, Sanne, Thijs, Anouk"),
    "GB": names("Oliver, Amelia, George, Isla, Harry, Ava, Jack, Emily, Charlie, Poppy"),
    "ES": names("Hugo, Lucía, Martín, Sofía, Pablo, Martina, Álvaro, Carmen"),
    "IT": names("Leonardo, Sofia, Francesco, Giulia, Alessandro, Aurora, Lorenzo, Chiara"),
}
LAST_NAMES = {
    "US": names(
        "Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Wilson, Anderson, "
        "Taylor, Moore"
    ),
    "BE": names(
        "Peeters, Janssens, Maes, Jacobs, Dubois, Lambert, Claes, Dupont, Wouters, Goossens"
    ),
    "DE": names(
        "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Hoffmann, Schäfer"
    ),
    "FR": names("Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Lefèvre"),
    "NL": names(
        "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer, de Boer"
    ),
    "GB": names("Smith, Jones, Taylor, Brown, Williams, Wilson, Evans, Thomas, Roberts, Walker"),
    "ES": names("García, Fernández, González, Rodríguez, López, Martínez, Sánchez"),
    "IT": names("Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci"),
}
# People who buy from the shop but are no ERP customer: private buyers and guests.
CONSUMER_DOMAINS = ("mail.example.net", "inbox.example.org", "post.example.com")
PAYMENT_METHODS = (
    ("stripe", "Credit Card (Stripe)", 60),
    ("paypal", "PayPal", 30),
    ("bacs", "Direct bank transfer", 10),
)
TAX_RATES = {"EUR": 0.21, "USD": 0.0825, "GBP": 0.20}


def wire_dates(name: str, when: datetime | None) -> dict[str, str | None]:
    """`name` in site time and `name_gmt` in UTC, both ISO 8601 without a zone, as WC sends.

    `when` is a naive UTC datetime (or None for an unset date: both come out null).
    """
    if when is None:
        return {name: None, f"{name}_gmt": None}
    local = when.replace(tzinfo=UTC).astimezone(SITE_TIMEZONE).replace(tzinfo=None)
    return {name: _iso(local), f"{name}_gmt": _iso(when)}


def _iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def money(amount: float) -> str:
    """WooCommerce's money: a string with two decimals."""
    return f"{amount:.2f}"


def slug(text: str) -> str:
    kept = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in text)
    return "-".join(part for part in kept.split("-") if part)
