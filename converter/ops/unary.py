"""ABS, NEG, ELU, EXP, LOG, SQRT, RSQRT on int8 (ABS also int16, its own op): each output is a function
of the input value alone, so each is the LUT op (runtime/ops/activations.c)
with its 256 entries computed as TFLite's kernel computes that value.
SQUARE, which TFLite computes in float32 only, is the arith family's."""

import numpy as np

from converter import ir, quant
from converter.ops.activations import emit_lut
from converter.lower import Lowers, i32


def _clamp8(v):
    return max(-128, min(127, v))


def _table(fn):
    """fn(v) for every int8 v, indexed by (uint8)v."""
    t = np.zeros(256, np.int8)
    for v in range(-128, 128):
        t[v & 0xFF] = fn(v)
    return t


def _abs_s16(L, op):
    x = L.tensor(op, 0, types=(ir.INT16,), quantized=False)
    if x.quant is None:  # raw values (TFLM runs them): |-32768| wraps, as std::abs's does
        out = L.output(op, types=(ir.INT16,), quantized=False)
        L.emit(op, "ABS_S16", [x.index], [out.index], i32(x.count, 2, 0, 0), name=op.name)
        return
    out = L.output(op, types=(ir.INT16,))
    L.symmetric16(op, x, out)
    si, so = np.float32(x.quant.s()), np.float32(out.quant.s())
    m, s = quant.quantize_multiplier(quant.f32(si / so)) if si != so else (0, 0)
    L.emit(op, "ABS_S16", [x.index], [out.index], i32(x.count, int(si != so), m, s), name=op.name)


def abs_(L, op):
    if L.is_int16(op):
        return _abs_s16(L, op)
    x, out = L.tensor(op, 0), L.output(op)
    zi, zo = x.quant.zp(), out.quant.zp()
    si, so = np.float32(x.quant.s()), np.float32(out.quant.s())
    if si == so:  # TFLite skips the multiplier then
        table = _table(lambda v: _clamp8(abs(v - zi) + zo))
    else:
        m, s = quant.quantize_multiplier(quant.f32(si / so))  # a float32 quotient
        table = _table(lambda v: _clamp8(quant.multiply_by_quantized_multiplier(abs(v - zi), m, s) + zo))
    emit_lut(L, op, x, out, table)


def neg(L, op):
    # TFLite negates the stored values whatever the quantization; -(-128) wraps to -128.
    x, out = L.tensor(op, 0, quantized=False), L.output(op, quantized=False)
    emit_lut(L, op, x, out, _table(lambda v: ((128 - v) & 0xFF) - 128))


def _float_lut(L, op, fn, strict=False):
    x, out = L.tensor(op, 0), L.output(op)
    emit_lut(L, op, x, out, quant.lut_s8(fn, x.quant.s(), x.quant.zp(), out.quant.s(), out.quant.zp(), strict))


def elu(L, op):
    # LiteRT's BUILTIN_REF has no ELU: TFLM's table, exp(x) - 1 in float32 (LiteRT's builtin takes expm1).
    _float_lut(L, op, lambda v: v if v >= 0 else quant.f32(np.float32(quant.expf(v)) - np.float32(1.0)), strict=True)


def exp(L, op):
    _float_lut(L, op, quant.expf)


def log(L, op):
    out = L.output(op)
    # Values <= 0 take the output range's floor, as TFLite's table does.
    floor = quant.f32(np.float32(-128 - out.quant.zp()) * np.float32(out.quant.s()))
    _float_lut(L, op, lambda v: floor if v <= 0 else quant.logf(v))


def sqrt(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    zi, zo = x.quant.zp(), out.quant.zp()
    si, so = np.float32(x.quant.s()), np.float32(out.quant.s())

    def value(v):
        # TFLite stops with an error below 0; sprat gives the output for 0.
        q = np.float32(np.sqrt(si * np.float32(max(v - zi, 0)))) / so
        if q >= 2.0**31:  # C leaves the int conversion undefined (LiteRT's x86 build gives -128)
            raise L.err(op, f"output scale {float(so):g} is too small for TFLite's int8 SQRT: sqrt of "
                        f"{float(si * np.float32(v - zi)):g} over it overflows int32", out.name)
        return _clamp8(int(q) + zo)  # truncated, not rounded, as TFLite does

    emit_lut(L, op, x, out, _table(value))


def rsqrt(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    zi, zo = x.quant.zp(), out.quant.zp()
    # 1 / (sqrtf(in scale) * out scale): a float32 product, a double quotient.
    prod = np.float32(np.sqrt(np.float32(x.quant.s()))) * np.float32(out.quant.s())
    m, s = quant.quantize_multiplier(1.0 / float(prod))
    k = 20  # TFLite's fixed-point headroom: 1/sqrt(v) held scaled by 2^20
    if s - k < -31:
        raise L.err(op, f"input scale {x.quant.s():g} and output scale {out.quant.s():g} give an int8 RSQRT "
                    "multiplier below 2^-12, beyond TFLite's rounding shift", out.name)

    def value(v):
        if v <= zi:  # 0 gives the largest output; TFLite stops with an error below 0, sprat gives the same
            return 127
        im, ish = quant.inv_sqrt_multiplier_exp(v - zi)
        data = quant.multiply_by_quantized_multiplier(1, im, ish + k)
        return _clamp8(quant.multiply_by_quantized_multiplier(data, m, s - k) + zo)

    emit_lut(L, op, x, out, _table(value))


OPS = {
    "ABS": Lowers(abs_, ("int8", "int16")),
    "NEG": Lowers(neg, ("int8",)),
    "ELU": Lowers(elu, ("int8",), note="LiteRT has no reference ELU: checked against TFLM"),
    "EXP": Lowers(exp, ("int8",)),
    "LOG": Lowers(log, ("int8",)),
    "SQRT": Lowers(sqrt, ("int8",), note="a negative input gives the output for 0 (TFLite stops the invoke)"),
    "RSQRT": Lowers(rsqrt, ("int8",), note="a non-positive input gives 127 (TFLite stops the invoke)"),
}
