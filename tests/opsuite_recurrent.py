"""Op-suite generators of the recurrent family (see tests/opsuite.py)."""

GENERATORS = {}
