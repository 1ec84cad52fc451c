"""Comparisons, logical ops, SELECT_V2, CAST and REDUCE_ALL/ANY beyond the
op suite (tests/opsuite_logic.py): the values random inputs never reach
(NaN, infinities, -0, the integer types' bounds), a chain of every op
through bool tensors, crafted records the runtime must refuse (their
walks reach outside a tensor), and the cases the converter refuses."""

import numpy as np
import pytest

from converter.convert import convert
from converter.errors import ConvertError
from converter.lower import OPCODES
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference
from test_fused import _patched

_FLOATS = [0.0, -0.0, 0.4999, 0.5, -0.5, 0.9999, 1.0, -1.0, 1.5, -1.5, 2.5, 127.0, 127.9, 128.0, -128.0, -128.9,
           -129.0, 255.0, 255.9, 256.0, 32767.9, 32768.0, -32768.9, -32769.0, 2147483520.0, 2147483648.0,
           -2147483648.0, -2147483904.0, 9.2233715e18, 9.223372e18, -9.223372e18, -9.2233732e18, 1e30, -1e30,
           1e-30, -1e-45, np.inf, -np.inf, np.nan, -np.nan]


def _single(op, x_type, y_type, shape, **opts):
    m = ModelWriter()
    x = m.tensor("x", shape, type=x_type)
    y = m.tensor("y", shape, type=y_type)
    m.op(op, [x], [y], **opts)
    return m.finish([x], [y])


@pytest.mark.parametrize("dst", ["int8", "int16", "int32", "int64", "uint8", "bool", "float32"])
def test_cast_float_specials(host, dst):
    """Truncation toward zero, saturation at each type's bounds, NaN to the
    maximum, anything non-zero (NaN too) to true: LiteRT's CAST."""
    data = _single("CAST", "float32", dst, (len(_FLOATS),))
    x = [np.array(_FLOATS, np.float32)]
    got, want = H.run_result(host, convert(data), x)[0], reference.run(data, x)[0]
    assert got.dtype == want.dtype and np.array_equal(got.view(np.uint8), want.view(np.uint8)), (got, want)


@pytest.mark.parametrize("src", ["int8", "int16", "int32", "int64", "uint8", "bool"])
def test_cast_integer_bounds(host, src):
    """Each integer type's extremes to every other type: wrapped, rounded
    to nearest even (int32 and int64 to float32), or tested against 0."""
    info = np.iinfo(np.int8 if src == "bool" else np.dtype(src))
    values = [0, 1, -1, info.min, info.max, info.min + 1, info.max - 1, 127, 128, 255, 256, 32767, 32768, 65535,
              16777217, -16777217, 2 ** 31 - 1, 2 ** 53 + 1, 2 ** 62 + 2 ** 39 + 1]
    x = np.array([v for v in values if info.min <= v <= info.max], np.int64).astype(src)
    if src == "bool":
        x = np.array([True, False, True], np.bool_)
    for dst in ["int8", "int16", "int32", "int64", "uint8", "bool", "float32"]:
        data = _single("CAST", src, dst, x.shape)
        got, want = H.run_result(host, convert(data), [x])[0], reference.run(data, [x])[0]
        assert got.dtype == want.dtype and np.array_equal(got, want), (src, dst, x, got, want)


@pytest.mark.parametrize("op", ["EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL"])
def test_float_comparisons_of_specials(host, op):
    """IEEE comparisons: NaN unordered and unequal to itself, -0 equal to
    0, infinities ordered; every pair of the values, broadcast."""
    v = np.array([0.0, -0.0, 1.0, -1.0, 1e-45, np.inf, -np.inf, np.nan, 3.4e38], np.float32)
    m = ModelWriter()
    a = m.tensor("a", (v.size, 1), type="float32")
    b = m.tensor("b", (v.size,), type="float32")
    y = m.tensor("y", (v.size, v.size), type="bool")
    m.op(op, [a, b], [y])
    data = m.finish([a, b], [y])
    x = [v.reshape(-1, 1), v]
    got, want = H.run_result(host, convert(data), x)[0], reference.run(data, x)[0]
    assert np.array_equal(got, want) and 0 < np.count_nonzero(want) < want.size


def test_int8_comparison_merges_values_finer_than_its_common_scale(host):
    """TFLite compares (x - zero point) * 256 * scale rounded to integers:
    at scales below 1/256 neighbouring values compare equal, and so they
    do here."""
    m = ModelWriter()
    a = m.tensor("a", (256,), scale=0.001, zp=0)
    b = m.tensor("b", (256,), scale=0.001, zp=0)
    eq, gt = m.tensor("eq", (256,), type="bool"), m.tensor("gt", (256,), type="bool")
    m.op("EQUAL", [a, b], [eq])
    m.op("GREATER", [a, b], [gt])
    data = m.finish([a, b], [eq, gt])
    x = [np.arange(-128, 128, dtype=np.int8), np.arange(-127, 129, dtype=np.int16).astype(np.int8)]
    got, want = H.run_result(host, convert(data), x), reference.run(data, x)
    assert all(np.array_equal(g, w) for g, w in zip(got, want))
    assert np.count_nonzero(want[0]) > 128  # most neighbours tie


def logic_model():
    """Every op of the family in one graph (tests/test_blob_fuzz.py flips
    every byte of its records): int8 comparisons, logical ops, SELECT_V2,
    CAST and REDUCE_ALL/ANY over bool tensors."""
    m = ModelWriter()
    q = dict(scale=0.05, zp=-3)
    x = m.tensor("x", (2, 3, 4), **q)
    t = m.tensor("t", (4,), scale=0.1, zp=5)
    gt = m.tensor("gt", (2, 3, 4), type="bool")
    m.op("GREATER", [x, t], [gt])
    le = m.tensor("le", (2, 3, 4), type="bool")
    m.op("LESS_EQUAL", [x, m.tensor("c", (3, 1), data=[[0], [10], [-20]], **q)], [le])
    both = m.tensor("both", (2, 3, 4), type="bool")
    m.op("LOGICAL_OR", [gt, le], [both])
    nt = m.tensor("not", (2, 3, 4), type="bool")
    m.op("LOGICAL_NOT", [gt], [nt])
    sel = m.tensor("sel", (2, 3, 4), **q)
    m.op("SELECT_V2", [nt, x, m.tensor("zero", (1,), data=[-3], **q)], [sel])
    wide = m.tensor("wide", (2, 3, 4), type="int32")
    m.op("CAST", [sel], [wide])
    flt = m.tensor("flt", (2, 3, 4), type="float32")
    m.op("CAST", [wide], [flt])
    eq = m.tensor("eq", (2, 3, 4), type="bool")
    m.op("EQUAL", [flt, m.tensor("fz", (), type="float32", data=-3.0)], [eq])
    anyv = m.tensor("any", (2, 4), type="bool")
    m.op("REDUCE_ANY", [eq, m.tensor("ax", (1,), type="int32", data=[1])], [anyv], keep_dims=False)
    allv = m.tensor("all", (1, 1, 4), type="bool")
    m.op("REDUCE_ALL", [both, m.tensor("ax2", (2,), type="int32", data=[0, -2])], [allv], keep_dims=True)
    return m.finish([x, t], [anyv, allv, wide])


def test_logic_chain(host):
    data = logic_model()
    r = convert(data)
    assert {op.opcode for op in r.ops} == {OPCODES[k] for k in ("COMPARE", "LOGICAL", "SELECT", "CAST",
                                                                  "REDUCE_BOOL")}
    outs = []
    for s in range(4):
        x = reference.random_inputs(r, s)
        got, want = H.run_result(host, r, x), reference.run(data, x)
        assert all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want)), s
        outs.append(want)
    assert any(not np.array_equal(outs[0][0], o[0]) for o in outs[1:])


def _model(op, ins, out, **opts):
    """(blob of op over tensors ins -> out, converter Result); ins and out
    are (shape, type, quant) triples."""
    m = ModelWriter()
    ts = [m.tensor(f"in{k}", s, type=t, **q) for k, (s, t, q) in enumerate(ins)]
    y = m.tensor("y", out[0], type=out[1], **out[2])
    m.op(op, ts, [y], **opts)
    return convert(m.finish(ts, [y]))


_Q = dict(scale=0.05, zp=1)

# Word offsets in the records (kernels/include/sprat/kernels.h).
_BC = {"COMPARE": 10, "LOGICAL": 1, "SELECT": 7}


def _bc_edits(name):
    """Edits of a record's broadcast walk that reach outside a tensor."""
    at = _BC[name]
    dims, s1, s2 = at + 1, at + 7, at + 13

    def wider(w):  # one more output element than the output has
        w[dims] += 1

    def in1_past(w):  # the first operand's stride one element too long
        w[s1] += 1

    def in2_past(w):
        w[s2 + 1] = 1 << 20

    def negative(w):
        w[s1] = -1

    def deeper(w):
        w[at] = 7
    return [wider, in1_past, in2_past, negative, deeper]


def _refused(host, r, opcode, edits):
    for edit in edits:
        s, err_op, _ = host.init_only(_patched(r, edit, OPCODES[opcode]), r.arena_for(8))
        assert H.STATUS[s] == "BAD_OP", (opcode, edit.__name__, H.STATUS[s])


def test_crafted_compare_records_are_refused(host):
    r = _model("LESS", [((3, 4), "int8", _Q), ((4,), "int8", _Q)], ((3, 4), "bool", {}))
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0

    def kind(w):
        w[0] = 6

    def bool_order(w):  # LESS on int8 tensors said to be bool
        w[1] = 7

    def unscaled_int16(w):
        w[1] = 2

    def shift_left(w):  # a rescaling shift above 0 (TFLite's scales are below 1)
        w[6] = 1

    def shift_far(w):
        w[9] = -32

    def left_shift(w):
        w[3] = 24

    def offset(w):  # (x + offset) << 8 must stay in int32
        w[4] = 1 << 24

    def scaled_flag(w):
        w[2] = 2

    _refused(host, r, "COMPARE", [kind, bool_order, unscaled_int16, shift_left, shift_far, left_shift, offset,
                                  scaled_flag] + _bc_edits("COMPARE"))


def test_crafted_logical_records_are_refused(host):
    r = _model("LOGICAL_AND", [((2, 5), "bool", {}), ((2, 1), "bool", {})], ((2, 5), "bool", {}))
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0

    def not_of_two(w):  # NOT takes one input
        w[0] = 2

    def kind(w):
        w[0] = 3
    _refused(host, r, "LOGICAL", [not_of_two, kind] + _bc_edits("LOGICAL"))
    r = _model("LOGICAL_NOT", [((2, 5), "bool", {})], ((2, 5), "bool", {}))

    def second_operand(w):  # NOT walking an operand it does not have
        w[14 + 1] = 1

    def two_inputs(w):
        w[0] = 0
    _refused(host, r, "LOGICAL", [second_operand, two_inputs])


def test_crafted_select_records_are_refused(host):
    r = _model("SELECT_V2", [((3, 1), "bool", {}), ((3, 4), "int16", {}), ((4,), "int16", {})],
               ((3, 4), "int16", {}))
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0

    def cond_past(w):  # the condition's stride walks past its 3 values
        w[1] = 2

    def cond_inner(w):
        w[2] = 1

    def elem(w):  # 4-byte copies of int16 tensors
        w[0] = 4
    _refused(host, r, "SELECT", [cond_past, cond_inner, elem] + _bc_edits("SELECT"))


def test_crafted_cast_records_are_refused(host):
    r = _model("CAST", [((5, 3), "int8", {})], ((5, 3), "float32", {}))
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0

    def more(w):
        w[0] += 1

    def from_int64(w):  # the input read as 8-byte elements
        w[1] = 6

    def to_bad_type(w):
        w[2] = 8
    _refused(host, r, "CAST", [more, from_int64, to_bad_type])


def test_crafted_reduce_records_are_refused(host):
    m = ModelWriter()
    x = m.tensor("x", (2, 3, 4), type="bool")
    y = m.tensor("y", (2, 4), type="bool")
    m.op("REDUCE_ALL", [x, m.tensor("ax", (1,), type="int32", data=[1])], [y], keep_dims=False)
    r = convert(m.finish([x], [y]))
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0

    def out_past(w):  # the outer axis steps past the 8 outputs
        w[8] = 5

    def fewer_outputs(w):
        w[14] = 4

    def bigger_input(w):
        w[3] = 4

    def kind(w):
        w[0] = 2

    def rank(w):
        w[1] = 7
    _refused(host, r, "REDUCE_BOOL", [out_past, fewer_outputs, bigger_input, kind, rank])


@pytest.mark.parametrize("case, match", [
    ("scale 1", r"op 0 \(LESS\), tensor 'in1': scale 1: TFLite's quantized comparison needs scales below 1"),
    ("int16 orders", r"op 0 \(GREATER\), tensor 'in1': int16 inputs of different scales or zero points"),
    ("int16 not_equal", r"op 0 \(NOT_EQUAL\), tensor 'in0': int16 NOT_EQUAL without quantization"),
    ("bool order", r"op 0 \(GREATER_EQUAL\), tensor 'in0': bool inputs: TFLite orders numbers only"),
    ("select quant", r"op 0 \(SELECT_V2\), tensor 'in2': x, y and the output must share scale and zero point"),
    ("broadcast", r"op 0 \(EQUAL\), tensor 'y': shapes \[\[3, 4\], \[3\]\] do not broadcast to \[3, 4\]"),
    ("unquantized int8", r"op 0 \(EQUAL\), tensor 'in1': int8 tensor without quantization parameters"),
    ("reduce axis", r"op 0 \(REDUCE_ALL\): axis 3 out of range for rank 3"),
])
def test_refusals_name_the_op_and_why(case, match):
    b = ((3, 4), "bool", {})
    args = {
        "scale 1": ("LESS", [((3, 4), "int8", _Q), ((3, 4), "int8", dict(scale=1.0, zp=0))], b),
        "int16 orders": ("GREATER", [((3, 4), "int16", dict(scale=0.01, zp=0)),
                                     ((3, 4), "int16", dict(scale=0.02, zp=0))], b),
        "int16 not_equal": ("NOT_EQUAL", [((3, 4), "int16", {}), ((3, 4), "int16", {})], b),
        "bool order": ("GREATER_EQUAL", [((3, 4), "bool", {}), ((3, 4), "bool", {})], b),
        "select quant": ("SELECT_V2", [b, ((3, 4), "int8", _Q), ((3, 4), "int8", dict(scale=0.1, zp=1))],
                         ((3, 4), "int8", _Q)),
        "broadcast": ("EQUAL", [((3, 4), "int8", _Q), ((3,), "int8", _Q)], b),
        "unquantized int8": ("EQUAL", [((3, 4), "int8", _Q), ((3, 4), "int8", {})], b),
    }
    with pytest.raises(ConvertError, match=match):
        if case == "reduce axis":
            m = ModelWriter()
            x = m.tensor("x", (2, 3, 4), type="bool")
            y = m.tensor("y", (2, 3), type="bool")
            m.op("REDUCE_ALL", [x, m.tensor("ax", (1,), type="int32", data=[3])], [y])
            convert(m.finish([x], [y]))
        else:
            _model(*args[case])


def _special_jobs(target):
    """The specials above as jobs for a target's job runner: float32 to
    every type, every integer type's extremes to every type, float
    comparisons of NaN, infinities and -0."""
    types = ["int8", "int16", "int32", "int64", "uint8", "bool", "float32"]
    js, expect = [], []
    for dst in types:
        data = _single("CAST", "float32", dst, (len(_FLOATS),))
        x = [np.array(_FLOATS, np.float32)]
        js.append((convert(data, target=target), x))
        expect.append((f"float32 -> {dst}", reference.run(data, x)))
    for src in types[:-1]:
        info = np.iinfo(np.int8 if src == "bool" else np.dtype(src))
        x = np.array([v for v in (0, 1, -1, info.min, info.max, 255, 256, 16777217, -16777219, 2 ** 31 - 1,
                                  2 ** 53 + 1, 2 ** 62 + 2 ** 39 + 1) if info.min <= v <= info.max]).astype(src)
        for dst in types:
            data = _single("CAST", src, dst, x.shape)
            js.append((convert(data, target=target), [x]))
            expect.append((f"{src} -> {dst}", reference.run(data, [x])))
    v = np.array([0.0, -0.0, 1.0, -1.0, 1e-45, np.inf, -np.inf, np.nan, 3.4e38], np.float32)
    for op in ["EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL"]:
        m = ModelWriter()
        a, b = m.tensor("a", (v.size, 1), type="float32"), m.tensor("b", (v.size,), type="float32")
        y = m.tensor("y", (v.size, v.size), type="bool")
        m.op(op, [a, b], [y])
        data = m.finish([a, b], [y])
        x = [v.reshape(-1, 1), v]
        js.append((convert(data, target=target), x))
        expect.append((op, reference.run(data, x)))
    return js, expect


@pytest.mark.parametrize("target", ["qemu_cortex_m7", "qemu_cortex_m4", "riscv32", "cortex_a53", "cortex_a55"])
def test_specials_on_targets(in_build_env, target):
    """Float to integer saturation, int64 to float rounding and NaN compares
    are the FPU's (or soft-float's) business on each core: the same bytes."""
    from sprat import jobs
    from test_qemu import _compare
    js, expect = _special_jobs(target)
    results = jobs.run_jobs(target, js)
    # bytes, not values: NaN outputs compare unequal to themselves
    _compare([(s, None if o is None else [a.view(np.uint8) for a in o]) for s, o in results],
             [(w, [a.view(np.uint8) for a in want]) for w, want in expect])
