"""Models with state (SVDF and LSTM layers, resource variables): the same
sequence of outputs as the reference over 20 consecutive invokes, on the
host and under QEMU, sprat_reset_state starting the sequence again, and
the plan giving each state bytes of its own."""

import numpy as np
import pytest

import opsuite_svdf
from converter import blob as blobfmt
from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter
from sprat import host as H
from sprat import jobs, reference

STEPS = 20


def _steps(r, seed, n=STEPS):
    return [reference.random_inputs(r, seed * 1000 + k) for k in range(n)]


def variable_model(init=True, shape=(1, 6), two=False):
    """An accumulator: state += x every invoke (a resource variable), its
    initial value from CALL_ONCE's subgraph or TFLite's default; `two`:
    a second variable counting the first's reads."""
    m = ModelWriter()
    x = m.tensor("x", shape, scale=0.05, zp=3)
    res = m.tensor("res", (), type="resource")
    old = m.tensor("old", shape, scale=0.1, zp=-2)
    new = m.tensor("new", shape, scale=0.1, zp=-2)
    if init:
        sub = m.subgraph()
        r2 = sub.tensor("res", (), type="resource")
        c = sub.tensor("c", shape, data=np.arange(np.prod(shape)).reshape(shape) * 7 - 20, scale=0.1, zp=-2)
        sub.op("VAR_HANDLE", [], [r2], shared_name="acc")
        sub.op("ASSIGN_VARIABLE", [r2, c], [])
        m.op("CALL_ONCE", [], [], init_subgraph_index=1)
    m.op("VAR_HANDLE", [], [res], shared_name="acc")
    m.op("READ_VARIABLE", [res], [old])
    m.op("ADD", [old, x], [new])
    m.op("ASSIGN_VARIABLE", [res, new], [])
    outs = [new]
    if two:
        res2 = m.tensor("res2", (), type="resource")
        o2 = m.tensor("old2", shape, scale=0.1, zp=-2)
        n2 = m.tensor("new2", shape, scale=0.1, zp=-2)
        m.op("VAR_HANDLE", [], [res2], shared_name="other")
        m.op("READ_VARIABLE", [res2], [o2])
        m.op("SUB", [o2, old], [n2])
        m.op("ASSIGN_VARIABLE", [res2, n2], [])
        outs.append(n2)
    return m.finish([x], outs)


def streaming_model(cycles=2, slots=3, depth=(1, 5), output_is_buffer=False):
    """TFLM's streaming shape: frames into a CIRCULAR_BUFFER, a layer on
    the window of frames every `cycles` invokes."""
    m = ModelWriter()
    h, w = depth
    x = m.tensor("frame", (1, 1, h, w), scale=0.05, zp=-4)
    buf = m.tensor("window", (1, slots, h, w), scale=0.05, zp=-4, variable=True)
    m.custom_op("CIRCULAR_BUFFER", [x], [buf], cycles_max=cycles)
    if output_is_buffer:
        return m.finish([x], [buf])
    rng = np.random.default_rng(slots)
    f = m.tensor("filter", (2, slots, 1, w), data=rng.integers(-127, 128, (2, slots, 1, w)), scale=0.01, zp=0)
    y = m.tensor("y", (1, 1, h, 2), scale=0.03 * np.sqrt(slots * w), zp=2)
    # A [slots x 1] convolution over the window of frames: every frame weighs.
    m.op("CONV_2D", [buf, f, -1], [y], padding="VALID", stride_w=1, stride_h=1)
    return m.finish([x], [y])


MODELS = {
    "svdf_keyword_int16": lambda: opsuite_svdf.svdf_keyword_model(np.random.default_rng(7)),
    "svdf_keyword_int8_state": lambda: opsuite_svdf.svdf_keyword_model(np.random.default_rng(8), state_int8=True),
    "variables_call_once": lambda: variable_model(True),
    "variables_default": lambda: variable_model(False, (2, 3, 5)),
    "two_variables": lambda: variable_model(True, (1, 9), two=True),
    "circular_buffer_every_2": lambda: streaming_model(2, 3, (1, 5)),
    "circular_buffer_every_1": lambda: streaming_model(1, 4, (2, 3)),
    "circular_buffer_every_3_as_output": lambda: streaming_model(3, 5, (1, 4), output_is_buffer=True),
}


def _same(got, want):
    """One step's outputs; None: a step that waited (SPRAT_WAITING, TFLM's kTfLiteAbort)."""
    if got is None or want is None:
        return got is None and want is None
    return all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want)) and len(got) == len(want)


def _check_sequence(got, want, name):
    bad = [k for k, (g, w) in enumerate(zip(got, want)) if not _same(g, w)]
    assert not bad, f"{name}: invokes {bad} differ from the reference"
    # A state that nothing reads would pass too: outputs must change over the stream.
    ran = [w for w in want if w is not None]
    assert len({b"".join(o.tobytes() for o in w) for w in ran}) > len(ran) // 2, f"{name}: outputs hardly change"


@pytest.mark.parametrize("name", list(MODELS))
def test_twenty_invokes_match_the_reference(host, name):
    data = MODELS[name]()
    r = convert(data)
    steps = _steps(r, 1)
    want, _ = reference.run_steps_with_oracle(data, steps)
    _check_sequence(H.run_result_steps(host, r, steps), want, name)


@pytest.mark.parametrize("name", list(MODELS))
def test_state_carries_over(host, name):
    """The same input twenty times: the outputs still change (the state
    does), unlike a model without state."""
    data = MODELS[name]()
    r = convert(data)
    steps = [reference.random_inputs(r, 3)] * STEPS
    want, _ = reference.run_steps_with_oracle(data, steps)
    got = H.run_result_steps(host, r, steps)
    assert all(_same(g, w) for g, w in zip(got, want))
    ran = [w for w in want if w is not None]
    assert not _same(ran[0], ran[-1]), f"{name}: the state does not change the output"


@pytest.mark.parametrize("name", list(MODELS))
def test_reset_state_starts_the_sequence_again(host, name):
    data = MODELS[name]()
    r = convert(data)
    steps = _steps(r, 2, 12)
    got = H.run_result_steps(host, r, steps, reset_at=5)
    fresh = H.run_result_steps(host, r, steps[5:])
    assert all(_same(a, b) for a, b in zip(got[5:], fresh))
    assert not all(_same(a, b) for a, b in zip(H.run_result_steps(host, r, steps)[5:], fresh))


@pytest.mark.parametrize("target", ["qemu_cortex_m7", "riscv32"])
def test_twenty_invokes_under_qemu(target):
    js, expect = [], []
    for name, make in MODELS.items():
        data = make()
        r = convert(data, target=target)
        steps = _steps(r, 4)
        js.append((r, jobs.Steps(steps)))
        expect.append((name, reference.run_steps_with_oracle(data, steps)[0]))
    results = jobs.run_jobs(target, js)
    for (status, got), (name, want) in zip(results, expect):
        assert status == 0, f"{name}: runtime status {status}"
        _check_sequence(got, want, name)


def test_plan_gives_states_their_own_bytes():
    """Every state: a STATE record of the blob, bytes no other tensor of
    the plan touches, its initial value a constant of its size."""
    import struct
    for name, make in MODELS.items():
        r = convert(make())
        g = r.graph
        states = [t for t in g.tensors if t.variable]
        assert states, name
        blob = r.blob
        n_sec, sec_off = struct.unpack_from("<II", blob, 28)
        secs = {struct.unpack_from("<I", blob, sec_off + 16 * i)[0]: struct.unpack_from("<III", blob, sec_off + 16 * i + 4)
                for i in range(n_sec)}
        off, size, count = secs[blobfmt.SECTIONS["TENSORS"]]
        recs = [blob[off + 48 * i: off + 48 * (i + 1)] for i in range(count)]
        spans = [(rec[2], struct.unpack_from("<II", rec, 28), struct.unpack_from("<H", rec, 44)[0]) for rec in recs]
        state_spans = [(o, o + n) for st, (o, n), _ in spans if st == 2]
        assert len(state_spans) == len({s.index for s in states}), name
        others = [(o, o + n) for st, (o, n), _ in spans if st == 0]
        for a, b in state_spans:
            assert all(b <= c or d <= a for c, d in others + [x for x in state_spans if x != (a, b)]), name
        for st, (o, n), init in spans:
            if st == 2 and init != blobfmt.NO_TENSOR:
                assert spans[init][0] == 1 and spans[init][1][1] == n, name


def test_crafted_state_records_are_refused(host):
    """A STATE record whose initial value is not a constant of its size:
    init refuses the blob, it never copies out of bounds."""
    import struct
    import zlib
    r = convert(variable_model(True))
    blob = bytearray(r.blob)
    n_sec, sec_off = struct.unpack_from("<II", blob, 28)
    secs = {struct.unpack_from("<I", blob, sec_off + 16 * i)[0]: struct.unpack_from("<III", blob, sec_off + 16 * i + 4)
            for i in range(n_sec)}
    off, _, count = secs[blobfmt.SECTIONS["TENSORS"]]
    consts_off = secs[blobfmt.SECTIONS["CONSTS"]][0]
    state = next(i for i in range(count) if blob[off + 48 * i + 2] == 2)
    init = struct.unpack_from("<H", blob, off + 48 * state + 44)[0]
    assert init != blobfmt.NO_TENSOR
    for bad in [count, state, next(i for i in range(count) if blob[off + 48 * i + 2] == 0), 0xFFFE]:
        b = bytearray(blob)
        struct.pack_into("<H", b, off + 48 * state + 44, bad)
        struct.pack_into("<I", b, 12, 0)
        struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[:consts_off])))
        status, _, _ = host.init_only(bytes(b), r.arena_for(8))
        assert status == 6, f"init index {bad}: status {status}"  # SPRAT_ERR_MALFORMED


def _refusal(data):
    with pytest.raises(ConvertError) as e:
        convert(data)
    return str(e.value)


def test_control_flow_and_computed_initializations_are_refused_by_name():
    m = ModelWriter()
    x = m.tensor("x", (1, 4), scale=0.1, zp=0)
    y = m.tensor("y", (1, 4), scale=0.1, zp=0)
    sub = m.subgraph()
    m.op("WHILE", [x], [y], cond_subgraph_index=1, body_subgraph_index=1)
    msg = _refusal(m.finish([x], [y]))
    assert "WHILE" in msg and "op 0" in msg and "control flow" in msg

    m = ModelWriter()
    x = m.tensor("x", (1, 4), scale=0.1, zp=0)
    res = m.tensor("res", (), type="resource")
    y = m.tensor("y", (1, 4), scale=0.1, zp=0)
    sub = m.subgraph()
    r2 = sub.tensor("res", (), type="resource")
    a = sub.tensor("a", (1, 4), data=[[1, 2, 3, 4]], scale=0.1, zp=0)
    b = sub.tensor("b", (1, 4), scale=0.1, zp=0)
    sub.op("RELU", [a], [b])
    sub.op("VAR_HANDLE", [], [r2], shared_name="v")
    sub.op("ASSIGN_VARIABLE", [r2, b], [])
    m.op("CALL_ONCE", [], [], init_subgraph_index=1)
    m.op("VAR_HANDLE", [], [res], shared_name="v")
    m.op("READ_VARIABLE", [res], [y])
    msg = _refusal(m.finish([x], [y]))
    assert "CALL_ONCE" in msg and "RELU" in msg
