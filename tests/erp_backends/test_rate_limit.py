import re
import time

import pytest

from erp_backends.rate_limit import RateLimit, TokenBucket


@pytest.mark.parametrize(
    ("text", "count", "period"),
    [("100/second", 100, 1.0), ("100/minute", 100, 60.0), ("5 / hours", 5, 3600.0)],
)
def test_rate_limits_parse(text, count, period):
    assert RateLimit.parse(text) == RateLimit(count, period)


@pytest.mark.parametrize("text", ["100", "0/second", "ten/second", "100/fortnight", "-1/second"])
def test_invalid_rate_limits_say_what_is_expected(text):
    with pytest.raises(ValueError, match=re.escape("expected '<count>/<second|minute|hour>'")):
        RateLimit.parse(text)


def test_a_bucket_allows_a_burst_then_makes_callers_wait():
    # A clock that stands still: on the wall clock a busy machine could pause long
    # enough between the calls for a token to refill.
    now = [1000.0]
    bucket = TokenBucket(RateLimit(3, 1.0), clock=lambda: now[0])
    assert [bucket.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.try_acquire() == pytest.approx(1 / 3)
    now[0] += 1 / 3
    assert bucket.try_acquire() == 0.0


def test_headroom_is_the_share_of_the_burst_left_refilled_by_time():
    now = [1000.0]
    bucket = TokenBucket(RateLimit(4, 1.0), clock=lambda: now[0])
    assert bucket.headroom() == 1.0
    for _ in range(3):
        bucket.try_acquire()
    assert bucket.headroom() == pytest.approx(0.25)
    now[0] += 0.5  # two tokens back
    assert bucket.headroom() == pytest.approx(0.75)
    now[0] += 10
    assert bucket.headroom() == 1.0  # never above the burst


async def test_acquire_never_exceeds_the_rate_after_the_burst():
    # Given a bucket of 20/second, when 25 calls acquire, the 5 beyond the burst can only
    # come as tokens refill: the whole run takes at least 5/20 s, however fast the machine.
    bucket = TokenBucket(RateLimit(20, 1.0))
    started = time.monotonic()
    for _ in range(25):
        await bucket.acquire()
    assert time.monotonic() - started >= 5 / 20 * 0.99
