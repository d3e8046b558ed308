"""Translation between each system's conventions and the canonical model.

Countries and subdivisions (ISO 3166), money (ISO 4217, exact decimals), units of
measure (UN/ECE Recommendation 20) and dates. Every function here either returns a
canonical value or raises `NormalizationError` naming what it could not translate.
"""

from erp_backends.normalize.errors import NormalizationError

__all__ = ["NormalizationError"]
