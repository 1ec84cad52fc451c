"""How far an op's output may overlap its input (the planner's overlap
allowances), from the loop order of every kernel that may run it.

DEPTHWISE_CONV_2D: every kernel (portable, Cortex-M library, generated
direct and pairs) computes the output row by row, top to bottom, each
pixel after reading its whole window (the pairs variant copies a row into
its ring before the first window that reads it). Output row oy's bytes may
therefore replace input rows that no later window reads: with the output
starting `lag` bytes before the input, row oy ends at (oy + 1) * RO - lag
from the input's start, which must not pass the start of input row
oy * sh - pt, the first row that output row oy (and every later one) still
reads. The smallest lag that holds for every row is the allowance: a
stride-2 layer's output fits almost entirely inside its input.

CONV_2D, 1x1 with stride 1 and no padding (the GEMM reads pixels in
place): the Cortex-M GEMM reads two pixels, then writes both; the portable
and generic kernels read one pixel once per output channel and write each
channel as it is done. Writing pixels up to p + 1 must not reach input
pixel p + 2 (GEMM) or pixel p (portable) while they are unread; with the
output starting lag bytes before the input, (p + 2) * OC - lag <=
p * IC covers both. An expanding layer's output thus ends about where its
input ends; a projecting one starts two output pixels before it.

FUSED_ROWS (converter/fuse.py): its schedule, replayed offline, lists
which input rows are read after each output row is written; the output
must end each row before the first of those.

Other ops: none yet (their outputs get buffers of their own)."""

import struct

from converter.lower import OPCODES

_DEPTHWISE = OPCODES["DEPTHWISE_CONV_2D"]
_CONV = OPCODES["CONV_2D"]
_FUSED = OPCODES["FUSED_ROWS"]


def output_lag(op):
    """Bytes the output of `op` must start before its first input's start
    when the two share memory, or None when they may not."""
    if op.opcode == _FUSED:
        f = getattr(op, "fused", None)
        if f is None:
            return None
        from converter import fuse
        return fuse.output_lag(f["events"], f["in_row_bytes"], f["out_row_bytes"], f["in_h"])
    if op.opcode == _CONV:
        return _conv_1x1_lag(struct.unpack("<25i", op.params))
    if op.opcode != _DEPTHWISE:
        return None
    w = struct.unpack("<25i", op.params)
    (n, ih, iw, ic), (on, oh, ow, oc) = w[0:4], w[8:12]
    sh, pt = w[12], w[16]
    if n != 1 or on != 1:
        return None
    ri, ro = iw * ic, ow * oc
    return max(0, max((oy + 1) * ro - max(0, oy * sh - pt) * ri for oy in range(oh)))


def _conv_1x1_lag(w):
    (n, ih, iw, ic), (_, kh, kw, fc), (on, oh, ow, oc) = w[0:4], w[4:8], w[8:12]
    sh, sw, pt, pl = w[12], w[13], w[16], w[17]
    if (n, on, kh, kw, sh, sw, pt, pl) != (1, 1, 1, 1, 1, 1, 0, 0) or fc != ic or (oh, ow) != (ih, iw):
        return None
    pixels = oh * ow
    return max(0, max((p + 2) * oc - p * ic for p in (0, pixels - 1)))
