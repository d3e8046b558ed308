from __future__ import annotations


class NormalizationError(ValueError):
    """A value could not be translated to its canonical form; the message names it."""
