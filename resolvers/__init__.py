"""The GraphQL schema: one folder per domain, assembled in `resolvers.schema`.

Resolvers never call a backend: they ask the per-request DataLoaders in the context
(`resolvers.loaders`), which batch their keys into one port call.
"""
