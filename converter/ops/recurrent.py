"""UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's integer LSTM (int8 weights, int16
cell state), its Prepare's constants made here, in two arithmetics.

LiteRT's (runtime/ops/recurrent.c, kernels/portable/lstm_s8.c): the int8
"8x8_16" LSTM with the five intermediates TFLite's converter writes, which
LiteRT's reference kernel runs and so is the oracle of: gemmlowp's
fixed-point logistic and tanh, the output state quantized with the
effective hidden intermediate's scale.

TFLM's (runtime/ops/lstm_tflm.c, kernels/portable/lstm_tflm.c): what LiteRT
refuses and TFLM runs, 16x8 LSTMs (int16 activations, int64 biases) and
int8 ones without the intermediates. TFLM's gates interpolate TFLite's
int16 sigmoid table (quant.SIGMOID_S16_TABLE, carried in the blob), its cell
and hidden updates are int16 Muls, the output state takes its own scale,
and any cell state scale goes (its tanh rounds the log2).

The output state and the cell state are TFLite variables: ordinary inputs
of the op that its kernel updates in place, kept across invokes (STATE
tensors, planned by the converter)."""

import numpy as np

from converter import ir, quant
from converter.errors import ConvertError
from converter.lower import Lowers, i32
from converter.ops.activations import sigmoid_s16_table

GATES = ("input", "forget", "cell", "output")
_INPUT_TO = (1, 2, 3, 4)  # TFLite's input indices (lstm_shared.h), gates in GATES order
_RECURRENT_TO = (5, 6, 7, 8)
_PEEPHOLE = (9, 10, 11)
_BIAS = (12, 13, 14, 15)
_PROJECTION = (16, 17)
_OUTPUT_STATE, _CELL_STATE = 18, 19
_LAYER_NORM = (20, 21, 22, 23)
_TANH = 4


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


def _variants(L, op):
    """The LSTM variants neither integer path runs, refused by name."""
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


def lstm(L, op):
    # LiteRT runs the int8 LSTM with TFLite's five intermediates; it refuses
    # 16x8 (int64 biases) and an int8 LSTM without them, which TFLM runs.
    # In a model only TFLM runs, TFLM's arithmetic (it ignores intermediates).
    if L.is_int16(op) or len(op.intermediates) != 5 or L.tflm_oracle:
        return lstm_tflm(L, op)
    if len(op.inputs) not in (20, 24):
        raise L.err(op, f"{len(op.inputs)} inputs: TFLite's LSTM takes 24 (or 20, without layer normalisation)")
    x = L.tensor(op, 0)
    out = L.output(op)
    if len(x.shape) != 3:
        raise L.err(op, f"input {list(x.shape)}: the LSTM takes a 3-D input [batch, time, features] "
                        "([time, batch, features] when time major)", x.name)
    _variants(L, op)
    o = op.options
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
    if inter[4] < 0:
        raise L.err(op, "the fifth intermediate (the effective hidden state) is absent: LiteRT's integer LSTM "
                        "quantizes the output state with it")
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


def _tflm_multiplier(L, op, real, what, max_shift=30):
    too_big = L.err(op, f"the scales give the {what} a multiplier of {real:g}: TFLM's "
                        f"{'64-bit ' if max_shift < 30 else ''}requantization takes below 2^{max_shift}")
    try:
        m, s = _multiplier(L, op, real, what)
    except ConvertError as e:
        if e.op_index is not None:
            raise
        raise too_big from None
    if s > max_shift:
        raise too_big
    return m, s


def lstm_tflm(L, op):
    """TFLM's integer LSTM (micro/kernels/lstm_eval.h): int8, or 16x8 with
    int64 biases; its Prepare's constants (lstm_eval_common.cc) made here.
    TFLM reads no intermediates."""
    wide = L.is_int16(op)
    act = ir.INT16 if wide else ir.INT8
    if len(op.inputs) != 24:
        raise L.err(op, f"{len(op.inputs)} inputs: TFLM's LSTM takes 24 (the 20 of old models it refuses)"
                    + ("" if wide else ", and LiteRT the model without TFLite's 5 intermediates"))
    x = L.tensor(op, 0, types=(act,))
    out = L.output(op, types=(act,))
    if len(x.shape) != 3:
        raise L.err(op, f"input {list(x.shape)}: the LSTM takes a 3-D input [batch, time, features] "
                        "([time, batch, features] when time major)", x.name)
    _variants(L, op)
    o = op.options
    cell_clip = float(np.float32(o.get("cell_clip", 0.0)))
    time_major = bool(o.get("time_major", False))
    steps, batches, n_input = x.shape if time_major else (x.shape[1], x.shape[0], x.shape[2])
    # TFLM takes the cell count from the output state's second dimension.
    if not _present(op, _OUTPUT_STATE):
        raise L.err(op, f"the output state (input {_OUTPUT_STATE}) is missing")
    hs = L.g.t(op.inputs[_OUTPUT_STATE]).shape
    if len(hs) != 2:
        raise L.err(op, f"output state {list(hs)}: TFLM takes [batch, cells]", op.inputs[_OUTPUT_STATE])
    n_cell = hs[1]
    w_in = [_weight(L, op, i, n_cell, n_input, f"input-to-{g}") for i, g in zip(_INPUT_TO, GATES)]
    w_rec = [_weight(L, op, i, n_cell, n_cell, f"recurrent-to-{g}") for i, g in zip(_RECURRENT_TO, GATES)]
    bias_type = ir.INT64 if wide else ir.INT32
    biases = []
    for i, g in zip(_BIAS, GATES):
        if not _present(op, i):
            raise L.err(op, f"the {g} gate bias (input {i}) is missing")
        b = L.g.t(op.inputs[i])
        if b.type != bias_type or not b.is_const or tuple(b.shape) != (n_cell,):
            why = " (TFLM reads a 16x8 LSTM's biases as int64, an int32 one beyond its end)" if wide else ""
            raise L.err(op, f"the {g} gate bias must be a constant {ir.TYPE_NAMES[bias_type]} vector of {n_cell} "
                            f"values{why}", b.name)
        biases.append([int(v) for v in b.data.astype(np.int64)])
    h = _state(L, op, _OUTPUT_STATE, (act,), batches * n_cell, "output state")
    c = _state(L, op, _CELL_STATE, (ir.INT16,), batches * n_cell, "cell state")
    want = tuple(x.shape[:2]) + (n_cell,)
    if tuple(out.shape) != want:
        raise L.err(op, f"output {list(out.shape)}: the LSTM makes {list(want)}", out.name)
    if c.quant.zp() != 0:
        raise L.err(op, f"cell state zero point {c.quant.zp()}: TFLM's integer LSTM takes 0", c.name)
    lo, hi = (-32768, 32767) if wide else (-128, 127)
    if not lo <= h.quant.zp() <= hi:
        raise L.err(op, f"output state zero point {h.quant.zp()} is outside its type", h.name)

    # CreateGateParams: each matmul's multiplier as its FULLY_CONNECTED's,
    # the product of the scales over the gates' Q3.12. The sources multiply
    # the float32 scales in float32; TFLM's build (tflite-micro
    # 0.dev20261023) multiplies them in double, as measured: 16x8's
    # 16-bit multipliers show it (test_recurrent.py checks a tie).
    f = np.float32
    max_shift = 7 if wide else 30  # 16x8's int64 requantization (MultiplyByQuantizedMultiplier)
    mults, shifts = [], []
    for ws, src, kind in [(w, x, "input") for w in w_in] + [(w, h, "recurrent") for w in w_rec]:
        real = float(f(src.quant.s())) * float(f(ws.quant.s())) / 2.0 ** -12
        m, sh = _tflm_multiplier(L, op, real, f"{kind} matmul of a gate", max_shift)
        mults.append(m)
        shifts.append(sh)
    # CreateInterGateMulParams: the Q0.15 gates' products, scales in double.
    cs, hsc = float(f(c.quant.s())), float(f(h.quant.s()))
    fm = _tflm_multiplier(L, op, 2.0 ** -15 * cs / cs, "forget gate x cell state")
    im = _tflm_multiplier(L, op, 2.0 ** -15 * 2.0 ** -15 / cs, "input gate x cell gate")
    hm = _tflm_multiplier(L, op, 2.0 ** -15 * 2.0 ** -15 / hsc, "output gate x tanh(cell state)")
    # CreateLstmCellStateInfo: the log2 of the cell scale, rounded (TFLM
    # takes any scale: its Muls use the scale itself, its tanh the power).
    power = quant.checked_log2(cs)[1]
    left = 12 + power
    if not -31 <= left <= 13:
        raise L.err(op, f"cell state scale {cs:g} (about 2^{power}): TFLM's tanh of the cell state takes 2^-43 "
                        "to 2^1 (its input rescale must fit 15 bits)", c.name)
    tanh_m, tanh_s = (3 << left, 0) if left >= 0 else (3, -left)
    clip = -1
    if cell_clip > 0:
        clip = int(max(min(cell_clip / cs, 32767.0), -32768.0))  # double, truncated to int16

    # The zero points' terms folded into the biases: TFLM sums
    # w * (x - zp) (int32 wrapping for int8, int64 for 16x8).
    wrap = (lambda v: ((v + (1 << 63)) % (1 << 64)) - (1 << 63)) if wide else _wrap32

    def folded(w, zp, b):
        return [wrap(bv - zp * int(rs)) for bv, rs in zip(b, w.data.astype(np.int64).sum(axis=1))]

    rows = [folded(w, x.quant.zp(), b) for w, b in zip(w_in, biases)]
    rows += [folded(w, h.quant.zp(), [0] * n_cell) for w in w_rec]
    flat = np.asarray([v for r in rows for v in r], np.int64)
    if wide:
        bias = L.g.add_tensor(f"{out.name}/lstm_bias", ir.INT64, flat.shape, None, flat).index
    else:
        bias = L.const_i32(f"{out.name}/lstm_bias", flat)
    table = sigmoid_s16_table(L, out)

    params = i32(batches, steps, n_input, n_cell, 1 if time_major else 0, clip, h.quant.zp(), tanh_m, tanh_s,
                 *fm, *im, *hm, *mults, *shifts)
    L.emit(op, "UNIDIRECTIONAL_SEQUENCE_LSTM_S16" if wide else "UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM",
           [x.index] + [w.index for w in w_in] + [w.index for w in w_rec] + [bias, table, h.index, c.index],
           [out.index], params, macs=batches * steps * 4 * n_cell * (n_input + n_cell))


OPS = {
    "UNIDIRECTIONAL_SEQUENCE_LSTM": Lowers(
        lstm, ("int8", "int16"),
        note="int8 weights, int16 cell state; state kept across invokes. int8 with TFLite's 5 intermediates as "
             "LiteRT computes it (the oracle); 16x8 (int64 biases) and int8 without the intermediates as TFLM "
             "computes it (LiteRT refuses them; TFLM's sigmoid table, its oracle); 24 inputs there. CIFG, "
             "peephole, projection and layer norm refused"),
}
