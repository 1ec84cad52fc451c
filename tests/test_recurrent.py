"""UNIDIRECTIONAL_SEQUENCE_LSTM beyond the op suite's single invokes: its
state carried across invokes (a keyword model streaming frames, reset in
the middle), the refusals naming what is unsupported, and crafted records
the runtime turns down."""

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
    R.lstm(m, np.random.default_rng(1), x, shape, 5, 0.05)
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
    "no intermediates": (lambda m, i, n, o: n.clear(), "intermediates"),
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


def test_int16_lstm_is_refused_by_name():
    with pytest.raises(ConvertError, match="int16 activations .16x8. are not supported"):
        convert(_model(type="int16"))


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


def test_corrupt_lstm_blobs_fail_cleanly(in_build_env, tmp_path):
    """test_blob_fuzz's flips and truncations on the keyword model (its
    LSTM record and STATE tensors among the bytes), under the sanitizers."""
    from test_blob_fuzz import run_driver_on
    r = convert(R.lstm_keyword_model(np.random.default_rng(3), steps=5)[0])
    runs, ok = run_driver_on(r, tmp_path)
    assert runs["flip"] > 500 and ok["flip"] == 0 and ok["truncated"] == 0, (runs, ok)
