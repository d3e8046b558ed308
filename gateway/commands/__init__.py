"""Writes: mutations become commands in a durable queue, which a worker drains into the
ERP at its rate limit, exactly once."""
