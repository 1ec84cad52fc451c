"""Ops that move bytes: each becomes strided COPY (or PAD, GATHER,
RESIZE_NEAREST) records (runtime/ops/movement.c). RESHAPE and its kin
usually vanish earlier as aliases (converter/passes.py)."""

import math

import numpy as np

from converter import ir, quant
from converter.lower import i32


def reshape(L, op):
    # Only reached when input and output are both model inputs/outputs
    # (otherwise the passes made the output an alias).
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    L.copy_op(op, x, L.output(op, types=tuple(ir.DTYPES), quantized=False), name=op.name)


def transpose(L, op):
    x, out = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False), L.output(op, types=tuple(ir.DTYPES), quantized=False)
    perm = [int(p) for p in np.ravel(L.const_input(op, 1, "the permutation"))]
    n = len(x.shape)
    if sorted(perm) != list(range(n)):
        raise L.err(op, f"permutation {perm} is not a permutation of {n} axes")
    L.same_quant(op, x, out)
    ist = L.dense_strides(x.shape)
    dims = [x.shape[p] for p in perm]
    L.emit(op, "COPY", [x.index], [out.index],
           L.copy_params(dims, L.elem(x), 0, [ist[p] for p in perm], 0, L.dense_strides(dims)),
           name="TRANSPOSE")


def concatenation(L, op):
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    if op.options.get("fused_activation_function", 0) != 0:
        raise L.err(op, "a fused activation on CONCATENATION is not supported")
    n = len(out.shape)
    axis = L.axis(op, int(op.options.get("axis", 0)), n)
    ost = L.dense_strides(out.shape)
    at = 0
    for k, i in enumerate(op.inputs):
        if i < 0:
            raise L.err(op, f"input {k} is missing")
        x = L.g.t(i)
        L.check(op, x, (out.type,), False)
        L.same_quant(op, x, out)
        if len(x.shape) != n:
            raise L.err(op, "inputs of different rank", x.name)
        if any(a != b for d, (a, b) in enumerate(zip(x.shape, out.shape)) if d != axis):
            raise L.err(op, f"input {k} of shape {list(x.shape)} does not fit output {list(out.shape)} "
                            f"beside the axis {axis}", x.name)
        L.emit(op, "COPY", [x.index], [out.index],
               L.copy_params(list(x.shape), L.elem(x), 0, L.dense_strides(x.shape),
                                at * ost[axis], ost), name="CONCATENATION")
        if all(d == 1 for d in out.shape[:axis]):
            # the input is one contiguous run of the output: converter/views.py
            # may let its producer write it there and drop the copy
            L.ops[-1].view = (x.index, out.index, at * ost[axis] * L.elem(x))
        at += x.shape[axis]
    if at != out.shape[axis]:
        raise L.err(op, "input sizes along the axis do not add up to the output's", out.name)


def _pad(L, op, value):
    x, out = L.tensor(op, 0), L.output(op)
    pads = np.asarray(L.const_input(op, 1, "the paddings"))
    if pads.size != 2 * len(x.shape):
        raise L.err(op, "paddings do not match the input's rank")
    pads = pads.reshape(-1, 2)
    if pads.shape[0] != len(x.shape):
        raise L.err(op, "paddings do not match the input's rank")
    L.same_quant(op, x, out)
    ost = L.dense_strides(out.shape)
    start = sum(int(p) * s for p, s in zip(pads[:, 0], ost))
    if any(int(a) < 0 or int(b) < 0 for a, b in pads) or \
            [d + int(a) + int(b) for d, (a, b) in zip(x.shape, pads)] != list(out.shape):
        raise L.err(op, f"paddings {pads.tolist()} do not turn {list(x.shape)} into {list(out.shape)}")
    L.emit(op, "PAD", [x.index], [out.index],
           i32(value, out.count) + L.copy_params(list(x.shape), 1, 0, L.dense_strides(x.shape), start, ost))


def pad(L, op):
    _pad(L, op, L.output(op).quant.zp())


def padv2(L, op):
    v = np.ravel(L.const_input(op, 2, "the pad value"))
    _pad(L, op, int(v[0]) if v.size else L.output(op).quant.zp())


def _slices_along(L, op, x, outs, axis, name):
    """One COPY per output: consecutive slices of x along axis."""
    ist = L.dense_strides(x.shape)
    at = 0
    for o in outs:
        L.check(op, o, (x.type,), False)
        L.same_quant(op, x, o)
        if len(o.shape) != len(x.shape) or any(a != b for d, (a, b) in enumerate(zip(o.shape, x.shape)) if d != axis):
            raise L.err(op, f"output {list(o.shape)} is not a slice of {list(x.shape)} along axis {axis}", o.name)
        L.emit(op, "COPY", [x.index], [o.index],
               L.copy_params(list(o.shape), L.elem(x), at * ist[axis], ist, 0,
                                L.dense_strides(o.shape)), name=name)
        at += o.shape[axis]
    if at > x.shape[axis]:
        raise L.err(op, "the slices are longer than the input along the axis")


def split(L, op):
    x = L.tensor(op, 1, types=tuple(ir.DTYPES), quantized=False)
    axis = L.axis(op, int(np.ravel(L.const_input(op, 0, "the axis"))[0]), len(x.shape))
    _slices_along(L, op, x, [L.g.t(o) for o in op.outputs], axis, "SPLIT")


def split_v(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    axis = L.axis(op, int(np.ravel(L.const_input(op, 2, "the axis"))[0]), len(x.shape))
    _slices_along(L, op, x, [L.g.t(o) for o in op.outputs], axis, "SPLIT_V")


def unpack(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    axis = L.axis(op, op.options.get("axis", 0), len(x.shape))
    ist = L.dense_strides(x.shape)
    for k, i in enumerate(op.outputs):
        o = L.g.t(i)
        L.same_quant(op, x, o)
        dims = [d for j, d in enumerate(x.shape) if j != axis]
        if list(o.shape) != dims:
            raise L.err(op, f"output {list(o.shape)} should be {dims}", o.name)
        L.emit(op, "COPY", [x.index], [o.index],
               L.copy_params(dims, L.elem(x), k * ist[axis], [s for j, s in enumerate(ist) if j != axis],
                                0, L.dense_strides(dims)), name="UNPACK")


def pack(L, op):
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    axis = L.axis(op, op.options.get("axis", 0), len(out.shape))
    ost = L.dense_strides(out.shape)
    for k, i in enumerate(op.inputs):
        x = L.g.t(i)
        L.check(op, x, (out.type,), False)
        L.same_quant(op, x, out)
        if [d for j, d in enumerate(out.shape) if j != axis] != list(x.shape):
            raise L.err(op, f"input {list(x.shape)} does not stack into {list(out.shape)}", x.name)
        L.emit(op, "COPY", [x.index], [out.index],
               L.copy_params(list(x.shape), L.elem(x), 0, L.dense_strides(x.shape), k * ost[axis],
                                [s for j, s in enumerate(ost) if j != axis]), name="PACK")


def slice(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    begin = [int(v) for v in np.ravel(L.const_input(op, 1, "begin"))]
    size = [int(v) for v in np.ravel(L.const_input(op, 2, "size"))]
    if len(begin) != len(x.shape) or len(size) != len(x.shape):
        raise L.err(op, "begin/size do not match the input's rank")
    size = [x.shape[d] - begin[d] if s == -1 else s for d, s in enumerate(size)]
    if any(b < 0 or s < 1 or b + s > d for b, s, d in zip(begin, size, x.shape)) or size != list(out.shape):
        raise L.err(op, f"slice begin {begin} size {size} does not fit {list(x.shape)} -> {list(out.shape)}")
    L.same_quant(op, x, out)
    ist = L.dense_strides(x.shape)
    L.emit(op, "COPY", [x.index], [out.index],
           L.copy_params(size, L.elem(x), sum(b * s for b, s in zip(begin, ist)), ist, 0,
                            L.dense_strides(size)), name="SLICE")


def strided_slice(L, op):
    x, out = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False), L.output(op, types=tuple(ir.DTYPES), quantized=False)
    begin = [int(v) for v in np.ravel(L.const_input(op, 1, "begin"))]
    end = [int(v) for v in np.ravel(L.const_input(op, 2, "end"))]
    strides = [int(v) for v in np.ravel(L.const_input(op, 3, "strides"))]
    o = op.options
    if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0):
        raise L.err(op, "ellipsis_mask and new_axis_mask are not supported")
    n = len(x.shape)
    if not (len(begin) == len(end) == len(strides)) or len(begin) > n:
        raise L.err(op, "begin/end/strides lengths do not match the input's rank")
    begin += [0] * (n - len(begin))
    end += [x.shape[d] for d in range(len(end), n)]
    strides += [1] * (n - len(strides))
    bm, em, sm = o.get("begin_mask", 0), o.get("end_mask", 0), o.get("shrink_axis_mask", 0)
    offset = bool(o.get("offset", False))
    ist = L.dense_strides(x.shape)
    dims, in_strides, start = [], [], 0
    for d in range(n):
        size, st = x.shape[d], strides[d]
        if st == 0:
            raise L.err(op, "a stride of 0")
        b, e = begin[d], end[d]
        if offset:
            e = b + e
        if sm >> d & 1:
            b = b + size if b < 0 else b
            if not 0 <= b < size:
                raise L.err(op, f"index {begin[d]} out of range on axis {d}")
            start += b * ist[d]
            continue

        def clamp(v, lo, hi):
            return max(lo, min(hi, v))
        if bm >> d & 1:
            b = 0 if st > 0 else size - 1
        else:
            b = b + size if b < 0 else b
            b = clamp(b, 0, size) if st > 0 else clamp(b, -1, size - 1)
        if em >> d & 1 and not offset:
            e = size if st > 0 else -1
        else:
            e = e + size if e < 0 and not (em >> d & 1) else e
            e = clamp(e, 0, size) if st > 0 else clamp(e, -1, size - 1)
        count = max(0, (e - b + (st - (1 if st > 0 else -1))) // st)
        if count == 0:
            raise L.err(op, "an empty slice is not supported")
        dims.append(count)
        in_strides.append(st * ist[d])
        start += b * ist[d]
    if int(np.prod(dims, dtype=np.int64)) != out.count:
        raise L.err(op, f"the slice has {int(np.prod(dims))} elements, the output {out.count}", out.name)
    L.same_quant(op, x, out)
    L.emit(op, "COPY", [x.index], [out.index],
           L.copy_params(dims, L.elem(x), start, in_strides, 0, L.dense_strides(dims)),
           name="STRIDED_SLICE")


def resize_nearest_neighbor(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    if len(x.shape) != 4 or len(out.shape) != 4 or out.shape[0] != x.shape[0] or out.shape[3] != x.shape[3]:
        raise L.err(op, f"expects 4-D input and output of the same batch and channels, not {list(x.shape)} "
                        f"and {list(out.shape)}")
    L.same_quant(op, x, out)
    align = bool(op.options.get("align_corners", False))
    half = bool(op.options.get("half_pixel_centers", False))

    def src(out_size, in_size):
        if align and out_size > 1:
            scale = np.float32(in_size - 1) / np.float32(out_size - 1)
        else:
            scale = np.float32(in_size) / np.float32(out_size)
        off = np.float32(0.5) if half else np.float32(0.0)
        idx = []
        for i in range(out_size):
            v = np.float32(np.float32(i + off) * scale)
            k = int(quant.round_away(float(v))) if align else int(math.floor(float(v)))
            k = min(k, in_size - 1)
            if half:
                k = max(0, k)
            idx.append(k)
        return idx
    ys = L.const_i32(f"{out.name}/src_y", src(out.shape[1], x.shape[1]))
    xs = L.const_i32(f"{out.name}/src_x", src(out.shape[2], x.shape[2]))
    L.emit(op, "RESIZE_NEAREST", [x.index, ys, xs], [out.index],
           i32(x.shape[0], x.shape[1], x.shape[2], x.shape[3], out.shape[1], out.shape[2]))


def gather(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    if op.options.get("batch_dims", 0) != 0:
        raise L.err(op, "batch_dims other than 0 is not supported")
    idx = np.asarray(L.const_input(op, 1, "the indices"), np.int64)
    axis = L.axis(op, op.options.get("axis", 0), len(x.shape))
    if idx.size == 0 or np.any(idx < 0) or np.any(idx >= x.shape[axis]):
        raise L.err(op, f"indices out of range 0..{x.shape[axis] - 1} of axis {axis}")
    L.same_quant(op, x, out)
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64)) * L.elem(x)
    if out.count * L.elem(out) != outer * idx.size * inner:
        raise L.err(op, f"output {list(out.shape)} does not fit {idx.size} gathered slices", out.name)
    ti = L.const_i32(f"{out.name}/indices", idx.ravel())
    L.emit(op, "GATHER", [x.index, ti], [out.index], i32(outer, x.shape[axis], inner, idx.size))


OPS = {
    "RESHAPE": reshape,
    "SQUEEZE": reshape,
    "EXPAND_DIMS": reshape,
    "TRANSPOSE": transpose,
    "CONCATENATION": concatenation,
    "PAD": pad,
    "PADV2": padv2,
    "SPLIT": split,
    "SPLIT_V": split_v,
    "UNPACK": unpack,
    "PACK": pack,
    "SLICE": slice,
    "STRIDED_SLICE": strided_slice,
    "RESIZE_NEAREST_NEIGHBOR": resize_nearest_neighbor,
    "GATHER": gather,
}
