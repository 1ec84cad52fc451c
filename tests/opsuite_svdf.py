"""Op-suite generators of SVDF (see tests/opsuite.py), and a small SVDF
keyword model for the multi-invoke tests (tests/test_stateful.py)."""

import numpy as np

from converter.writer import ModelWriter


def _svdf_layer(m, rng, x, batches, size, s_in, state_int8, name="svdf", units=None, out_zp=None):
    """Adds an SVDF layer reading tensor x ([batches, size], scale s_in);
    returns (output tensor, its scale, units)."""
    memory = int(rng.integers(1, 13))
    rank = int(rng.integers(1, 4))
    units = units or int(rng.integers(1, 9))
    filters = units * rank
    wf = rng.integers(-127, 128, (filters, size)).astype(np.int8)
    s_wf = float(rng.uniform(0.002, 0.02))
    typ_dot = 75.0 * 64.0 * np.sqrt(size)  # a typical |sum of w * (x - zp)|
    limit = 60.0 if state_int8 else 9000.0
    s_state = s_in * s_wf * typ_dot / limit * float(rng.uniform(0.5, 2.0))
    st_type = "int8" if state_int8 else "int16"
    wt_hi = 127 if state_int8 else 2000
    wt = rng.integers(-wt_hi, wt_hi + 1, (filters, memory)).astype(np.int8 if state_int8 else np.int16)
    s_wt = float(rng.uniform(0.0005, 0.005))
    typ_out = limit * wt_hi * 0.6 * np.sqrt(memory * rank)
    s_out = s_state * s_wt * typ_out / 60.0 * float(rng.uniform(0.5, 2.0))
    state_zp = int(rng.integers(-20, 21)) if state_int8 else 0
    zo = int(rng.integers(-30, 31)) if out_zp is None else out_zp
    f = m.tensor(f"{name}/weights_feature", (filters, size), data=wf, scale=s_wf, zp=0)
    t = m.tensor(f"{name}/weights_time", (filters, memory), type=st_type, data=wt, scale=s_wt, zp=0)
    bias = -1
    # TFLM's Prepare dereferences the bias of an int8 state (its only oracle): always one there.
    if state_int8 or rng.random() < 0.8:
        b = rng.integers(-int(typ_out), int(typ_out) + 1, units).astype(np.int32)
        bias = m.tensor(f"{name}/bias", (units,), type="int32", data=b, scale=float(np.float32(s_state) * np.float32(s_wt)),
                        zp=0)
    st = m.tensor(f"{name}/state", (batches, filters * memory), type=st_type, scale=s_state, zp=state_zp,
                  variable=True)
    y = m.tensor(f"{name}/out", (batches, units), scale=s_out, zp=zo)
    # LiteRT's integer SVDF requires RELU and, as TFLM's, applies none.
    m.op("SVDF", [x, f, t, bias, st], [y], rank=rank, fused_activation_function="RELU")
    return y, s_out, units, f"memory {memory} rank {rank} units {units} bias {bias >= 0}"


def svdf(rng):
    """One SVDF layer, state int16 (LiteRT's and TFLM's) or, one config in
    four, int8 (TFLM only)."""
    batches, size = int(rng.integers(1, 4)), int(rng.integers(1, 25))
    s_in, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-40, 41))
    state_int8 = rng.random() < 0.25
    m = ModelWriter()
    x = m.tensor("x", (batches, size), scale=s_in, zp=zp)
    y, _, _, desc = _svdf_layer(m, rng, x, batches, size, s_in, state_int8)
    return m.finish([x], [y]), f"batches {batches} input {size} {desc} state {'int8' if state_int8 else 'int16'}"


def svdf_keyword_model(rng, state_int8=False):
    """A keyword spotter in the shape of TFLM's micro_speech SVDF models:
    a frame of 40 filterbank features per invoke -> SVDF -> SVDF ->
    FULLY_CONNECTED -> SOFTMAX over 4 words."""
    m = ModelWriter()
    s_in = 0.05
    x = m.tensor("features", (1, 40), scale=s_in, zp=-10)
    h1, s1, u1, _ = _svdf_layer(m, rng, x, 1, 40, s_in, state_int8, "svdf1", units=16)
    h2, s2, u2, _ = _svdf_layer(m, rng, h1, 1, u1, s1, state_int8, "svdf2", units=12)
    w = rng.integers(-127, 128, (4, u2)).astype(np.int8)
    # Logits of a few units (softmax neither flat nor saturated): a typical
    # accumulator (60 x 64 x sqrt(units)) worth 3.
    s_w = 3.0 / (s2 * 60 * 64 * np.sqrt(u2))
    wt = m.tensor("fc/weights", (4, u2), data=w, scale=s_w, zp=0)
    logits = m.tensor("logits", (1, 4), scale=0.075, zp=0)
    m.op("FULLY_CONNECTED", [h2, wt, -1], [logits])
    probs = m.tensor("probs", (1, 4), scale=1 / 256, zp=-128)
    m.op("SOFTMAX", [logits], [probs], beta=1.0)
    return m.finish([x], [probs])


GENERATORS = {"SVDF": svdf}
