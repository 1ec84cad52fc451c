"""UNIDIRECTIONAL_SEQUENCE_LSTM (runtime/ops/recurrent.c,
kernels/portable/lstm_s8.c): TFLite's integer "8x8_16" LSTM, int8
activations and weights, int16 cell state, as LiteRT's reference kernel
computes it, its Prepare's constants made here.

The oracle is LiteRT: it runs the integer LSTM when the model has the five
intermediates TFLite's converter writes, and its arithmetic differs from
TFLM's (gemmlowp's fixed-point logistic and tanh where TFLM interpolates a
fitted sigmoid table; the output state quantized with the effective hidden
intermediate's scale where TFLM takes the output state's). A model without
them LiteRT refuses; TFLM's table sprat does not ship, so such a model and
16x8 LSTMs (TFLM only) are refused.

The output state and the cell state are TFLite variables: ordinary inputs
of the op that its kernel updates in place, kept across invokes (STATE
tensors, planned by the converter)."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32

GATES = ("input", "forget", "cell", "output")
_INPUT_TO = (1, 2, 3, 4)  # TFLite's input indices (lstm_shared.h), gates in GATES order
_RECURRENT_TO = (5, 6, 7, 8)
_PEEPHOLE = (9, 10, 11)
_BIAS = (12, 13, 14, 15)
_PROJECTION = (16, 17)
_OUTPUT_STATE, _CELL_STATE = 18, 19
_LAYER_NORM = (20, 21, 22, 23)
_TANH = 4
_TABLE = "TFLM's kernel interpolates a sigmoid table of its own, fitted rather than the rounded function, which " \
         "sprat does not ship"


def _present(op, i):
    return i < len(op.inputs) and op.inputs[i] >= 0


def _wrap32(v):
    return ((int(v) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def _weight(L, op, i, rows, cols, what):
    w = L.tensor(op, i)
    if not w.is_const or tuple(w.shape) != (rows, cols):
        raise L.err(op, f"{what} weights must be a constant [{rows}, {cols}] tensor, not {list(w.shape)}", w.name)
    if w.quant.per_channel:
        raise L.err(op, f"{what} weights are quantized per channel: TFLite's integer LSTM takes one scale per "
                        "weight tensor", w.name)
    if w.quant.zp() != 0:
        raise L.err(op, f"{what} weights have zero point {w.quant.zp()}: TFLite's integer LSTM takes symmetric "
                        "weights", w.name)
    return w


def _state(L, op, i, types, n, what):
    if not _present(op, i):
        raise L.err(op, f"the {what} (input {i}) is missing")
    t = L.tensor(op, i, types=types)
    if not t.variable:
        raise L.err(op, f"the {what} must be a variable tensor (is_variable), as TFLite keeps it across invokes",
                    t.name)
    if t.quant.per_channel or t.count != n:
        raise L.err(op, f"the {what} must hold {n} values with one scale, not {list(t.shape)}", t.name)
    return t


def _multiplier(L, op, scale, what):
    if not np.isfinite(scale) or scale <= 0:
        raise L.err(op, f"the scales give the {what} a multiplier of {scale}")
    return quant.quantize_multiplier(float(scale))


def lstm(L, op):
    if L.is_int16(op):
        raise L.err(op, f"int16 activations (16x8) are not supported: only TFLM runs them, and {_TABLE}; int8 works",
                    op.inputs[0])
    if len(op.inputs) not in (20, 24):
        raise L.err(op, f"{len(op.inputs)} inputs: TFLite's LSTM takes 24 (or 20, without layer normalisation)")
    x = L.tensor(op, 0)
    out = L.output(op)
    if len(x.shape) != 3:
        raise L.err(op, f"input {list(x.shape)}: the LSTM takes a 3-D input [batch, time, features] "
                        "([time, batch, features] when time major)", x.name)
    if not (_present(op, 1) and _present(op, 5)):
        raise L.err(op, "CIFG (no input gate: input-to-input or recurrent-to-input weights absent) is not supported")
    for what, idx in (("peephole weights", _PEEPHOLE), ("projection weights", _PROJECTION),
                      ("layer normalisation coefficients", _LAYER_NORM)):
        given = [i for i in idx if _present(op, i)]
        if given:
            raise L.err(op, f"{what} (input {given[0]}) are not supported", op.inputs[given[0]])
    o = op.options
    if o.get("fused_activation_function", _TANH) != _TANH:
        raise L.err(op, f"cell activation {o.get('fused_activation_function')}: sprat runs TANH only (LiteRT's "
                        "integer kernel applies TANH whatever the option says, TFLM the option)")
    cell_clip, proj_clip = float(o.get("cell_clip", 0.0)), float(o.get("proj_clip", 0.0))
    if cell_clip < 0 or proj_clip < 0:
        raise L.err(op, f"negative clip (cell {cell_clip:g}, projection {proj_clip:g}): TFLite takes 0 (none) or more")
    time_major = bool(o.get("time_major", False))
    steps, batches, n_input = x.shape if time_major else (x.shape[1], x.shape[0], x.shape[2])

    shape = L.tensor(op, 4).shape  # TFLite takes the cell count from the input-to-output weights
    if len(shape) != 2:
        raise L.err(op, f"input-to-output weights {list(shape)}: TFLite takes [cells, features]", op.inputs[4])
    n_cell = shape[0]
    w_in = [_weight(L, op, i, n_cell, n_input, f"input-to-{g}") for i, g in zip(_INPUT_TO, GATES)]
    w_rec = [_weight(L, op, i, n_cell, n_cell, f"recurrent-to-{g}") for i, g in zip(_RECURRENT_TO, GATES)]
    biases = []
    for i, g in zip(_BIAS, GATES):
        if not _present(op, i):
            raise L.err(op, f"the {g} gate bias (input {i}) is missing")
        b = L.g.t(op.inputs[i])
        if b.type != ir.INT32 or not b.is_const or tuple(b.shape) != (n_cell,):
            raise L.err(op, f"the {g} gate bias must be a constant int32 vector of {n_cell} values", b.name)
        biases.append(b.data.astype(np.int64))
    h = _state(L, op, _OUTPUT_STATE, (ir.INT8,), batches * n_cell, "output state")
    c = _state(L, op, _CELL_STATE, (ir.INT16,), batches * n_cell, "cell state")
    want = tuple(x.shape[:2]) + (n_cell,)
    if tuple(out.shape) != want:
        raise L.err(op, f"output {list(out.shape)}: the LSTM makes {list(want)}", out.name)

    # LiteRT's integer path needs all five intermediates; the fifth, the
    # effective hidden state, is the quantization it gives h.
    inter = op.intermediates
    if len(inter) != 5 or inter[4] < 0:
        raise L.err(op, f"{len(inter)} intermediates: the integer LSTM needs the 5 TFLite's converter writes "
                        f"(LiteRT refuses the model without them, and {_TABLE})")
    hidden = L.g.t(inter[4])
    if hidden.quant is None or hidden.quant.per_channel:
        raise L.err(op, "the effective hidden intermediate (the fifth) needs one scale and zero point", hidden.name)
    if not -128 <= hidden.quant.zp() <= 127:
        raise L.err(op, f"the effective hidden intermediate's zero point {hidden.quant.zp()} is outside int8",
                    hidden.name)

    ok, cell_log2 = quant.checked_log2(c.quant.s())
    if not ok:
        raise L.err(op, f"cell state scale {c.quant.s():g} is not a power of two, as TFLite's integer LSTM needs",
                    c.name)
    if not -15 <= cell_log2 <= -9:
        # tanh of the cell state takes 15 + log2 integer bits: LiteRT's
        # kernel has 0 to 6 and leaves its output unwritten beyond.
        raise L.err(op, f"cell state scale 2^{cell_log2}: TFLite's integer LSTM takes 2^-15 to 2^-9", c.name)
    if c.quant.zp() != 0:
        raise L.err(op, f"cell state zero point {c.quant.zp()}: TFLite's integer LSTM takes 0", c.name)

    # PopulateQuantizedLstmParams8x8_16, in float32 as it computes them;
    # the gates' pre-activations in Q3.12 (no layer normalisation).
    f = np.float32
    gate_scale = f(2.0 ** -12)
    x_s, h_s = f(x.quant.s()), f(h.quant.s())
    mults, shifts = [], []
    for ws, src, kind in [(w, x_s, "input") for w in w_in] + [(w, h_s, "recurrent") for w in w_rec]:
        m, s = _multiplier(L, op, float(f(f(f(ws.quant.s()) * src) / gate_scale)), f"{kind} matmul of a gate")
        mults.append(m)
        shifts.append(s)
    hidden_scale = float(f(2.0 ** -15 / float(f(hidden.quant.s())) * 2.0 ** -15))
    hm, hsh = _multiplier(L, op, hidden_scale, "hidden state")
    clip = 0
    if cell_clip > 0:
        clip = int(max(min(f(f(cell_clip) / f(c.quant.s())), f(32767.0)), f(-32768.0)))

    # The zero points' terms, folded into the biases as LiteRT's Prepare
    # does (PrecomputeZeroPointTimesWeightWithBias), wrapping in int32.
    def folded(w, zp, b):
        return [_wrap32(bv + _wrap32(_wrap32(rs) * -zp)) for bv, rs in zip(b, w.data.astype(np.int64).sum(axis=1))]

    rows = [folded(w, x.quant.zp(), b) for w, b in zip(w_in, biases)]
    rows += [folded(w, h.quant.zp(), np.zeros(n_cell, np.int64)) for w in w_rec]
    bias = L.const_i32(f"{out.name}/lstm_bias", np.asarray(rows, np.int64).reshape(-1))

    params = i32(batches, steps, n_input, n_cell, 1 if time_major else 0, cell_log2, clip, hidden.quant.zp(), hm, hsh,
                 *mults, *shifts)
    L.emit(op, "UNIDIRECTIONAL_SEQUENCE_LSTM",
           [x.index] + [w.index for w in w_in] + [w.index for w in w_rec] + [bias, h.index, c.index], [out.index],
           params, macs=batches * steps * 4 * n_cell * (n_input + n_cell))


OPS = {
    "UNIDIRECTIONAL_SEQUENCE_LSTM": Lowers(
        lstm, ("int8",),
        note="int8 activations and weights, int16 cell state, as LiteRT computes it (the oracle: TFLM's arithmetic "
             "differs); state kept across invokes; needs TFLite's 5 intermediates; CIFG, peephole, projection, "
             "layer norm and int16 (16x8, TFLM's fitted table) refused"),
}
