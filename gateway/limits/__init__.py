"""Per-client rate limits: a token bucket per principal, so that one client cannot spend
the ERP budget of every other.

- `settings.py`: `[limits]`, the rate of each principal kind and the cost rule.
- `buckets.py`: the port (`Buckets`), its answer (`Decision`) and the in-memory buckets.
- `redis_buckets.py`: buckets in Redis, shared by every gateway process and host.
- `clients.py`: whose bucket a request draws from, how many tokens it takes, and the
  one place where a refusal is decided (`ClientLimiter.take`).

The HTTP side (headers, 429s, client addresses) is `gateway/edge/rate_limit.py`; the
charge by query cost is `resolvers/limits/rate_charge.py`.
"""
