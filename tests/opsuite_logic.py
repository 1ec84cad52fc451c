"""Op-suite generators of the logic family (see tests/opsuite.py)."""

GENERATORS = {}
