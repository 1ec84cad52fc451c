"""Op-suite generators of the detect family (see tests/opsuite.py)."""

GENERATORS = {}
