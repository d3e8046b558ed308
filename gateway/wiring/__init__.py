"""Start-up and entry points: what builds the app from settings, opens the backends and
runs processes. The only part of `gateway` that may import `resolvers`."""
