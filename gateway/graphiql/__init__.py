"""GraphiQL served by the gateway: the page and its vendored files (see README.md)."""

from gateway.graphiql.assets import ROUTE, Bundle, loaded_bundle, serve_asset
from gateway.graphiql.page import graphiql_link, graphiql_page

__all__ = ["ROUTE", "Bundle", "graphiql_link", "graphiql_page", "loaded_bundle", "serve_asset"]
