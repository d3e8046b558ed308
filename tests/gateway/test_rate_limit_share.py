"""`serve --workers N` without Redis: each process keeps to its share of a backend's
rate limit, so that together they keep to it."""

import pytest

from erp_backends.rate_limit import RateLimit
from gateway.wiring.backends import share_of


@pytest.mark.parametrize(
    ("limit", "processes", "share"),
    [
        ("99/minute", 1, "99/minute"),
        ("99/minute", 2, "49/minute"),  # rounded down: the sum must not exceed the limit
        ("100/second", 3, "33/second"),
        ("2/minute", 4, "1/minute"),  # each process can still call
    ],
)
def test_each_process_takes_an_equal_share_rounded_down(limit, processes, share):
    assert share_of(RateLimit.parse(limit), processes) == RateLimit.parse(share)
