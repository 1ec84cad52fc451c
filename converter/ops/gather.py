"""The gather family (runtime/ops/gather.c): data moved by indices, and
BATCH_MATMUL. Indices known offline become the movement family's records
(constant GATHER, COPY); indices computed at run time (a model input,
another op's output) get kernels that read them at every invoke.

TFLite stops with an error on a computed index out of range. sprat cannot
stop an invoke, and never reads out of bounds: such an index's slice is
filled with the output's zero point (real 0; 0.0 for EMBEDDING_LOOKUP's
float rows). DYNAMIC_UPDATE_SLICE clamps its start indices, as TFLite does.
Constant indices out of range are refused when converting."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32, MAX_DIMS
from converter.ops import movement

_ANY = tuple(ir.DTYPES)
_INDEX = (ir.INT16, ir.INT32, ir.INT64)
_MAX_BATCH_DIMS = 3  # BATCH_MATMUL: ranks 2 to 5, as TFLite


def _fill(t):
    """The value of an out-of-range index's elements: the zero point (real 0)."""
    return t.quant.zp() if t.quant is not None and t.type in (ir.INT8, ir.UINT8, ir.INT16) else 0


def _same_type(L, op, t, out):
    if t.type != out.type:
        raise L.err(op, f"output type {ir.TYPE_NAMES.get(out.type, out.type)} is not the input's "
                        f"{ir.TYPE_NAMES.get(t.type, t.type)}", out.name)


def _shape_is(L, op, out, shape):
    if list(out.shape) != [int(d) for d in shape]:
        raise L.err(op, f"output {list(out.shape)} should be {[int(d) for d in shape]}", out.name)


def _constant_gather(L, op, x, out, flat, axis_size, outer, inner_bytes):
    """Flat indices known offline into [outer, axis_size, inner_bytes]: the
    movement family's GATHER, its indices checked once at init."""
    ti = L.const_i32(f"{out.name}/indices", np.asarray(flat, np.int64).ravel())
    L.emit(op, "GATHER", [x.index, ti], [out.index], i32(outer, axis_size, inner_bytes, int(np.size(flat))))


def _size(shape):
    return int(np.prod(shape, dtype=np.int64))


def gather(L, op):
    x = L.tensor(op, 0, types=_ANY, quantized=False)
    idx = L.tensor(op, 1, types=_INDEX, quantized=False)
    out = L.output(op, types=_ANY, quantized=False)
    rank, irank = len(x.shape), len(idx.shape)
    if rank < 1:
        raise L.err(op, "the input must have at least one dimension", x.name)
    axis = L.axis(op, op.options.get("axis", 0), rank)
    bd = op.options.get("batch_dims", 0)
    bd = bd + irank if bd < 0 else bd
    if not (0 <= bd <= axis and bd < rank and bd <= irank):
        raise L.err(op, f"batch_dims {op.options.get('batch_dims', 0)} does not fit axis {axis}, input rank {rank} "
                        f"and indices rank {irank}")
    if list(x.shape[:bd]) != list(idx.shape[:bd]):
        raise L.err(op, f"the first {bd} dimensions of input {list(x.shape)} and indices {list(idx.shape)} differ")
    _same_type(L, op, x, out)
    _shape_is(L, op, out, list(x.shape[:axis]) + list(idx.shape[bd:]) + list(x.shape[axis + 1:]))
    L.same_quant(op, x, out)
    batch, outer = _size(x.shape[:bd]), _size(x.shape[bd:axis])
    inner = _size(x.shape[axis + 1:]) * L.elem(x)
    n = _size(idx.shape[bd:])
    if idx.is_const:
        v = np.asarray(idx.data, np.int64).reshape(batch, n)
        if np.any(v < 0) or np.any(v >= x.shape[axis]):
            raise L.err(op, f"indices out of range 0..{x.shape[axis] - 1} of axis {axis}", idx.name)
        if batch == 1:
            return _constant_gather(L, op, x, out, v, x.shape[axis], outer, inner)
    L.emit(op, "GATHER_RT", [x.index, idx.index], [out.index],
           i32(batch, outer, x.shape[axis], inner, n, L.elem(idx), L.elem(x), _fill(out)))


def gather_nd(L, op):
    x = L.tensor(op, 0, types=_ANY, quantized=False)
    idx = L.tensor(op, 1, types=_INDEX, quantized=False)
    out = L.output(op, types=_ANY, quantized=False)
    if len(x.shape) < 1 or len(idx.shape) < 1:
        raise L.err(op, f"params {list(x.shape)} and indices {list(idx.shape)} must have at least one dimension")
    nd = idx.shape[-1]
    if nd > len(x.shape) or nd > MAX_DIMS:
        raise L.err(op, f"indices of {nd} coordinates do not fit params of rank {len(x.shape)}", idx.name)
    _same_type(L, op, x, out)
    _shape_is(L, op, out, list(idx.shape[:-1]) + list(x.shape[nd:]))
    L.same_quant(op, x, out)
    n_slices, slice_bytes = _size(idx.shape[:-1]), _size(x.shape[nd:]) * L.elem(x)
    if idx.is_const:
        v = np.asarray(idx.data, np.int64).reshape(n_slices, nd)
        if np.any(v < 0) or np.any(v >= np.asarray(x.shape[:nd])):
            bad = v[np.any((v < 0) | (v >= np.asarray(x.shape[:nd])), axis=1)][0]
            raise L.err(op, f"index {bad.tolist()} out of range of params {list(x.shape)}", idx.name)
        flat = np.ravel_multi_index(tuple(v.T), tuple(x.shape[:nd]))
        return _constant_gather(L, op, x, out, flat, _size(x.shape[:nd]), 1, slice_bytes)
    dims = list(x.shape[:nd]) + [0] * (MAX_DIMS - nd)
    L.emit(op, "GATHER_ND", [x.index, idx.index], [out.index],
           i32(n_slices, nd, slice_bytes, L.elem(idx), L.elem(x), _fill(out), *dims))


def embedding_lookup(L, op):
    ids = L.tensor(op, 0, types=(ir.INT32,), quantized=False)
    v = L.tensor(op, 1, types=_ANY, quantized=False)
    out = L.output(op, types=_ANY, quantized=False)
    if len(ids.shape) != 1:
        raise L.err(op, f"the lookup must be a vector, not of shape {list(ids.shape)}", ids.name)
    if len(v.shape) < 2:
        raise L.err(op, f"the values must have at least two dimensions, not {list(v.shape)}", v.name)
    _shape_is(L, op, out, [ids.shape[0]] + list(v.shape[1:]))
    rows, cols = v.shape[0], _size(v.shape[1:])
    if v.type != out.type:
        if not (v.type == ir.INT8 and out.type == ir.FLOAT32):
            raise L.err(op, f"{ir.TYPE_NAMES.get(v.type, v.type)} values into a "
                            f"{ir.TYPE_NAMES.get(out.type, out.type)} output: only int8 values into float32 "
                            "(TFLite's hybrid lookup) change type", out.name)
        return _hybrid(L, op, ids, v, out, rows, cols)
    L.same_quant(op, v, out)
    if ids.is_const:
        if np.any(ids.data < 0) or np.any(ids.data >= rows):
            raise L.err(op, f"lookup out of range 0..{rows - 1}", ids.name)
        return _constant_gather(L, op, v, out, ids.data, rows, 1, cols * L.elem(v))
    L.emit(op, "GATHER_RT", [v.index, ids.index], [out.index],
           i32(1, 1, rows, cols * L.elem(v), ids.shape[0], 4, L.elem(v), _fill(out)))


def _hybrid(L, op, ids, v, out, rows, cols):
    """int8 rows dequantized into float32: value * scale, one float product
    each, as TFLite computes them (symmetric values; a scale per row where
    the values have one per row, as LiteRT reads them)."""
    q = v.quant
    if q is None:
        raise L.err(op, "int8 values without quantization parameters", v.name)
    if np.any(q.zero_point != 0):
        raise L.err(op, f"zero point {int(q.zero_point[q.zero_point != 0][0])}: TFLite's hybrid lookup needs "
                        "symmetric values", v.name)
    if q.per_channel and (q.axis != 0 or q.scale.size != rows or not v.is_const):
        raise L.err(op, "per-channel scales must be one per row (axis 0) of constant values", v.name)
    if ids.is_const and (np.any(ids.data < 0) or np.any(ids.data >= rows)):
        raise L.err(op, f"lookup out of range 0..{rows - 1}", ids.name)
    per_row = q.per_channel and not L.tflm_oracle  # TFLM's kernel reads the first scale only
    scale = np.asarray(q.scale if per_row else q.scale.ravel()[:1], np.float32)
    scales = L.g.add_tensor(f"{out.name}/scales", ir.FLOAT32, (scale.size,), None, scale).index
    L.emit(op, "EMBEDDING_LOOKUP_HYBRID", [ids.index, v.index, scales], [out.index],
           i32(ids.shape[0], rows, cols, int(per_row)))


def dynamic_update_slice(L, op):
    a = L.tensor(op, 0, types=_ANY, quantized=False)
    u = L.tensor(op, 1, types=(a.type,), quantized=False)
    idx = L.tensor(op, 2, types=(ir.INT32, ir.INT64), quantized=False)
    out = L.output(op, types=(a.type,), quantized=False)
    n = len(a.shape)
    if n < 1 or n > MAX_DIMS or len(u.shape) != n:
        raise L.err(op, f"update {list(u.shape)} must have the operand's rank ({list(a.shape)})", u.name)
    if any(du > da for du, da in zip(u.shape, a.shape)):
        raise L.err(op, f"update {list(u.shape)} is larger than the operand {list(a.shape)}", u.name)
    if list(idx.shape) != [n]:
        raise L.err(op, f"start indices of shape {list(idx.shape)} should be [{n}]", idx.name)
    _shape_is(L, op, out, a.shape)
    L.same_quant(op, a, out)
    L.same_quant(op, u, out)
    if not idx.is_const:
        L.emit(op, "DYNAMIC_UPDATE_SLICE", [a.index, u.index, idx.index], [out.index],
               i32(n, L.elem(a), L.elem(idx), *a.shape, *[0] * (MAX_DIMS - n), *u.shape, *[0] * (MAX_DIMS - n)))
        return
    # Known offline: the operand copied, then the update over it (COPYs into
    # one output run in order).
    start = [min(max(0, int(s)), da - du) for s, da, du in zip(np.ravel(idx.data), a.shape, u.shape)]
    ost = L.dense_strides(a.shape)
    if list(u.shape) != list(a.shape):
        movement.walk(L, op, a, out, [a.count], 0, [1], 0, [1])
    movement.walk(L, op, u, out, list(u.shape), 0, L.dense_strides(u.shape), sum(s * t for s, t in zip(start, ost)),
                  ost)


def broadcast_args_values(a, b):
    """BROADCAST_ARGS of two shape vectors as TFLite computes it (each value
    read as a C int: int64 truncated), in their dtype; None where a pair
    of dimensions does not broadcast."""
    a32 = np.ravel(np.asarray(a, np.int64)).astype(np.uint64).astype(np.uint32).astype(np.int32).tolist()
    b32 = np.ravel(np.asarray(b, np.int64)).astype(np.uint64).astype(np.uint32).astype(np.int32).tolist()
    n = max(len(a32), len(b32))
    a32, b32 = [1] * (n - len(a32)) + a32, [1] * (n - len(b32)) + b32
    out = []
    for x, y in zip(a32, b32):
        if x != 1 and y != 1 and x != y:
            return None
        out.append(y if x == 1 else x)
    return np.asarray(out, np.asarray(a).dtype)


def broadcast_args(L, op):
    a = L.tensor(op, 0, types=(ir.INT32, ir.INT64), quantized=False)
    b = L.tensor(op, 1, types=(a.type,), quantized=False)
    out = L.output(op, types=(a.type,), quantized=False)
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise L.err(op, f"the shapes must be vectors, not {list(a.shape)} and {list(b.shape)}")
    _shape_is(L, op, out, [max(a.shape[0], b.shape[0])])
    if a.is_const and b.is_const:
        # Only reached for a model output (converter/passes.py folds the rest).
        v = broadcast_args_values(a.data, b.data)
        if v is None:
            raise L.err(op, f"shapes {a.data.tolist()} and {b.data.tolist()} do not broadcast")
        c = L.g.add_tensor(f"{out.name}/value", out.type, out.shape, None, v.astype(ir.DTYPES[out.type]))
        L.copy_op(op, c, out, name="BROADCAST_ARGS")
        return
    L.emit(op, "BROADCAST_ARGS", [a.index, b.index], [out.index],
           i32(a.shape[0], b.shape[0], out.shape[0], int(a.type == ir.INT64)))


def batch_matmul(L, op):
    t = (ir.INT16,) if L.is_int16(op) else (ir.INT8,)
    lhs, rhs, out = L.tensor(op, 0, types=t), L.tensor(op, 1, types=t), L.output(op, types=t)
    for x in (lhs, rhs):
        if x.quant.per_channel:
            raise L.err(op, "per-channel quantization: TFLite's BATCH_MATMUL takes one scale per operand", x.name)
        if not 2 <= len(x.shape) <= 2 + _MAX_BATCH_DIMS:
            raise L.err(op, f"rank {len(x.shape)}: TFLite's BATCH_MATMUL takes ranks 2 to 5", x.name)
    if lhs.type == ir.INT16:
        L.symmetric16(op, lhs, rhs, out)
    adj_x, adj_y = bool(op.options.get("adj_x", False)), bool(op.options.get("adj_y", False))
    n = max(len(lhs.shape), len(rhs.shape))
    ls = [1] * (n - len(lhs.shape)) + list(lhs.shape)
    rs = [1] * (n - len(rhs.shape)) + list(rhs.shape)
    batch = []
    for d, (p, q) in enumerate(zip(ls[:-2], rs[:-2])):
        if p != q and p != 1 and q != 1:
            raise L.err(op, f"batch dimension {d} does not broadcast: {list(lhs.shape)} and {list(rhs.shape)}")
        batch.append(q if p == 1 else p)
    rows, depth = (ls[-1], ls[-2]) if adj_x else (ls[-2], ls[-1])
    depth_r, cols = (rs[-1], rs[-2]) if adj_y else (rs[-2], rs[-1])
    if depth != depth_r:
        raise L.err(op, f"{list(lhs.shape)}{' (adj_x)' if adj_x else ''} and {list(rhs.shape)}"
                        f"{' (adj_y)' if adj_y else ''} do not multiply: depths {depth} and {depth_r}")
    _shape_is(L, op, out, batch + [rows, cols])
    lst, rst = L.dense_strides(ls), L.dense_strides(rs)
    pad = [1] * (_MAX_BATCH_DIMS - len(batch))
    lb = [0] * len(pad) + [s if d != 1 else 0 for d, s in zip(ls[:-2], lst[:-2])]
    rb = [0] * len(pad) + [s if d != 1 else 0 for d, s in zip(rs[:-2], rst[:-2])]
    l_row, l_depth = (lst[-1], lst[-2]) if adj_x else (lst[-2], lst[-1])
    r_depth, r_col = (rst[-1], rst[-2]) if adj_y else (rst[-2], rst[-1])
    # TFLite's Prepare: the float32 product of the input scales, as a double,
    # over the output scale.
    real = float(np.float32(np.float32(lhs.quant.s()) * np.float32(rhs.quant.s()))) / float(np.float32(out.quant.s()))
    mult, shift = quant.quantize_multiplier(real)
    if lhs.type == ir.INT16:
        if shift > 7:
            raise L.err(op, f"the scales give a multiplier of {real}: TFLite's int16 requantization shifts left by "
                            "at most 7", out.name)
        lo, hi, name = -32768, 32767, "BATCH_MATMUL_S16"
    else:
        lo, hi, name = -128, 127, "BATCH_MATMUL"
    L.emit(op, name, [lhs.index, rhs.index], [out.index],
           i32(*(pad + batch), *lb, *rb, rows, cols, depth, l_row, l_depth, r_depth, r_col,
               -lhs.quant.zp(), -rhs.quant.zp(), out.quant.zp(), mult, shift, lo, hi),
           macs=out.count * depth)


OPS = {
    "GATHER": Lowers(gather, ("any",),
                     note="indices constant or computed (int16, int32, int64), batch_dims (TFLM: int8 and float32 "
                          "data, int32 indices); a computed index out of range gives its slice the zero point, "
                          "where TFLite fails"),
    "GATHER_ND": Lowers(gather_nd, ("any",),
                        note="indices constant or computed (int16, int32, int64; TFLM: int8 and float32 data, "
                             "int32 indices); a computed index out of range on any axis gives its slice the zero "
                             "point, where LiteRT fails (TFLM checks only that the flat position lies inside "
                             "the params)"),
    "EMBEDDING_LOOKUP": Lowers(embedding_lookup, ("any",),
                               note="rows copied (TFLM: int8 and float32), or int8 rows into float32 (value * "
                                    "scale, per row where the values have a scale per row, as LiteRT reads them; "
                                    "TFLM takes the first scale, and so does sprat in a model only TFLM runs); "
                                    "a computed row out of range gives the zero "
                                    "point (0.0)"),
    "DYNAMIC_UPDATE_SLICE": Lowers(dynamic_update_slice, ("any",),
                                   note="start indices constant or computed (int32, int64), clamped as TFLite "
                                        "(TFLM: int8, int16, int32 and float32 data)"),
    "BROADCAST_ARGS": Lowers(broadcast_args, ("int32", "int64"),
                             note="folded to a constant where both shapes are; computed shapes whose dimensions "
                                  "do not broadcast give 0 there, where TFLite aborts"),
    "BATCH_MATMUL": Lowers(batch_matmul, ("int8", "int16"),
                           note="adj_x, adj_y, broadcast batch dimensions, constant or computed operands; "
                                "per-tensor scales (int16: zero points 0); int8 into int32 and int16 by int8 are "
                                "LiteRT's only, refused"),
}
