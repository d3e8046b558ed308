"""[graphql] and [http]: the limits a gateway puts on one request."""

import pytest

from gateway.config import GraphQLSettings, HttpSettings, settings_from_dict
from gateway.config_reader import ConfigError
from resolvers.limits.operation_limits import Limits
from tests.gateway.test_config import ENV, erp


def test_the_limits_default_to_safe_values():
    settings = settings_from_dict(erp(), ENV)

    assert settings.http == HttpSettings(
        max_body_bytes=1_048_576,
        max_header_bytes=16_384,
        header_timeout_s=10.0,
        body_timeout_s=30.0,
    )
    assert settings.graphql.max_cost == 250_000
    assert settings.graphql.max_response_bytes == 5 * 1024 * 1024
    assert settings.graphql.suggestions is True


def test_every_limit_is_read():
    data = {
        **erp(),
        "graphql": {
            "max_cost": 5000,
            "list_estimate": 4,
            "mutation_weight": 0,
            "max_response_bytes": 100_000,
            "max_cost_by_kind": {"customer": 2000, "partner": 8000},
        },
        "http": {
            "max_body_bytes": 4096,
            "max_header_bytes": 8192,
            "header_timeout_s": 2.5,
            "body_timeout_s": 5,
        },
    }

    settings = settings_from_dict(data, ENV)

    assert settings.graphql == GraphQLSettings(
        max_cost=5000,
        list_estimate=4,
        mutation_weight=0,
        max_response_bytes=100_000,
        max_cost_by_kind={"customer": 2000, "partner": 8000},
    )
    assert settings.http == HttpSettings(4096, 8192, 2.5, 5.0)


def test_production_mode_turns_suggestions_off_unless_graphql_says():
    production = settings_from_dict({**erp(), "auth": {"mode": "production"}}, ENV)
    asked = settings_from_dict(
        {**erp(), "auth": {"mode": "production"}, "graphql": {"suggestions": True}}, ENV
    )

    assert production.graphql.suggestions is False
    assert asked.graphql.suggestions is True


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"graphql": {"max_cost": 0}}, "graphql.max_cost: expected a whole number greater than 0"),
        (
            {"graphql": {"max_cost_by_kind": {"robot": 5}}},
            "graphql.max_cost_by_kind.robot: no such",
        ),
        (
            {"graphql": {"max_cost_by_kind": {"staff": -1}}},
            "graphql.max_cost_by_kind.staff: expected",
        ),
        ({"graphql": {"max_response_bytes": "5MB"}}, "graphql.max_response_bytes: expected"),
        ({"http": {"max_body_bytes": 0}}, "http.max_body_bytes: expected"),
        ({"http": {"header_timeout_s": 0}}, "http.header_timeout_s: expected a number greater"),
        ({"http": {"max_bodybytes": 10}}, "http.max_bodybytes: unknown key"),
    ],
)
def test_each_invalid_limit_is_named(table, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_dict({**erp(), **table}, ENV)


def test_the_schemas_own_defaults_are_the_configs():
    defaults, limits = GraphQLSettings(), Limits()

    assert (limits.max_depth, limits.max_aliases, limits.max_cost) == (
        defaults.max_depth,
        defaults.max_aliases,
        defaults.max_cost,
    )
    assert (limits.costs.list_estimate, limits.costs.mutation_weight) == (
        defaults.list_estimate,
        defaults.mutation_weight,
    )
