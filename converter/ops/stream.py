"""Streaming models' custom op CIRCULAR_BUFFER (TFLM's): the output keeps
the last `slots` frames, a STATE tensor; a counter, another STATE, makes
the layer end the invoke until `cycles_max` frames have come
(runtime/ops/circular_buffer.c, SPRAT_WAITING)."""

import numpy as np

from converter import blob as blobfmt
from converter import ir
from converter.lower import Lowers, i32


def _tflm_default_cycles(L, op):
    """cycles_max <= 0: TFLM's Prepare picks 1 or 2 from the output's shape
    and from how many such layers were prepared before (its counter is a
    static of the process; here it counts this model's layers in order)."""
    count = 0
    for other in L.g.ops:
        if other.name != op.name or int(other.options.get("cycles_max", 0)) > 0:
            continue
        count += 1
        shape = L.g.t(other.outputs[0]).shape
        one = shape[1] in (5, 13, 25) or (count == 5 and shape[2] == 2 and shape[3] == 96)
        if one:
            count = 0
        if other is op:
            return 1 if one else 2
    return 2


def circular_buffer(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    if len(x.shape) != 4 or len(out.shape) != 4:
        raise L.err(op, "input and output must be 4-D ([1, 1, h, w] frames into [1, slots, h, w])")
    if x.shape[0] != 1 or out.shape[0] != 1 or x.shape[1] != 1 or x.shape[2:] != out.shape[2:]:
        raise L.err(op, f"input {list(x.shape)} and output {list(out.shape)}: TFLM's kernel takes a [1, 1, h, w] "
                        "frame into [1, slots, h, w]")
    if (x.quant.s(), x.quant.zp()) != (out.quant.s(), out.quant.zp()):
        raise L.err(op, "input and output quantization differ (the op copies bytes)", out.name)
    cycles = int(op.options.get("cycles_max", 0))
    if cycles <= 0:
        cycles = _tflm_default_cycles(L, op)
    slots, depth = out.shape[1], out.shape[2] * out.shape[3]
    counter = L.g.add_tensor(f"{out.name}/cycles", ir.INT32, (3,))
    counter.variable = True
    counter.init = np.array([cycles, cycles, 0], np.int32)  # cycles until run, cycles_max, stopped
    buf = out
    if out.index in L.g.outputs:  # a model output is never a state: the history is one, copied out
        buf = L.g.add_tensor(f"{out.name}/history", out.type, out.shape, out.quant)
        out.variable = False
    buf.variable = True  # the frames stay from invoke to invoke (a variable tensor in TFLM's models too)
    L.emit(op, "CIRCULAR_BUFFER", [counter.index, x.index], [buf.index], i32(slots, depth), name="CIRCULAR_BUFFER")
    L.ops[-1].flags |= blobfmt.OPF_MAY_STOP
    if buf is not out:
        L.copy_op(op, buf, out)


OPS = {
    "CUSTOM:CIRCULAR_BUFFER": Lowers(circular_buffer, ("int8",),
                                     note="kept across invokes; stops the invoke until cycles_max frames came "
                                          "(SPRAT_WAITING)"),
}
