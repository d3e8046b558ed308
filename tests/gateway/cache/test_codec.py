"""Records survive the cache exactly, as data, never as pickle."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from erp_backends.models import (
    Address,
    AddressKind,
    CrmProfile,
    Deal,
    InvoicingStatus,
    LifecycleStage,
    Money,
    Order,
    OrderStatus,
    Quantity,
    StockLevel,
    WarehouseStock,
)
from erp_backends.paging import Page
from gateway.cache.codec import MODEL_VERSION, CodecError, dumps, loads

ORDER = Order(
    id="42",
    number="S00042",
    customer_id="7",
    status=OrderStatus.CONFIRMED,
    invoicing_status=InvoicingStatus.TO_INVOICE,
    ordered_at=datetime(2026, 3, 1, 10, 30, tzinfo=UTC),
    customer_reference=None,
    untaxed=Money(Decimal("1740.10"), "EUR"),
    tax=Money(Decimal("365.42"), "EUR"),
    total=Money(Decimal("2105.52"), "EUR"),
    invoice_ids=("9", "11"),
)
PROFILE = CrmProfile(
    id="512",
    email="a@x.test",
    company_name="Azure",
    account_manager=None,
    lifecycle_stage=LifecycleStage.CUSTOMER,
    last_activity_at=None,
    open_deals=(
        Deal("1", "Renewal", "qualifiedtobuy", Money(Decimal("0.30"), "USD"), date(2026, 12, 1)),
    ),
)
WAREHOUSE = WarehouseStock(
    "WH", "San Francisco", Quantity(Decimal("12.500"), "C62"), Quantity(Decimal("2"), "C62")
)
STOCK = StockLevel("5", "C62", (WAREHOUSE,))


@pytest.mark.parametrize("value", [ORDER, PROFILE, STOCK])
def test_records_round_trip_exactly(value):
    assert loads(dumps(value), type(value)) == value


def test_decimals_keep_their_digits_and_are_strings():
    text = dumps(ORDER)
    assert '"amount":"1740.10"' in text
    assert "1740.1," not in text
    assert loads(text, Order).total.amount.as_tuple() == Decimal("2105.52").as_tuple()


def test_pages_and_tuples_round_trip():
    page = Page((ORDER,), offset=20, total=61)
    assert loads(dumps(page), Page[Order]) == page
    assert loads(dumps((ORDER, ORDER)), tuple[Order, ...]) == (ORDER, ORDER)


def test_a_page_read_without_its_total_round_trips_and_older_entries_still_read():
    uncounted = Page((ORDER,), offset=0, total=None, more=True)
    assert loads(dumps(uncounted), Page[Order]) == uncounted
    older = dumps(Page((ORDER,), offset=20, total=61)).replace(',"more":false', "")
    assert '"more"' not in older  # as written before pages had `more`
    assert loads(older, Page[Order]) == Page((ORDER,), offset=20, total=61)


def test_addresses_with_enums_and_nones_round_trip():
    address = Address(AddressKind.SHIPPING, None, "1 Main St", None, "94107", "SF", "US-CA", "US")
    assert loads(dumps(address), Address) == address


@pytest.mark.parametrize(
    "text",
    ['{"id": "42"}', '"just a string"', '{"__reduce__": "os.system"}', "[1, 2]"],
)
def test_anything_else_is_refused(text):
    with pytest.raises(CodecError):
        loads(text, Order)


def test_the_model_version_is_a_stable_fingerprint():
    assert len(MODEL_VERSION) == 12
    assert MODEL_VERSION.isalnum()
