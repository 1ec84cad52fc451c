"""AVERAGE_POOL_2D, MAX_POOL_2D (runtime/ops/pool.c)."""

from converter import ir
from converter.lower import Lowers, i32, padding_offset, shape4


def _pool(L, op, kind):
    if L.is_int16(op):  # the same arithmetic on int16 values
        x, out = L.tensor(op, 0, types=(ir.INT16,)), L.output(op, types=(ir.INT16,))
        kind += "_S16"
    else:
        x, out = L.tensor(op, 0), L.output(op)
    if len(x.shape) != 4 or len(out.shape) != 4:
        raise L.err(op, "expects 4-D input and output")
    if x.quant.s() != out.quant.s() or x.quant.zp() != out.quant.zp():
        raise L.err(op, "input and output must share scale and zero point (as TFLite requires)")
    o = op.options
    sh, sw, fh, fw = o.get("stride_h", 1), o.get("stride_w", 1), o.get("filter_height", 1), o.get("filter_width", 1)
    pt = padding_offset(o.get("padding", 1), x.shape[1], fh, sh, 1, out.shape[1])
    pl = padding_offset(o.get("padding", 1), x.shape[2], fw, sw, 1, out.shape[2])
    if pt is None or pl is None:
        raise L.err(op, f"output shape {list(out.shape)} does not follow from the input and window", out.name)
    amin, amax = L.act16(op, out) if x.type == ir.INT16 else L.act(op, out)
    L.emit(op, kind, [x.index], [out.index],
           i32(*shape4(x.shape), *shape4(out.shape), sh, sw, fh, fw, pt, pl, amin, amax),
           macs=out.count * fh * fw)


def average_pool_2d(L, op):
    _pool(L, op, "AVERAGE_POOL_2D")


def max_pool_2d(L, op):
    _pool(L, op, "MAX_POOL_2D")


OPS = {
    "AVERAGE_POOL_2D": Lowers(average_pool_2d, ("int8", "int16")),
    "MAX_POOL_2D": Lowers(max_pool_2d, ("int8", "int16")),
}
