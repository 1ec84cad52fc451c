"""MEAN, REDUCE_MAX, ARG_MAX over adjacent axes (runtime/ops/reduce.c);
SUM, REDUCE_MIN, and MEAN and REDUCE_MAX over other axes or on int16, as
REDUCE_ND records; ARG_MIN (runtime/ops/norm.c)."""

import numpy as np

from converter import ir, quant
from converter.lower import MAX_DIMS, Lowering, Lowers, i32


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
    if not _adjacent(L, op):
        return _reduce_nd(L, op, "MEAN")
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
    if L.is_int16(op) or not _adjacent(L, op):
        return _reduce_nd(L, op, "MAX")
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


# ---- any axes (REDUCE_ND), ARG_MIN ----------------------------------------------
_KINDS = {"SUM": 0, "MEAN": 0, "MIN": 1, "MAX": 2}  # SPRAT_REDUCE_*: MEAN is a SUM with 1/count in its multiplier


def _axes(L, op, rank):
    """The reduced axes as TFLite resolves them: negative ones counted from
    the end, duplicates dropped; an empty list reduces nothing."""
    t = L.g.t(op.inputs[1]) if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
    if t is None or not t.is_const:
        raise L.err(op, "the axis must be a constant (sprat plans shapes offline)", t.name if t is not None else None)
    if not np.issubdtype(t.data.dtype, np.integer):
        raise L.err(op, "the axis must be an integer constant", t.name)
    if rank == 0:  # a scalar: TFLite ignores the axes
        return set()
    axes = set()
    for a in np.ravel(t.data):
        if not -rank <= int(a) < rank:
            raise L.err(op, f"axis {int(a)} out of range for rank {rank}", t.name)
        axes.add(int(a) % rank)
    return axes


def _adjacent(L, op):
    """The reduced axes are one run of neighbours (the [outer, reduced,
    inner] records of MEAN and REDUCE_MAX take them)."""
    x = L.g.t(op.inputs[0]) if op.inputs and op.inputs[0] >= 0 else None
    if x is None:
        return True  # the lowering names the missing input
    axes = sorted(_axes(L, op, len(x.shape)))
    return bool(axes) and axes == list(range(axes[0], axes[-1] + 1))


def _walks(shape, axes):
    """([(extent, stride)] kept, [(extent, stride)] reduced): the input's
    dimensions without the 1s, neighbours of the same kind merged, each
    with its stride in the input."""
    strides = Lowering.dense_strides(list(shape))
    kept, red, last = [], [], None
    for d, n in enumerate(shape):
        if n == 1:
            continue
        walk = red if d in axes else kept
        if last is walk:
            walk[-1] = (walk[-1][0] * int(n), strides[d])
        else:
            walk.append((int(n), strides[d]))
        last = walk
    return kept, red


def _padded(walk):
    dims = [n for n, _ in walk] + [1] * (MAX_DIMS - len(walk))
    strides = [s for _, s in walk] + [0] * (MAX_DIMS - len(walk))
    return [len(walk)] + dims + strides


def _reduce_nd(L, op, kind):
    t = (ir.INT16,) if L.is_int16(op) else (ir.INT8,)
    x, out = L.tensor(op, 0, types=t), L.output(op, types=t)
    axes = _axes(L, op, len(x.shape))
    kept, red = _walks(x.shape, axes)
    outputs = int(np.prod([n for n, _ in kept], dtype=np.int64))
    count = int(np.prod([n for n, _ in red], dtype=np.int64))
    if outputs != out.count:
        raise L.err(op, f"output {list(out.shape)} does not follow from input {list(x.shape)} and axes "
                        f"{sorted(axes)}", out.name)
    in_zp, out_zp, mult, shift = 0, 0, 0, 0
    if kind in ("MIN", "MAX"):
        # TFLite compares raw values: it requires one quantization in and out.
        if x.quant.s() != out.quant.s() or x.quant.zp() != out.quant.zp():
            raise L.err(op, "input and output must share scale and zero point (as TFLite requires)", out.name)
        if x.type == ir.INT16:
            L.symmetric16(op, x, out)
    else:
        in_zp, out_zp = x.quant.zp(), out.quant.zp()
        mult, shift = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
        if kind == "MEAN":
            if x.type == ir.INT16:
                L.symmetric16(op, x, out)
                if count > 1 << 16:
                    raise L.err(op, f"a mean of {count} values: at most 65536 are supported for int16")
            s = min(count.bit_length() - 1, 32, 31 + shift)  # 1/count folded in, as TFLite's integer MEAN
            mult = int((mult << s) // count)
            shift -= s
    L.emit(op, "REDUCE_ND", [x.index], [out.index],
           i32(_KINDS[kind], x.type, *_padded(kept), *_padded(red), in_zp, out_zp, mult, shift), macs=x.count)


def sum_(L, op):
    _reduce_nd(L, op, "SUM")


def reduce_min(L, op):
    _reduce_nd(L, op, "MIN")


def arg_min(L, op):
    x = L.tensor(op, 0, types=(ir.INT8, ir.FLOAT32), quantized=False)
    out = L.output(op, types=(ir.INT32, ir.INT64), quantized=False)
    outer, reduced, inner = _axis_view(L, op, x.shape, L.const_input(op, 1, "the axis"))
    L.emit(op, "ARG_MIN", [x.index], [out.index],
           i32(outer, reduced, inner, 1 if out.type == ir.INT64 else 0, x.type))


OPS = {
    "MEAN": Lowers(mean, ("int8", "int16")),
    "REDUCE_MAX": Lowers(reduce_max, ("int8", "int16"),
                         note="int16: LiteRT's kernel (TFLM's takes float32 and int8 only)"),
    "ARG_MAX": Lowers(arg_max, ("int8", "float32"), note="int32 or int64 output"),
    "SUM": Lowers(sum_, ("int8", "int16"),
                  note="checked against TFLM: LiteRT's reference SUM reads int8 and int16 data as uint8"),
    "REDUCE_MIN": Lowers(reduce_min, ("int8", "int16"),
                         note="int16: LiteRT's kernel (TFLM's takes float32 and int8 only)"),
    "ARG_MIN": Lowers(arg_min, ("int8", "float32"), note="int32 or int64 output (TFLM's kernel gives int32 only)"),
}
