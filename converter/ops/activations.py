"""SOFTMAX, LOGISTIC, TANH (tables), the RELU family, LEAKY_RELU,
HARD_SWISH (runtime/ops/activations.c)."""

import numpy as np

from converter import ir, quant
from converter.errors import ConvertError
from converter.lower import Lowers, SOFTMAX_TABLE_MIN, i32


def _softmax_s16(L, op):
    """LiteRT's int16 SOFTMAX: the difference from the row's maximum
    requantized so that -10.0 is -65535, then TFLite's exp and 1/(1 + x)
    tables (made here, 513 entries each)."""
    x, out = L.tensor(op, 0, types=(ir.INT16,)), L.output(op, types=(ir.INT16,))
    L.symmetric16(op, x, out)
    f = np.float32
    if abs(f(out.quant.s()) - f(1.0 / 32768)) > f(0.001) * f(1.0 / 32768):
        raise L.err(op, "an int16 SOFTMAX output must have scale 1/32768 (as TFLite requires)", out.name)
    depth = x.shape[-1] if x.shape else 1
    if depth > 1 << 16:
        raise L.err(op, f"rows of {depth} values: at most 65536 are supported")
    real = float(f(f(x.quant.s()) * f(op.options.get("beta", 1.0)))) / (10.0 / 65535.0)
    mult, shift = quant.quantize_multiplier(real)
    if shift > 15:
        raise L.err(op, f"beta times the input scale ({real * 10 / 65535:g}) is too large for TFLite's int16 SOFTMAX")
    exp_lut, recip_lut = quant.softmax_s16_luts()
    tables = [L.g.add_tensor(f"{out.name}/{n}", ir.INT16, (513,), None, t).index
              for n, t in (("exp_lut", exp_lut), ("recip_lut", recip_lut))]
    L.emit(op, "SOFTMAX_S16", [x.index] + tables, [out.index], i32(x.count // depth, depth, mult, shift))


def softmax(L, op):
    if L.is_int16(op):
        return _softmax_s16(L, op)
    x, out = L.tensor(op, 0), L.output(op, (ir.INT8, ir.INT16))
    depth = x.shape[-1] if x.shape else 1
    out16 = out.type == ir.INT16  # TFLite's int8 -> int16 softmax
    zp, unit = (-32768, 1 / 65536) if out16 else (-128, 1 / 256)
    if out.quant.zp() != zp or abs(out.quant.s() - unit) > 0.001 * unit:
        raise L.err(op, f"an int8 SOFTMAX's {'int16' if out16 else 'int8'} output must have scale "
                        f"1/{round(1 / unit)} and zero point {zp} (as TFLite requires)", out.name)
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
    L.emit(op, "SOFTMAX_S8_S16" if out16 else "SOFTMAX", inputs, [out.index],
           i32(x.count // depth, depth, mult, shift, diff_min), name="SOFTMAX")


def emit_lut(L, op, x, out, table):
    """The LUT op: table[(uint8)v] for each input value v (256 int8)."""
    t = L.g.add_tensor(f"{out.name}/table", ir.INT8, (256,), None, np.asarray(table, np.int8))
    L.emit(op, "LUT", [x.index, t.index], [out.index], i32(x.count), name=op.name)


def _lut(L, op, fn):
    x, out = L.tensor(op, 0), L.output(op)
    emit_lut(L, op, x, out, quant.lut_s8(fn, x.quant.s(), x.quant.zp(), out.quant.s(), out.quant.zp()))


def _sigmoid_s16(L, op):
    """TFLite's int16 LOGISTIC and TANH: the input rescaled to its table's
    steps, then its sigmoid table interpolated (quant.SIGMOID_S16_TABLE,
    carried in the blob, 512 bytes per layer)."""
    x, out = L.tensor(op, 0, types=(ir.INT16,)), L.output(op, types=(ir.INT16,))
    L.symmetric16(op, x, out)
    pot, lg = quant.checked_log2(out.quant.s())
    if not pot or lg != -15:
        raise L.err(op, f"an int16 {op.name} output must have scale 2^-15 (as TFLite requires), not "
                        f"{out.quant.s():g}", out.name)
    params = quant.sigmoid_s16_params(x.quant.s())
    if params is None:
        raise L.err(op, f"input scale {x.quant.s():g} is outside what TFLite's int16 {op.name} can rescale "
                        "(its multiplier must fit 15 bits)", x.name)
    L.emit(op, f"{op.name}_S16", [x.index, sigmoid_s16_table(L, out)], [out.index], i32(x.count, *params),
           name=op.name)


def sigmoid_s16_table(L, out):
    """quant.SIGMOID_S16_TABLE as a constant (its uint16 entries held as
    int16) of the layer making `out`: the int16 LOGISTIC and TANH, and
    TFLM's LSTM."""
    table = np.array(quant.SIGMOID_S16_TABLE, np.uint16).view(np.int16)
    return L.g.add_tensor(f"{out.name}/sigmoid_table", ir.INT16, (256,), None, table).index


def logistic(L, op):
    if L.is_int16(op):
        return _sigmoid_s16(L, op)
    _lut(L, op, quant.logistic)


def tanh(L, op):
    if L.is_int16(op):
        return _sigmoid_s16(L, op)
    _lut(L, op, quant.tanh)


def _relu(L, op, lo, hi):
    x, out = L.tensor(op, 0), L.output(op)
    # TFLite divides the two float32 scales in float32, then widens.
    m, s = quant.quantize_multiplier(quant.f32(np.float32(x.quant.s()) / np.float32(out.quant.s())))
    zp, sc = out.quant.zp(), np.float32(out.quant.s())
    amin = max(-128, zp + int(quant.round_away(quant.f32(np.float32(lo) / sc))))
    amax = 127 if hi is None else min(127, zp + int(quant.round_away(quant.f32(np.float32(hi) / sc))))
    L.emit(op, "RELU", [x.index], [out.index], i32(x.count, x.quant.zp(), zp, m, s, amin, amax), name=op.name)


def _relu_s16(L, op, hi):
    x, out = L.tensor(op, 0, types=(ir.INT16,)), L.output(op, types=(ir.INT16,))
    L.symmetric16(op, x, out)
    # LiteRT divides the scales in float32 (the int8 lowering divides in double).
    m, s = quant.quantize_multiplier(quant.f32(np.float32(x.quant.s()) / np.float32(out.quant.s())))
    sc = np.float32(out.quant.s())
    amin = max(-32768, int(quant.round_away(quant.f32(np.float32(0.0) / sc))))
    amax = 32767 if hi is None else min(32767, int(quant.round_away(quant.f32(np.float32(hi) / sc))))
    L.emit(op, "RELU_S16", [x.index], [out.index], i32(x.count, 0, 0, m, s, amin, amax), name=op.name)


def relu(L, op):
    if L.is_int16(op):
        return _relu_s16(L, op, None)
    _relu(L, op, 0.0, None)


def _relu6_tflm(L, op, t, lo, hi):
    """TFLM's RELU6 clamps the raw input between its zero point and 6.0 on
    the input's scale, and ignores the output's quantization: an identity
    requantization between those bounds."""
    x, out = L.tensor(op, 0, types=(t,)), L.output(op, types=(t,))
    if t == ir.INT16:
        L.symmetric16(op, x, out)
    zp = x.quant.zp()
    six = zp + int(quant.round_away(quant.f32(np.float32(6.0) / np.float32(x.quant.s()))))
    six = min(max(six, lo), hi)
    params = i32(x.count, 0, 0, 1 << 30, 1, zp, six)  # x * 2^30 * 2^1 / 2^31 = x
    L.emit(op, "RELU_S16" if t == ir.INT16 else "RELU", [x.index], [out.index], params, name=op.name)


def relu6(L, op):
    if L.tflm_oracle:
        if L.is_int16(op):
            return _relu6_tflm(L, op, ir.INT16, -32768, 32767)
        return _relu6_tflm(L, op, ir.INT8, -128, 127)
    if L.is_int16(op):
        return _relu_s16(L, op, 6.0)
    _relu(L, op, 0.0, 6.0)


def relu_n1_to_1(L, op):
    _relu(L, op, -1.0, 1.0)


def leaky_relu(L, op):
    t = (ir.INT16,) if L.is_int16(op) else (ir.INT8,)
    x, out = L.tensor(op, 0, types=t), L.output(op, types=t)
    if x.type == ir.INT16:
        L.symmetric16(op, x, out)
    alpha = np.float32(op.options.get("alpha", 0.2))
    si, so = np.float32(x.quant.s()), np.float32(out.quant.s())
    ma = quant.quantize_multiplier(quant.f32(np.float32(si * alpha) / so))
    mi = quant.quantize_multiplier(quant.f32(si / so))
    L.emit(op, "LEAKY_RELU_S16" if x.type == ir.INT16 else "LEAKY_RELU", [x.index], [out.index],
           i32(x.count, x.quant.zp(), out.quant.zp(), *mi, *ma))


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
    "SOFTMAX": Lowers(softmax, ("int8", "int16"), note="also int8 in, int16 out (TFLM's keyword models)"),
    "LOGISTIC": Lowers(logistic, ("int8", "int16"), note="int16: TFLite's sigmoid table, measured from the reference"),
    "TANH": Lowers(tanh, ("int8", "int16"), note="int16: TFLite's sigmoid table, measured from the reference"),
    "RELU": Lowers(relu, ("int8", "int16")),
    "RELU6": Lowers(relu6, ("int8", "int16"), note="in a model only TFLM runs, TFLM's: the input clamped to [0, 6] "
                                                "on its own scale, the output's quantization ignored"),
    "RELU_N1_TO_1": Lowers(relu_n1_to_1, ("int8",)),
    "LEAKY_RELU": Lowers(leaky_relu, ("int8", "int16")),
    "HARD_SWISH": Lowers(hard_swish, ("int8",)),
}
