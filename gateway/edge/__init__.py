"""The HTTP edge: what every request passes before GraphQL sees it.

- `protocol.py`: the connection. A request head (request line and headers) larger than
  `[http] max_header_bytes` gets 431, one slower than `header_timeout_s` gets 408.
- `body_limit.py`: the body. Larger than `max_body_bytes`: 413; slower than
  `body_timeout_s`: 408.
- `headers.py`: request ids and the security headers of every answer.
- `errors.py`: every refusal is a GraphQL error in JSON, with a code.
"""
