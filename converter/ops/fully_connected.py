"""FULLY_CONNECTED (runtime/ops/fully_connected.c)."""

import numpy as np

from converter import ir, layouts
from converter.lower import Lowers, i32, multipliers
from converter.ops.conv import BIAS32, bias16, check_shifts16

_FIXED_POINT = 8  # SPRAT_FC_FIXED_POINT
_DOUBLE_ROUNDING = 16  # SPRAT_FC_DOUBLE_ROUNDING


def _fully_connected_s16(L, op):
    """16x8: LiteRT's reference kernel requantizes in double, round(acc *
    in * filter / out): the scales go to the kernel as doubles (int64 words),
    computed here as LiteRT computes them."""
    x = L.tensor(op, 0, types=(ir.INT16,))
    w = L.tensor(op, 1)
    out = L.output(op, types=(ir.INT16,))
    if not w.is_const or len(w.shape) != 2:
        raise L.err(op, "the filter must be a constant 2-D tensor", w.name)
    if op.options.get("weights_format", 0) != 0:
        raise L.err(op, "shuffled weights format is not supported")
    if np.any(w.quant.zero_point != 0):
        raise L.err(op, "int8 filters of an int16 layer must be symmetric (zero point 0)", w.name)
    L.symmetric16(op, x, out)
    units, depth = w.shape
    if x.count % depth or out.count != (x.count // depth) * units:
        raise L.err(op, f"input {list(x.shape)} / output {list(out.shape)} do not fit filter {list(w.shape)}")
    per_channel = w.quant.per_channel
    if per_channel and (w.quant.scale.size != units or w.quant.axis != 0):
        raise L.err(op, f"filter has {w.quant.scale.size} scales on axis {w.quant.axis}: TFLite takes one per unit, "
                        "on axis 0", w.name)
    scales = np.float64(x.quant.s()) * w.quant.scale.astype(np.float64) / np.float64(out.quant.s())
    if not np.all(np.isfinite(scales)):
        raise L.err(op, "the scales give an infinite requantization scale", out.name)
    bias, bias32 = bias16(L, op, 2, units)
    amin, amax = L.act16(op, out)
    if L.tflm_oracle:
        # Only TFLM runs this model: its 16x8 FULLY_CONNECTED requantizes
        # with a quantized multiplier (1 in 6 values differs from LiteRT's),
        # and with an int32 bias sums in 32 bits as its int8 layers do.
        pairs = multipliers(x.quant.s(), w.quant.scale, out.quant.s())
        check_shifts16(L, op, [s for _, s in pairs], bias32)
        params = i32(x.count // depth, depth, units, 0, 0, 0, amin, amax, 1 if per_channel else 0,
                     layouts.plain.LAYOUT, _FIXED_POINT | (BIAS32 if bias32 else 0))
        st = L.g.add_tensor(f"{out.name}/multiplier", ir.INT32, (2 * len(pairs),), None,
                            np.asarray(pairs, np.int32).ravel())
        L.emit(op, "FULLY_CONNECTED_S16", [x.index, w.index, bias, st.index], [out.index], params,
               macs=out.count * depth)
        return
    params = i32(x.count // depth, depth, units, 0, 0, 0, amin, amax, 1 if per_channel else 0, layouts.plain.LAYOUT,
                 BIAS32 if bias32 else 0)
    st = L.g.add_tensor(f"{out.name}/scale", ir.INT64, scales.shape, None, scales.astype("<f8").view(np.int64))
    L.emit(op, "FULLY_CONNECTED_S16", [x.index, w.index, bias, st.index], [out.index], params, macs=out.count * depth)


def fully_connected(L, op):
    if L.is_int16(op):
        return _fully_connected_s16(L, op)
    x = L.tensor(op, 0)
    w = L.tensor(op, 1)
    out = L.output(op)
    if not w.is_const or len(w.shape) != 2:
        raise L.err(op, "the filter must be a constant 2-D tensor", w.name)
    if op.options.get("weights_format", 0) != 0:
        raise L.err(op, "shuffled weights format is not supported")
    units, depth = w.shape
    if x.count % depth or out.count != (x.count // depth) * units:
        raise L.err(op, f"input {list(x.shape)} / output {list(out.shape)} do not fit filter {list(w.shape)}")
    per_channel = w.quant.per_channel
    if per_channel and np.any(w.quant.zero_point != 0):
        raise L.err(op, "per-channel filters must be symmetric", w.name)
    pairs = multipliers(x.quant.s(), w.quant.scale, out.quant.s())
    foff = 0 if per_channel else -w.quant.zp()
    bias = L.bias(op, 2, units)
    amin, amax = L.act(op, out)
    mults, shifts = zip(*pairs)
    filt, layout, flags = w.index, layouts.plain.LAYOUT, 0
    if L.tflm_oracle:
        # Only TFLM runs this model: its int8 FULLY_CONNECTED rounds twice
        # (gemmlowp's high multiply, then a rounding shift) where LiteRT's
        # rounds once; about 1 value in 1,000 differs. The portable kernel's.
        flags = _DOUBLE_ROUNDING
    elif foff == 0:  # a filter zero point would make the input term depend on the input
        filt, bias, layout, flags, _, _ = L.layout_weights(op, w, bias, mults, np.broadcast_to(shifts, (units,)),
                                                           -x.quant.zp(), out.quant.zp(), "fc", out.name)
    params = i32(x.count // depth, depth, units, -x.quant.zp(), foff, out.quant.zp(), amin, amax,
                 1 if per_channel else 0, layout, flags)
    L.emit(op, "FULLY_CONNECTED", [x.index, filt, bias, L.const_i32(f"{out.name}/multiplier", mults),
                                   L.const_i32(f"{out.name}/shift", shifts)], [out.index], params,
           macs=out.count * depth)


OPS = {
    "FULLY_CONNECTED": Lowers(fully_connected, ("int8", "int16"), note="int8 weights, or TFLite's int4 (unpacked to int8); 16x8 requantized in double as LiteRT does, "
                                       "or with TFLM's quantized multiplier in a model only TFLM runs (lower.tflm_only); "
                                       "int8 rounded once as LiteRT does, or twice as TFLM does in such a model"),
}
