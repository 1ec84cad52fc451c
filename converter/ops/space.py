"""DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND:
blocks of pixels moved between space, depth and batch, each one or a few
strided COPYs (runtime/ops/movement.c); SPACE_TO_BATCH_ND's first is a
PAD where it pads. The SPACE_TO_BATCH_ND, convolution, BATCH_TO_SPACE_ND
chain of a dilated convolution is folded into one convolution earlier
(converter/passes.py fold_dilated)."""

import itertools

import numpy as np

from converter import ir
from converter.lower import Lowers
from converter.ops.movement import walk

_ANY = tuple(ir.DTYPES)


def _block_size(L, op):
    bs = op.options.get("block_size", 0)
    if not isinstance(bs, (int, np.integer)) or not 1 <= int(bs) <= 1 << 16:
        raise L.err(op, f"block_size {bs} must be between 1 and 65536")
    return int(bs)


def _image(L, op, x, out):
    if len(x.shape) != 4 or len(out.shape) != 4:
        raise L.err(op, f"expects a 4-D (NHWC) input and output, not {list(x.shape)} and {list(out.shape)}")
    L.same_quant(op, x, out)


def depth_to_space(L, op):
    x, out = L.tensor(op, 0, types=_ANY, quantized=False), L.output(op, types=_ANY, quantized=False)
    _image(L, op, x, out)
    bs = _block_size(L, op)
    n, h, w, c = x.shape
    if c % (bs * bs):
        raise L.err(op, f"{c} input channels are not a multiple of block_size {bs} squared", x.name)
    oc = c // (bs * bs)
    if list(out.shape) != [n, h * bs, w * bs, oc]:
        raise L.err(op, f"output {list(out.shape)} should be {[n, h * bs, w * bs, oc]}", out.name)
    # The output as [n, h, bs, w, bs, oc]; input channel (i * bs + j) * oc + c.
    dims = [n, h, bs, w, bs, oc]
    walk(L, op, x, out, dims, 0, [h * w * c, w * c, bs * oc, c, oc, 1], 0, L.dense_strides(dims))


def space_to_depth(L, op):
    x, out = L.tensor(op, 0, types=_ANY, quantized=False), L.output(op, types=_ANY, quantized=False)
    _image(L, op, x, out)
    bs = _block_size(L, op)
    n, h, w, c = x.shape
    if h % bs or w % bs:
        raise L.err(op, f"input {list(x.shape)}: height and width are not multiples of block_size {bs}", x.name)
    if list(out.shape) != [n, h // bs, w // bs, bs * bs * c]:
        raise L.err(op, f"output {list(out.shape)} should be {[n, h // bs, w // bs, bs * bs * c]}", out.name)
    # The output as [n, h / bs, w / bs, bs, bs, c].
    dims = [n, h // bs, w // bs, bs, bs, c]
    walk(L, op, x, out, dims, 0, [h * w * c, bs * w * c, bs * c, w * c, c, 1], 0, L.dense_strides(dims))


def _runs(r, before, length):
    """The (phase i, row o) plane of a blocked axis, index o * r + i,
    where the index less `before` lies in [0, length): at most three
    rectangles (i0, i1, o0, o1), a partial first row, whole rows, a
    partial last row."""
    (q0, r0), (q1, r1) = divmod(before, r), divmod(before + length - 1, r)
    if q0 == q1:
        return [(r0, r1 + 1, q0, q0 + 1)]
    first = [(r0, r, q0, q0 + 1)] if r0 else []
    last = [(0, r1 + 1, q1, q1 + 1)] if r1 != r - 1 else []
    lo, hi = q0 + bool(first), q1 + 1 - bool(last)
    return first + ([(0, r, lo, hi)] if lo < hi else []) + last


def _blocked(L, op, what):
    """Input, output, block shape and paddings (or crops) of SPACE_TO_BATCH_ND
    or BATCH_TO_SPACE_ND, checked as TFLite checks them."""
    x, out = L.tensor(op, 0, types=_ANY, quantized=False), L.output(op, types=_ANY, quantized=False)
    n = len(x.shape)
    if n not in (3, 4) or len(out.shape) != n:
        raise L.err(op, f"expects a 3-D or 4-D input and output of the same rank, not {list(x.shape)} "
                        f"and {list(out.shape)}")
    block = [int(v) for v in np.ravel(L.const_input(op, 1, "the block shape"))]
    pads = np.asarray(L.const_input(op, 2, f"the {what}"), np.int64)
    if len(block) != n - 2 or pads.size != 2 * (n - 2):
        raise L.err(op, f"block shape {block} and {what} {pads.tolist()} must cover the {n - 2} spatial axes "
                        f"of {list(x.shape)}")
    pads = pads.reshape(-1, 2).tolist()
    if any(not 1 <= b <= 1 << 16 for b in block) or any(p < 0 or p > 1 << 20 for p in np.ravel(pads)):
        raise L.err(op, f"block shape {block} must be positive and {what} {pads} non-negative")
    L.same_quant(op, x, out)
    return x, out, block, pads


def _phase_strides(block, batch, stride):
    """Batch strides of each axis's phase: batch = (i_1 * r_2 + i_2) * batch + b."""
    return [int(np.prod(block[d + 1:], dtype=np.int64)) * batch * stride for d in range(len(block))]


def space_to_batch_nd(L, op):
    x, out, block, pads = _blocked(L, op, "paddings")
    m = len(block)
    padded = [s + a + b for s, (a, b) in zip(x.shape[1:1 + m], pads)]
    if any(p % r for p, r in zip(padded, block)):
        raise L.err(op, f"padded sizes {padded} are not multiples of the block shape {block}")
    want = [x.shape[0] * int(np.prod(block))] + [p // r for p, r in zip(padded, block)] + [x.shape[-1]]
    if list(out.shape) != want:
        raise L.err(op, f"output {list(out.shape)} should be {want}", out.name)
    ist, ost = L.dense_strides(x.shape), L.dense_strides(out.shape)
    phase = _phase_strides(block, x.shape[0], ost[0])
    # Borders hold the output's zero point (0 unquantized; TFLM's kernel
    # writes 0 whatever the zero point, so in a model only TFLM runs 0):
    # the first walk is a PAD filling the output, which the planner keeps first.
    zp = out.quant.zp() if out.quant is not None and not L.tflm_oracle else 0
    fill = zp if out.count != x.count else None
    per_axis = [_runs(r, a, s) for r, (a, _), s in zip(block, pads, x.shape[1:1 + m])]
    for box in itertools.product(*per_axis):
        # The output as [phases..., batch, rows..., channels].
        dims = [i1 - i0 for i0, i1, _, _ in box] + [x.shape[0]] + [o1 - o0 for _, _, o0, o1 in box] + [x.shape[-1]]
        in_st = [ist[1 + d] for d in range(m)] + [ist[0]] + [r * ist[1 + d] for d, r in enumerate(block)] + [1]
        out_st = phase + [ost[0]] + ost[1:1 + m] + [1]
        start = sum((o0 * r + i0 - a) * ist[1 + d]
                    for d, ((i0, _, o0, _), r, (a, _)) in enumerate(zip(box, block, pads)))
        out_start = sum(i0 * phase[d] + o0 * ost[1 + d] for d, (i0, _, o0, _) in enumerate(box))
        walk(L, op, x, out, dims, start, in_st, out_start, out_st, fill)
        fill = None


def batch_to_space_nd(L, op):
    x, out, block, crops = _blocked(L, op, "crops")
    m = len(block)
    k = int(np.prod(block))
    full = [s * r for s, r in zip(x.shape[1:1 + m], block)]
    want = [x.shape[0] // k] + [f - a - b for f, (a, b) in zip(full, crops)] + [x.shape[-1]]
    if x.shape[0] % k or any(d < 1 for d in want) or list(out.shape) != want:
        raise L.err(op, f"input {list(x.shape)}, block shape {block} and crops {crops} do not make "
                        f"output {list(out.shape)}", out.name)
    ist, ost = L.dense_strides(x.shape), L.dense_strides(out.shape)
    phase = _phase_strides(block, want[0], ist[0])
    per_axis = [_runs(r, a, o) for r, (a, _), o in zip(block, crops, want[1:1 + m])]
    for box in itertools.product(*per_axis):
        # The output as [batch, (rows, phases)..., channels].
        dims, in_st, out_st = [want[0]], [ist[0]], [ost[0]]
        for d, (i0, i1, s0, s1) in enumerate(box):
            dims += [s1 - s0, i1 - i0]
            in_st += [ist[1 + d], phase[d]]
            out_st += [block[d] * ost[1 + d], ost[1 + d]]
        start = sum(i0 * phase[d] + s0 * ist[1 + d] for d, (i0, _, s0, _) in enumerate(box))
        out_start = sum((s0 * r + i0 - a) * ost[1 + d]
                        for d, ((i0, _, s0, _), r, (a, _)) in enumerate(zip(box, block, crops)))
        walk(L, op, x, out, dims + [x.shape[-1]], start, in_st + [1], out_start, out_st + [1])


OPS = {
    "DEPTH_TO_SPACE": Lowers(depth_to_space, ("any",)),
    "SPACE_TO_DEPTH": Lowers(space_to_depth, ("any",)),
    "SPACE_TO_BATCH_ND": Lowers(space_to_batch_nd, ("any",), note="with its convolution and BATCH_TO_SPACE_ND, folded into a dilated convolution"),
    "BATCH_TO_SPACE_ND": Lowers(batch_to_space_nd, ("any",)),
}
