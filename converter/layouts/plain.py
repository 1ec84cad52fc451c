"""Layout PLAIN (the portable kernels): TFLite's filter order, the bias as
the model has it, no scratch."""

LAYOUT = 0
NAME = "portable"


def conv(w, bias, mults, shifts, input_offset, output_offset, kind):
    """(filter, bias or None, layout, flags, multipliers, shifts) for a
    CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED layer; `kind` is "conv",
    "depthwise" or "fc"."""
    return w, bias, LAYOUT, 0, mults, shifts


def conv_scratch_bytes(p):
    return 0


def depthwise_scratch_bytes(p):
    return 0
