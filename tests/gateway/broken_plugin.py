"""A plugin module that fails while loading: it registers a system under a name that is
taken (by the registry's own Odoo)."""

import dataclasses

from erp_backends.odoo.kind import KIND
from erp_backends.registry import register

register(dataclasses.replace(KIND, title="Imposter"))
