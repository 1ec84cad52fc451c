"""How far an op's output may overlap its input (the planner's overlap
allowances), from the loop order of every kernel that may run it.

CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D and AVERAGE_POOL_2D (one image):
every kernel that runs them (portable, the Cortex-M library, generated
direct and pairs) makes output pixels in raster order, at most two at a
time (the Cortex-M GEMM and the depthwise pairs variant read two pixels'
windows, then write both; 1x1 windows are read in place while the outputs
are written), and no window is read after a later pixel's output is
written (the pairs variant's ring copies rows before the windows that read
them). With the output starting `lag` bytes before the input, writing
pixels up to p + 1 must not reach the first input byte that pixel p or any
later pixel reads: (p + 2) * OC - lag <= min over q >= p of start(q), where
start(q) is the window's top-left input byte (clamped into the image). The
smallest lag that holds for every p is the allowance: a stride-2 layer's
output fits almost entirely inside its input, and a 3x3 depthwise layer's
starts about one row and two pixels before it.

ADD, SUB and MUL (the first operand of the output's shape), RELU, RELU6,
LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, QUANTIZE and int8 REQUANTIZE: each
output element is written after its input element is read, in order (the
Cortex-M ADD and MUL read groups of four before writing them), so the
output may start at the input or before it: lag 0.

FUSED_ROWS (converter/fuse.py): its schedule, replayed offline, lists
which input rows are read after each output row is written; the output
must end each row before the first of those.

Other ops, the int16 (16x8) ones among them: none yet (their outputs get
buffers of their own)."""

import functools
import struct

import numpy as np

from converter.lower import OPCODES

_DEPTHWISE = OPCODES["DEPTHWISE_CONV_2D"]
_CONV = OPCODES["CONV_2D"]
_FUSED = OPCODES["FUSED_ROWS"]
_MAX_POOL, _AVG_POOL = OPCODES["MAX_POOL_2D"], OPCODES["AVERAGE_POOL_2D"]
# One output element per input element, in order: in place.
_ELEMENTWISE = {OPCODES[k] for k in ("RELU", "LEAKY_RELU", "HARD_SWISH", "LUT", "QUANTIZE", "REQUANTIZE")}
# ADD (and SUB), MUL: where the broadcast record starts in the params.
_BINARY = {OPCODES["ADD"]: 13, OPCODES["MUL"]: 7}


def output_lag(op):
    """Bytes the output of `op` must start before its first input's start
    when the two share memory, or None when they may not."""
    if op.opcode == _FUSED:  # converter/fuse.py derived it from the block's schedule
        f = getattr(op, "fused", None)
        return f["lag"] if f else None
    if op.opcode in (_CONV, _DEPTHWISE):
        w = struct.unpack("<25i", op.params)
        return _window_lag(w[0:4], w[8:12], w[12], w[13], w[16], w[17])
    if op.opcode in (_MAX_POOL, _AVG_POOL):
        w = struct.unpack(f"<{len(op.params) // 4}i", op.params)
        return _window_lag(w[0:4], w[4:8], w[8], w[9], w[12], w[13])
    if op.opcode in _ELEMENTWISE:
        return 0
    if op.opcode in _BINARY:
        w = struct.unpack(f"<{len(op.params) // 4}i", op.params)
        bc = w[_BINARY[op.opcode]:]
        ndim, dims, strides = bc[0], bc[1:7], bc[7:13]
        dense = 1
        for d in range(ndim - 1, -1, -1):  # the first operand read at the output's own index
            if dims[d] != 1 and strides[d] != dense:
                return None
            dense *= dims[d]
        return 0
    return None


@functools.lru_cache(maxsize=4096)
def _window_lag(ins, outs, sh, sw, pt, pl):
    (n, ih, iw, ic), (on, oh, ow, oc) = ins, outs
    if n != 1 or on != 1:
        return None
    r0 = np.clip(np.arange(oh, dtype=np.int64) * sh - pt, 0, ih)
    c0 = np.clip(np.arange(ow, dtype=np.int64) * sw - pl, 0, iw)
    start = ((r0[:, None] * iw + c0[None, :]) * ic).ravel()
    first = np.minimum.accumulate(start[::-1])[::-1]  # the first byte pixel p or a later one reads
    pixels = oh * ow
    written = np.minimum(np.arange(pixels, dtype=np.int64) + 2, pixels) * oc
    return int(max(0, int(np.max(written - first))))
