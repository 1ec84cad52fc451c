"""Op-suite generators of the signal family (see tests/opsuite.py)."""

GENERATORS = {}
