"""schema.graphql is generated from the code; apps' operations must stay valid against it."""

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from resolvers.schema import export_sdl

ROOT = Path(__file__).parents[1]
OPERATIONS = sorted((ROOT / "mobile_examples").rglob("*.graphql"))


def test_schema_graphql_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), (
        "schema.graphql is out of date: run `erp-gateway schema export > schema.graphql`"
    )


def test_there_are_mobile_examples_to_check():
    assert len(OPERATIONS) >= 3


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_mobile_example_is_valid_against_schema_graphql(path):
    schema = build_schema((ROOT / "schema.graphql").read_text())
    errors = validate(schema, parse(path.read_text()))
    assert not errors, [e.message for e in errors]
