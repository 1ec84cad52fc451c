"""Op-suite generators for the ops whose arithmetic differs between LiteRT
and TFLM (see tests/opsuite.py): `<GENERATOR>_TFLM_ORACLE` is the op's own
generator, its model given one more input and output through a TFLM-only
op (CUSTOM:SignalDelay of length 0, a copy), so that LiteRT refuses the
model, TFLM is the oracle (reference.run falls back to it) and the
converter lowers the op as TFLM computes it (converter/lower.py
tflm_only)."""

import contextlib

import numpy as np

from converter.writer import ModelWriter

# The generators whose op computes differently in TFLM (docs/ops.md, "Models
# only TFLM runs"), with the share of their configs that differ from LiteRT.
DIFFERING = [
    "FULLY_CONNECTED",  # rounds twice (LiteRT once): ~1 value in 1,000
    "FULLY_CONNECTED_INT4",
    "FULLY_CONNECTED_INT16",  # a quantized multiplier (LiteRT: double)
    "ADD_INT16", "SUB_INT16",  # no power-of-two scheme
    "MUL", "MUL_INT16",  # the multiplier in double (LiteRT: float32)
    "RELU6", "RELU6_INT16",  # a clamp on the input's scale
    "SPACE_TO_BATCH_ND",  # pads with 0, not the zero point
    "ADD_RAW",  # int32 ADD ignores the fused activation
    "EMBEDDING_LOOKUP_HYBRID",  # the first scale for every row
    "UNIDIRECTIONAL_SEQUENCE_LSTM",  # TFLM's LSTM, intermediates ignored
]


@contextlib.contextmanager
def tflm_only_op():
    """Every model finished inside gets a SignalDelay, on an int16 input and
    output of its own, after the model's own inputs and outputs."""
    finish = ModelWriter.finish

    def with_delay(self, inputs, outputs):
        d_in = self.tensor("tflm_only_in", (1, 3), type="int16")
        d_out = self.tensor("tflm_only_out", (1, 3), type="int16")
        self.custom_op("SignalDelay", [d_in], [d_out], delay_length=0)
        return finish(self, list(inputs) + [d_in], list(outputs) + [d_out])

    ModelWriter.finish = with_delay
    try:
        yield
    finally:
        ModelWriter.finish = finish


def _int8_rank4(desc):
    """TFLM's SPACE_TO_BATCH_ND: int8 (or float32) of rank 3 or 4."""
    return " int8 " in desc and desc.count(",", 0, desc.index("]")) <= 3


# Configurations TFLM runs, where the generator draws others too.
TFLM_RUNS = {"SPACE_TO_BATCH_ND": _int8_rank4,
             "UNIDIRECTIONAL_SEQUENCE_LSTM": lambda desc: "20 inputs" not in desc}  # TFLM takes 24


def _oracle(generator, runs=None):
    def gen(rng):
        with tflm_only_op():
            for _ in range(100):
                data, desc = generator(rng)
                if runs is None or runs(desc):
                    break
        return data, desc + " (TFLM-only op beside it)"
    return gen


def fully_connected_per_channel(rng):
    """Per-channel int8 filters (the op suite's FULLY_CONNECTED is
    per-tensor), often with outputs of many units."""
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 80)), int(rng.integers(1, 48))
    in_s, in_zp = float(rng.uniform(0.01, 0.12)), int(rng.integers(-128, 128))
    w_s = rng.uniform(0.002, 0.02, units)
    amp = np.sqrt(depth) * 60 * in_s * 70 * float(w_s.mean())
    out_s, out_zp = amp / float(rng.uniform(60, 120)), int(rng.integers(-15, 16))
    m = ModelWriter()
    x = m.tensor("x", (batches, depth), scale=in_s, zp=in_zp)
    w = m.tensor("w", (units, depth), scale=w_s, zp=np.zeros(units, np.int64), axis=0,
                 data=rng.integers(-127, 128, (units, depth)))
    bias = m.tensor("b", (units,), type="int32", data=rng.integers(-3000, 3000, units),
                    scale=in_s * w_s, zp=np.zeros(units, np.int64), axis=0)
    y = m.tensor("y", (batches, units), scale=out_s, zp=out_zp)
    m.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function="NONE")
    return m.finish([x], [y]), f"batches {batches} depth {depth} units {units} per-channel"


def generators(base):
    """The TFLM-oracle twins of base's generators named in DIFFERING."""
    out = {f"{name}_TFLM_ORACLE": _oracle(base[name], TFLM_RUNS.get(name)) for name in DIFFERING if name in base}
    out["FULLY_CONNECTED_PER_CHANNEL_TFLM_ORACLE"] = _oracle(fully_connected_per_channel)
    return out
