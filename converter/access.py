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

Other ops: none yet (their outputs get buffers of their own)."""

import struct

from converter.lower import OPCODES

_DEPTHWISE = OPCODES["DEPTHWISE_CONV_2D"]


def output_lag(op):
    """Bytes the output of `op` must start before its first input's start
    when the two share memory, or None when they may not."""
    if op.opcode != _DEPTHWISE:
        return None
    w = struct.unpack("<25i", op.params)
    (n, ih, iw, ic), (on, oh, ow, oc) = w[0:4], w[8:12]
    sh, pt = w[12], w[16]
    if n != 1 or on != 1:
        return None
    ri, ro = iw * ic, ow * oc
    return max(0, max((oy + 1) * ro - max(0, oy * sh - pt) * ri for oy in range(oh)))
