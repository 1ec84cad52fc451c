"""Ops that move bytes: each becomes strided COPY (or PAD, GATHER,
RESIZE_NEAREST) records (runtime/ops/movement.c); GATHER itself is lowered
by the gather family (converter/ops/gather.py), which emits the constant
GATHER record where the indices are known offline. RESHAPE and its kin
usually vanish earlier as aliases (converter/passes.py); ZEROS_LIKE and
FILL of constants become constants there."""

import itertools
import math

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32


def walk(L, op, x, out, dims, in_start, in_strides, out_start, out_strides, fill=None):
    """One COPY of the walk (a PAD filling the output with `fill` first),
    without its 1-long dimensions and with neighbours that step as one
    merged: fewer, longer rows for the kernel."""
    w = []
    for d, a, b in zip(dims, in_strides, out_strides):
        if d == 1:
            continue
        if w and w[-1][1] == a * d and w[-1][2] == b * d:
            w[-1] = (w[-1][0] * d, a, b)
        else:
            w.append((d, a, b))
    w = w or [(1, 1, 1)]
    params = L.copy_params([d for d, _, _ in w], L.elem(x), in_start, [a for _, a, _ in w], out_start,
                           [b for _, _, b in w])
    if fill is None:
        L.emit(op, "COPY", [x.index], [out.index], params)
    else:
        L.emit(op, "PAD", [x.index], [out.index], i32(fill, out.count) + params)


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


_PAD_TYPES = (ir.INT8, ir.INT16, ir.INT32, ir.FLOAT32)  # TFLM's PAD and PADV2


def _pad(L, op, value):
    x = L.tensor(op, 0, _PAD_TYPES)
    out = L.check(op, L.g.t(op.outputs[0]), (x.type,), True)
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
           i32(value, out.count) + L.copy_params(list(x.shape), L.elem(x), 0, L.dense_strides(x.shape), start, ost))


def pad(L, op):
    # TFLM pads int8 with the output's zero point, every other type with 0.
    out = L.g.t(op.outputs[0])
    _pad(L, op, out.quant.zp() if out.type == ir.INT8 and out.quant is not None else 0)


def padv2(L, op):
    x = L.tensor(op, 0, _PAD_TYPES)
    t = L.g.t(op.inputs[2]) if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
    if t is None:
        return pad(L, op)
    if not t.is_const or t.type != x.type or t.data.size != 1:
        raise L.err(op, f"the pad value must be one constant of the input's type ({ir.TYPE_NAMES.get(x.type)})",
                    t.name)
    v = t.data.ravel()[:1]
    # The fill takes the value's bits: a float32 as its int32 pattern.
    _pad(L, op, int(v.view(np.int32)[0]) if x.type == ir.FLOAT32 else int(v[0]))


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
    t = (ir.INT16,) if L.is_int16(op) else (ir.INT8,)  # int16: the same tables, RESIZE_NEAREST_S16 (runtime/ops/norm.c)
    x, out = L.tensor(op, 0, types=t), L.output(op, types=t)
    if len(x.shape) != 4 or len(out.shape) != 4 or out.shape[0] != x.shape[0] or out.shape[3] != x.shape[3]:
        raise L.err(op, f"expects 4-D input and output of the same batch and channels, not {list(x.shape)} "
                        f"and {list(out.shape)}")
    L.same_quant(op, x, out)
    if x.type == ir.INT16 and (x.quant.s() != out.quant.s() or x.quant.zp() != out.quant.zp()):
        raise L.err(op, "input and output must share scale and zero point", out.name)
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
    L.emit(op, "RESIZE_NEAREST_S16" if x.type == ir.INT16 else "RESIZE_NEAREST", [x.index, ys, xs], [out.index],
           i32(x.shape[0], x.shape[1], x.shape[2], x.shape[3], out.shape[1], out.shape[2]))


def mirror_pad(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    pads = np.asarray(L.const_input(op, 1, "the paddings"), np.int64)
    n = len(x.shape)
    if pads.shape != (n, 2):
        raise L.err(op, f"paddings of shape {list(pads.shape)} do not match the input's rank {n}")
    mode = op.options.get("mode", 0)
    if mode not in (0, 1):
        raise L.err(op, f"mirror padding mode {mode} is not REFLECT (0) or SYMMETRIC (1)")
    off = 1 if mode == 0 else 0  # REFLECT leaves the edge out
    if [d + int(a) + int(b) for d, (a, b) in zip(x.shape, pads)] != list(out.shape):
        raise L.err(op, f"paddings {pads.tolist()} do not turn {list(x.shape)} into {list(out.shape)}", out.name)
    L.same_quant(op, x, out)
    # Per axis, runs of the output that read the input at one step:
    # (output start, length, first input index, step).
    runs = []
    for d, (size, (a, b)) in enumerate(zip(x.shape, pads.tolist())):
        if a < 0 or b < 0:
            raise L.err(op, f"negative padding {[a, b]} on axis {d}")
        if a > size - off:
            # LiteRT refuses it, TFLM would read before the input
            raise L.err(op, f"padding {a} before axis {d} of size {size} is wider than "
                            f"{('REFLECT', 'SYMMETRIC')[mode]} allows ({size - off})")
        r = [(0, a, a - 1 + off, -1)] if a else []
        r.append((a, size, 0, 1))
        mirrored = max(0, min(b, size - off))
        if mirrored:
            r.append((a + size, mirrored, size - 1 - off, -1))
        if b > mirrored:  # LiteRT refuses it, TFLM repeats the first element past the mirror image
            r.append((a + size + mirrored, b - mirrored, 0, 0))
        runs.append(r)
    ist, ost = L.dense_strides(x.shape), L.dense_strides(out.shape)
    for box in itertools.product(*runs):
        walk(L, op, x, out, [r[1] for r in box], sum(r[2] * s for r, s in zip(box, ist)),
             [r[3] * s for r, s in zip(box, ist)], sum(r[0] * s for r, s in zip(box, ost)), ost)


def reverse_v2(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    n = len(x.shape)
    axes = [L.axis(op, int(a), n) for a in np.ravel(L.const_input(op, 1, "the axes"))]
    if len(set(axes)) != len(axes):
        raise L.err(op, f"axes {axes} repeat an axis")
    if list(out.shape) != list(x.shape):
        raise L.err(op, f"output {list(out.shape)} is not the input's shape {list(x.shape)}", out.name)
    L.same_quant(op, x, out)
    ist = L.dense_strides(x.shape)
    # Reversed axes walk the input backwards from their last element.
    walk(L, op, x, out, list(x.shape), sum((x.shape[a] - 1) * ist[a] for a in axes),
         [-s if d in axes else s for d, s in enumerate(ist)], 0, ist)


def broadcast_to(L, op):
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    shape = [int(v) for v in np.ravel(L.const_input(op, 1, "the shape"))]
    n = len(out.shape)
    xs = [1] * (n - len(x.shape)) + list(x.shape)
    if shape != list(out.shape) or len(x.shape) > n or any(a not in (1, b) for a, b in zip(xs, shape)):
        raise L.err(op, f"cannot broadcast {list(x.shape)} to {shape} (output {list(out.shape)})", out.name)
    L.same_quant(op, x, out)
    ist = L.dense_strides(xs)
    walk(L, op, x, out, shape, 0, [0 if a == 1 else s for a, s in zip(xs, ist)], 0, L.dense_strides(shape))


def _repeat(L, op, value, out):
    """Every output element a copy of the one element of `value`."""
    walk(L, op, value, out, [out.count], 0, [0], 0, [1])


def zeros_like(L, op):
    # Only reached for a model output (converter/passes.py folds the rest).
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    if list(out.shape) != list(x.shape) or out.type != x.type:
        raise L.err(op, f"output {list(out.shape)} is not the input's shape and type", out.name)
    zero = L.g.add_tensor(f"{out.name}/zero", out.type, (1,), out.quant, np.zeros(1, ir.DTYPES[out.type]))
    _repeat(L, op, zero, out)


def fill(L, op):
    out = L.output(op, types=tuple(ir.DTYPES), quantized=False)
    shape = [int(v) for v in np.ravel(L.const_input(op, 0, "the output shape"))]
    if shape != list(out.shape):
        raise L.err(op, f"shape {shape} is not the output's {list(out.shape)}", out.name)
    v = L.tensor(op, 1, types=(out.type,), quantized=False)
    if v.count != 1:
        raise L.err(op, f"the value must be a scalar, not of shape {list(v.shape)}", v.name)
    L.same_quant(op, v, out)
    _repeat(L, op, v, out)


def shape(L, op):
    # Only reached for a model output (the passes fold every other SHAPE).
    x = L.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
    out = L.output(op, types=(ir.INT32, ir.INT64), quantized=False)
    if out.count != len(x.shape):
        raise L.err(op, f"output {list(out.shape)} cannot hold the shape {list(x.shape)}", out.name)
    c = L.g.add_tensor(f"{out.name}/shape", out.type, out.shape, None,
                       np.asarray(x.shape, ir.DTYPES[out.type]).reshape(out.shape))
    L.copy_op(op, c, out, name="SHAPE")


OPS = {
    "SHAPE": Lowers(shape, ("any",), note="folded to a constant: shapes are static"),
    "RESHAPE": Lowers(reshape, ("any",), note="an alias: moves nothing"),
    "SQUEEZE": Lowers(reshape, ("any",), note="an alias: moves nothing"),
    "EXPAND_DIMS": Lowers(reshape, ("any",), note="an alias: moves nothing"),
    "TRANSPOSE": Lowers(transpose, ("any",)),
    "CONCATENATION": Lowers(concatenation, ("any",), note="contiguous inputs written in place (views)"),
    "PAD": Lowers(pad, ("int8", "int16", "int32", "float32"), note="int8 padded with the zero point, others with 0"),
    "PADV2": Lowers(padv2, ("int8", "int16", "int32", "float32")),
    "SPLIT": Lowers(split, ("any",)),
    "SPLIT_V": Lowers(split_v, ("any",)),
    "UNPACK": Lowers(unpack, ("any",)),
    "PACK": Lowers(pack, ("any",)),
    "SLICE": Lowers(slice, ("any",)),
    "STRIDED_SLICE": Lowers(strided_slice, ("any",)),
    "RESIZE_NEAREST_NEIGHBOR": Lowers(resize_nearest_neighbor, ("int8", "int16")),
    "MIRROR_PAD": Lowers(mirror_pad, ("any",)),
    "REVERSE_V2": Lowers(reverse_v2, ("any",)),
    "BROADCAST_TO": Lowers(broadcast_to, ("any",)),
    "ZEROS_LIKE": Lowers(zeros_like, ("any",), note="folded to a constant"),
    "FILL": Lowers(fill, ("any",), note="folded to a constant where its value is"),
}
