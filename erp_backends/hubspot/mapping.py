"""HubSpot records to canonical records.

Each `*_PROPERTIES` list is exactly what its mapping reads, so the adapter asks HubSpot
for nothing more. The contact's last activity is `notes_last_updated`, HubSpot's "Last
Activity Date": the last call, email, meeting, note or task logged on the contact by
the sales team (`hs_last_sales_activity_timestamp`, "Last Engagement Date", counts the
contact's own opens, clicks and form fills instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from erp_backends.errors import BackendDataError
from erp_backends.hubspot.records import HubSpotRecord
from erp_backends.models import AccountManager, CrmProfile, Deal, LifecycleStage
from erp_backends.normalize.money import money

CONTACT_PROPERTIES = (
    "email firstname lastname company lifecyclestage hubspot_owner_id notes_last_updated".split()
)
COMPANY_PROPERTIES = ["name"]
DEAL_PROPERTIES = "dealname dealstage amount deal_currency_code closedate hs_is_closed".split()

LIFECYCLE_STAGES = {
    "subscriber": LifecycleStage.SUBSCRIBER,
    "lead": LifecycleStage.LEAD,
    "marketingqualifiedlead": LifecycleStage.MARKETING_QUALIFIED_LEAD,
    "salesqualifiedlead": LifecycleStage.SALES_QUALIFIED_LEAD,
    "opportunity": LifecycleStage.OPPORTUNITY,
    "customer": LifecycleStage.CUSTOMER,
    "evangelist": LifecycleStage.EVANGELIST,
    "other": LifecycleStage.OTHER,
}
# The default pipeline's closed stages; other pipelines' stages are ids, and HubSpot's
# calculated `hs_is_closed` says whether they are closed.
CLOSED_STAGES = frozenset({"closedwon", "closedlost"})


def lifecycle_stage(contact: HubSpotRecord) -> LifecycleStage | None:
    """The contact's stage; a portal's custom stages (numeric ids) count as OTHER."""
    value = contact.text("lifecyclestage")
    return None if value is None else LIFECYCLE_STAGES.get(value.lower(), LifecycleStage.OTHER)


def is_open(deal: HubSpotRecord) -> bool:
    closed = deal.flag("hs_is_closed")
    if closed is not None:
        return not closed
    return deal.required_text("dealstage").lower() not in CLOSED_STAGES


def deal(record: HubSpotRecord, portal_currency: str) -> Deal:
    """A deal; its amount is in `deal_currency_code`, else in the portal's currency."""
    amount = record.number("amount")  # a bad amount is reported here, against "amount"
    currency = record.text("deal_currency_code") or portal_currency
    try:
        value = None if amount is None else money(str(amount), currency, what="amount")
    except ValueError as exc:
        raise record.bad("deal_currency_code", str(exc)) from None
    return Deal(
        id=record.id,
        name=record.text("dealname") or "",
        stage=record.required_text("dealstage"),
        amount=value,
        closes_on=record.date("closedate"),
    )


def account_manager(owner: dict[str, Any], *, backend: str) -> tuple[str, AccountManager]:
    """An owner (`GET /crm/v3/owners`) as the account manager it is, with its owner id."""
    key = owner.get("id")
    names = [owner.get(field) for field in ("firstName", "lastName", "email")]
    if not isinstance(key, str | int) or isinstance(key, bool):
        raise BackendDataError(f"HubSpot owner without an id: {str(owner)[:80]!r}", backend=backend)
    if not all(value is None or isinstance(value, str) for value in names):
        raise BackendDataError(
            f"HubSpot owner {key}: expected text firstName, lastName and email, got {names!r}",
            backend=backend,
        )
    first, last, email = names
    full = " ".join(part for part in (first, last) if part)
    return str(key), AccountManager(name=full or email or str(key), email=email or None)


def profile(
    contact: HubSpotRecord,
    *,
    email: str,
    company: HubSpotRecord | None,
    manager: AccountManager | None,
    deals: Sequence[Deal],
) -> CrmProfile:
    company_name = company.text("name") if company is not None else None
    return CrmProfile(
        id=contact.id,
        email=contact.text("email") or email,
        company_name=company_name or contact.text("company"),
        account_manager=manager,
        lifecycle_stage=lifecycle_stage(contact),
        last_activity_at=contact.datetime("notes_last_updated"),
        open_deals=tuple(sorted(deals, key=lambda d: (d.closes_on or date.max, d.id))),
    )
