"""FULLY_CONNECTED (runtime/ops/fully_connected.c)."""

import numpy as np

from converter import layouts
from converter.lower import i32, multipliers


def fully_connected(L, op):
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
    if foff == 0:  # a filter zero point would make the input term depend on the input
        filt, bias, layout, flags, _, _ = L.layout_weights(op, w, bias, mults, np.broadcast_to(shifts, (units,)),
                                                           -x.quant.zp(), out.quant.zp(), "fc", out.name)
    params = i32(x.count // depth, depth, units, -x.quant.zp(), foff, out.quant.zp(), amin, amax,
                 1 if per_channel else 0, layout, flags)
    L.emit(op, "FULLY_CONNECTED", [x.index, filt, bias, L.const_i32(f"{out.name}/multiplier", mults),
                                   L.const_i32(f"{out.name}/shift", shifts)], [out.index], params,
           macs=out.count * depth)


OPS = {
    "FULLY_CONNECTED": fully_connected,
}
