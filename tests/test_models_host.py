"""The shared real models, converted and run on the host, byte for byte
equal to LiteRT's reference kernels; and multi-op graphs that exercise the
converter's passes."""

import numpy as np
import pytest

from conftest import SHARED_NAMES, shared_model
from converter.convert import convert
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_shared_model_bit_exact(host, name):
    data = open(shared_model(name), "rb").read()
    r = convert(data)
    outs = []
    for s in range(3):
        x = reference.random_inputs(r, s)
        got, want = H.run_result(host, r, x), reference.run(data, x)
        for g, w in zip(got, want):
            diff = np.flatnonzero(g.ravel() != w.ravel())
            assert diff.size == 0, f"seed {s}: {diff.size} outputs differ, first at index {diff[0]}"
        outs.append(want[0])
    assert any(not np.array_equal(outs[0], o) for o in outs[1:]), "the output does not depend on the input"


def _graph(rng, fold_pad, fuse_relu, reshape_mid):
    """input -> [PAD] -> CONV -> [RELU6] -> [RESHAPE] -> ... -> FC -> output"""
    m = ModelWriter()
    x = m.tensor("x", (1, 6, 6, 3), scale=0.05, zp=-2)
    cur, shape = x, (1, 6, 6, 3)
    if fold_pad:
        p = m.tensor("pads", (4, 2), type="int32", data=[[0, 0], [1, 1], [1, 1], [0, 0]])
        padded = m.tensor("padded", (1, 8, 8, 3), scale=0.05, zp=-2)
        m.op("PAD", [cur, p], [padded])
        cur, shape = padded, (1, 8, 8, 3)
    w = m.tensor("w", (4, 3, 3, 3), data=rng.integers(-127, 128, (4, 3, 3, 3)), scale=rng.uniform(0.005, 0.02, 4),
                 zp=np.zeros(4), axis=0)
    b = m.tensor("b", (4,), type="int32", data=rng.integers(-500, 500, 4))
    oh = shape[1] - 2
    c = m.tensor("conv", (1, oh, oh, 4), scale=0.08, zp=3)
    m.op("CONV_2D", [cur, w, b], [c], padding="VALID", stride_w=1, stride_h=1)
    cur = c
    if fuse_relu:
        r6 = m.tensor("relu6", (1, oh, oh, 4), scale=0.08, zp=3)
        m.op("RELU6", [cur], [r6])
        cur = r6
    n = oh * oh * 4
    if reshape_mid:
        sh = m.tensor("shape", (2,), type="int32", data=[1, n])
        flat = m.tensor("flat", (1, n), scale=0.08, zp=3)
        m.op("RESHAPE", [cur, sh], [flat])
        cur = flat
    fw = m.tensor("fw", (5, n), data=rng.integers(-127, 128, (5, n)), scale=0.01, zp=0)
    y = m.tensor("y", (1, 5), scale=0.5, zp=0)
    m.op("FULLY_CONNECTED", [cur, fw, -1], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("fold_pad", [False, True])
@pytest.mark.parametrize("fuse_relu", [False, True])
@pytest.mark.parametrize("reshape_mid", [False, True])
def test_passes_keep_results(host, fold_pad, fuse_relu, reshape_mid):
    data = _graph(np.random.default_rng(7), fold_pad, fuse_relu, reshape_mid)
    r = convert(data)
    names = [l.name for l in r.layers]
    assert ("PAD" in names[0]) == fold_pad and not any(n == "PAD" for n in names)  # folded into the conv
    assert not any(n in ("RELU6", "RESHAPE") for n in names), names  # fused, aliased
    for s in range(3):
        x = reference.random_inputs(r, s)
        assert np.array_equal(H.run_result(host, r, x)[0], reference.run(data, x)[0])


def test_two_models_side_by_side(host):
    """No global state: two models initialised at once give the results
    each gives alone."""
    import ctypes
    ra = convert(open(shared_model("kws_ref_model"), "rb").read())
    rb = convert(open(shared_model("ad01_int8"), "rb").read())
    xa, xb = reference.random_inputs(ra, 3)[0], reference.random_inputs(rb, 4)[0]
    bufs = {}
    for k, (r, x) in {"a": (ra, xa), "b": (rb, xb)}.items():
        blob = H._aligned(len(r.blob))
        blob[:] = np.frombuffer(r.blob, np.uint8)
        bufs[k] = (blob, H._aligned(r.arena_for(8)), np.ascontiguousarray(x),
                   np.zeros(r.outputs[0].shape, np.int8))
    args = []
    for k in "ab":
        blob, arena, x, out = bufs[k]
        args += [ctypes.c_void_p(blob.ctypes.data), ctypes.c_size_t(blob.size), ctypes.c_void_p(arena.ctypes.data),
                 ctypes.c_size_t(arena.size), ctypes.c_void_p(x.ctypes.data), ctypes.c_void_p(out.ctypes.data)]
    assert host.lib.sprat_host_run_two(*args) == 0
    assert np.array_equal(bufs["a"][3], H.run_result(host, ra, [xa])[0])
    assert np.array_equal(bufs["b"][3], H.run_result(host, rb, [xb])[0])


def test_blob_for_another_library_is_refused(host):
    """A blob laid out for the Cortex-M DSP kernels, on the portable build:
    SPRAT_ERR_LAYOUT at the first layer that uses the layout, never a wrong
    answer."""
    r = convert(open(shared_model("kws_ref_model"), "rb").read(), target="qemu_cortex_m7")
    assert r.library == "cortex_m_dsp"
    s, op, _ = host.init_only(r.blob, r.arena_for(8))
    assert H.STATUS[s] == "LAYOUT" and op == 0
    assert "another kernel library" in host.status_str(s)


def test_layer_callback(host):
    import ctypes
    r = convert(open(shared_model("kws_ref_model"), "rb").read())
    blob = H._aligned(len(r.blob))
    blob[:] = np.frombuffer(r.blob, np.uint8)
    arena = H._aligned(r.arena_for(8))
    n = host.lib.sprat_host_count_layers(ctypes.c_void_p(blob.ctypes.data), ctypes.c_size_t(blob.size),
                                         ctypes.c_void_p(arena.ctypes.data), ctypes.c_size_t(arena.size))
    assert n == len(r.layers)
