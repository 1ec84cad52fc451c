"""MEAN, REDUCE_MAX, ARG_MAX over adjacent axes (runtime/ops/reduce.c)."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32


def _axis_view(L, op, shape, axes):
    """[outer, reduced, inner] for a set of contiguous axes."""
    n = len(shape)
    axes = sorted({(int(a) + n) % n if -n <= int(a) < n else -1 for a in np.ravel(axes)})
    if not axes or axes[0] < 0:
        raise L.err(op, f"axis {list(np.ravel(axes))} out of range for rank {n}")
    if axes != list(range(axes[0], axes[-1] + 1)):
        raise L.err(op, f"reducing over non-adjacent axes {axes} is not supported")
    outer = int(np.prod(shape[:axes[0]], dtype=np.int64))
    reduced = int(np.prod(shape[axes[0]:axes[-1] + 1], dtype=np.int64))
    inner = int(np.prod(shape[axes[-1] + 1:], dtype=np.int64))
    return outer, reduced, inner


def mean(L, op):
    t = (ir.INT16,) if L.is_int16(op) else (ir.INT8,)
    x, out = L.tensor(op, 0, types=t), L.output(op, types=t)
    if x.type == ir.INT16:
        L.symmetric16(op, x, out)
    outer, reduced, inner = _axis_view(L, op, x.shape, L.const_input(op, 1, "the axis"))
    mult, shift = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
    # Fold 1/count into the multiplier, as TFLite's integer MEAN does.
    s = min(reduced.bit_length() - 1, 32, 31 + shift)
    mult = int((mult << s) // reduced)
    shift -= s
    if x.type == ir.INT16 and reduced > 1 << 16:
        raise L.err(op, f"a mean of {reduced} values: at most 65536 are supported for int16")
    L.emit(op, "MEAN_S16" if x.type == ir.INT16 else "MEAN", [x.index], [out.index],
           i32(outer, reduced, inner, x.quant.zp(), out.quant.zp(), mult, shift), macs=x.count)


def reduce_max(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    L.same_quant(op, x, out)
    outer, reduced, inner = _axis_view(L, op, x.shape, L.const_input(op, 1, "the axis"))
    L.emit(op, "REDUCE_MAX", [x.index], [out.index], i32(outer, reduced, inner))


def arg_max(L, op):
    x = L.tensor(op, 0, types=(ir.INT8, ir.FLOAT32), quantized=False)
    out = L.output(op, types=(ir.INT32, ir.INT64), quantized=False)
    outer, reduced, inner = _axis_view(L, op, x.shape, L.const_input(op, 1, "the axis"))
    L.emit(op, "ARG_MAX", [x.index], [out.index],
           i32(outer, reduced, inner, 1 if out.type == ir.INT64 else 0, x.type))


OPS = {
    "MEAN": Lowers(mean, ("int8", "int16")),
    "REDUCE_MAX": Lowers(reduce_max, ("int8",)),
    "ARG_MAX": Lowers(arg_max, ("int8", "float32"), note="int32 or int64 output"),
}
