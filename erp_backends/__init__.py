"""Backends behind the gateway: the canonical model, the ports and one adapter per system.

Nothing native to a backend (an Odoo many2one pair, a HubSpot string property) leaves
this package: adapters translate to the records in `erp_backends.models` through the
normalisation layer in `erp_backends.normalize`.
"""
