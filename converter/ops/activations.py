"""SOFTMAX, LOGISTIC, TANH (tables), the RELU family, LEAKY_RELU,
HARD_SWISH (runtime/ops/activations.c)."""

import numpy as np

from converter import ir, quant
from converter.errors import ConvertError
from converter.lower import SOFTMAX_TABLE_MIN, i32


def softmax(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    depth = x.shape[-1] if x.shape else 1
    if out.quant.zp() != -128 or abs(out.quant.s() - 1 / 256) > 0.001 / 256:
        raise L.err(op, "an int8 SOFTMAX output must have scale 1/256 and zero point -128 (as TFLite requires)",
                    out.name)
    if depth >= 1 << 12:
        raise L.err(op, f"rows of {depth} values: at most 4095 are supported")
    try:
        mult, shift, diff_min = quant.softmax_params(x.quant.s(), op.options.get("beta", 1.0))
    except ConvertError as e:
        raise L.err(op, str(e))
    inputs = [x.index]
    if x.count >= SOFTMAX_TABLE_MIN:  # wide rows look exp up (1 KB of flash) instead of computing it twice
        table = np.array(quant.softmax_exp_table(mult, shift, diff_min), np.int32)
        inputs.append(L.g.add_tensor(f"{out.name}/exp_table", ir.INT32, (256,), None, table).index)
    L.emit(op, "SOFTMAX", inputs, [out.index], i32(x.count // depth, depth, mult, shift, diff_min))


def _lut(L, op, fn):
    x, out = L.tensor(op, 0), L.output(op)
    table = quant.lut_s8(fn, x.quant.s(), x.quant.zp(), out.quant.s(), out.quant.zp())
    t = L.g.add_tensor(f"{out.name}/table", ir.INT8, (256,), None, table)
    L.emit(op, "LUT", [x.index, t.index], [out.index], i32(x.count), name=op.name)


def logistic(L, op):
    _lut(L, op, quant.logistic)


def tanh(L, op):
    _lut(L, op, quant.tanh)


def _relu(L, op, lo, hi):
    x, out = L.tensor(op, 0), L.output(op)
    m, s = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
    zp, sc = out.quant.zp(), np.float32(out.quant.s())
    amin = max(-128, zp + int(quant.round_away(quant.f32(np.float32(lo) / sc))))
    amax = 127 if hi is None else min(127, zp + int(quant.round_away(quant.f32(np.float32(hi) / sc))))
    L.emit(op, "RELU", [x.index], [out.index], i32(x.count, x.quant.zp(), zp, m, s, amin, amax), name=op.name)


def relu(L, op):
    _relu(L, op, 0.0, None)


def relu6(L, op):
    _relu(L, op, 0.0, 6.0)


def relu_n1_to_1(L, op):
    _relu(L, op, -1.0, 1.0)


def leaky_relu(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    alpha = np.float32(op.options.get("alpha", 0.2))
    si, so = np.float32(x.quant.s()), np.float32(out.quant.s())
    ma = quant.quantize_multiplier(quant.f32(np.float32(si * alpha) / so))
    mi = quant.quantize_multiplier(quant.f32(si / so))
    L.emit(op, "LEAKY_RELU", [x.index], [out.index], i32(x.count, x.quant.zp(), out.quant.zp(), *mi, *ma))


def hard_swish(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    hires = np.float32(np.float32(1.0 / 128.0) * np.float32(x.quant.s()))
    reluish_scale = np.float32(3.0) / np.float32(32768.0)
    om, oe = quant.quantize_multiplier(quant.f32(hires / np.float32(out.quant.s())))
    if oe > 0:
        raise L.err(op, "output scale too small for TFLite's HARD_SWISH (output multiplier exponent > 0)")
    rm, re_ = quant.quantize_multiplier(quant.f32(hires / reluish_scale))
    L.emit(op, "HARD_SWISH", [x.index], [out.index],
           i32(x.count, x.quant.zp(), out.quant.zp(), quant.downscale_int32_to_int16_multiplier(rm), re_,
                  quant.downscale_int32_to_int16_multiplier(om), oe))


OPS = {
    "SOFTMAX": softmax,
    "LOGISTIC": logistic,
    "TANH": tanh,
    "RELU": relu,
    "RELU6": relu6,
    "RELU_N1_TO_1": relu_n1_to_1,
    "LEAKY_RELU": leaky_relu,
    "HARD_SWISH": hard_swish,
}
