"""The runtime and each target's kernel library under QEMU, with blobs
converted for that target: the shared models and the randomized op suite on
qemu_cortex_m7 (the Cortex-M DSP library, all of it) and qemu_cortex_m4 (40
configurations per op), the shared models on both Cortex-A libraries
(cortex_a53: NEON, cortex_a55: SDOT), and a slice of both on every other
target, byte for byte against the reference."""

import os

import numpy as np
import pytest

import opsuite
from conftest import SHARED_NAMES, shared_model
from converter.convert import convert
from sprat import jobs, reference
from test_ops_host import CONFIGS, configs_for, seed

pytestmark = pytest.mark.usefixtures("in_build_env")
DSP_TARGETS = ["qemu_cortex_m7", "qemu_cortex_m4"]
OTHER_TARGETS = ["qemu_cortex_m55", "cortex_a53", "cortex_a55", "riscv32", "riscv64_rvv"]
NEON_TARGETS = {"cortex_a53": "cortex_a_neon", "cortex_a55": "cortex_a_dotprod"}
SLICE = int(os.environ.get("SPRAT_OP_SLICE", "8"))  # configs per op on the other targets
SMALL_MODELS = ["kws_ref_model", "ad01_int8", "pretrainedResnet_quant"]


def _suite_jobs(per_op, target):
    """per_op configurations of every op, shared among its generators
    (test_ops_host.configs_for)."""
    js, expect = [], []
    for op_name, gen in opsuite.GENERATORS.items():
        for i in range(configs_for(op_name, per_op)):
            data, desc = gen(np.random.default_rng(seed(op_name, i)))
            # Half the layers with the kernels' constants prepared offline
            # (SPRAT_CONV_PREPARED), half building them in scratch.
            r = convert(data, target=target, prepared=i % 2 == 0)
            x = reference.random_inputs(r, 2 * i)
            js.append((r, x))
            expect.append((f"{op_name} config {i} (prepared {i % 2 == 0}): {desc}", reference.run(data, x)))
    return js, expect


def _model_jobs(names, seeds, target):
    js, expect = [], []
    for name in names:
        data = open(shared_model(name), "rb").read()
        for s in seeds:
            # The last seed with every layer's kernel constants prepared offline.
            r = convert(data, target=target, prepared=True if s == seeds[-1] and len(seeds) > 1 else None)
            x = reference.random_inputs(r, s)
            js.append((r, x))
            expect.append((f"{name} seed {s}", reference.run(data, x)))
    return js, expect


def _compare(results, expect):
    bad = []
    for (status, outs), (what, want) in zip(results, expect):
        if status != 0:
            bad.append(f"{what}: runtime status {status}")
        elif not all(o.dtype == w.dtype and np.array_equal(o, w) for o, w in zip(outs, want)):
            bad.append(f"{what}: output differs")
    assert not bad, f"{len(bad)}/{len(expect)} differ:\n" + "\n".join(bad[:10])


@pytest.mark.parametrize("target", DSP_TARGETS)
def test_shared_models_dsp(target):
    js, expect = _model_jobs(SHARED_NAMES, [0, 1], target)
    assert all(r.library == "cortex_m_dsp" for r, _ in js)
    _compare(jobs.run_jobs(target, js), expect)


@pytest.mark.parametrize("target", NEON_TARGETS)
def test_shared_models_neon(target):
    """Every shared model on the Cortex-A library (NEON, and SDOT), and a
    blob converted for another target (layout PLAIN either way)."""
    js, expect = _model_jobs(SHARED_NAMES, [0, 1], target)
    assert all(r.library == NEON_TARGETS[target] for r, _ in js)
    b, eb = _model_jobs(["kws_ref_model"], [0], None)
    _compare(jobs.run_jobs(target, js + b), expect + eb)


# The Cortex-M7 runs the whole suite; the M4, the same ARMv7E-M library, a
# slice (M4_CONFIGS per op) that keeps the CI's run short.
M4_CONFIGS = int(os.environ.get("SPRAT_OP_CONFIGS_M4", "40"))


@pytest.mark.parametrize("target", DSP_TARGETS)
def test_op_suite_dsp(target):
    js, expect = _suite_jobs(CONFIGS if target == "qemu_cortex_m7" else min(CONFIGS, M4_CONFIGS), target)
    _compare(jobs.run_jobs(target, js), expect)


def test_portable_blob_on_dsp_build():
    """A blob in the portable layout still runs on the DSP library (its
    fallback), bit-exact."""
    js, expect = _model_jobs(["kws_ref_model"], [0], None)
    _compare(jobs.run_jobs("qemu_cortex_m7", js), expect)


@pytest.mark.parametrize("target", OTHER_TARGETS)
def test_slice_on_other_targets(target):
    a, ea = _suite_jobs(SLICE, target)
    b, eb = _model_jobs(SMALL_MODELS, [0], target)
    _compare(jobs.run_jobs(target, a + b), ea + eb)
