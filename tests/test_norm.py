"""The norm family beyond the op suite: every op of it in one model whose
blob, corrupted byte by byte, fails cleanly under the sanitizers; crafted
records the runtime must refuse; the converter's refusals; SUM checked
against TFLM (LiteRT's reference reads int8 and int16 data as uint8)."""

import struct

import numpy as np
import pytest

from converter import lower
from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference
from test_blob_fuzz import run_driver_on
from test_fused import _patched


def norm_model():
    """Every norm op on one int8, one int16 and one float32 input, each
    result a model output."""
    m = ModelWriter()
    x = m.tensor("x", (2, 4, 6, 3), scale=0.05, zp=-3)
    x16 = m.tensor("x16", (2, 4, 6, 3), type="int16", scale=2e-4, zp=0)
    xf = m.tensor("xf", (1, 5, 4, 2), type="float32")
    outs = []

    def axes(name, values):
        return m.tensor(name, (len(values),), type="int32", data=values)

    def out(name, shape, **q):
        t = m.tensor(name, shape, **q)
        outs.append(t)
        return t

    m.op("SUM", [x, axes("a_sum", [0, 2])], [out("sum", (4, 3), scale=0.5, zp=0)], keep_dims=False)
    m.op("REDUCE_MIN", [x, axes("a_min", [1, -1])], [out("min", (2, 1, 6, 1), scale=0.05, zp=-3)], keep_dims=True)
    m.op("REDUCE_MAX", [x, axes("a_max", [0, 3])], [out("max", (4, 6), scale=0.05, zp=-3)], keep_dims=False)
    m.op("MEAN", [x, axes("a_mean", [1, 3])], [out("mean", (2, 6), scale=0.02, zp=1)], keep_dims=False)
    m.op("ARG_MIN", [x, axes("a_arg", [2])], [out("argmin", (2, 4, 3), type="int64")], output_type="int64")
    m.op("CUMSUM", [x, axes("a_cum", [1])], [out("cumsum", (2, 4, 6, 3), scale=0.1, zp=0)], exclusive=True,
         reverse=True)
    m.op("L2_NORMALIZATION", [x], [out("l2norm", (2, 4, 6, 3), scale=1 / 128, zp=0)],
         fused_activation_function="NONE")
    m.op("LOG_SOFTMAX", [x], [out("logsoftmax", (2, 4, 6, 3), scale=16 / 256, zp=127)])
    m.op("RESIZE_BILINEAR", [x, axes("size", [7, 5])], [out("bilinear", (2, 7, 5, 3), scale=0.05, zp=-3)],
         align_corners=False, half_pixel_centers=True)
    m.op("SUM", [x16, axes("a_sum16", [1, 2])], [out("sum16", (2, 1, 1, 3), type="int16", scale=1e-3, zp=0)],
         keep_dims=True)
    m.op("REDUCE_MAX", [x16, axes("a_max16", [2])], [out("max16", (2, 4, 3), type="int16", scale=2e-4, zp=0)],
         keep_dims=False)
    m.op("RESIZE_BILINEAR", [x16, axes("size16", [3, 9])],
         [out("bilinear16", (2, 3, 9, 3), type="int16", scale=2e-4, zp=0)], align_corners=True)
    m.op("RESIZE_NEAREST_NEIGHBOR", [x16, axes("size_nn", [5, 2])],
         [out("nearest16", (2, 5, 2, 3), type="int16", scale=2e-4, zp=0)], half_pixel_centers=True)
    m.op("L2_POOL_2D", [xf], [out("l2pool", (1, 3, 2, 2), type="float32")], padding="SAME", stride_w=2, stride_h=2,
         filter_width=3, filter_height=2, fused_activation_function="RELU6")
    return m.finish([x, x16, xf], outs)


def test_norm_model_runs(host):
    r = convert(norm_model())
    names = {op.name.split("+")[0] for op in r.ops}
    assert {"SUM", "REDUCE_MIN", "ARG_MIN", "CUMSUM", "L2_NORMALIZATION", "LOG_SOFTMAX", "L2_POOL_2D",
            "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"} <= names
    got = H.run_result(host, r, reference.random_inputs(r, 5))
    assert len(got) == 14


def test_corrupt_norm_blobs_fail_cleanly(in_build_env, tmp_path):
    r = convert(norm_model())
    runs, ok = run_driver_on(r, tmp_path)
    assert runs["flip"] > 500 and ok["flip"] == 0 and ok["truncated"] == 0, (runs, ok)


def _refused(host, r, opcode, edit):
    return H.STATUS[host.init_only(_patched(r, edit, opcode), r.arena_for(8))[0]] != "OK"


def test_crafted_norm_records_are_refused(host):
    r = convert(norm_model())
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0
    op = lower.OPCODES
    # REDUCE_ND: [kind, type, n_out, dims x6, strides x6, n_red, dims x6, strides x6, zp, zp, mult, shift]
    n_out, out_strides, n_red, red_dims = 2, 9, 15, 16

    def stride_past(w):
        w[out_strides] += 1000

    def more_reduced(w):
        w[red_dims] += 1

    def negative_stride(w):
        w[n_red + 7] = -1

    def many_dims(w):
        w[n_out] = 7

    def bad_kind(w):
        w[0] = 3

    def big_shift(w):
        w[-1] = 40

    for edit in (stride_past, more_reduced, negative_stride, many_dims, bad_kind, big_shift):
        assert _refused(host, r, op["REDUCE_ND"], edit), edit.__name__

    def deep_shift(w):  # CUMSUM's left shift
        w[7] = 31

    def long_rows(w):  # LOG_SOFTMAX: rows of 4096, which the tensor does not have
        w[0], w[1] = 1, 4096

    def bilinear_rows(w):
        w[4] += 1

    assert _refused(host, r, op["CUMSUM"], deep_shift)
    assert _refused(host, r, op["LOG_SOFTMAX"], long_rows)
    assert _refused(host, r, op["RESIZE_BILINEAR"], bilinear_rows)
    assert _refused(host, r, op["L2_NORMALIZATION"], lambda w: w.__setitem__(2, 300))
    assert _refused(host, r, op["ARG_MIN"], lambda w: w.__setitem__(4, 2))
    assert _refused(host, r, op["L2_POOL_2D"], lambda w: w.__setitem__(12, 5))


def test_bilinear_table_past_the_input_is_refused(host):
    """A source row past the input in RESIZE_BILINEAR's constant table."""
    r = convert(norm_model())
    table = next(t for t in r.graph.tensors if t.name.endswith("/bilinear_y"))
    b = bytearray(r.blob)
    data = np.asarray(table.data, np.int32).tobytes()
    at = bytes(b).find(data)
    assert at > 0
    struct.pack_into("<i", b, at, 4)  # y0 of the first row: the input has 4
    assert H.STATUS[host.init_only(bytes(b), r.arena_for(8))[0]] != "OK"


def _model(op, x, out, inputs=(), **opts):
    m = ModelWriter()
    xt = m.tensor("x", **x)
    extra = [m.tensor(f"in{k}", (len(v),), type="int32", data=v) for k, v in enumerate(inputs)]
    y = m.tensor("y", **out)
    m.op(op, [xt] + extra, [y], **opts)
    return m.finish([xt], [y])


@pytest.mark.parametrize("op,x,out,inputs,opts,message", [
    ("LOG_SOFTMAX", dict(shape=(1, 4), scale=0.1, zp=0), dict(shape=(1, 4), scale=0.1, zp=127), (), {},
     "16/256"),
    ("LOG_SOFTMAX", dict(shape=(1, 5000), scale=0.1, zp=0), dict(shape=(1, 5000), scale=1 / 16, zp=127), (), {},
     "4095"),
    ("L2_NORMALIZATION", dict(shape=(1, 4), scale=0.1, zp=0), dict(shape=(1, 4), scale=1 / 64, zp=0), (),
     dict(fused_activation_function="NONE"), "1/128"),
    ("L2_NORMALIZATION", dict(shape=(1, 4), scale=0.1, zp=0), dict(shape=(1, 4), scale=1 / 128, zp=0), (),
     dict(fused_activation_function="RELU"), "fused activation"),
    ("REDUCE_MIN", dict(shape=(2, 3), scale=0.1, zp=0), dict(shape=(2,), scale=0.2, zp=0), ([1],),
     dict(keep_dims=False), "share scale"),
    ("REDUCE_MIN", dict(shape=(2, 3), type="int16", scale=0.1, zp=3), dict(shape=(2,), type="int16", scale=0.1, zp=3),
     ([1],), dict(keep_dims=False), "zero point 3"),
    ("SUM", dict(shape=(2, 3), scale=0.1, zp=0), dict(shape=(2,), scale=0.2, zp=0), ([2],), dict(keep_dims=False),
     "axis 2 out of range"),
    ("SUM", dict(shape=(2, 3), scale=0.1, zp=0), dict(shape=(3,), scale=0.2, zp=0), ([1],), dict(keep_dims=False),
     "does not follow"),
    ("CUMSUM", dict(shape=(2, 3), scale=0.1, zp=0), dict(shape=(2, 3), scale=0.1, zp=0), ([0, 1],),
     dict(exclusive=False, reverse=False), "one value"),
    ("RESIZE_BILINEAR", dict(shape=(1, 2, 2, 1), scale=0.1, zp=0), dict(shape=(1, 3, 3, 1), scale=0.1, zp=0),
     ([3, 3],), dict(align_corners=True, half_pixel_centers=True), "together"),
    ("RESIZE_BILINEAR", dict(shape=(1, 2, 1, 1), scale=0.1, zp=0), dict(shape=(1, 3000, 1, 1), scale=0.1, zp=0),
     ([3000, 1],), dict(align_corners=False, half_pixel_centers=False), "past the input"),
    ("L2_POOL_2D", dict(shape=(1, 4, 4, 1), scale=0.1, zp=0), dict(shape=(1, 2, 2, 1), scale=0.1, zp=0), (),
     dict(padding="VALID", stride_w=2, stride_h=2, filter_width=2, filter_height=2), "no quantized L2_POOL_2D"),
])
def test_converter_refusals_name_the_reason(op, x, out, inputs, opts, message):
    with pytest.raises(ConvertError, match=message) as e:
        convert(_model(op, x, out, inputs, **opts))
    assert f"({op})" in str(e.value)


def test_sum_oracle_is_tflm(host):
    """LiteRT's BUILTIN_REF SUM reads int8 data as uint8; the reference is
    TFLM's, whose numbers sprat gives."""
    data = _model("SUM", dict(shape=(2, 3), scale=0.1, zp=3), dict(shape=(2,), scale=0.2, zp=-5), ([1],),
                  keep_dims=False)
    assert "SUM" in (reference.litert_misreads(data) or "")
    assert reference.run_with_oracle(data, [np.zeros((2, 3), np.int8)])[1] == reference.TFLM
    a = np.array([[-100, 5, 7], [10, 20, -30]], np.int8)
    # (sum - 3 * zp) * 0.5 - 5, the doubling high multiply rounding halves up
    assert reference.run(data, [a])[0].tolist() == [-53, -9]
    assert H.run_result(host, convert(data), [a])[0].tolist() == [-53, -9]
