"""Op-suite generators of the norm family (see tests/opsuite.py)."""

GENERATORS = {}
