from __future__ import annotations

from datetime import date, datetime

import strawberry

from erp_backends import models
from resolvers.common.types import Money
from resolvers.context import Info
from resolvers.errors import BackendNotConfigured

strawberry.enum(models.LifecycleStage)  # the canonical enum is the GraphQL enum


@strawberry.type
class AccountManager:
    name: str
    email: str | None


@strawberry.type(description="A deal the CRM has open with the customer.")
class Deal:
    name: str
    stage: str = strawberry.field(description="The CRM pipeline's own stage name.")
    amount: Money | None
    closes_on: date | None

    @classmethod
    def of(cls, deal: models.Deal) -> Deal:
        amount = None if deal.amount is None else Money.of(deal.amount)
        return cls(name=deal.name, stage=deal.stage, amount=amount, closes_on=deal.closes_on)


@strawberry.type(description="What the CRM knows of a customer.")
class CrmProfile:
    contact_id: str = strawberry.field(description="The CRM's own id of the contact.")
    company_name: str | None
    account_manager: AccountManager | None
    lifecycle_stage: models.LifecycleStage | None
    last_activity_at: datetime | None
    open_deals: list[Deal]

    @classmethod
    def of(cls, profile: models.CrmProfile) -> CrmProfile:
        manager = profile.account_manager
        return cls(
            contact_id=profile.id,
            company_name=profile.company_name,
            account_manager=None
            if manager is None
            else AccountManager(name=manager.name, email=manager.email),
            lifecycle_stage=profile.lifecycle_stage,
            last_activity_at=profile.last_activity_at,
            open_deals=[Deal.of(deal) for deal in profile.open_deals],
        )


async def crm_profile_of(info: Info, customer: models.Customer) -> CrmProfile | None:
    """The CRM profile linked to an ERP customer; None when the CRM has none."""
    loader = info.context.loaders.crm_profile_by_link
    if loader is None:
        raise BackendNotConfigured("crm")
    link = customer.email if info.context.federation.link_field == "email" else customer.reference
    profile = None if link is None else await loader.load(link)
    return None if profile is None else CrmProfile.of(profile)
