"""DIV, ADD_N, SQUARED_DIFFERENCE, FLOOR_DIV, FLOOR_MOD, SQUARE, FLOOR,
CEIL, ROUND, and MAXIMUM/MINIMUM beyond int8 (runtime/ops/arith.c).

Unquantized and raw-value ops are one typed op, ARITH (binary, with
broadcasting) or ARITH_UNARY (float32); the quantized ones have their own
records: DIV and SQUARED_DIFFERENCE int8, SQUARED_DIFFERENCE int16, ADD_N
int8. float32 runs only where TFLite's result is exactly IEEE's (+ - * /,
floor, ceil, fmod): SIN and COS are refused."""

import struct

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32
from converter.ops.elementwise import _broadcast

# kernels/include/sprat/kernels.h SPRAT_ARITH_*
DIV, FLOOR_DIV, FLOOR_MOD, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, FLOOR, CEIL, ROUND, SQUARE = range(1, 11)
_FLT_MAX = float(np.finfo(np.float32).max)
_INT32 = (-2**31, 2**31 - 1)
# TFLite's CalculateActivationRange for unquantized tensors (NONE, RELU,
# RELU_N1_TO_1, RELU6): float32 and int32 alike.
_RANGES = {0: (None, None), 1: (0, None), 2: (-1, 1), 3: (0, 6)}
# The C library limit of inputs an op has (runtime/src/op_api.h).
MAX_INPUTS = 14


def _type_name(t):
    return ir.TYPE_NAMES.get(t.type, t.type)


def _same_type(L, op, n, types):
    """Inputs 0..n-1 and the output, all of input 0's type (one of types)."""
    first = L.tensor(op, 0, types=types, quantized=False)
    xs = [first] + [L.tensor(op, i, types=(first.type,), quantized=False) for i in range(1, n)]
    return xs, L.output(op, types=(first.type,), quantized=False)


def _refuse_type(L, op, t, types, why):
    names = "/".join(ir.TYPE_NAMES[x] for x in types)
    return L.err(op, f"type {_type_name(t)} is not supported: {op.name} runs on {names} ({why})", t.name)


def _first(L, op):
    if not op.inputs or op.inputs[0] < 0:
        raise L.err(op, "input 0 is missing")
    return L.g.t(op.inputs[0])


def _activation(L, op, out):
    """The fused activation's clamp of an unquantized DIV: (int32 lo, hi, float32 lo, hi)."""
    a = op.options.get("fused_activation_function", 0)
    if a not in _RANGES:
        raise L.err(op, f"fused activation {a} (e.g. TANH, SIGN_BIT) is not supported")
    lo, hi = _RANGES[a]
    if out.type == ir.INT32:
        return (_INT32[0] if lo is None else lo), (_INT32[1] if hi is None else hi), 0.0, 0.0
    return 0, 0, (-_FLT_MAX if lo is None else float(lo)), (_FLT_MAX if hi is None else float(hi))


def _arith(L, op, code, a, b, out, act=(0, 0, 0.0, 0.0)):
    params = struct.pack("<4i2f", code, a.type, act[0], act[1], act[2], act[3]) + i32(*_broadcast(L, op, a, b, out))
    L.emit(op, "ARITH", [a.index, b.index], [out.index], params, name=op.name)


def _quantized(L, op, *tensors):
    for t in tensors:
        if t.quant is None:
            raise L.err(op, f"{_type_name(t)} tensor without quantization parameters", t.name)


# ---- DIV ---------------------------------------------------------------------
def _div_s8(L, op):
    a, b, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    # LiteRT: input1 scale / (input2 scale * output scale) in float32 (TFLM's
    # build computes it in double: the oracle is LiteRT wherever it runs).
    s1, s2, so = (np.float32(t.quant.s()) for t in (a, b, out))
    m, shift = quant.quantize_multiplier(quant.f32(s1 / np.float32(s2 * so)))
    if not -25 <= shift <= 22:
        raise L.err(op, f"the scales give a multiplier of 2^{shift}: TFLite's int8 DIV shifts out of range (sprat "
                        "takes 2^-25 to 2^22)")
    amin, amax = L.act(op, out)
    L.emit(op, "DIV", [a.index, b.index], [out.index],
           i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), m, shift, amin, amax, *_broadcast(L, op, a, b, out)),
           macs=out.count)


def div(L, op):
    t = _first(L, op)
    if t.type == ir.INT8:
        return _div_s8(L, op)
    if t.type not in (ir.INT32, ir.FLOAT32):
        raise _refuse_type(L, op, t, (ir.INT8, ir.INT32, ir.FLOAT32), "TFLM's DIV has no other")
    (a, b), out = _same_type(L, op, 2, (t.type,))
    if t.type == ir.INT32 and (a.quant or b.quant):
        raise L.err(op, "a quantized int32 DIV: TFLite divides unquantized int32 only", (a if a.quant else b).name)
    _arith(L, op, DIV, a, b, out, _activation(L, op, out))


# ---- SQUARED_DIFFERENCE --------------------------------------------------------
def _squared_difference_q(L, op, t16):
    types = (ir.INT16,) if t16 else (ir.INT8,)
    a, b, out = L.tensor(op, 0, types=types), L.tensor(op, 1, types=types), L.output(op, types=types)
    if t16:
        L.symmetric16(op, a, b, out)
    left_shift = 0 if t16 else 7
    s1, s2, so = a.quant.s(), b.quant.s(), out.quant.s()
    twice_max = 2.0 * max(s1, s2)
    m1 = quant.quantize_multiplier_smaller_than_one(s1 / twice_max)
    m2 = quant.quantize_multiplier_smaller_than_one(s2 / twice_max)
    # (1 << 2 * left_shift) * output scale is a float32 product in TFLite.
    mo = quant.quantize_multiplier(twice_max * twice_max / quant.f32(np.float32(1 << 2 * left_shift) * np.float32(so)))
    params = i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), left_shift, *m1, *m2, *mo, *_broadcast(L, op, a, b, out))
    L.emit(op, "SQUARED_DIFFERENCE_S16" if t16 else "SQUARED_DIFFERENCE", [a.index, b.index], [out.index], params,
           name=op.name, macs=out.count)


def squared_difference(L, op):
    t = _first(L, op)
    if t.type in (ir.INT8, ir.INT16):
        return _squared_difference_q(L, op, t.type == ir.INT16)
    if t.type not in (ir.INT32, ir.FLOAT32):
        raise _refuse_type(L, op, t, (ir.INT8, ir.INT16, ir.INT32, ir.FLOAT32), "TFLM's SQUARED_DIFFERENCE has no other")
    (a, b), out = _same_type(L, op, 2, (t.type,))
    _arith(L, op, SQUARED_DIFFERENCE, a, b, out)


# ---- FLOOR_DIV, FLOOR_MOD, and MAXIMUM/MINIMUM beyond int8: raw values ----------
_FLOOR_DIV_TYPES = (ir.INT8, ir.INT16, ir.INT32, ir.FLOAT32)
_FLOOR_MOD_TYPES = (ir.INT8, ir.INT16, ir.INT32, ir.INT64, ir.FLOAT32)


def _raw(L, op, code, types, why):
    t = _first(L, op)
    if t.type not in types:
        raise _refuse_type(L, op, t, types, why)
    (a, b), out = _same_type(L, op, 2, (t.type,))
    _arith(L, op, code, a, b, out)


def floor_div(L, op):
    _raw(L, op, FLOOR_DIV, _FLOOR_DIV_TYPES, "LiteRT's FLOOR_DIV has no other")


def floor_mod(L, op):
    _raw(L, op, FLOOR_MOD, _FLOOR_MOD_TYPES, "LiteRT's FLOOR_MOD has no other")


_MAX_MIN_TYPES = (ir.INT16, ir.INT32, ir.INT64, ir.FLOAT32)


def max_min(L, op, is_min):
    """MAXIMUM/MINIMUM of the types other than int8 (converter/ops/elementwise.py
    lowers int8): raw values compared, which means something for quantized
    int16 only on one scale."""
    t = _first(L, op)
    if t.type not in _MAX_MIN_TYPES:
        raise _refuse_type(L, op, t, (ir.INT8,) + _MAX_MIN_TYPES, "TFLM's MAXIMUM/MINIMUM has no other")
    (a, b), out = _same_type(L, op, 2, (t.type,))
    qs = [x.quant for x in (a, b, out)]
    if any(q is not None for q in qs) and len({(q.s(), q.zp()) if q else None for q in qs}) > 1:
        raise L.err(op, "input and output must share scale and zero point", out.name)
    _arith(L, op, MINIMUM if is_min else MAXIMUM, a, b, out)


ADD, SUB, MUL = 11, 12, 13


def add_sub_mul(L, op, code):
    """int32 and float32 ADD, SUB and MUL (converter/ops/elementwise.py
    lowers the quantized ones): raw values, wrapping as TFLite's int32 sums
    do, then the fused activation's clamp."""
    t = _first(L, op)
    (a, b), out = _same_type(L, op, 2, (ir.INT32, ir.FLOAT32))
    if t.type == ir.INT32 and any(x.quant is not None and (x.quant.s() != 1.0 or x.quant.zp() != 0)
                                  for x in (a, b, out)):
        raise L.err(op, "a quantized int32 operand: TFLite's int32 kernel computes on the raw values only",
                    next(x for x in (a, b, out) if x.quant is not None).name)
    act = _activation(L, op, out)
    if L.tflm_oracle and code == ADD and t.type == ir.INT32:
        act = (_INT32[0], _INT32[1], 0.0, 0.0)  # TFLM's int32 ADD ignores the fused activation (its SUB and MUL clamp)
    _arith(L, op, code, a, b, out, act)


# ---- ADD_N ---------------------------------------------------------------------
def add_n(L, op):
    n = len(op.inputs)
    if n < 2:
        raise L.err(op, f"{n} input: TFLite's ADD_N takes at least 2")
    if n > MAX_INPUTS:
        raise L.err(op, f"{n} inputs: sprat's ADD_N takes at most {MAX_INPUTS}")
    t = _first(L, op)
    types = (ir.INT8, ir.INT32, ir.FLOAT32)
    if t.type not in types:
        raise _refuse_type(L, op, t, types, "TFLM has int8 and float32, LiteRT int32 and float32")
    xs, out = _same_type(L, op, n, (t.type,))
    for x in xs[1:] + [out]:
        if list(x.shape) != list(xs[0].shape):
            raise L.err(op, f"shapes {list(xs[0].shape)} and {list(x.shape)} differ: ADD_N does not broadcast", x.name)
    ins = [x.index for x in xs]
    if t.type != ir.INT8:
        L.emit(op, "ADD_N_TYPED", ins, [out.index], i32(out.count, n, t.type), name=op.name)
        return
    _quantized(L, op, *xs, out)
    for x in xs[1:]:
        if x.quant.s() != xs[0].quant.s() or x.quant.zp() != xs[0].quant.zp():
            raise L.err(op, "TFLM's int8 ADD_N needs every input on one scale and zero point", x.name)
    s, so = xs[0].quant.s(), out.quant.s()
    twice = 2.0 * s
    left_shift = 20
    mi = quant.quantize_multiplier_smaller_than_one(s / twice)
    real = twice / ((1 << left_shift) * so)
    if not real < 1.0:
        raise L.err(op, f"output scale {so:g} below 2^-19 of the inputs': TFLM's int8 ADD_N needs a multiplier "
                        "below one", out.name)
    mo = quant.quantize_multiplier_smaller_than_one(real)
    L.emit(op, "ADD_N", ins, [out.index], i32(out.count, n, -xs[0].quant.zp(), out.quant.zp(), left_shift, *mi, *mo),
           name=op.name, macs=out.count * n)


# ---- float32 only: FLOOR, CEIL, ROUND, SQUARE ------------------------------------
def _unary_f32(code):
    def lower(L, op):
        t = _first(L, op)
        if t.type != ir.FLOAT32:
            raise L.err(op, f"type {_type_name(t)} is not supported: TFLite computes {op.name} in float32 only", t.name)
        x = L.tensor(op, 0, types=(ir.FLOAT32,), quantized=False)
        out = L.output(op, types=(ir.FLOAT32,), quantized=False)
        if out.count != x.count:
            raise L.err(op, f"output {list(out.shape)} is not the input's shape {list(x.shape)}", out.name)
        L.emit(op, "ARITH_UNARY", [x.index], [out.index], i32(code, x.count), name=op.name)
    return lower


def trigonometric(L, op):
    raise L.err(op, f"{op.name} is not supported: TFLite computes it in float32 with the C library's "
                    f"{op.name.lower()}f, whose last bit differs between libraries (glibc's and a "
                    "microcontroller's), so no sprat target could match it bit for bit")


OPS = {
    "DIV": Lowers(div, ("int8", "int32", "float32"),
                  note="int8 with LiteRT's multiplier (TFLM's, in double, differs in the last bit for some scales; "
                       "a divisor at its zero point, which LiteRT refuses, gives TFLM's result); int32 x/0 gives 0 "
                       "(TFLite stops with an error)"),
    "ADD_N": Lowers(add_n, ("int8", "int32", "float32"),
                    note="int8 checked against TFLM, int32 against LiteRT (each has only one); float32 as LiteRT "
                         "sums (TFLM starts from +0: a sum of -0s is +0 there); at most 14 inputs"),
    "SQUARED_DIFFERENCE": Lowers(squared_difference, ("int8", "int16", "int32", "float32"),
                                 note="int16 checked against TFLM (LiteRT has none)"),
    "FLOOR_DIV": Lowers(floor_div, ("int8", "int16", "int32", "float32"),
                        note="integers as LiteRT: raw values, quantization ignored (TFLM has float32 only); "
                             "x/0 gives 0 (TFLite stops with an error)"),
    "FLOOR_MOD": Lowers(floor_mod, ("int8", "int16", "int32", "int64", "float32"),
                        note="integers as LiteRT: raw values, quantization ignored (TFLM has float32 only); "
                             "x mod 0 gives 0"),
    "SQUARE": Lowers(_unary_f32(SQUARE), ("float32",), note="TFLite has float32 only"),
    "FLOOR": Lowers(_unary_f32(FLOOR), ("float32",)),
    "CEIL": Lowers(_unary_f32(CEIL), ("float32",), note="LiteRT's reference has no CEIL: checked against TFLM"),
    "ROUND": Lowers(_unary_f32(ROUND), ("float32",),
                    note="halves to even; LiteRT's reference has no ROUND: checked against TFLM"),
    "SIN": Lowers(trigonometric, (), note="refused: float32 only, and the C library's sinf differs by target"),
    "COS": Lowers(trigonometric, (), note="refused: float32 only, and the C library's cosf differs by target"),
}
