"""A plugin module that fails while loading: it registers a system under a name that is
taken (by the registry's own Odoo)."""

from erp_backends.odoo.kind import KIND
from erp_backends.registry import register

register(type(KIND)(**{**{f: getattr(KIND, f) for f in KIND.__slots__}, "title": "Imposter"}))
