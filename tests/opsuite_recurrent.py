"""Op-suite generators of the recurrent family (see tests/opsuite.py):
UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite's converter quantizes it (int8
activations and weights, int16 cell state, int32 biases, the five
intermediates), and a small keyword-spotting model around one."""

import numpy as np

from converter.writer import ModelWriter

GATES = ("input", "forget", "cell", "output")


def lstm(m, rng, x, shape, n_cell, x_scale, time_major=False, cell_clip=0.0, name="lstm", hidden=None, gain=1.0,
         effective_hidden=None, legacy=False):
    """Adds a quantized LSTM on tensor x (int8, `shape` [batch, time,
    features] or [time, batch, features] when time_major) to m; returns
    (output tensor, its scale, its zero point).

    Scales as TFLite's converter calibrates them and so that the gates
    work in their range rather than saturate: the weights give each gate's
    pre-activation a spread of about 1.5 (in Q3.12, the range +-8), the
    hidden state h = o * tanh(c) is in (-1, 1), the cell state a power of
    two. `hidden`: (scale, zero point) of the output state, else drawn;
    `gain` scales the weights (beyond 2 the gates saturate);
    `effective_hidden`: the fifth intermediate's (scale, zero point), else
    the output state's; `legacy`: the 20 inputs of old models."""
    n_input = shape[-1]
    n_batch = shape[1] if time_major else shape[0]
    x_std = x_scale * 74.0  # the spread of uniform int8 data times its scale
    w_in = gain * 1.5 / (np.sqrt(n_input) * x_std * 73.0)
    h_scale, h_zp = hidden or (float(rng.uniform(0.004, 0.012)), int(rng.integers(-12, 13)))
    w_rec = gain * 1.2 / (np.sqrt(n_cell) * 0.5 * 73.0)
    ins = [x]
    for g in GATES:
        s = float(w_in * rng.uniform(0.5, 2.0))
        ins.append(m.tensor(f"{name}/input_to_{g}", (n_cell, n_input), data=rng.integers(-127, 128, (n_cell, n_input)),
                            scale=s, zp=0))
    for g in GATES:
        s = float(w_rec * rng.uniform(0.5, 2.0))
        ins.append(m.tensor(f"{name}/recurrent_to_{g}", (n_cell, n_cell),
                            data=rng.integers(-127, 128, (n_cell, n_cell)), scale=s, zp=0))
    ins += [-1, -1, -1]  # no peephole
    scales = m.tensors
    for k, g in enumerate(GATES):
        # The bias in the scale of the input matmul (input * weight scale),
        # within a gate pre-activation of +-2; the forget gate leans open
        # as Keras initialises it.
        bs = float(scales[x]["scale"][0] * scales[ins[1 + k]]["scale"][0])
        centre = 1.0 if g == "forget" else 0.0
        b = np.round((centre + rng.uniform(-1.0, 1.0, n_cell)) / bs)
        ins.append(m.tensor(f"{name}/{g}_gate_bias", (n_cell,), type="int32", data=b, scale=bs, zp=0))
    ins += [-1, -1]  # no projection
    ins.append(m.tensor(f"{name}/output_state", (n_batch, n_cell), scale=h_scale, zp=h_zp, variable=True))
    cell_pow = int(rng.choice([-15, -14, -13, -12, -12, -11, -11, -11, -10, -9]))
    ins.append(m.tensor(f"{name}/cell_state", (n_batch, n_cell), type="int16", scale=2.0 ** cell_pow, zp=0,
                        variable=True))
    if not legacy:
        ins += [-1, -1, -1, -1]  # no layer normalisation
    # TFLite's converter writes five empty intermediates: the four gates'
    # matmul outputs (float32, unquantized without layer normalisation)
    # and the effective hidden state h (int8), which LiteRT's kernel
    # quantizes h to: the output state's quantization.
    inter = [m.tensor(f"{name}/{g}_intermediate", (0,), type="float32") for g in GATES]
    e_scale, e_zp = effective_hidden or (h_scale, h_zp)
    inter.append(m.tensor(f"{name}/effective_hidden", (0,), scale=e_scale, zp=e_zp))
    out_shape = tuple(shape[:-1]) + (n_cell,)
    y = m.tensor(f"{name}/output", out_shape, scale=h_scale, zp=h_zp)
    m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, [y], intermediates=inter, fused_activation_function="TANH",
         cell_clip=float(cell_clip), proj_clip=0.0, time_major=bool(time_major))
    return y, h_scale, h_zp, cell_pow


def unidirectional_sequence_lstm(rng):
    batch, steps = int(rng.integers(1, 5)), int(rng.integers(1, 9))
    n_input, n_cell = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    if rng.random() < 0.2:  # sizes of real keyword and gesture models
        n_input, n_cell = int(rng.choice([10, 13, 20, 40])), int(rng.choice([16, 20, 32]))
    time_major = bool(rng.random() < 0.4)
    clip = float(rng.uniform(0.2, 4.0)) if rng.random() < 0.3 else 0.0  # often below the cell values
    x_scale, x_zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-30, 31))
    if rng.random() < 0.2:
        x_zp = int(rng.choice([-128, 127]))
    gain = float(rng.uniform(2.5, 6.0)) if rng.random() < 0.15 else 1.0
    # The fifth intermediate's quantization apart from the output state's:
    # LiteRT gives h the former's, and reads it back with the latter's.
    eff = (float(rng.uniform(0.004, 0.012)), int(rng.integers(-12, 13))) if rng.random() < 0.15 else None
    legacy = bool(rng.random() < 0.1)
    shape = (steps, batch, n_input) if time_major else (batch, steps, n_input)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=x_scale, zp=x_zp)
    y, _, _, cell_pow = lstm(m, rng, x, shape, n_cell, x_scale, time_major=time_major, cell_clip=clip, gain=gain,
                             effective_hidden=eff, legacy=legacy)
    desc = (f"{'time-major ' if time_major else ''}in {list(shape)} zp {x_zp} cells {n_cell} cell scale 2^{cell_pow}"
            + (f" clip {clip:.2f}" if clip else "") + (f" gain {gain:.1f}" if gain != 1 else "")
            + (f" effective hidden {eff[0]:.4f}/{eff[1]}" if eff else "") + (" 20 inputs" if legacy else ""))
    return m.finish([x], [y]), desc


def lstm_keyword_model(rng, steps=None):
    """A small keyword spotter as TFLite's converter writes one: int8
    features [1, T, F] (log-mel-like energies, zero point -128) -> LSTM ->
    RESHAPE [1, T * cells] -> FULLY_CONNECTED -> SOFTMAX. Its LSTM state
    carries over from one invoke (a window of T frames) to the next.
    Returns (tflite bytes, description)."""
    steps = steps or int(rng.integers(4, 17))
    n_feat, n_cell, n_class = int(rng.integers(8, 17)), int(rng.integers(8, 25)), int(rng.integers(2, 7))
    x_scale = float(rng.uniform(0.05, 0.15))  # energies of 0 to 20-40 on 256 steps
    shape = (1, steps, n_feat)
    m = ModelWriter()
    x = m.tensor("features", shape, scale=x_scale, zp=-128)
    y, h_scale, h_zp, _ = lstm(m, rng, x, shape, n_cell, x_scale, cell_clip=float(rng.choice([0.0, 10.0])),
                               hidden=(1 / 127.5, int(rng.integers(-3, 4))))
    depth = steps * n_cell
    flat = m.tensor("flat", (1, depth), scale=h_scale, zp=h_zp)
    m.op("RESHAPE", [y, m.tensor("flat/shape", (2,), type="int32", data=[1, depth])], [flat])
    w_s = 4.0 / (np.sqrt(depth) * 0.4 * 127 * 73)
    w = m.tensor("fc/weights", (n_class, depth), data=rng.integers(-127, 128, (n_class, depth)), scale=w_s, zp=0)
    b = m.tensor("fc/bias", (n_class,), type="int32", data=rng.integers(-2000, 2000, n_class), scale=h_scale * w_s,
                 zp=0)
    logits = m.tensor("logits", (1, n_class), scale=8.0 / 127, zp=0)
    m.op("FULLY_CONNECTED", [flat, w, b], [logits], fused_activation_function="NONE")
    probs = m.tensor("probs", (1, n_class), scale=1.0 / 256, zp=-128)
    m.op("SOFTMAX", [logits], [probs], beta=1.0)
    return m.finish([x], [probs]), (f"keyword model: {steps} frames of {n_feat} features, {n_cell} cells, "
                                    f"{n_class} classes")


GENERATORS = {
    "UNIDIRECTIONAL_SEQUENCE_LSTM": unidirectional_sequence_lstm,
}
