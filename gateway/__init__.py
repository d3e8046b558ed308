"""The gateway process: configuration, the ASGI app, backends' lifecycles and the CLI."""
