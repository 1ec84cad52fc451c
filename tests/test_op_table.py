"""docs/op_support.md is what `sprat ops` writes from the converter's
registry, and every op the registry says sprat runs has generators in the
op suite for each type it claims (so the table's claim is tested)."""

import os

import opsuite
from conftest import REPO
from converter.ops import REGISTRY
from sprat.commands import ops as ops_command


def test_op_table_matches_the_registry():
    with open(os.path.join(REPO, "docs", "op_support.md")) as f:
        assert f.read() == ops_command.markdown(), "docs/op_support.md is stale: run sprat ops --write docs/op_support.md"


def test_every_supported_op_and_type_has_a_generator():
    missing = []
    for name, entry in REGISTRY.items():
        gens = [k for k in opsuite.GENERATORS if k == name or k.startswith(name + "_")]
        if entry.types and not gens:
            missing.append(f"{name}: no generator")
        if "int16" in entry.types and not any("INT16" in k for k in gens):
            missing.append(f"{name}: no int16 generator")
    assert not missing, missing
