"""ADD, SUB, MUL, MAXIMUM, MINIMUM, PRELU with broadcasting
(runtime/ops/elementwise.c)."""

import numpy as np

from converter import quant
from converter.lower import MAX_DIMS, i32


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


def _add_sub(L, op, subtract):
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


def add(L, op):
    _add_sub(L, op, False)


def sub(L, op):
    _add_sub(L, op, True)


def mul(L, op):
    a, b, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    # TFLite computes this multiplier in float32.
    real = quant.f32(quant.f32(np.float32(a.quant.s()) * np.float32(b.quant.s())) / np.float32(out.quant.s()))
    mo = quant.quantize_multiplier(real)
    amin, amax = L.act(op, out)
    params = i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), *mo, amin, amax, *_broadcast(L, op, a, b, out))
    L.emit(op, "MUL", [a.index, b.index], [out.index], params, macs=out.count)


def _max_min(L, op, is_min):
    a, b, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    # TFLite compares the raw int8 values: only meaningful on one scale.
    L.same_quant(op, a, out)
    L.same_quant(op, b, out)
    L.emit(op, "MAX_MIN", [a.index, b.index], [out.index], i32(1 if is_min else 0, *_broadcast(L, op, a, b, out)))


def maximum(L, op):
    _max_min(L, op, False)


def minimum(L, op):
    _max_min(L, op, True)


def prelu(L, op):
    x, alpha, out = L.tensor(op, 0), L.tensor(op, 1), L.output(op)
    si, sa, so = np.float32(x.quant.s()), np.float32(alpha.quant.s()), np.float32(out.quant.s())
    # TFLite computes both multipliers in float32.
    m1 = quant.quantize_multiplier(quant.f32(si / so))
    m2 = quant.quantize_multiplier(quant.f32(np.float32(si * sa) / so))
    L.emit(op, "PRELU", [x.index, alpha.index], [out.index],
           i32(-x.quant.zp(), -alpha.quant.zp(), out.quant.zp(), *m1, *m2, *_broadcast(L, op, x, alpha, out)))


OPS = {
    "ADD": add,
    "SUB": sub,
    "MUL": mul,
    "MAXIMUM": maximum,
    "MINIMUM": minimum,
    "PRELU": prelu,
}
