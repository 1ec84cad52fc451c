"""UNIDIRECTIONAL_SEQUENCE_LSTM beyond the op suite's single invokes: its
state carried across invokes (a keyword model streaming frames, reset in
the middle), the refusals naming what is unsupported, and crafted records
the runtime turns down. LiteRT's int8 LSTM (with TFLite's intermediates)
and TFLM's (16x8, or int8 without them) alike."""

import numpy as np
import pytest

import opsuite_recurrent as R
from converter.convert import convert
from converter.errors import ConvertError
from converter.lower import OPCODES
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference
from test_fused import _patched

LSTM = OPCODES["UNIDIRECTIONAL_SEQUENCE_LSTM"]
LSTM_TFLM, LSTM_S16 = OPCODES["UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM"], OPCODES["UNIDIRECTIONAL_SEQUENCE_LSTM_S16"]


def _stream(r, n, seed):
    return [reference.random_inputs(r, seed * 1000 + k) for k in range(n)]


@pytest.mark.parametrize("seed", range(4))
def test_keyword_model_keeps_its_state_across_invokes(host, seed):
    data, desc = R.lstm_keyword_model(np.random.default_rng([51, seed]))
    r = convert(data)
    steps = _stream(r, 20, seed)
    want = reference.run_litert_steps(data, steps)
    got = H.run_result_steps(host, r, steps)
    for k, (g, w) in enumerate(zip(got, want)):
        assert np.array_equal(g[0], w[0]), f"{desc}: invoke {k}: {g[0]} != {w[0]}"
    assert len({w[0].tobytes() for w in want}) > 1, f"{desc}: the same answer for every window"


def test_reset_state_starts_the_stream_again(host):
    data, desc = R.lstm_keyword_model(np.random.default_rng(7), steps=6)
    r = convert(data)
    steps = _stream(r, 12, 3)
    got = H.run_result_steps(host, r, steps, reset_at=5)
    want = reference.run_litert_steps(data, steps[:5]) + reference.run_litert_steps(data, steps[5:])
    assert all(np.array_equal(g[0], w[0]) for g, w in zip(got, want)), desc


def test_lstm_alone_over_invokes(host):
    """The op's own output (the whole sequence) over invokes, both layouts;
    the same input twice in a row gives another output (the state)."""
    stateful = 0
    for k in range(8):
        data, desc = R.unidirectional_sequence_lstm(np.random.default_rng([52, k]))
        r = convert(data)
        steps = _stream(r, 4, k)
        steps.insert(2, steps[1])
        want = reference.run_litert_steps(data, steps)
        got = H.run_result_steps(host, r, steps)
        assert all(np.array_equal(g[0], w[0]) for g, w in zip(got, want)), desc
        stateful += not np.array_equal(want[1][0], want[2][0])
    assert stateful >= 6, stateful


@pytest.mark.parametrize("gen", ["UNIDIRECTIONAL_SEQUENCE_LSTM_INT16", "UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM"])
def test_tflm_lstm_alone_over_invokes(host, gen):
    """TFLM's LSTMs (16x8; int8 without intermediates) over 20 invokes in a
    row against TFLM's interpreter, both layouts; the same input twice in a
    row gives another output (the state)."""
    stateful = 0
    for k in range(6):
        data, desc = R.GENERATORS[gen](np.random.default_rng([53, k]))
        r = convert(data)
        steps = _stream(r, 19, k)
        steps.insert(2, steps[1])
        want = reference.run_tflm_steps(data, steps)
        got = H.run_result_steps(host, r, steps)
        for i, (g, w) in enumerate(zip(got, want)):
            assert np.array_equal(g[0], w[0]), f"{desc}: invoke {i}"
        stateful += not np.array_equal(want[1][0], want[2][0])
    assert stateful >= 5, stateful


def test_16x8_stream_keeps_its_state_across_invokes(host):
    for seed in range(3):
        data, desc = R.lstm_stream_model_int16(np.random.default_rng([54, seed]))
        r = convert(data)
        steps = _stream(r, 20, seed)
        want, oracle = reference.run_steps_with_oracle(data, steps)
        assert oracle == reference.TFLM
        got = H.run_result_steps(host, r, steps)
        for k, (g, w) in enumerate(zip(got, want)):
            assert np.array_equal(g[0], w[0]), f"{desc}: invoke {k}"
        assert len({w[0].tobytes() for w in want}) > 10, desc
    # sprat_reset_state starts the stream again, as a new interpreter does.
    got = H.run_result_steps(host, r, steps, reset_at=7)
    want = reference.run_tflm_steps(data, steps[:7]) + reference.run_tflm_steps(data, steps[7:])
    assert all(np.array_equal(g[0], w[0]) for g, w in zip(got, want)), desc


def test_keyword_model_without_intermediates_streams(host):
    """The int8 keyword model, its LSTM without the intermediates: TFLM's
    LSTM (and TFLM the model's oracle), 20 invokes in a row."""
    for seed in range(3):
        data, desc = R.lstm_keyword_model(np.random.default_rng([55, seed]), intermediates=False)
        r = convert(data)
        assert LSTM_TFLM in [op.opcode for op in r.ops]
        steps = _stream(r, 20, seed)
        want, oracle = reference.run_steps_with_oracle(data, steps)
        assert oracle == reference.TFLM
        got = H.run_result_steps(host, r, steps)
        for k, (g, w) in enumerate(zip(got, want)):
            assert np.array_equal(g[0], w[0]), f"{desc}: invoke {k}"


def test_tflm_multiplies_the_matmul_scales_in_double(host):
    """16x8 requantizes each gate's matmul with a 16-bit multiplier, so the
    last bits of the scale product show: TFLM's build multiplies the two
    float32 scales in double (its sources, in float32). A model whose input
    scale times an input weight scale differs between the two there."""
    from converter import quant
    f, rng = np.float32, np.random.default_rng(3)
    while True:
        xs, ws = f(rng.uniform(0.5, 2.0) / 32768), f(rng.uniform(0.5, 2.0) * 0.0005)
        single = quant.quantize_multiplier(float(f(xs * ws)) / 2.0 ** -12)[0]
        double = quant.quantize_multiplier(float(xs) * float(ws) / 2.0 ** -12)[0]
        if (single + (1 << 15)) >> 16 != (double + (1 << 15)) >> 16:
            break
    m = ModelWriter()
    shape = (3, 4, 12)
    x = m.tensor("x", shape, type="int16", scale=float(xs), zp=0)
    real = m.tensor

    def tensor(name, shp, **kw):  # every input weight at the scale found
        if "/input_to_" in name:
            kw["scale"] = float(ws)
        return real(name, shp, **kw)
    m.tensor = tensor
    y = R.lstm(m, rng, x, shape, 9, float(xs), act="int16", intermediates=False)[0]
    m.tensor = real
    data = m.finish([x], [y])
    r = convert(data)
    for k in range(6):
        inputs = reference.random_inputs(r, k)
        assert np.array_equal(H.run_result(host, r, inputs)[0], reference.run_tflm(data, inputs)[0]), k


def _model(edit=None, **kw):
    """A small LSTM with tensors and options edited by `edit(m, ins, inter, opts)`."""
    m = ModelWriter()
    shape = kw.get("shape", (2, 3, 4))
    x = m.tensor("x", shape, type=kw.get("type", "int8"), scale=0.05, zp=0 if kw.get("type") == "int16" else 3)
    real_op = m.op
    captured = {}

    def op(name, ins, outs, intermediates=None, **opts):
        captured.update(ins=list(ins), inter=list(intermediates or []), opts=opts, outs=outs)

    m.op = op
    act = kw.get("type", "int8")
    R.lstm(m, np.random.default_rng(1), x, shape, 5, 0.05, act=act, intermediates=kw.get("intermediates", True))
    m.op = real_op
    ins, inter, opts = captured["ins"], captured["inter"], captured["opts"]
    if edit:
        edit(m, ins, inter, opts)
    m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, captured["outs"], intermediates=inter or None, **opts)
    return m.finish([x], captured["outs"])


def _weights(m, name, shape, **kw):
    return m.tensor(name, shape, data=np.ones(shape), scale=0.01, zp=0, **kw)


REFUSALS = {
    "CIFG": (lambda m, i, n, o: i.__setitem__(1, -1), "CIFG"),
    "peephole": (lambda m, i, n, o: i.__setitem__(10, m.tensor("p", (5,), type="int16", data=np.ones(5), scale=0.01,
                                                                zp=0)), "peephole weights"),
    "projection": (lambda m, i, n, o: i.__setitem__(16, _weights(m, "proj", (5, 5))), "projection weights"),
    "layer norm": (lambda m, i, n, o: i.__setitem__(21, m.tensor("ln", (5,), type="int16", data=np.ones(5),
                                                                 scale=0.01, zp=0)), "layer normalisation"),
    "no effective hidden": (lambda m, i, n, o: n.__setitem__(4, -1), "fifth intermediate"),
    "state not variable": (lambda m, i, n, o: i.__setitem__(18, m.tensor("h", (2, 5), scale=0.01, zp=0)),
                           "before any op writes it"),  # the reader finds it first
    "per-channel weights": (lambda m, i, n, o: i.__setitem__(
        2, m.tensor("w", (5, 4), data=np.ones((5, 4)), scale=np.full(5, 0.01), zp=np.zeros(5), axis=0)),
        "per channel"),
    "asymmetric weights": (lambda m, i, n, o: i.__setitem__(3, m.tensor("w", (5, 4), data=np.ones((5, 4)),
                                                                        scale=0.01, zp=3)), "symmetric"),
    "cell scale": (lambda m, i, n, o: i.__setitem__(19, m.tensor("c", (2, 5), type="int16", scale=0.001, zp=0,
                                                                 variable=True)), "power of two"),
    "cell scale range": (lambda m, i, n, o: i.__setitem__(19, m.tensor("c", (2, 5), type="int16", scale=2.0 ** -4,
                                                                       zp=0, variable=True)), "2^-15 to 2^-9"),
    "sigmoid cell": (lambda m, i, n, o: o.update(fused_activation_function="RELU"), "TANH only"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_unsupported_lstms_are_refused_by_name(case):
    edit, words = REFUSALS[case]
    with pytest.raises(ConvertError) as e:
        convert(_model(edit))
    msg = str(e.value)
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in msg and "op 0" in msg and words in msg, msg


def _bias32(m, ins, n, o):
    for k in range(12, 16):
        ins[k] = m.tensor(f"b32_{k}", (5,), type="int32", data=np.zeros(5), scale=0.01, zp=0)


def _legacy(m, ins, n, o):
    del ins[20:]


# TFLM's LSTM (16x8, or int8 without the intermediates): what it refuses,
# or misreads, sprat refuses by name.
TFLM_REFUSALS = {
    "16x8 int32 bias": ("int16", _bias32, "int64 vector"),
    "16x8 20 inputs": ("int16", _legacy, "takes 24"),
    "int8 20 inputs": ("int8", _legacy, "LiteRT the model without"),
    "16x8 CIFG": ("int16", REFUSALS["CIFG"][0], "CIFG"),
    "16x8 projection": ("int16", REFUSALS["projection"][0], "projection weights"),
    "16x8 per-channel": ("int16", REFUSALS["per-channel weights"][0], "per channel"),
    "int8 sigmoid cell": ("int8", REFUSALS["sigmoid cell"][0], "TANH only"),
    "16x8 cell scale": ("int16", lambda m, i, n, o: i.__setitem__(
        19, m.tensor("c", (2, 5), type="int16", scale=2.0 ** 4, zp=0, variable=True)), "2^-43 to 2^1"),
    "16x8 output state type": ("int16", lambda m, i, n, o: i.__setitem__(
        18, m.tensor("h", (2, 5), scale=0.01, zp=0, variable=True)), "int8 is not supported here"),
    "16x8 tiny output state scale": ("int16", lambda m, i, n, o: i.__setitem__(
        18, m.tensor("h", (2, 5), type="int16", scale=1e-20, zp=0, variable=True)), "takes below 2^30"),
    "16x8 matmul beyond 2^7": ("int16", lambda m, i, n, o: i.__setitem__(
        3, m.tensor("w", (5, 4), data=np.ones((5, 4)), scale=40.0, zp=0)), "64-bit requantization takes below 2^7"),
}


@pytest.mark.parametrize("case", list(TFLM_REFUSALS))
def test_unsupported_tflm_lstms_are_refused_by_name(case):
    act, edit, words = TFLM_REFUSALS[case]

    def both(m, ins, n, o):
        n.clear()
        edit(m, ins, n, o)
    with pytest.raises(ConvertError) as e:
        convert(_model(both, type=act))
    msg = str(e.value)
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in msg and "op 0" in msg and words in msg, msg


@pytest.mark.parametrize("act, inter, opcode", [("int16", True, LSTM_S16), ("int16", False, LSTM_S16),
                                                ("int8", False, LSTM_TFLM), ("int8", True, LSTM)])
def test_each_lstm_goes_to_its_oracles_arithmetic(act, inter, opcode):
    """LiteRT refuses 16x8 LSTMs (int64 biases) and int8 ones without the
    intermediates; TFLM runs them: sprat takes TFLM's arithmetic there,
    LiteRT's for the int8 LSTM LiteRT runs."""
    data = _model(type=act, intermediates=inter)
    r = convert(data)
    assert [op.opcode for op in r.ops] == [opcode]
    x = reference.random_inputs(r, 1)
    _, oracle = reference.run_with_oracle(data, x)
    assert oracle == (reference.LITERT if opcode == LSTM else reference.TFLM)
    if opcode != LSTM:
        with pytest.raises(Exception):
            reference.run_litert(data, x)


def test_crafted_lstm_records_are_refused(host):
    r = convert(_model())
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0
    edits = {
        "more cells": lambda w: w.__setitem__(3, w[3] + 1),
        "more steps": lambda w: w.__setitem__(1, w[1] + 1),
        "cell scale": lambda w: w.__setitem__(5, -20),
        "clip": lambda w: w.__setitem__(6, 40000),
        "hidden zero point": lambda w: w.__setitem__(7, 200),
        "shift": lambda w: w.__setitem__(18 + 3, 40),
        "layout": lambda w: w.__setitem__(4, 2),
    }
    for what, edit in edits.items():
        s, err_op, _ = host.init_only(_patched(r, edit, LSTM), r.arena_for(8))
        assert s != 0 and err_op == 0, what


@pytest.mark.parametrize("act", ["int16", "int8"])
def test_crafted_tflm_lstm_records_are_refused(host, act):
    r = convert(_model(type=act, intermediates=False))
    opcode = LSTM_S16 if act == "int16" else LSTM_TFLM
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0
    edits = {
        "more cells": lambda w: w.__setitem__(3, w[3] + 1),
        "more inputs": lambda w: w.__setitem__(2, w[2] + 1),
        "more steps": lambda w: w.__setitem__(1, w[1] + 1),
        "more batches": lambda w: w.__setitem__(0, w[0] + 1),
        "no steps": lambda w: w.__setitem__(1, 0),
        "layout": lambda w: w.__setitem__(4, 2),
        "clip": lambda w: w.__setitem__(5, 40000),
        "negative clip": lambda w: w.__setitem__(5, -2),
        "hidden zero point": lambda w: w.__setitem__(6, 40000 if act == "int16" else 200),
        "tanh multiplier": lambda w: w.__setitem__(7, 40000),
        "tanh multiplier 0": lambda w: w.__setitem__(7, 0),
        "tanh shift": lambda w: w.__setitem__(8, 32),
        "forget shift": lambda w: w.__setitem__(10, 31),
        "hidden multiplier": lambda w: w.__setitem__(13, -5),
        "matmul shift": lambda w: w.__setitem__(23 + 5, 40),
        "matmul multiplier": lambda w: w.__setitem__(15 + 2, -1),
    }
    if act == "int16":
        edits["64-bit shift"] = lambda w: w.__setitem__(23 + 1, 15)
    for what, edit in edits.items():
        s, err_op, _ = host.init_only(_patched(r, edit, opcode), r.arena_for(8))
        assert s != 0 and err_op == 0, what
    # A table that is not nondecreasing (the interpolation's bound).
    from converter import quant
    b = bytearray(r.blob)
    table = np.array(quant.SIGMOID_S16_TABLE, np.uint16).tobytes()
    at = bytes(b).find(table)
    assert at > 0
    b[at + 20:at + 22] = b"\xff\xff"
    s, err_op, _ = host.init_only(bytes(b), r.arena_for(8))
    assert s != 0, "table"


@pytest.mark.usefixtures("in_build_env")
def test_16x8_stream_under_qemu():
    """The 16x8 stream model and the int8 keyword model without
    intermediates, 20 invokes in a row on the Cortex-M7 DSP library (its
    LSTMs the portable kernels) and a portable build (riscv32), against
    TFLM's."""
    from sprat import jobs
    models = [R.lstm_stream_model_int16(np.random.default_rng(10)),
              R.lstm_keyword_model(np.random.default_rng(11), intermediates=False)]
    for target in ("qemu_cortex_m7", "riscv32"):
        rs = [convert(data, target=target) for data, _ in models]
        streams = [_stream(r, 20, 6 + k) for k, r in enumerate(rs)]
        results = jobs.run_jobs(target, [(r, jobs.Steps(st)) for r, st in zip(rs, streams)])
        for (data, desc), st, (status, got) in zip(models, streams, results):
            assert status == 0, (target, desc, status)
            want = reference.run_tflm_steps(data, st)
            assert all(np.array_equal(g[0], w[0]) for g, w in zip(got, want)), (target, desc)
            assert len({w[0].tobytes() for w in want}) > 1, desc


@pytest.mark.usefixtures("in_build_env")
def test_keyword_model_streams_under_qemu():
    """20 invokes in a row on the Cortex-M7 DSP library (its LSTM the
    portable kernel) and on a portable build (riscv32), against LiteRT's."""
    from sprat import jobs
    data, desc = R.lstm_keyword_model(np.random.default_rng(9))
    for target in ("qemu_cortex_m7", "riscv32"):
        r = convert(data, target=target)
        steps = _stream(r, 20, 5)
        [(status, got)] = jobs.run_jobs(target, [(r, jobs.Steps(steps))])
        assert status == 0, (target, status)
        want = reference.run_litert_steps(data, steps)
        assert all(np.array_equal(g[0], w[0]) for g, w in zip(got, want)), (target, desc)


@pytest.mark.parametrize("model", ["keyword", "16x8"])
def test_corrupt_lstm_blobs_fail_cleanly(in_build_env, tmp_path, model):
    """test_blob_fuzz's flips and truncations on the keyword model and the
    16x8 stream model (their LSTM records and STATE tensors among the
    bytes), under the sanitizers."""
    from test_blob_fuzz import run_driver_on
    if model == "keyword":
        data = R.lstm_keyword_model(np.random.default_rng(3), steps=5)[0]
    else:
        data = R.lstm_stream_model_int16(np.random.default_rng(3), steps=3)[0]
    runs, ok = run_driver_on(convert(data), tmp_path)
    assert runs["flip"] > 500 and ok["flip"] == 0 and ok["truncated"] == 0, (runs, ok)
