"""User-error codes: one enum, described in the schema and the README, and stored refusals
read back whatever code they were stored with."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, build_schema

from erp_backends.errors import LEGACY_USER_ERROR_CODES, UserErrorCode
from gateway.commands.model import Command, CommandKind, CommandStatus
from resolvers.commands.types import failure_of
from resolvers.schema import export_sdl

ROOT = Path(__file__).parents[2]


def failed_with(code: str) -> Command:
    """A command as a queue hands it back after the ERP refused it, code stored as text."""
    return Command(
        id="c1",
        kind=CommandKind.PLACE_ORDER,
        payload={},
        idempotency_scope="s",
        idempotency_key="k",
        fingerprint="f",
        submitted_by="t",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        status=CommandStatus.FAILED,
        result={"user_error": {"code": code, "message": "why", "field": "lines"}},
    )


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("INSUFFICIENT_STOCK", UserErrorCode.INSUFFICIENT_STOCK),
        # Codes retired when one fault's two codes were merged
        ("EMPTY_ORDER", UserErrorCode.NO_LINES),
        ("UNIT_MISMATCH", UserErrorCode.UNIT_NOT_CONVERTIBLE),
        # A code this version does not know, e.g. stored by a newer one sharing the queue
        ("SOMETHING_NEW", UserErrorCode.OTHER_BUSINESS_RULE),
    ],
)
def test_a_stored_refusal_reads_back_with_a_known_code(stored, read):
    [error] = failure_of(failed_with(stored))
    assert error.code is read
    assert (error.message, error.field) == ("why", ["lines"])


def test_retired_codes_are_no_longer_values():
    assert not set(LEGACY_USER_ERROR_CODES) & set(UserErrorCode)


def test_every_code_is_a_described_value_of_the_graphql_enum():
    enum = build_schema(export_sdl()).get_type("UserErrorCode")
    assert isinstance(enum, GraphQLEnumType)
    # The GraphQL names are the strings clients have always received
    assert set(enum.values) == {code.value for code in UserErrorCode}
    for code in UserErrorCode:
        assert enum.values[code.value].description == code.description
        assert len(code.description) > 20


def test_the_readme_lists_every_code():
    readme = (ROOT / "README.md").read_text()
    assert [code for code in UserErrorCode if f"| `{code}` |" not in readme] == []
