"""The CrmBackend contract: what every CRM must do behind the gateway.

Each test runs on every registered CRM (see conftest.py), against the facts of that
system's own data (`crm.facts`), so a new CRM adapter counts as done when it passes this
file. How many calls an adapter makes, and the details of its profiles (deals, owners),
are tested next to that adapter.
"""

from __future__ import annotations

from tests.contracts.crm_world import CrmUnderTest

# Link values no CRM knows: an email of a reserved domain, and no email at all.
UNKNOWN = ("nobody@nowhere.invalid", "no such link")


async def test_empty_input_gives_an_empty_answer(crm: CrmUnderTest) -> None:
    assert await crm.port.profiles_by_link([]) == {}


async def test_unknown_links_are_absent(crm: CrmUnderTest) -> None:
    assert crm.facts.unknown, "the facts name no ERP customer the CRM does not know"
    found = await crm.port.profiles_by_link([*UNKNOWN, *crm.facts.unknown])
    assert found == {}


async def test_every_known_customer_has_its_profile_under_the_link_asked(
    crm: CrmUnderTest,
) -> None:
    # All the ERP's customers at once, as the gateway asks for a page of them.
    known = crm.facts.companies
    found = await crm.port.profiles_by_link([UNKNOWN[0], *known, *crm.facts.unknown])
    assert set(found) == set(known)
    for link, profile in found.items():
        assert profile.email.casefold() == link.casefold(), link
        assert profile.company_name == known[link], link
    assert len({profile.id for profile in found.values()}) == len(found)


async def test_emails_match_in_any_case_under_the_keys_as_given(crm: CrmUnderTest) -> None:
    email = next(link for link in crm.facts.companies if "@" in link)
    variants = list(dict.fromkeys([email, email.upper(), email.title()]))
    found = await crm.port.profiles_by_link(variants)
    assert list(found) == variants
    assert all(found[variant] == found[email] for variant in variants)
