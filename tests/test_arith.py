"""The arith family's cases the op suite's random draws reach rarely or
never: every int8 DIV and SQUARED_DIFFERENCE input pair, ROUND's halves,
integer division by 0 and INT_MIN / -1 (undefined in TFLite's C++, defined
here), the refusals, and corrupted records of every arith op."""


import numpy as np
import pytest

from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference


def _every_pair(name, q1, q2, qo, skip_b=None, **opts):
    """int8 a [256, 1] against b [1, n]: every pair of raw values (but b's
    skip_b)."""
    values = np.arange(-128, 128, dtype=np.int8)
    bs = values[values != skip_b] if skip_b is not None else values
    m = ModelWriter()
    a = m.tensor("a", (256, 1), scale=q1[0], zp=q1[1])
    b = m.tensor("b", (1, bs.size), scale=q2[0], zp=q2[1])
    y = m.tensor("y", (256, bs.size), scale=qo[0], zp=qo[1])
    m.op(name, [a, b], [y], **opts)
    return m.finish([a, b], [y]), [values.reshape(256, 1), bs.reshape(1, bs.size)]


@pytest.mark.parametrize("q1, q2, qo, act", [
    ((0.05, 3), (0.04, -7), (0.1, 2), "NONE"),
    ((0.1, -128), (0.02, 127), (2.0, -20), "RELU"),  # large output scale: rounding shifts of 32 and more
    ((0.01, 0), (0.1, 0), (0.0005, 0), "RELU6"),
    ((0.2, 100), (0.003, -100), (0.9, -128), "RELU_N1_TO_1"),
])
def test_div_int8_every_pair(host, q1, q2, qo, act):
    """Against LiteRT, which refuses a divisor at its zero point."""
    data, inputs = _every_pair("DIV", q1, q2, qo, skip_b=q2[1], fused_activation_function=act)
    got = H.run_result(host, convert(data), inputs)[0]
    assert np.array_equal(got, reference.run_litert(data, inputs)[0])


@pytest.mark.parametrize("q1, q2, qo", [((0.0625, 3), (0.125, -7), (0.25, 2)), ((0.5, -100), (2.0 ** -9, 50), (1.0, 0))])
def test_div_int8_by_the_zero_point_is_tflms(host, q1, q2, qo):
    """A divisor at its zero point (LiteRT stops with an error): TFLM's
    reciprocal of 0. On scales whose multiplier is the same in float32 and
    double, where TFLM and LiteRT agree."""
    data, inputs = _every_pair("DIV", q1, q2, qo)
    got = H.run_result(host, convert(data), inputs)[0]
    assert np.array_equal(got, reference.run_tflm(data, inputs)[0])


@pytest.mark.parametrize("q1, q2, qo", [
    ((0.05, 3), (0.04, -7), (0.5, -128)),
    ((0.1, -128), (0.02, 127), (1.0, -100)),
    ((0.01, 0), (0.1, 0), (0.0001, 0)),
])
def test_squared_difference_int8_every_pair(host, q1, q2, qo):
    data, inputs = _every_pair("SQUARED_DIFFERENCE", q1, q2, qo)
    got = H.run_result(host, convert(data), inputs)[0]
    assert np.array_equal(got, reference.run(data, inputs)[0])


def _unary(name, x):
    m = ModelWriter()
    t = m.tensor("x", x.shape, type="float32")
    y = m.tensor("y", x.shape, type="float32")
    m.op(name, [t], [y])
    return m.finish([t], [y])


@pytest.mark.parametrize("name", ["ROUND", "FLOOR", "CEIL", "SQUARE"])
def test_float_unary_halves_and_specials(host, name):
    """Halves (to even, and -0.5 to +0), signed zeros, the edges of the
    integers floats hold, infinities and NaN: bit for bit."""
    halves = np.arange(-20.5, 21, 0.5, dtype=np.float32)
    specials = np.array([-0.0, 0.0, -0.3, 0.3, 8388607.5, -8388607.5, 8388608.0, 2.0 ** 30, -2.0 ** 31,
                         1e-45, -1e-45, 1e38, np.inf, -np.inf, np.nan], np.float32)
    x = np.concatenate([halves, specials])
    data = _unary(name, x)
    got = H.run_result(host, convert(data), [x])[0]
    assert np.array_equal(got.view(np.uint32), reference.run(data, [x])[0].view(np.uint32))


def _binary(name, t, a, b, **opts):
    m = ModelWriter()
    x = m.tensor("a", a.shape, type=t)
    z = m.tensor("b", b.shape, type=t)
    y = m.tensor("y", np.broadcast_shapes(a.shape, b.shape), type=t)
    m.op(name, [x, z], [y], **opts)
    return convert(m.finish([x, z], [y]))


def test_integer_division_by_zero_and_overflow_are_defined(host):
    """TFLite stops with an error on a 0 divisor (or, INT_MIN / -1, traps):
    sprat gives 0, and INT_MIN / -1 wraps to INT_MIN."""
    lo = np.iinfo(np.int32).min
    a = np.array([7, -7, 0, lo, lo, lo, 5], np.int32)
    b = np.array([0, 0, 0, -1, 1, 0, -1], np.int32)
    want = {"DIV": [0, 0, 0, lo, lo, 0, -5], "FLOOR_DIV": [0, 0, 0, lo, lo, 0, -5],
            "FLOOR_MOD": [0, 0, 0, 0, 0, 0, 0]}
    for name, w in want.items():
        got = H.run_result(host, _binary(name, "int32", a, b), [a, b])[0]
        assert got.tolist() == w, name
    for t in ("int8", "int16", "int64"):
        lo = np.iinfo(t).min
        a, b = np.array([lo, 9, lo], t), np.array([-1, 0, 0], t)
        assert H.run_result(host, _binary("FLOOR_MOD", t, a, b), [a, b])[0].tolist() == [0, 0, 0], t
        if t != "int64":
            assert H.run_result(host, _binary("FLOOR_DIV", t, a, b), [a, b])[0].tolist() == [lo, 0, 0], t


def test_float_division_by_zero_is_ieee(host):
    """float32 DIV: the quotient clamped to the activation's range, so +-inf
    become +-FLT_MAX (TFLite's ActivationFunctionWithMinMax); 0/0 is NaN."""
    a = np.array([2, -3, 0, 5, -5, 1, -0.0], np.float32)
    b = np.array([0, 0, 0, -0.0, np.inf, 3, 2], np.float32)
    for act in ("NONE", "RELU", "RELU6"):
        m = ModelWriter()
        x, z, y = (m.tensor(n, a.shape, type="float32") for n in "azy")
        m.op("DIV", [x, z], [y], fused_activation_function=act)
        data = m.finish([x, z], [y])
        got = H.run_result(host, convert(data), [a, b])[0]
        assert np.array_equal(got.view(np.uint32), reference.run(data, [a, b])[0].view(np.uint32)), act


def _refused(build_model, match):
    m = ModelWriter()
    ins, outs = build_model(m)
    with pytest.raises(ConvertError, match=match):
        convert(m.finish(ins, outs))


def _op(name, types, shapes=((1, 4), (1, 4)), q=None, out_q=None, n=None, **opts):
    def build_model(m):
        ins = [m.tensor(f"x{i}", s, type=t, **(q or {})) for i, (s, t) in enumerate(zip(shapes, types))]
        y = m.tensor("y", shapes[0], type=types[0], **(out_q or q or {}))
        m.op(name, ins, [y], **opts)
        return ins, [y]
    return build_model


@pytest.mark.parametrize("model, match", [
    (_op("SIN", ["float32"], shapes=[(4,)]), r"op 0 \(SIN\): SIN is not supported: .*sinf.*bit for bit"),
    (_op("COS", ["float32"], shapes=[(4,)]), r"op 0 \(COS\): COS is not supported: .*cosf"),
    (_op("DIV", ["int16", "int16"], q=dict(scale=0.01, zp=0)),
     r"op 0 \(DIV\), tensor 'x0': type int16 is not supported: DIV runs on int8/int32/float32"),
    (_op("FLOOR", ["int8"], shapes=[(4,)], q=dict(scale=0.1, zp=0)),
     r"op 0 \(FLOOR\), tensor 'x0': type int8 is not supported: TFLite computes FLOOR in float32 only"),
    (_op("ADD_N", ["float32"] * 15, shapes=[(3,)] * 15), r"op 0 \(ADD_N\): 15 inputs: sprat's ADD_N takes at most 14"),
    (_op("ADD_N", ["float32"] * 2, shapes=[(3,), (1,)]), r"op 0 \(ADD_N\), tensor 'x1': .*does not broadcast"),
    (_op("DIV", ["int8", "int8"], q=dict(scale=0.1, zp=0), out_q=dict(scale=1e-9, zp=0)),
     r"op 0 \(DIV\): the scales give a multiplier of 2\^\d+"),
    (_op("ADD_N", ["int8", "int8"], q=dict(scale=0.1, zp=0), out_q=dict(scale=1e-8, zp=0)),
     r"op 0 \(ADD_N\), tensor 'y': output scale 1e-08 .*multiplier below one"),
    (_op("MAXIMUM", ["int16", "int16"], q=dict(scale=0.01, zp=0), out_q=dict(scale=0.02, zp=0)),
     r"op 0 \(MAXIMUM\), tensor 'y': input and output must share scale and zero point"),
    (_op("DIV", ["int32", "int32"], fused_activation_function="TANH"), r"op 0 \(DIV\): fused activation 4"),
])
def test_refusals_name_the_op_and_why(model, match):
    _refused(model, match)


def test_add_n_int8_needs_one_quantization():
    def build_model(m):
        a = m.tensor("a", (4,), scale=0.1, zp=0)
        b = m.tensor("b", (4,), scale=0.1, zp=1)
        y = m.tensor("y", (4,), scale=0.2, zp=0)
        m.op("ADD_N", [a, b], [y])
        return [a, b], [y]
    _refused(build_model, r"op 0 \(ADD_N\), tensor 'b': TFLM's int8 ADD_N needs every input on one scale")


def arith_chain():
    """Every arith opcode once, for the corrupt-blob driver."""
    m = ModelWriter()
    q = dict(scale=0.05, zp=2)
    x8 = m.tensor("x8", (2, 3), **q)
    d8 = m.tensor("d8", (2, 3), scale=0.1, zp=-3)
    s8 = m.tensor("s8", (2, 3), scale=0.2, zp=-120)
    n8 = m.tensor("n8", (2, 3), scale=0.1, zp=0)
    m.op("DIV", [x8, x8], [d8])
    m.op("SQUARED_DIFFERENCE", [d8, m.tensor("c8", (1, 3), data=[1, 2, 3], **q)], [s8])
    m.op("ADD_N", [d8, d8, d8], [n8])
    x16 = m.tensor("x16", (4,), type="int16", scale=1e-3, zp=0)
    s16 = m.tensor("s16", (4,), type="int16", scale=1e-2, zp=0)
    m16 = m.tensor("m16", (4,), type="int16", scale=1e-2, zp=0)
    m.op("SQUARED_DIFFERENCE", [x16, x16], [s16])
    m.op("MAXIMUM", [s16, s16], [m16])
    xf = m.tensor("xf", (3,), type="float32")
    df = m.tensor("df", (3,), type="float32")
    rf = m.tensor("rf", (3,), type="float32")
    nf = m.tensor("nf", (3,), type="float32")
    m.op("DIV", [xf, xf], [df])
    m.op("ROUND", [df], [rf])
    m.op("ADD_N", [rf, df], [nf])
    xi = m.tensor("xi", (3,), type="int32")
    fi = m.tensor("fi", (3,), type="int32")
    m.op("FLOOR_MOD", [xi, m.tensor("ci", (1,), type="int32", data=[3])], [fi])
    return m.finish([x8, x16, xf, xi], [s8, n8, m16, nf, fi])


def test_corrupt_arith_blobs_fail_cleanly(in_build_env, tmp_path):
    """Every byte of the header and tables flipped (the CRC as is, and made
    to match), and truncations, under ASan/UBSan: as tests/test_blob_fuzz.py
    does for other models."""
    from test_blob_fuzz import run_driver_on
    r = convert(arith_chain())
    runs, ok = run_driver_on(r, tmp_path)
    assert runs["flip"] > 500 and ok["flip"] == 0 and ok["truncated"] == 0, (runs, ok)
