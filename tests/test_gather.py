"""The gather family beyond the op suite: computed indices out of range
(TFLite fails; sprat gives those slices the zero point and never reads out
of bounds, checked under the sanitizers too), crafted records refused at
init, and what the converter refuses. gather_model() is the chain
tests/test_blob_fuzz.py flips every byte of."""

import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from converter import ir
from converter.convert import convert
from converter.errors import ConvertError
from converter.lower import OPCODES
from converter.writer import ModelWriter
from sprat import build
from sprat import host as H
from sprat import reference
from test_fused import _patched

Q = dict(scale=0.1, zp=2)


def gather_model():
    """Every kernel of the family in one graph: GATHER with batch_dims, a
    broadcast BATCH_MATMUL, GATHER_ND by int64 indices, DYNAMIC_UPDATE_SLICE,
    the hybrid EMBEDDING_LOOKUP, int16 BATCH_MATMUL, BROADCAST_ARGS."""
    m = ModelWriter()
    x = m.tensor("x", (2, 5, 3), **Q)
    idx = m.tensor("idx[0:5]", (2, 4), type="int32")
    g = m.tensor("g", (2, 4, 3), **Q)
    m.op("GATHER", [x, idx], [g], axis=1, batch_dims=1)
    w = m.tensor("w", (3, 2), data=np.arange(-3, 3).reshape(3, 2) * 20, scale=0.02, zp=0)
    mm = m.tensor("mm", (2, 4, 2), **Q)
    m.op("BATCH_MATMUL", [g, w], [mm])
    nd = m.tensor("nd[0:2]", (3, 2), type="int64")
    picked = m.tensor("picked", (3, 2), **Q)
    m.op("GATHER_ND", [mm, nd], [picked])
    base = m.tensor("base", (4, 4), **Q)
    start = m.tensor("start[-1:4]", (2,), type="int32")
    dus = m.tensor("dus", (4, 4), **Q)
    m.op("DYNAMIC_UPDATE_SLICE", [base, picked, start], [dus])
    ids = m.tensor("ids[0:6]", (3,), type="int32")
    table = m.tensor("table", (6, 2), data=np.arange(-6, 6).reshape(6, 2) * 10, scale=[0.5, 0.25, 0.1, 1, 2, 3],
                     zp=[0] * 6)
    emb = m.tensor("emb", (3, 2), type="float32")
    m.op("EMBEDDING_LOOKUP", [ids, table], [emb])
    a16 = m.tensor("a16", (2, 3), type="int16", scale=1e-3, zp=0)
    b16 = m.tensor("b16", (3, 2), type="int16", data=np.arange(6).reshape(3, 2) * 1000 - 2500, scale=1e-3, zp=0)
    mm16 = m.tensor("mm16", (2, 2), type="int16", scale=0.5, zp=0)
    m.op("BATCH_MATMUL", [a16, b16], [mm16], adj_x=False, adj_y=False)
    shp = m.tensor("shp[1:4]", (2,), type="int32")
    other = m.tensor("other", (3,), type="int32", data=[2, 1, 1])
    bargs = m.tensor("bargs", (3,), type="int32")
    m.op("BROADCAST_ARGS", [shp, other], [bargs])
    return m.finish([x, idx, nd, base, start, ids, a16, shp], [dus, emb, mm16, bargs])


def test_gather_chain(host):
    data = gather_model()
    r = convert(data)
    assert sorted(op.opcode for op in r.ops) == sorted(OPCODES[k] for k in (
        "GATHER_RT", "BATCH_MATMUL", "GATHER_ND", "DYNAMIC_UPDATE_SLICE", "EMBEDDING_LOOKUP_HYBRID",
        "BATCH_MATMUL_S16", "BROADCAST_ARGS"))
    for seed in range(4):
        x = reference.random_inputs(r, seed)
        for got, want in zip(H.run_result(host, r, x), reference.run(data, x)):
            assert got.dtype == want.dtype and np.array_equal(got, want), seed


def _gather(itype, shape=(4, 3), axis=0, n=6):
    m = ModelWriter()
    x = m.tensor("x", shape, scale=0.1, zp=5)
    i = m.tensor("i", (n,), type=itype)
    out = list(shape)
    out[axis] = n
    y = m.tensor("y", out, scale=0.1, zp=5)
    m.op("GATHER", [x, i], [y], axis=axis)
    return m.finish([x, i], [y])


# Indices out of range either way, among them int64 values whose low 32 bits
# would be a valid index: an index is never truncated.
_OUT_OF_RANGE = {
    "int16": [0, 3, 4, -1, 32767, -32768],
    "int32": [0, 3, 4, -1, 2**31 - 1, -2**31],
    "int64": [0, 3, 2**32 + 1, -1, 2**40, -2**63],
}


def _asan_run(r, inputs, tmp_path):
    """The outputs of the runtime built with AddressSanitizer and
    UndefinedBehaviorSanitizer (a fault aborts the child)."""
    from test_blob_fuzz import _driver_env
    so = build.build("//runtime:libsprat_host_asan.so")
    (tmp_path / "m.sprat").write_bytes(r.blob)
    np.savez(tmp_path / "in.npz", *inputs)
    outs = [(np.dtype(ir.DTYPES[o.type]).str, o.shape) for o in r.outputs]
    code = (f"import sys, numpy as np; sys.path.insert(0, {REPO!r})\n"
            f"from sprat.host import Host\n"
            f"h = Host({so!r}); z = np.load({str(tmp_path / 'in.npz')!r})\n"
            f"got = h.run(open({str(tmp_path / 'm.sprat')!r}, 'rb').read(), [z[f'arr_{{k}}'] for k in range(len(z.files))],"
            f" [(np.dtype(d), s) for d, s in {outs!r}], {r.arena_for(8)})\n"
            f"np.savez({str(tmp_path / 'out.npz')!r}, *got)\n")
    p = subprocess.run([sys.executable, "-c", code], env=_driver_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:]
    with np.load(tmp_path / "out.npz") as z:
        return [z[f"arr_{k}"] for k in range(len(z.files))]


@pytest.mark.parametrize("itype", ["int16", "int32", "int64"])
def test_gather_out_of_range_gives_the_zero_point(host, tmp_path, itype):
    data = _gather(itype)
    r = convert(data)
    x = np.arange(12, dtype=np.int8).reshape(4, 3)
    idx = np.asarray(_OUT_OF_RANGE[itype], dtype=itype)
    with pytest.raises(RuntimeError):
        reference.run(data, [x, idx])  # TFLite: "gather index out of bounds"
    want = np.full((6, 3), 5, np.int8)
    want[0], want[1] = x[0], x[3]
    assert np.array_equal(H.run_result(host, r, [x, idx])[0], want)
    assert np.array_equal(_asan_run(r, [x, idx], tmp_path)[0], want)


def test_gather_nd_out_of_range_per_coordinate(host, tmp_path):
    """[0, 5] in params [3, 4]: flat element 5 lies inside the params (TFLM
    reads it), the coordinate does not (LiteRT fails): the zero point."""
    m = ModelWriter()
    x = m.tensor("x", (3, 4), scale=0.1, zp=-7)
    i = m.tensor("i", (4, 2), type="int32")
    y = m.tensor("y", (4,), scale=0.1, zp=-7)
    m.op("GATHER_ND", [x, i], [y])
    data = m.finish([x, i], [y])
    r = convert(data)
    xv = np.arange(12, dtype=np.int8).reshape(3, 4)
    iv = np.array([[2, 3], [0, 5], [-1, 0], [3, 0]], np.int32)
    with pytest.raises(RuntimeError):
        reference.run(data, [xv, iv])
    want = np.array([11, -7, -7, -7], np.int8)
    assert np.array_equal(H.run_result(host, r, [xv, iv])[0], want)
    assert np.array_equal(_asan_run(r, [xv, iv], tmp_path)[0], want)


@pytest.mark.parametrize("hybrid", [False, True])
def test_embedding_lookup_out_of_range(host, hybrid):
    m = ModelWriter()
    ids = m.tensor("ids", (3,), type="int32")
    v = m.tensor("v", (2, 2), data=[[1, -2], [3, 4]], scale=0.5, zp=0 if hybrid else 3)
    y = m.tensor("y", (3, 2), type="float32") if hybrid else m.tensor("y", (3, 2), scale=0.5, zp=3)
    m.op("EMBEDDING_LOOKUP", [ids, v], [y])
    data = m.finish([ids], [y])
    r = convert(data)
    iv = np.array([1, 2, -5], np.int32)
    with pytest.raises(RuntimeError):
        reference.run(data, [iv])
    got = H.run_result(host, r, [iv])[0]
    want = np.array([[1.5, 2.0], [0, 0], [0, 0]], np.float32) if hybrid else np.array([[3, 4], [3, 3], [3, 3]], np.int8)
    assert np.array_equal(got, want)


def test_dynamic_update_slice_clamps_extreme_starts(host):
    m = ModelWriter()
    a = m.tensor("a", (3, 4), type="int16", scale=1e-3, zp=0)
    u = m.tensor("u", (2, 2), type="int16", scale=1e-3, zp=0)
    s = m.tensor("s", (2,), type="int64")
    y = m.tensor("y", (3, 4), type="int16", scale=1e-3, zp=0)
    m.op("DYNAMIC_UPDATE_SLICE", [a, u, s], [y])
    data = m.finish([a, u, s], [y])
    r = convert(data)
    av, uv = np.zeros((3, 4), np.int16), np.array([[1, 2], [3, 4]], np.int16)
    for start in ([2**40, -2**40], [-2**63, 2**63 - 1], [1, 1]):
        x = [av, uv, np.array(start, np.int64)]
        assert np.array_equal(H.run_result(host, r, x)[0], reference.run(data, x)[0]), start


def test_crafted_records_are_refused(host):
    r = convert(gather_model())
    # Word offsets in each record (kernels/include/sprat/kernels.h).
    edits = {
        "GATHER_RT": [lambda w: w.__setitem__(2, w[2] + 1),  # axis_size: past the input
                      lambda w: w.__setitem__(5, 8),  # index_size of int64 over int32 indices
                      lambda w: w.__setitem__(3, w[3] - 1)],  # inner_bytes: the input no longer fits
        "GATHER_ND": [lambda w: w.__setitem__(6, w[6] + 1),  # dims[0]
                      lambda w: w.__setitem__(1, 3)],  # nd
        "DYNAMIC_UPDATE_SLICE": [lambda w: w.__setitem__(9, w[3] + 1),  # update_dims[0] past operand_dims[0]
                                 lambda w: w.__setitem__(2, 2)],  # index_size
        "BROADCAST_ARGS": [lambda w: w.__setitem__(2, 2), lambda w: w.__setitem__(3, 1)],
        "BATCH_MATMUL": [lambda w: w.__setitem__(13, w[13] + 1),  # lhs_depth_stride
                         lambda w: w.__setitem__(11, w[11] + 1),  # depth
                         lambda w: w.__setitem__(7, -1),  # a negative batch stride
                         lambda w: w.__setitem__(20, 300)],  # shift
        "BATCH_MATMUL_S16": [lambda w: w.__setitem__(20, 8),  # a left shift the 64-bit requantization cannot
                             lambda w: w.__setitem__(18, 1)],  # a zero point
        "EMBEDDING_LOOKUP_HYBRID": [lambda w: w.__setitem__(3, 0),  # one scale, where six are given
                                    lambda w: w.__setitem__(1, 7)],  # rows
    }
    for name, fns in edits.items():
        for k, edit in enumerate(fns):
            s, _, _ = host.init_only(_patched(r, edit, OPCODES[name]), r.arena_for(8))
            assert H.STATUS[s] == "BAD_OP", (name, k, H.STATUS[s])
    assert host.init_only(_patched(r, lambda w: None, OPCODES["BATCH_MATMUL"]), r.arena_for(8))[0] == 0


def _bmm(lhs=("int8", (2, 3), 0.1, 0), rhs=("int8", (3, 2), 0.1, 0), out=("int8", (2, 2), 0.5, 0), rhs_data=None,
         **opts):
    m = ModelWriter()
    q = (lambda t, s, z: dict(scale=s, zp=z) if t != "float32" else {})
    a = m.tensor("lhs", lhs[1], type=lhs[0], **q(lhs[0], lhs[2], lhs[3]))
    b = m.tensor("rhs", rhs[1], type=rhs[0], data=rhs_data, **q(rhs[0], rhs[2], rhs[3]))
    y = m.tensor("y", out[1], type=out[0], **q(out[0], out[2], out[3]))
    m.op("BATCH_MATMUL", [a, b], [y], **opts)
    return m.finish([a] if rhs_data is not None else [a, b], [y])


def _model(case):
    m = ModelWriter()
    if case == "gather constant":
        x = m.tensor("x", (4, 3), **Q)
        i = m.tensor("i", (2,), type="int32", data=[1, 4])
        y = m.tensor("y", (2, 3), **Q)
        m.op("GATHER", [x, i], [y])
        return m.finish([x], [y])
    if case == "gather_nd constant":
        x = m.tensor("x", (3, 4), **Q)
        i = m.tensor("i", (1, 2), type="int32", data=[[0, 5]])
        y = m.tensor("y", (1,), **Q)
        m.op("GATHER_ND", [x, i], [y])
        return m.finish([x], [y])
    if case == "gather batch_dims":
        x = m.tensor("x", (2, 3), **Q)
        i = m.tensor("i", (3, 1), type="int32")
        y = m.tensor("y", (2, 1), **Q)
        m.op("GATHER", [x, i], [y], axis=1, batch_dims=1)
        return m.finish([x, i], [y])
    if case == "hybrid zero point":
        i = m.tensor("i", (2,), type="int32")
        v = m.tensor("v", (3, 2), data=np.ones((3, 2)), scale=0.1, zp=1)
        y = m.tensor("y", (2, 2), type="float32")
        m.op("EMBEDDING_LOOKUP", [i, v], [y])
        return m.finish([i], [y])
    if case == "hybrid uint8":
        i = m.tensor("i", (2,), type="int32")
        v = m.tensor("v", (3, 2), type="uint8", data=np.ones((3, 2)), scale=0.1, zp=0)
        y = m.tensor("y", (2, 2), type="float32")
        m.op("EMBEDDING_LOOKUP", [i, v], [y])
        return m.finish([i], [y])
    if case == "broadcast_args constant":
        a = m.tensor("a", (2,), type="int32", data=[2, 3])
        b = m.tensor("b", (1,), type="int32", data=[4])
        y = m.tensor("y", (2,), type="int32")
        m.op("BROADCAST_ARGS", [a, b], [y])
        return m.finish([], [y])
    if case == "bmm float":
        return _bmm(("float32", (2, 3), 0, 0), ("float32", (3, 2), 0, 0), ("float32", (2, 2), 0, 0))
    if case == "bmm per-channel":
        m2 = ModelWriter()
        a = m2.tensor("lhs", (2, 3), scale=0.1, zp=0)
        b = m2.tensor("rhs", (3, 2), data=np.ones((3, 2)), scale=[0.1, 0.2], zp=[0, 0], axis=1)
        y = m2.tensor("y", (2, 2), scale=0.5, zp=0)
        m2.op("BATCH_MATMUL", [a, b], [y])
        return m2.finish([a], [y])
    if case == "bmm int16 zero point":
        return _bmm(("int16", (2, 3), 1e-3, 0), ("int16", (3, 2), 1e-3, 4), ("int16", (2, 2), 0.1, 0))
    if case == "bmm depth":
        return _bmm(rhs=("int8", (4, 2), 0.1, 0), adj_y=False)
    if case == "bmm batch":
        return _bmm(("int8", (2, 2, 3), 0.1, 0), ("int8", (3, 3, 2), 0.1, 0), ("int8", (3, 2, 2), 0.5, 0))
    if case == "bmm mixed":
        return _bmm(rhs=("int16", (3, 2), 0.1, 0))
    if case == "bmm int16 left shift":
        return _bmm(("int16", (2, 3), 1.0, 0), ("int16", (3, 2), 1.0, 0), ("int16", (2, 2), 2.0 ** -10, 0))
    raise KeyError(case)


@pytest.mark.parametrize("case, match", [
    ("gather constant", r"op 0 \(GATHER\), tensor 'i': indices out of range 0..3 of axis 0"),
    ("gather_nd constant", r"op 0 \(GATHER_ND\), tensor 'i': index \[0, 5\] out of range of params \[3, 4\]"),
    ("gather batch_dims", r"op 0 \(GATHER\): the first 1 dimensions of input \[2, 3\] and indices \[3, 1\] differ"),
    ("hybrid zero point", r"op 0 \(EMBEDDING_LOOKUP\), tensor 'v': zero point 1: TFLite's hybrid lookup needs"),
    ("hybrid uint8", r"op 0 \(EMBEDDING_LOOKUP\), tensor 'y': uint8 values into a float32 output: only int8"),
    ("broadcast_args constant", r"op 0 \(BROADCAST_ARGS\): shapes \[2, 3\] and \[4\] do not broadcast"),
    ("bmm float", r"op 0 \(BATCH_MATMUL\), tensor 'lhs': float32, but sprat runs fully quantized models"),
    ("bmm per-channel", r"op 0 \(BATCH_MATMUL\), tensor 'rhs': per-channel quantization"),
    ("bmm int16 zero point", r"op 0 \(BATCH_MATMUL\), tensor 'rhs': int16 zero point 4"),
    ("bmm depth", r"op 0 \(BATCH_MATMUL\): \[2, 3\] and \[4, 2\] do not multiply: depths 3 and 4"),
    ("bmm batch", r"op 0 \(BATCH_MATMUL\): batch dimension 0 does not broadcast"),
    ("bmm mixed", r"op 0 \(BATCH_MATMUL\), tensor 'rhs': type int16 is not supported here \(sprat supports int8\)"),
    ("bmm int16 left shift", r"op 0 \(BATCH_MATMUL\), tensor 'y': the scales give a multiplier of 1024"),
])
def test_converter_refuses(case, match):
    with pytest.raises(ConvertError, match=match):
        convert(_model(case))


def test_random_inputs_draw_named_ranges():
    """An integer input named "<name>[lo:hi]" is drawn in [lo, hi), apart:
    the other inputs are what they would be without it."""
    m = ModelWriter()
    x = m.tensor("x", (3, 4), type="int16", scale=1e-3, zp=0)
    i = m.tensor("i[-2:3]", (50,), type="int64")
    j = m.tensor("j", (8,), type="int32")
    k = m.tensor("k[5:6]", (2, 2), type="int32")
    ts = convert(m.finish([x, i, j, k], [x, i, j, k])).inputs
    got = reference.random_inputs(ts, 7)
    assert got[1].dtype == np.int64 and got[1].min() >= -2 and got[1].max() <= 2 and len(np.unique(got[1])) == 5
    assert np.all(got[3] == 5)
    plain = reference.random_inputs([ir.Tensor(t.index, "plain", t.type, t.shape) for t in ts], 7)
    assert np.array_equal(got[0], plain[0]) and np.array_equal(got[2], plain[2])


def test_batch_matmul_multiplier_from_the_float32_product(host):
    """TFLite's Prepare multiplies the input scales in float32, then divides
    in double: with these scales 81 * 111 = 8991 requantizes to 60 (to 59
    with the product in double)."""
    m = ModelWriter()
    a = m.tensor("lhs", (2, 1), scale=0.13988082110881805, zp=0)
    b = m.tensor("rhs", (1, 1), data=[[111]], scale=0.026605969294905663, zp=0)
    y = m.tensor("y", (2, 1), scale=0.5624148845672607, zp=0)
    m.op("BATCH_MATMUL", [a, b], [y])
    data = m.finish([a], [y])
    x = [np.array([[81], [-81]], np.int8)]
    want = reference.run(data, x)[0]
    assert want.ravel().tolist() == [60, -60]
    assert np.array_equal(H.run_result(host, convert(data), x)[0], want)
