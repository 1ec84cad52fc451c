"""TFLM's Signal ops that keep state (framer, stacker, delay, overlap-add,
spectral subtraction) and the audio front end that chains the Signal ops:
the same outputs as TFLM over 20 consecutive invokes on the host and under
QEMU, sprat_reset_state starting the stream again, and the conversions
TFLM cannot run refused by name."""

import numpy as np
import pytest

import opsuite_signal as S
from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter
from sprat import host as H
from sprat import jobs, reference

STEPS = 20


def _framer(seed, prefill):
    return S.framer_model(np.random.default_rng(seed), outer=(2,), prefill=prefill)[0]


def _spectral(seed):
    rng = np.random.default_rng(seed)
    m = ModelWriter()
    n = 17
    x = m.tensor("x", (n,), type="uint32")
    y = m.tensor("y", (n,), type="uint32")
    noise = m.tensor("noise", (n,), type="uint32")
    opts = S.spectral_options(rng, n)
    opts.update(spectral_subtraction_bits=14, smoothing=900, one_minus_smoothing=(1 << 14) - 900,
                alternate_smoothing=2000, alternate_one_minus_smoothing=(1 << 14) - 2000, smoothing_bits=4)
    m.custom_op("SignalFilterBankSpectralSubtraction", [x], [y, noise], **opts)
    return m.finish([x], [y, noise])


MODELS = {
    "framer": lambda: _framer(1, False),
    "framer_prefill": lambda: _framer(4, True),
    "stacker": lambda: S.stacker_model(np.random.default_rng(3), right=2)[0],
    "delay_short": lambda: S.delay_model(np.random.default_rng(4), single=True)[0],
    "delay_long": lambda: _delay(5, 11, 29),
    "overlap_add": lambda: S.overlap_add_model(np.random.default_rng(6))[0],
    "overlap_add_float32": lambda: S.overlap_add_model(np.random.default_rng(7), S.FLOAT32)[0],
    "spectral_subtraction": lambda: _spectral(8),
    "audio_front_end": lambda: S.audio_front_end(full=True),
    "audio_front_end_plain": lambda: S.audio_front_end(full=False),
}


def _delay(seed, frame, length):
    m = ModelWriter()
    x = m.tensor("x", (3, frame), type="int16")
    y = m.tensor("y", (3, frame), type="int16")
    m.custom_op("SignalDelay", [x], [y], delay_length=length)
    return m.finish([x], [y])


def _steps(r, seed, n=STEPS):
    return [reference.random_inputs(r, seed * 1000 + k) for k in range(n)]


# A framer's frames and a stacker's stack, by the name of their valid flag:
# while invalid, TFLM leaves them as the arena had them (sprat: zeros for
# incomplete frames, the last stack), so they are compared only when valid.
MASKED = {"frames": "valid", "stack": "valid", "late": "valid", "added": "valid"}


def same(got, want, r, masked=MASKED):
    if len(got) != len(want):
        return False
    names = [t.name for t in r.outputs]
    for k, (g, w) in enumerate(zip(got, want)):
        flag = masked.get(names[k])
        if flag in names and not bool(want[names.index(flag)]):
            continue
        if g.dtype != w.dtype or not np.array_equal(g, w):
            return False
    return True


_same = same


def _check_sequence(got, want, r, name):
    bad = [k for k, (g, w) in enumerate(zip(got, want)) if not _same(g, w, r)]
    assert not bad, f"{name}: invokes {bad} differ from TFLM"
    assert len({b"".join(o.tobytes() for o in w) for w in want}) > STEPS // 2, f"{name}: outputs hardly change"


@pytest.mark.parametrize("name", list(MODELS))
def test_twenty_invokes_match_tflm(host, name):
    data = MODELS[name]()
    r = convert(data)
    steps = _steps(r, 1)
    want, oracle = reference.run_steps_with_oracle(data, steps)
    assert oracle == reference.TFLM  # LiteRT has no Signal ops: the fallback serves
    _check_sequence(H.run_result_steps(host, r, steps), want, r, name)


@pytest.mark.parametrize("name", [n for n in MODELS if n != "audio_front_end_plain"])
def test_state_carries_over(host, name):
    """The same input twenty times: the outputs still change."""
    data = MODELS[name]()
    r = convert(data)
    steps = [reference.random_inputs(r, 3)] * STEPS
    want, _ = reference.run_steps_with_oracle(data, steps)
    got = H.run_result_steps(host, r, steps)
    assert all(_same(g, w, r) for g, w in zip(got, want))
    assert not all(np.array_equal(a, b) for a, b in zip(want[0], want[-1])), f"{name}: the state changes nothing"


@pytest.mark.parametrize("name", [n for n in MODELS if n != "audio_front_end_plain"])
def test_reset_state_starts_the_stream_again(host, name):
    data = MODELS[name]()
    r = convert(data)
    steps = _steps(r, 2, 12)
    got = H.run_result_steps(host, r, steps, reset_at=5)
    fresh = H.run_result_steps(host, r, steps[5:])
    assert all(_same(a, b, r) for a, b in zip(got[5:], fresh))
    assert not all(_same(a, b, r) for a, b in zip(H.run_result_steps(host, r, steps)[5:], fresh))


def test_audio_front_end_features_look_like_speech_features(host):
    """A tone over noise: the log mel features peak in the tone's channels
    and stay within int16, as the TFLM front end's do."""
    data = S.audio_front_end(full=True)
    r = convert(data)
    t = np.arange(480 * STEPS)
    audio = (3000 * np.sin(2 * np.pi * 1000 * t / 16000) + np.random.default_rng(0).normal(0, 100, t.size))
    steps = [[audio[k * 480:(k + 1) * 480].astype(np.int16)] for k in range(STEPS)]
    want, _ = reference.run_steps_with_oracle(data, steps)
    got = H.run_result_steps(host, r, steps)
    assert all(np.array_equal(g[0], w[0]) for g, w in zip(got, want))
    last = got[-1][0]
    assert last.max() > 0 and int(np.argmax(last)) not in (0, last.size - 1)


@pytest.mark.parametrize("target", ["qemu_cortex_m7", "riscv32"])
def test_twenty_invokes_under_qemu(target):
    js, expect = [], []
    for name, make in MODELS.items():
        data = make()
        r = convert(data, target=target)
        steps = _steps(r, 4)
        js.append((r, jobs.Steps(steps)))
        expect.append((name, r, reference.run_steps_with_oracle(data, steps)[0]))
    results = jobs.run_jobs(target, js)
    for (status, got), (name, r, want) in zip(results, expect):
        assert status == 0, f"{name}: runtime status {status}"
        _check_sequence(got, want, r, name)


# ---- refusals ---------------------------------------------------------------
def _refusal(data):
    with pytest.raises(ConvertError) as e:
        convert(data)
    return str(e.value)


def _one(code, ins, outs, **options):
    """A model of one Signal op: ins/outs as (name, shape, type[, data])."""
    m = ModelWriter()
    ti = [m.tensor(n, s, type=t, data=d[0] if d else None) for n, s, t, *d in ins]
    to = [m.tensor(n, s, type=t) for n, s, t in outs]
    m.custom_op(code, ti, to, **options)
    return m.finish([i for i, (_, _, _, *d) in zip(ti, ins) if not d], to)


def test_ffts_tflm_cannot_run_are_refused():
    for length, why in [(14, "prime factor 7"), (2, "at least 4"), (22, "prime factor 11"), (9, "even")]:
        n = length // 2 + 1
        msg = _refusal(_one("SignalRfft", [("x", (length,), "int16")], [("y", (2 * n,), "int16")],
                            T=S.INT16, fft_length=length))
        assert "SignalRfft" in msg and "op 0" in msg and why in msg, msg
    msg = _refusal(_one("SignalRfft", [("x", (16,), "int16")], [("y", (18,), "int16")], fft_length=16))
    assert "option 'T'" in msg
    msg = _refusal(_one("SignalRfft", [("x", (20,), "int16")], [("y", (18,), "int16")], T=S.INT16, fft_length=16))
    assert "longer than fft_length" in msg
    msg = _refusal(_one("SignalRfft", [("x", (16,), "int16")], [("y", (16,), "int16")], T=S.INT16, fft_length=16))
    assert "9 complex values" in msg
    msg = _refusal(_one("SignalRfft", [("x", (16,), "int16")], [("y", (18,), "int32")], T=S.INT16, fft_length=16))
    assert "int32" in msg and "not supported" in msg


def test_options_tflm_reads_by_position_must_be_where_it_reads_them():
    # An extra key sorting first moves 'shift' off TFLM's position 0.
    msg = _refusal(_one("SignalWindow", [("x", (8,), "int16"), ("w", (8,), "int16", np.ones(8))],
                        [("y", (8,), "int16")], shift=3, T=S.INT16))
    assert "'shift'" in msg and "entry 0" in msg and "T, shift" in msg, msg
    msg = _refusal(_one("SignalEnergy", [("x", (8,), "int16")], [("y", (4,), "uint32")], end_index=4))
    assert "start_index" in msg


def test_out_of_range_tables_and_shapes_are_refused():
    bad = np.array([0, 10], np.int16)
    ins = [("x", (8,), "uint32"), ("w", (4,), "int16", np.ones(4)), ("u", (4,), "int16", np.ones(4)),
           ("f", (2,), "int16", bad), ("s", (2,), "int16", np.zeros(2)), ("n", (2,), "int16", np.full(2, 2))]
    msg = _refusal(_one("SignalFilterBank", ins, [("y", (1,), "uint64")], num_channels=1))
    assert "channel 1 reads spectrum bins [10, 12) of 8" in msg, msg
    msg = _refusal(_one("SignalEnergy", [("x", (8,), "int16")], [("y", (4,), "uint32")], end_index=5, start_index=0))
    assert "out of range" in msg
    msg = _refusal(_one("SignalPCAN", [("x", (4,), "uint32"), ("n", (4,), "uint32"),
                                       ("l", (100,), "int16", np.zeros(100))], [("y", (4,), "uint32")], snr_shift=6))
    assert "gain table of 100" in msg
    msg = _refusal(_one("SignalStacker", [("x", (3,), "int16")], [("y", (9,), "int16"), ("v", (), "bool")],
                        num_channels=3, stacker_left_context=1, stacker_right_context=1, stacker_step=4))
    assert "stacker_step 4" in msg
    msg = _refusal(_one("SignalFramer", [("x", (6,), "int16")], [("y", (2, 2), "int16"), ("v", (), "bool")],
                        frame_size=2, frame_step=3, prefill=True))
    assert "prefill" in msg
    msg = _refusal(_one("SignalOverlapAdd", [("x", (2, 4), "int16")], [("y", (10,), "int16")],
                        T=S.INT16, frame_step=5))
    assert "frame_step 5" in msg
    msg = _refusal(_one("SignalFilterBankLog", [("x", (4,), "uint32")], [("y", (4,), "int16")],
                        input_correction_bits=32, output_scale=1))
    assert "input_correction_bits = 32" in msg


# ---- TFLM's own audio front end -----------------------------------------------
def _micro_speech_preprocessor():
    """TFLM's micro_speech audio preprocessor (its example's model,
    tensorflow/lite/micro/examples/micro_speech/models/
    audio_preprocessor_int8.tflite): in the shared model zoo, or where
    SPRAT_MICRO_SPEECH_PREPROCESSOR says."""
    import os
    from conftest import SHARED_MODELS
    path = os.environ.get("SPRAT_MICRO_SPEECH_PREPROCESSOR") or os.path.join(SHARED_MODELS,
                                                                             "audio_preprocessor_int8.tflite")
    if not os.path.exists(path):
        pytest.skip(f"{path} is absent (TFLM's micro_speech audio preprocessor)")
    with open(path, "rb") as f:
        return f.read()


def _signal_part(g):
    """The preprocessor's Signal ops alone, with its constants and options:
    its CAST, STRIDED_SLICE and CONCATENATION zero the energies outside
    [start_index, end_index), which sprat's SignalEnergy does itself."""
    by = {op.name: op for op in g.ops}
    m = ModelWriter()
    t = {}

    def const(i):
        src = g.t(i)
        if i not in t:
            t[i] = m.tensor(src.name, src.shape, type={2: "int16", 3: "int32"}[src.type], data=src.data)
        return t[i]

    x = m.tensor("audio", (480,), type="int16")
    win = by["CUSTOM:SignalWindow"]
    w = m.tensor("windowed", (480,), type="int16")
    m.custom_op("SignalWindow", [x, const(win.inputs[1])], [w], **win.options)
    s = m.tensor("scaled", (480,), type="int16")
    bits = m.tensor("bits", (), type="int32")
    m.custom_op("SignalFftAutoScale", [w], [s, bits])
    spec = m.tensor("spectrum", (514,), type="int16")
    m.custom_op("SignalRfft", [s], [spec], **by["CUSTOM:SignalRfft"].options)
    e = m.tensor("energy", (257,), type="uint32")
    m.custom_op("SignalEnergy", [spec], [e], **by["CUSTOM:SignalEnergy"].options)
    fb = by["CUSTOM:SignalFilterBank"]
    bank = m.tensor("bank", (40,), type="uint64")
    m.custom_op("SignalFilterBank", [e] + [const(i) for i in fb.inputs[1:]], [bank], **fb.options)
    root = m.tensor("root", (40,), type="uint32")
    m.custom_op("SignalFilterBankSquareRoot", [bank, bits], [root])
    clean, noise = m.tensor("clean", (40,), type="uint32"), m.tensor("noise", (40,), type="uint32")
    m.custom_op("SignalFilterBankSpectralSubtraction", [root], [clean, noise],
                **by["CUSTOM:SignalFilterBankSpectralSubtraction"].options)
    pc = by["CUSTOM:SignalPCAN"]
    gained = m.tensor("gained", (40,), type="uint32")
    m.custom_op("SignalPCAN", [clean, noise, const(pc.inputs[2])], [gained], **pc.options)
    feats = m.tensor("features", (40,), type="int16")
    m.custom_op("SignalFilterBankLog", [gained], [feats], **by["CUSTOM:SignalFilterBankLog"].options)
    return m.finish([x], [feats])


def test_tflm_micro_speech_preprocessor(host, tmp_path):
    """TFLM's own front end (micro_speech): its int8 features over 20
    invokes of speech-like audio are sprat's Signal ops' features put
    through the model's closing integer ops ((x * 256 + 333) / 666 - 128,
    clipped), which sprat's other families lower."""
    from converter import tflite_reader
    real = _micro_speech_preprocessor()
    path = tmp_path / "pre.tflite"
    path.write_bytes(real)
    part = _signal_part(tflite_reader.read(str(path)))
    rng = np.random.default_rng(5)
    t = np.arange(480 * STEPS) / 16000
    audio = 4000 * np.sin(2 * np.pi * (300 + 900 * t) * t) * (1 + np.sin(2 * np.pi * 3 * t)) + rng.normal(0, 200, t.size)
    frames = [np.clip(audio[k * 480:(k + 1) * 480], -32768, 32767).astype(np.int16) for k in range(STEPS)]
    want, oracle = reference.run_steps_with_oracle(real, [[f.reshape(1, 480)] for f in frames])
    assert oracle == reference.TFLM
    got = H.run_result_steps(host, convert(part), [[f] for f in frames])
    for k, (g, w) in enumerate(zip(got, want)):
        v = (g[0].astype(np.int64) * 256 + 333) // 666 - 128
        assert np.array_equal(np.clip(v, -128, 127).astype(np.int8), w[0]), k
    assert len({w[0].tobytes() for w in want}) > STEPS // 2
