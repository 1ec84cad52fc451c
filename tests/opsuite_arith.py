"""Op-suite generators of the arith family (see tests/opsuite.py)."""

GENERATORS = {}
