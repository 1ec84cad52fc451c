"""The planner's overlap allowances (converter/access.py) hold for every
kernel that may run the op: randomized depthwise layers, convolutions,
max and average pooling, ADD/SUB/MUL and unary elementwise ops, each after
a QUANTIZE so that its input is a layer's output
the planner may overlap,
planned with the tightest overlap and run on the host (portable kernels)
and under QEMU (the Cortex-M library, and generated code on each variant
in turn), byte for byte against LiteRT's reference kernels; and the
planner's placements never let two live buffers share bytes beyond an
allowance."""

import os

import numpy as np
import pytest

import opsuite
from converter import access, codegen, planner
from converter.convert import convert
from sprat import jobs, reference
from test_ops_host import seed
from test_qemu import _compare

pytestmark = pytest.mark.usefixtures("in_build_env")
TARGET = "qemu_cortex_m7"
CONFIGS = int(os.environ.get("SPRAT_OVERLAP_CONFIGS", "60"))


def _overlapped(r):
    """Ops whose output the plan placed over their input."""
    at = {b.root: b for b in r.buffers}
    out = []
    for k, (rin, rout, lag) in planner.allowances(r.graph, r.ops, r.buffers).items():
        a, b = at[rin], at[rout]
        if b.offset < a.offset + a.size and a.offset < b.offset + b.size:
            assert a.offset - b.offset >= lag, (k, r.ops[k].name, a, b, lag)  # the output starts lag or more before
            out.append(k)
    return out


def _check_disjoint(r):
    allowed = {(rin, rout) for rin, rout, _ in planner.allowances(r.graph, r.ops, r.buffers).values()}
    bs = r.buffers
    for i, a in enumerate(bs):
        for b in bs[i + 1:]:
            if a.last < b.first or b.last < a.first or (a.root, b.root) in allowed or (b.root, a.root) in allowed:
                continue
            assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)


_KINDS = {"depthwise": lambda rng: opsuite._conv_like(rng, True, produced=True),
          "conv": lambda rng: opsuite._conv_like(rng, False, produced=True),
          "max_pool": lambda rng: opsuite._pool(rng, "MAX_POOL_2D", produced=True),
          "avg_pool": lambda rng: opsuite._pool(rng, "AVERAGE_POOL_2D", produced=True),
          "add_mul": lambda rng: opsuite._binary(rng, str(rng.choice(["ADD", "SUB", "MUL"])), produced=True),
          "unary": lambda rng: _unary(rng)}


def _unary(rng):
    name = str(rng.choice(["RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "LOGISTIC", "TANH", "QUANTIZE"]))
    out_q = {"LOGISTIC": (1.0 / 256, -128), "TANH": (1.0 / 128, 0)}.get(name)
    opts = {"alpha": float(rng.uniform(0.01, 0.5))} if name == "LEAKY_RELU" else {}
    return opsuite._unary(rng, name, out_q, produced=True, **opts)


def _models(kind):
    """Random layers after a QUANTIZE, those with an allowance (one image)."""
    out, i = [], 0
    while len(out) < CONFIGS:
        data, desc = _KINDS[kind](np.random.default_rng(seed("overlap_" + kind, i)))
        i += 1
        if access.output_lag(convert(data).ops[-1]) is not None:
            out.append((i - 1, data, desc))
    return out


@pytest.mark.parametrize("kind", list(_KINDS))
def test_overlap_bitexact_host_and_qemu(kind):
    host, qemu, expect_h, expect_q, overlapped = [], [], [], [], 0
    for i, data, desc in _models(kind):
        x = None
        for target, js, expect in ((None, host, expect_h), (TARGET, qemu, expect_q)):
            r = convert(data, target=target, tightest_overlap=True)
            if target:
                gen = convert(data, target=target, generate=True)
                options = {k: codegen.variants(gen.library, gen.ops[k]) for k in gen.generated}
                want = {k: v[i % len(v)] for k, v in options.items()} if i % 3 else {}
                r = convert(data, target=target, generate=want, tightest_overlap=True) if want else r
            _check_disjoint(r)
            overlapped += bool(_overlapped(r)) if target is None else 0
            x = reference.random_inputs(r, i) if x is None else x
            js.append((r, x))
            expect.append((f"config {i}: {desc} ({target or 'host'}, {getattr(r, 'variants', None) or 'library'})",
                           reference.run(data, x)))
    assert overlapped >= CONFIGS // 3, f"only {overlapped} of {CONFIGS} layers were planned over their input"
    _compare(jobs.run_jobs("host", host), expect_h)
    _compare(jobs.run_jobs(TARGET, qemu, generated=True), expect_q)


def test_shared_models_plan_is_disjoint_but_for_allowances():
    from conftest import SHARED_NAMES, shared_model
    for name in SHARED_NAMES:
        r = convert(open(shared_model(name), "rb").read(), target=TARGET, generate=True)
        _check_disjoint(r)
