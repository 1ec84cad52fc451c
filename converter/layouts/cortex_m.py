"""Layout ARMV7EM (kernels/cortex_m, the ARMv7E-M DSP library).

The bias is folded with the input offset, bias'[c] = bias[c] + input_offset
* sum(filter[c]), so kernels accumulate raw int8 products with SMLAD and
read padded taps as the input zero point. The filter keeps TFLite's order:
the kernels unpack filter and input bytes with the same SXTB16 pattern, so
the pairs they multiply already match. A layer whose folded bias or
accumulators could leave int32 stays in layout PLAIN (the library runs
that too, with the portable kernels).
"""

import numpy as np

from converter.layouts import plain

LAYOUT = 1
NAME = "cortex_m_dsp"
FAST_REQUANT = 1  # SPRAT_CONV_FAST_REQUANT


def _rows(w, kind):
    """The filter as [out_c, taps] int64 rows."""
    w = np.asarray(w, np.int64)
    if kind == "depthwise":  # [1, kh, kw, out_c]
        return w.reshape(-1, w.shape[-1]).T
    return w.reshape(w.shape[0], -1)


def conv(w, bias, shifts, input_offset, kind):
    rows = _rows(w, kind)
    oc = rows.shape[0]
    b = np.zeros(oc, np.int64) if bias is None else np.asarray(bias, np.int64)
    folded = b + int(input_offset) * rows.sum(axis=1)
    abs_w = np.abs(rows).sum(axis=1)
    # Kernels add raw products to the folded bias: every partial sum must
    # stay in int32 (|x| <= 128).
    if np.any(np.abs(folded) + 128 * abs_w >= 2**31):
        return plain.conv(w, bias, shifts, input_offset, kind)
    # The final accumulator equals TFLite's: bias + sum(w * (x + offset)).
    widest = max(abs(-128 + int(input_offset)), abs(127 + int(input_offset)))
    bound = np.abs(b) + widest * abs_w
    flags = 0
    if np.all(np.asarray(shifts) <= -1) and np.all(bound < 2**30):
        flags |= FAST_REQUANT
    return w, folded.astype(np.int32), LAYOUT, flags


def conv_scratch_bytes(p):
    """Twin of sprat_cm_conv2d_s8_get_buffer_size (kernels/cortex_m)."""
    return 0


def depthwise_scratch_bytes(p):
    """Twin of sprat_cm_depthwise_conv2d_s8_get_buffer_size."""
    return 0
