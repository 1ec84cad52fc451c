"""TFLM's Signal ops beyond the op suite's draws: every FFT length TFLM's
kiss_fft runs, in int16, int32 and float32 over their whole ranges (the op
suite's int32 inputs are small); crafted blobs (filter bank tables out of
range, a stream's fill count made huge) refused or contained under the
sanitizers; every byte flip of the Signal ops' records caught."""

import struct
import zlib

import numpy as np
import pytest

import opsuite_signal as S
from converter import blob as blobfmt
from converter.convert import convert
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference
from test_blob_fuzz import DRIVER, DRIVER_HEAD, run_driver_on
from test_signal_stateful import same


def _full_range(rng, shape, type_):
    if type_ == S.FLOAT32:
        return (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)).astype(np.float32)
    dt = np.int16 if type_ == S.INT16 else np.int32
    info = np.iinfo(dt)
    x = rng.integers(info.min, info.max, shape, endpoint=True, dtype=np.int64)
    # Some rows at the extremes, where kiss_fft's sums wrap.
    x[..., ::7] = info.min if rng.random() < 0.5 else info.max
    return x.astype(dt)


@pytest.mark.parametrize("type_", [S.INT16, S.INT32, S.FLOAT32], ids=["int16", "int32", "float32"])
def test_every_fft_length_over_the_whole_range(host, type_):
    rng = np.random.default_rng(type_)
    bad = []
    for fft_length in S.FFT_LENGTHS:
        n = fft_length // 2 + 1
        t = S._typ(type_)
        for inverse in (False, True):
            m = ModelWriter()
            shape = (2, 2 * n) if inverse else (2, fft_length - int(rng.integers(0, 2)))
            x = m.tensor("x", shape, type=t)
            y = m.tensor("y", (2, fft_length if inverse else 2 * n), type=t)
            m.custom_op("SignalIrfft" if inverse else "SignalRfft", [x], [y], T=type_, fft_length=fft_length)
            data = m.finish([x], [y])
            inputs = [_full_range(rng, shape, type_)]
            want, oracle = reference.run_with_oracle(data, inputs)
            got = H.run_result(host, convert(data), inputs)
            assert oracle == reference.TFLM
            if not np.array_equal(got[0], want[0]):
                bad.append(f"{'irfft' if inverse else 'rfft'} {fft_length}")
    assert not bad, bad


def test_kiss_factors_are_kiss_ffts():
    from converter.ops.signal import kiss_factors
    assert kiss_factors(256) == [4, 4, 4, 4]
    assert kiss_factors(128) == [4, 4, 4, 2]
    assert kiss_factors(240) == [4, 4, 3, 5]
    assert kiss_factors(50) == [2, 5, 5]
    assert kiss_factors(2) == [2] and kiss_factors(3) == [3] and kiss_factors(14) == [2, 7]


def _sections(blob):
    n_sec, sec_off = struct.unpack_from("<II", blob, 28)
    return {struct.unpack_from("<I", blob, sec_off + 16 * i)[0]: struct.unpack_from("<III", blob, sec_off + 16 * i + 4)
            for i in range(n_sec)}


def _const_bytes(r, name):
    """(offset in the blob, size) of a constant tensor's data."""
    blob = r.blob
    secs = _sections(blob)
    off, _, count = secs[blobfmt.SECTIONS["TENSORS"]]
    consts = secs[blobfmt.SECTIONS["CONSTS"]][0]
    used = [t for t in r.graph.tensors if t.is_const]
    want = next(t for t in used if t.name == name)
    raw = np.ascontiguousarray(want.data.astype(want.data.dtype.newbyteorder("<"))).tobytes()
    for i in range(count):
        rec = blob[off + 48 * i: off + 48 * (i + 1)]
        if rec[2] == 1:
            at, size = struct.unpack_from("<II", rec, 28)
            if size == len(raw) and blob[consts + at: consts + at + size] == raw:
                return consts + at, size
    raise AssertionError(name)


def test_crafted_filter_bank_tables_are_refused(host):
    """A channel's start moved past the spectrum in the blob's constants:
    init refuses the op (the kernel never reads past its input)."""
    data = S.audio_front_end(full=False)
    r = convert(data)
    at, size = _const_bytes(r, "bank/freq_starts")
    widths = next(t for t in r.graph.tensors if t.name == "bank/widths").data
    wide = [int(k) for k in np.flatnonzero(widths > 0)]
    for k, value in [(wide[0], 300), (wide[len(wide) // 2], -1), (wide[-1], 32767)]:
        b = bytearray(r.blob)
        struct.pack_into("<h", b, at + 2 * k, value)
        status, _, _ = host.init_only(bytes(b), r.arena_for(8))
        assert H.STATUS[status] == "BAD_OP", (k, value, status)
    status, _, _ = host.init_only(r.blob, r.arena_for(8))
    assert status == 0


def streams_model():
    """Every Signal op with state, chained: frames of a signal, added back
    together, delayed; a stacker; a spectral subtraction."""
    m = ModelWriter()
    x = m.tensor("x", (2, 12), type="int16")
    frames = m.tensor("frames", (2, 3, 6), type="int16")
    valid = m.tensor("valid", (), type="bool")
    m.custom_op("SignalFramer", [x], [frames, valid], frame_size=6, frame_step=4, prefill=True)
    added = m.tensor("added", (2, 12), type="int16")
    m.custom_op("SignalOverlapAdd", [frames], [added], T=S.INT16, frame_step=4)
    late = m.tensor("late", (2, 12), type="int16")
    m.custom_op("SignalDelay", [added], [late], delay_length=5)
    c = m.tensor("c", (5,), type="int16")
    stack = m.tensor("stack", (20,), type="int16")
    sv = m.tensor("stack_valid", (), type="bool")
    m.custom_op("SignalStacker", [c], [stack, sv], num_channels=5, stacker_left_context=1, stacker_right_context=2,
                stacker_step=2)
    e = m.tensor("e", (6,), type="uint32")
    clean = m.tensor("clean", (6,), type="uint32")
    noise = m.tensor("noise", (6,), type="uint32")
    m.custom_op("SignalFilterBankSpectralSubtraction", [e], [clean, noise],
                **S.spectral_options(np.random.default_rng(1), 6))
    return m.finish([x, c, e], [late, valid, stack, sv, clean, noise])


def test_streams_model_matches_tflm(host):
    data = streams_model()
    r = convert(data)
    steps = [reference.random_inputs(r, k) for k in range(12)]
    want, _ = reference.run_steps_with_oracle(data, steps)
    got = H.run_result_steps(host, r, steps)
    masked = {"stack": "stack_valid"}  # TFLM leaves an invalid stack as the arena had it
    bad = [k for k, (g, w) in enumerate(zip(got, want)) if not same(g, w, r, masked)]
    assert not bad, bad
    assert sum(bool(w[3]) for w in want) >= 4  # the stack is compared in several invokes


def _driver(r, tmp_path, driver):
    return run_driver_on(r, tmp_path, driver)


@pytest.mark.parametrize("model", ["audio_front_end", "streams"])
def test_corrupt_signal_blobs_fail_cleanly(in_build_env, tmp_path, model):
    r = convert(S.audio_front_end(full=True) if model == "audio_front_end" else streams_model())
    runs, ok = _driver(r, tmp_path, DRIVER)
    assert runs["flip"] > 500 and runs["truncated"] == 64
    assert ok["flip"] == 0 and ok["truncated"] == 0, (runs, ok)


STATE_DRIVER = DRIVER_HEAD + r"""
import numpy as np
from sprat.host import Host
runs = 0
for at in AT:
    for value in (-1, 7, 1 << 20, -(1 << 31), (1 << 31) - 1):
        b = bytearray(blob)
        struct.pack_into('<i', b, at, value)
        s, _, _ = h.init_only(bytes(b), ARENA)
        assert s == 0, s
        runs += 1
print('RESULT', repr(runs))
"""


def test_crafted_stream_fill_counts_stay_in_bounds(in_build_env, tmp_path):
    """The framer's and stacker's fill counts (their states' initial values,
    constants of the blob) set to anything: init and invoke under the
    sanitizers never write past the buffers."""
    r = convert(streams_model())
    spots = []
    for name in ("frames/framer_fill/initial_value",):
        at, size = _const_bytes(r, name)
        spots += [at, at + 4]
    code = f"AT={spots!r}\n" + STATE_DRIVER
    assert _driver(r, tmp_path, code) == 5 * len(spots)
