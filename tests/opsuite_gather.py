"""Op-suite generators of the gather family (see tests/opsuite.py)."""

GENERATORS = {}
