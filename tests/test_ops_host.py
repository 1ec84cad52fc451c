"""Every op on randomized shapes and parameters, sprat's runtime on the host
against LiteRT's reference kernels, byte for byte."""

import os
import zlib

import numpy as np
import pytest

import opsuite
from converter.convert import convert
from sprat import host as H
from sprat import reference

CONFIGS = int(os.environ.get("SPRAT_OP_CONFIGS", "200"))


def _op_of(generator):
    """The registry op a generator tests: its name, or the longest op name
    it starts with followed by "_" (SUM_INT16 tests SUM)."""
    from converter.ops import REGISTRY
    names = [n for n in REGISTRY if generator == n or generator.startswith(n + "_")]
    return max(names, key=len) if names else generator


def configs_for(generator, total=None):
    """CONFIGS random configurations per op, shared among the op's
    generators (EQUAL, EQUAL_INT16 and EQUAL_TYPES draw CONFIGS between
    them), at least a quarter of CONFIGS each: the CI's 200 per op."""
    total = CONFIGS if total is None else total
    n = sum(1 for g in opsuite.GENERATORS if _op_of(g) == _op_of(generator))
    return max(total // max(n, 1), min(total, max(total // 4, 1)))


def seed(op_name, i):
    return [zlib.crc32(op_name.encode()), i]


# The smallest arena of a QEMU job runner (runtime/tests/job_runner.c, the
# Cortex-M boards'): the same configurations run there.
JOB_ARENA = 200 << 10


def check_config(host, op_name, i):
    """(equal, varies, description) of config i of op_name."""
    data, desc = opsuite.GENERATORS[op_name](np.random.default_rng(seed(op_name, i)))
    r = convert(data)
    assert r.arena_size <= JOB_ARENA, f"config {i} ({desc}) needs a {r.arena_size} B arena: " \
        f"the Cortex-M job runners have {JOB_ARENA}; draw smaller tensors"
    a, b = reference.random_inputs(r, 2 * i), reference.random_inputs(r, 2 * i + 1)
    want_a, want_b = reference.run(data, a), reference.run(data, b)
    got_a = H.run_result(host, r, a)
    equal = all(g.dtype == w.dtype and g.shape == w.shape and np.array_equal(g, w) for g, w in zip(got_a, want_a))
    equal = equal and len(got_a) == len(want_a) > 0
    varies = any(not np.array_equal(x, y) for x, y in zip(want_a, want_b))
    return equal, varies, desc


@pytest.mark.parametrize("op_name", list(opsuite.GENERATORS))
def test_op_matches_reference(host, op_name):
    mismatches, constant = [], 0
    configs = configs_for(op_name)
    for i in range(configs):
        equal, varies, desc = check_config(host, op_name, i)
        if not equal:
            mismatches.append(f"config {i}: {desc}")
        constant += not varies
    assert not mismatches, f"{len(mismatches)}/{configs} configs differ from the reference:\n" + "\n".join(mismatches[:10])
    # A test whose output ignores its input proves nothing.
    assert constant <= configs // 10, f"{constant}/{configs} configs give the same output for different inputs"


def test_softmax_wide_flat_rows(host):
    """More than 512 values at the row's maximum: LiteRT's reference asserts
    and aborts (a rounding shift of 32 or more); sprat gives the rounded
    quotient, 0, that is -128 everywhere, with and without the exp table."""
    from converter.writer import ModelWriter
    for depth in (100, 513, 1000, 3000):
        m = ModelWriter()
        x = m.tensor("x", (1, depth), scale=0.1, zp=0)
        y = m.tensor("y", (1, depth), scale=1 / 256, zp=-128)
        m.op("SOFTMAX", [x], [y], beta=1.0)
        r = convert(m.finish([x], [y]))
        got = H.run_result(host, r, [np.zeros((1, depth), np.int8)])[0]
        want = -128 if depth > 512 else int(round(256 / depth)) - 128
        assert np.all(got == want), (depth, np.unique(got))


@pytest.mark.parametrize("name", ["SQRT", "RSQRT"])
def test_below_zero_gives_the_output_for_zero(host, name):
    """Values under the input's zero point: TFLite stops with an error
    (LiteRT and TFLM alike); sprat's table gives them the output for 0."""
    from converter.writer import ModelWriter
    m = ModelWriter()
    x = m.tensor("x", (1, 256), scale=0.05, zp=10)
    y = m.tensor("y", (1, 256), scale=0.03, zp=-100)
    m.op(name, [x], [y])
    data = m.finish([x], [y])
    values = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    with pytest.raises(RuntimeError, match="only defined for"):
        reference.run(data, [values])
    got = H.run_result(host, convert(data), [values])[0]
    assert np.array_equal(got, reference.run(data, [np.maximum(values, np.int8(10))])[0])
