"""ADD, SUB, MUL, MAXIMUM, MINIMUM, PRELU with broadcasting
(runtime/ops/elementwise.c); MAXIMUM and MINIMUM of other types than int8
are the arith family's (converter/ops/arith.py)."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, MAX_DIMS, i32


def _broadcast(L, op, a, b, out):
    n = len(out.shape)
    if n > MAX_DIMS or len(a.shape) > n or len(b.shape) > n:
        raise L.err(op, f"broadcasting over more than {MAX_DIMS} dimensions is not supported")

    def strides(shape):
        shape = (1,) * (n - len(shape)) + tuple(shape)
        st, acc = [0] * n, 1
        for d in range(n - 1, -1, -1):
            if shape[d] not in (1, out.shape[d]):
                raise L.err(op, f"shapes {list(a.shape)} and {list(b.shape)} do not broadcast to {list(out.shape)}")
            st[d] = 0 if shape[d] == 1 and out.shape[d] != 1 else acc
            acc *= shape[d]
        return st
    s1, s2 = strides(a.shape), strides(b.shape)
    pad = [0] * (MAX_DIMS - n)
    return [n] + list(out.shape) + pad + s1 + pad + s2 + pad


def _add_sub_s16(L, op, subtract):
    """TFLite's two int16 schemes: where the options ask for it
    (pot_scale_int16, true by default in an options table) and every scale
    is a power of two (TFLite's CheckedLog2, within 0.1%), inputs are only
    shifted (left_shift 0 in the record); else the int8 scheme with 15 bits
    of headroom."""
    t16 = (ir.INT16,)
    a, b, out = L.tensor(op, 0, types=t16), L.tensor(op, 1, types=t16), L.output(op, types=t16)
    L.symmetric16(op, a, b, out)
    s1, s2, so = a.quant.s(), b.quant.s(), out.quant.s()
    amin, amax = L.act16(op, out)
    logs = [quant.checked_log2(s) for s in (s1, s2, so)]
    # TFLM has no power-of-two scheme: where only TFLM runs the model, the
    # general one whatever the scales.
    if op.options.get("pot_scale_int16", False) and all(pot for pot, _ in logs) and not L.tflm_oracle:
        sh1, sh2 = logs[0][1] - logs[2][1], logs[1][1] - logs[2][1]
        if (sh1 and sh2) or sh1 > 0 or sh2 > 0:
            raise L.err(op, "power-of-two int16 scales: TFLite needs one input at the output's scale and the other "
                            "at it or finer")
        if min(sh1, sh2) < -15:
            raise L.err(op, f"power-of-two int16 scales {2.0 ** -min(sh1, sh2):g} times apart: at most 2^15 is "
                            "supported")
        if not subtract and list(a.shape) != list(b.shape):
            raise L.err(op, "LiteRT's power-of-two int16 ADD does not broadcast")
        m1, m2, mo, left_shift = (0, sh1), (0, sh2), (0, 0), 0
    else:
        twice_max = 2.0 * max(s1, s2)
        left_shift = 15
        m1 = quant.quantize_multiplier_smaller_than_one(s1 / twice_max)
        m2 = quant.quantize_multiplier_smaller_than_one(s2 / twice_max)
        mo = quant.quantize_multiplier_smaller_than_one(twice_max / ((1 << left_shift) * so))
    params = i32(0, 0, 0, left_shift, *m1, *m2, *mo, amin, amax, 1 if subtract else 0, *_broadcast(L, op, a, b, out))
    L.emit(op, "ADD_S16", [a.index, b.index], [out.index], params, name=op.name)


def _add_sub(L, op, subtract):
    if L.is_int16(op):
        return _add_sub_s16(L, op, subtract)
    a, b, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    s1, s2, so = a.quant.s(), b.quant.s(), out.quant.s()
    twice_max = 2.0 * max(s1, s2)
    left_shift = 20
    m1 = quant.quantize_multiplier_smaller_than_one(s1 / twice_max)
    m2 = quant.quantize_multiplier_smaller_than_one(s2 / twice_max)
    mo = quant.quantize_multiplier_smaller_than_one(twice_max / ((1 << left_shift) * so))
    amin, amax = L.act(op, out)
    params = i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), left_shift, *m1, *m2, *mo, amin, amax,
                 1 if subtract else 0, *_broadcast(L, op, a, b, out))
    L.emit(op, "ADD", [a.index, b.index], [out.index], params, name=op.name)


def _raw(L, op):
    """int32 and float32 operands: the arith family's typed op."""
    return bool(op.inputs) and op.inputs[0] >= 0 and L.g.t(op.inputs[0]).type in (ir.INT32, ir.FLOAT32)


def add(L, op):
    if _raw(L, op):
        from converter.ops import arith
        return arith.add_sub_mul(L, op, arith.ADD)
    _add_sub(L, op, False)


def sub(L, op):
    if _raw(L, op):
        from converter.ops import arith
        return arith.add_sub_mul(L, op, arith.SUB)
    _add_sub(L, op, True)


def _mul_real(L, a, b, out):
    """in1 * in2 / out: LiteRT computes it in float32, TFLM in double (the
    float32 scales widened), which moves the multiplier's last bits."""
    if L.tflm_oracle:
        return float(np.float64(a.quant.s()) * np.float64(b.quant.s()) / np.float64(out.quant.s()))
    return quant.f32(quant.f32(np.float32(a.quant.s()) * np.float32(b.quant.s())) / np.float32(out.quant.s()))


def _mul_s16(L, op):
    t16 = (ir.INT16,)
    a, b, out = L.tensor(op, 0, types=t16), L.tensor(op, 1, types=t16), L.output(op, types=t16)
    L.symmetric16(op, a, b, out)
    mo = quant.quantize_multiplier(_mul_real(L, a, b, out))
    amin, amax = L.act16(op, out)
    L.emit(op, "MUL_S16", [a.index, b.index], [out.index], i32(0, 0, 0, *mo, amin, amax, *_broadcast(L, op, a, b, out)),
           macs=out.count)


def mul(L, op):
    if _raw(L, op):
        from converter.ops import arith
        return arith.add_sub_mul(L, op, arith.MUL)
    if L.is_int16(op):
        return _mul_s16(L, op)
    a, b, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    mo = quant.quantize_multiplier(_mul_real(L, a, b, out))
    amin, amax = L.act(op, out)
    params = i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), *mo, amin, amax, *_broadcast(L, op, a, b, out))
    L.emit(op, "MUL", [a.index, b.index], [out.index], params, macs=out.count)


def _max_min(L, op, is_min):
    if op.inputs and op.inputs[0] >= 0 and L.g.t(op.inputs[0]).type != ir.INT8:
        from converter.ops import arith  # the other types: the arith family's typed op
        return arith.max_min(L, op, is_min)
    a, b, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    # TFLite compares the raw int8 values: only meaningful on one scale.
    L.same_quant(op, a, out)
    L.same_quant(op, b, out)
    L.emit(op, "MAX_MIN", [a.index, b.index], [out.index], i32(1 if is_min else 0, *_broadcast(L, op, a, b, out)))


def maximum(L, op):
    _max_min(L, op, False)


def minimum(L, op):
    _max_min(L, op, True)


def _prelu_s16(L, op):
    # int8 alpha; the multipliers as the int8 PRELU takes them (LiteRT's).
    x, alpha, out = L.tensor(op, 0, types=(ir.INT16,)), L.tensor(op, 1), L.output(op, types=(ir.INT16,))
    L.emit(op, "PRELU_S16", [x.index, alpha.index], [out.index], _prelu_params(L, op, x, alpha, out), name=op.name)


def _prelu_params(L, op, x, alpha, out):
    si, sa, so = np.float32(x.quant.s()), np.float32(alpha.quant.s()), np.float32(out.quant.s())
    # TFLite computes both multipliers in float32.
    m1 = quant.quantize_multiplier(quant.f32(si / so))
    m2 = quant.quantize_multiplier(quant.f32(np.float32(si * sa) / so))
    return i32(-x.quant.zp(), -alpha.quant.zp(), out.quant.zp(), *m1, *m2, *_broadcast(L, op, x, alpha, out))


def prelu(L, op):
    if L.is_int16(op):
        return _prelu_s16(L, op)
    x, alpha, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    L.emit(op, "PRELU", [x.index, alpha.index], [out.index], _prelu_params(L, op, x, alpha, out))


OPS = {
    "ADD": Lowers(add, ("int8", "int16", "int32", "float32")),
    "SUB": Lowers(sub, ("int8", "int16", "int32", "float32")),
    "MUL": Lowers(mul, ("int8", "int16", "int32", "float32")),
    "MAXIMUM": Lowers(maximum, ("int8", "int16", "int32", "int64", "float32")),
    "MINIMUM": Lowers(minimum, ("int8", "int16", "int32", "int64", "float32")),
    "PRELU": Lowers(prelu, ("int8", "int16"), note="int16: int8 alpha"),
}
