"""Op-suite generators of the recurrent family (see tests/opsuite.py):
UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite's converter quantizes it (int8
activations and weights, int16 cell state, int32 biases, the five
intermediates), and a small keyword-spotting model around one."""

import numpy as np

from converter.writer import ModelWriter

GATES = ("input", "forget", "cell", "output")


def lstm(m, rng, x, shape, n_cell, x_scale, time_major=False, cell_clip=0.0, name="lstm", hidden=None, gain=1.0,
         effective_hidden=None, legacy=False, act="int8", intermediates=True, cell_scale=None):
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
    the output state's; `legacy`: the 20 inputs of old models.

    TFLM's cases: `act` "int16" for a 16x8 LSTM (int16 activations and
    output state, int64 biases); `intermediates` False for none (TFLite's
    converter writes them; TFLM reads none); `cell_scale` the cell state's
    scale (TFLM takes any, rounding its log2 for tanh), else a drawn power
    of two."""
    n_input = shape[-1]
    n_batch = shape[1] if time_major else shape[0]
    wide = act == "int16"
    # The spread of the drawn data (uniform int8, or int16 over its whole
    # range) times its scale.
    x_std = x_scale * (18919.0 if wide else 74.0)
    w_in = gain * 1.5 / (np.sqrt(n_input) * x_std * 73.0)
    if wide:  # h in (-1, 1) over int16, symmetric as TFLite's converter makes it
        h_scale, h_zp = hidden or (float(rng.uniform(1.0, 2.5)) / 32768, 0)
    else:
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
        ins.append(m.tensor(f"{name}/{g}_gate_bias", (n_cell,), type="int64" if wide else "int32", data=b, scale=bs,
                            zp=0))
    ins += [-1, -1]  # no projection
    ins.append(m.tensor(f"{name}/output_state", (n_batch, n_cell), type=act, scale=h_scale, zp=h_zp, variable=True))
    cell_pow = int(rng.choice([-15, -14, -13, -12, -12, -11, -11, -11, -10, -9]))
    ins.append(m.tensor(f"{name}/cell_state", (n_batch, n_cell), type="int16", scale=cell_scale or 2.0 ** cell_pow,
                        zp=0, variable=True))
    if not legacy:
        ins += [-1, -1, -1, -1]  # no layer normalisation
    # TFLite's converter writes five empty intermediates: the four gates'
    # matmul outputs (float32, unquantized without layer normalisation)
    # and the effective hidden state h (int8), which LiteRT's kernel
    # quantizes h to: the output state's quantization.
    inter = None
    if intermediates:
        inter = [m.tensor(f"{name}/{g}_intermediate", (0,), type="float32") for g in GATES]
        e_scale, e_zp = effective_hidden or (h_scale, h_zp)
        inter.append(m.tensor(f"{name}/effective_hidden", (0,), type=act, scale=e_scale, zp=e_zp))
    out_shape = tuple(shape[:-1]) + (n_cell,)
    y = m.tensor(f"{name}/output", out_shape, type=act, scale=h_scale, zp=h_zp)
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


def _tflm_lstm(rng, act):
    """An LSTM only TFLM runs: 16x8 (act "int16"), or int8 without the
    intermediates. TFLM takes any cell state scale (a power of two mostly,
    as TFLite's converter makes it), the cell gate's activation from the
    options (TANH, the only one a model can name that it runs), and only
    the 24 inputs."""
    batch, steps = int(rng.integers(1, 4)), int(rng.integers(1, 7))
    n_input, n_cell = int(rng.integers(1, 21)), int(rng.integers(1, 17))
    time_major = bool(rng.random() < 0.5)
    clip = float(rng.uniform(0.2, 4.0)) if rng.random() < 0.3 else 0.0
    wide = act == "int16"
    if wide:
        x_scale, x_zp = float(rng.uniform(0.2, 4.0)) / 32768, 0
    else:
        x_scale, x_zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-30, 31))
        if rng.random() < 0.2:
            x_zp = int(rng.choice([-128, 127]))
    gain = float(rng.uniform(2.5, 6.0)) if rng.random() < 0.15 else 1.0
    cell_pow = int(rng.choice([-15, -14, -13, -12, -11, -11, -10, -9, -8]))
    cell_scale = 2.0 ** cell_pow * (float(rng.uniform(0.6, 1.6)) if rng.random() < 0.2 else 1.0)
    inter = wide and rng.random() < 0.5  # TFLite's converter writes them for 16x8 too; TFLM reads none
    hidden = None
    if not wide and rng.random() < 0.15:
        hidden = (float(rng.uniform(0.004, 0.012)), int(rng.choice([-128, 127])))
    if wide and rng.random() < 0.1:  # TFLite's converter makes int16 symmetric; TFLM takes zero points too
        x_zp = int(rng.integers(-3000, 3001))
        hidden = (float(rng.uniform(1.0, 2.5)) / 32768, int(rng.integers(-3000, 3001)))
    shape = (steps, batch, n_input) if time_major else (batch, steps, n_input)
    m = ModelWriter()
    x = m.tensor("x", shape, type=act, scale=x_scale, zp=x_zp)
    y, _, _, _ = lstm(m, rng, x, shape, n_cell, x_scale, time_major=time_major, cell_clip=clip, gain=gain,
                      hidden=hidden, act=act, intermediates=inter, cell_scale=cell_scale)
    desc = (f"{act} {'time-major ' if time_major else ''}in {list(shape)} zp {x_zp} cells {n_cell} cell scale "
            f"{cell_scale:.3g} (2^{np.log2(cell_scale):.2f})" + (f" clip {clip:.2f}" if clip else "")
            + (f" gain {gain:.1f}" if gain != 1 else "")
            + (" intermediates" if inter else "") + (f" hidden zp {hidden[1]}" if hidden else ""))
    return m.finish([x], [y]), desc


def unidirectional_sequence_lstm_int16(rng):
    return _tflm_lstm(rng, "int16")


def unidirectional_sequence_lstm_tflm(rng):
    return _tflm_lstm(rng, "int8")


def lstm_keyword_model(rng, steps=None, intermediates=True):
    """A small keyword spotter as TFLite's converter writes one: int8
    features [1, T, F] (log-mel-like energies, zero point -128) -> LSTM ->
    RESHAPE [1, T * cells] -> FULLY_CONNECTED -> SOFTMAX. Its LSTM state
    carries over from one invoke (a window of T frames) to the next.
    Without `intermediates` its LSTM is TFLM's (LiteRT refuses it).
    Returns (tflite bytes, description)."""
    steps = steps or int(rng.integers(4, 17))
    n_feat, n_cell, n_class = int(rng.integers(8, 17)), int(rng.integers(8, 25)), int(rng.integers(2, 7))
    x_scale = float(rng.uniform(0.05, 0.15))  # energies of 0 to 20-40 on 256 steps
    shape = (1, steps, n_feat)
    m = ModelWriter()
    x = m.tensor("features", shape, scale=x_scale, zp=-128)
    y, h_scale, h_zp, _ = lstm(m, rng, x, shape, n_cell, x_scale, cell_clip=float(rng.choice([0.0, 10.0])),
                               hidden=(1 / 127.5, int(rng.integers(-3, 4))), intermediates=intermediates)
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


def lstm_stream_model_int16(rng, steps=None):
    """A 16x8 model for streams of invokes (TFLM runs it, LiteRT refuses its
    LSTM): int16 features [1, T, F] -> LSTM (int64 biases) -> RESHAPE
    [1, T * cells] -> FULLY_CONNECTED (int64 bias): TFLM is the model's
    oracle, so its 16x8 FULLY_CONNECTED takes TFLM's requantization (a
    quantized multiplier), not LiteRT's (in double). Returns (tflite bytes,
    description)."""
    steps = steps or int(rng.integers(4, 13))
    n_feat, n_cell = int(rng.integers(8, 17)), int(rng.integers(8, 17))
    x_scale = float(rng.uniform(0.5, 2.0)) / 32768
    shape = (1, steps, n_feat)
    m = ModelWriter()
    x = m.tensor("features", shape, type="int16", scale=x_scale, zp=0)
    y, h_scale, _, _ = lstm(m, rng, x, shape, n_cell, x_scale, cell_clip=float(rng.choice([0.0, 10.0])),
                            act="int16", intermediates=False)
    depth = steps * n_cell
    flat = m.tensor("flat", (1, depth), type="int16", scale=h_scale, zp=0)
    m.op("RESHAPE", [y, m.tensor("flat/shape", (2,), type="int32", data=[1, depth])], [flat])
    n_class = int(rng.integers(2, 9))
    w_s = rng.uniform(0.002, 0.02, n_class) if rng.random() < 0.5 else float(rng.uniform(0.002, 0.02))
    w = m.tensor("fc/weights", (n_class, depth), data=rng.integers(-127, 128, (n_class, depth)), scale=w_s,
                 zp=np.zeros(np.size(w_s)), axis=0)
    b = m.tensor("fc/bias", (n_class,), type="int64", data=rng.integers(-2**18, 2**18, n_class),
                 scale=h_scale * np.broadcast_to(w_s, (n_class,)), zp=np.zeros(n_class))
    amp = np.sqrt(depth) * 0.3 * 60 * float(np.mean(w_s))
    logits = m.tensor("logits", (1, n_class), type="int16", scale=amp / 16000, zp=0)
    m.op("FULLY_CONNECTED", [flat, w, b], [logits], fused_activation_function="NONE")
    return m.finish([x], [logits]), (f"16x8 stream model: {steps} frames of {n_feat} features, {n_cell} cells, "
                                     f"{n_class} classes")


GENERATORS = {
    "UNIDIRECTIONAL_SEQUENCE_LSTM": unidirectional_sequence_lstm,
    "UNIDIRECTIONAL_SEQUENCE_LSTM_INT16": unidirectional_sequence_lstm_int16,
    "UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM": unidirectional_sequence_lstm_tflm,
}
