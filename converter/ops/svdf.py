"""SVDF (keyword spotters' time-filtered layers), int8 in and out: its
activation state is a TFLite variable, a STATE tensor the op updates in
place at every invoke (runtime/ops/svdf.c, kernels/portable/svdf_s8.c).
The state and time weights are int16 as TFLite's converter makes them, or
int8 as TFLM also runs them."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32


def svdf(L, op):
    if len(op.inputs) != 5:
        raise L.err(op, f"{len(op.inputs)} inputs: SVDF takes input, feature weights, time weights, bias, state")
    x, out = L.tensor(op, 0), L.output(op)
    wf = L.tensor(op, 1)
    wt = L.tensor(op, 2, (ir.INT16, ir.INT8))
    state = L.tensor(op, 4, (ir.INT16, ir.INT8))
    if not wf.is_const or not wt.is_const:
        raise L.err(op, "the feature and time weights must be constants", (wf if not wf.is_const else wt).name)
    if not state.variable:
        raise L.err(op, "input 4, the activation state, must be a variable tensor (TFLite's is_variable)", state.name)
    if wt.type != state.type:
        raise L.err(op, f"time weights of type {ir.TYPE_NAMES[wt.type]} with a state of type "
                        f"{ir.TYPE_NAMES[state.type]}: they must be the same", wt.name)
    rank = int(op.options.get("rank", 0))
    if len(x.shape) != 2 or len(wf.shape) != 2 or len(wt.shape) != 2 or len(state.shape) != 2 or len(out.shape) != 2:
        raise L.err(op, "input, weights, state and output must be 2-D")
    batches, size = x.shape
    filters, memory = wt.shape
    if rank < 1 or filters % rank:
        raise L.err(op, f"rank {rank} does not divide the {filters} filters")
    units = filters // rank
    if wf.shape != (filters, size):
        raise L.err(op, f"feature weights {list(wf.shape)}, expected {[filters, size]}", wf.name)
    if state.shape != (batches, filters * memory):
        raise L.err(op, f"state {list(state.shape)}, expected {[batches, filters * memory]}", state.name)
    if out.shape != (batches, units):
        raise L.err(op, f"output {list(out.shape)}, expected {[batches, units]}", out.name)
    for t in (wf, wt):
        if t.quant.per_channel:
            raise L.err(op, "per-channel quantized weights are not supported (TFLite's SVDF takes one scale)", t.name)
    bias = L.bias(op, 3, units)
    s_in, s_wf, s_wt = np.float32(x.quant.s()), np.float32(wf.quant.s()), np.float32(wt.quant.s())
    s_state, s_out = np.float32(state.quant.s()), np.float32(out.quant.s())
    if bias >= 0:
        b = L.g.t(bias)
        # TFLM's Prepare requires it: the bias is in the time matmul's scale.
        if b.quant is not None and abs(float(b.quant.s()) - float(np.float32(s_state * s_wt))) >= 1e-5:
            raise L.err(op, f"bias scale {b.quant.s():g} is not the state's times the time weights' "
                            f"({float(s_state * s_wt):g})", b.name)
    if state.type == ir.INT16 and state.quant.zp() != 0:
        raise L.err(op, f"an int16 state must have zero point 0, not {state.quant.zp()}", state.name)
    # Float32 products, as TFLite's Prepare computes them, then QuantizeMultiplier.
    m1, sh1 = quant.quantize_multiplier(quant.f32(quant.f32(s_in * s_wf) / s_state))
    m2, sh2 = quant.quantize_multiplier(quant.f32(quant.f32(s_state * s_wt) / s_out))
    params = i32(batches, size, filters, rank, memory, -x.quant.zp(), state.quant.zp(), out.quant.zp(),
                 m1, sh1, m2, sh2, int(state.type == ir.INT8))
    op.options.pop("fused_activation_function", None)  # not applied: the layer is named as what it computes
    scratch = L.g.add_tensor(f"{out.name}/scratch", ir.INT8, (batches * (filters + units) * 4,))
    L.emit(op, "SVDF", [x.index, wf.index, wt.index, bias, state.index], [out.index], params,
           macs=batches * filters * (size + memory), scratch=[scratch.index])


OPS = {
    "SVDF": Lowers(svdf, ("int8",), note="state int16 (TFLite) or int8 (TFLM), kept across invokes; "
                                         "int8's fused activation is ignored, as TFLite's integer kernel does"),
}
