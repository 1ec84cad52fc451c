"""Op-suite generators of the signal family (see tests/opsuite.py): TFLM's
Signal custom ops, whose oracle is TFLM's interpreter (LiteRT has no Signal
ops); and the model builders the multi-invoke tests share
(tests/test_signal_stateful.py): an audio front end, streams of frames."""

import numpy as np

from converter.writer import ModelWriter

INT16, FLOAT32, INT32 = 7, 0, 2  # TFLite's TensorType numbers, option T

# fft_length values TFLM's kiss_fft runs: even, its half a product of 2, 3
# and 5 (4 and 8 the shortest, 512 the audio front ends').
FFT_LENGTHS = [4, 6, 8, 10, 12, 16, 18, 20, 24, 30, 32, 36, 40, 48, 50, 54, 60, 64, 72, 80, 90, 96, 100, 120, 128,
               150, 160, 192, 200, 240, 250, 256, 270, 300, 320, 384, 400, 480, 500, 512]


def _outer_shape(rng, rank_max=3):
    """Leading dimensions of a rank-1 to rank_max tensor."""
    return tuple(int(rng.integers(1, 4)) for _ in range(int(rng.integers(0, rank_max))))


def _typ(t):
    return {INT16: "int16", INT32: "int32", FLOAT32: "float32"}[t]


def _shift(rng):
    return int(rng.choice([0, 1, 7, 12, 13, 14, 15, 16, 20, 31])) if rng.random() < 0.5 else int(rng.integers(0, 32))


def window(rng):
    m = ModelWriter()
    size = int(rng.integers(1, 520)) if rng.random() < 0.5 else int(rng.choice([1, 2, 3, 16, 31, 400, 480, 512]))
    shape = _outer_shape(rng) + (size,)
    # A Hann window in Q14 (TFLM's examples), or anything.
    if rng.random() < 0.5:
        w = np.round(16384 * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(size) / max(size, 1))))
    else:
        w = rng.integers(-32768, 32768, size)
    shift = _shift(rng)
    x = m.tensor("x", shape, type="int16")
    wt = m.tensor("window", (size,), type="int16", data=w)
    y = m.tensor("y", shape, type="int16")
    m.custom_op("SignalWindow", [x, wt], [y], shift=shift)
    return m.finish([x], [y]), f"{list(shape)} shift {shift}"


def fft_auto_scale(rng):
    """Behind a window that shrinks the samples by 2^k (the op's point is
    small signals), one config in five the full int16 range."""
    m = ModelWriter()
    n = int(rng.integers(1, 600))
    x = m.tensor("x", (n,), type="int16")
    k = 0 if rng.random() < 0.2 else int(rng.integers(1, 17))
    small = m.tensor("small", (n,), type="int16")
    wt = m.tensor("window", (n,), type="int16", data=np.full(n, 1, np.int16))
    m.custom_op("SignalWindow", [x, wt], [small], shift=k)
    y = m.tensor("y", (n,), type="int16")
    bits = m.tensor("scale_bits", (), type="int32")
    m.custom_op("SignalFftAutoScale", [small], [y, bits])
    u = rng.random()
    outs = [y, bits] if u < 0.75 else ([y] if u < 0.95 else [bits])  # the shift alone hardly varies
    return m.finish([x], outs), f"{n} samples >> {k}, outputs {len(outs)}"


def _fft(rng, type_, inverse):
    m = ModelWriter()
    fft_length = int(rng.choice(FFT_LENGTHS))
    outer = _outer_shape(rng)
    n = fft_length // 2
    t = _typ(type_)
    if inverse:
        x = m.tensor("x", outer + (2 * (n + 1) + 2 * int(rng.integers(0, 3)) * (rng.random() < 0.2),), type=t)
        y = m.tensor("y", outer + (fft_length,), type=t)
        m.custom_op("SignalIrfft", [x], [y], T=type_, fft_length=fft_length)
        shape = m.tensors[x]["shape"]
    else:
        length = fft_length if rng.random() < 0.5 else int(rng.integers(1, fft_length + 1))
        x = m.tensor("x", outer + (length,), type=t)
        y = m.tensor("y", outer + (2 * (n + 1),), type=t)
        m.custom_op("SignalRfft", [x], [y], T=type_, fft_length=fft_length)
        shape = list(outer) + [length]
    return m.finish([x], [y]), f"fft_length {fft_length} input {shape}"


def rfft(rng):
    return _fft(rng, INT16, False)


def rfft_int32(rng):
    return _fft(rng, INT32, False)


def rfft_float32(rng):
    return _fft(rng, FLOAT32, False)


def irfft(rng):
    return _fft(rng, INT16, True)


def irfft_int32(rng):
    return _fft(rng, INT32, True)


def irfft_float32(rng):
    return _fft(rng, FLOAT32, True)


def energy(rng):
    """All bins, or [start_index, end_index) of them read by a filter bank
    over that range: TFLM leaves the other energies as the arena had them."""
    m = ModelWriter()
    bins = int(rng.integers(1, 300))
    size = bins if rng.random() < 0.6 else int(rng.integers(1, bins + 1))
    x = m.tensor("x", (2 * bins,), type="int16")
    y = m.tensor("y", (size,), type="uint32")
    if rng.random() < 0.5 or size < 2:
        m.custom_op("SignalEnergy", [x], [y], start_index=0, end_index=size)
        return m.finish([x], [y]), f"{bins} bins, all {size}"
    start, end = sorted(int(v) for v in rng.choice(size + 1, 2, replace=False))
    m.custom_op("SignalEnergy", [x], [y], start_index=start, end_index=end)
    channels = int(rng.integers(1, 9))
    width = rng.integers(0, end - start + 1, channels + 1).astype(np.int16)
    freq = np.array([start + rng.integers(0, end - start - wd + 1) for wd in width], np.int16)
    n_w = int(max(1, width.max()))
    tables = (rng.integers(0, 4097, n_w).astype(np.int16), rng.integers(0, 4097, n_w).astype(np.int16), freq,
              np.zeros(channels + 1, np.int16), width)
    bank = _filter_bank_op(m, rng, y, size, channels, tables=tables)
    return m.finish([x], [bank]), f"{bins} bins [{start}, {end}) of {size}, into a filter bank of {channels}"


def mel_tables(rng, spectrum, channels, scale_bits=12):
    """Filter bank tables in TFLM's layout: channels + 1 bands between
    mel-spaced centres over bins [start, end); each bin's weight goes to
    its band's channel, its unweight (1 - weight) to the next."""
    start = int(rng.integers(0, max(1, spectrum // 8)))
    end = int(rng.integers(max(start + 1, spectrum * 3 // 4), spectrum + 1))
    mel = lambda f: 1127.0 * np.log1p(f / 700.0)
    lo, hi = mel(start * 31.25), mel(end * 31.25)
    centres = lo + (hi - lo) * np.arange(1, channels + 2) / (channels + 1)
    bin_mel = mel(np.arange(spectrum) * 31.25)
    freq, wstart, width = (np.zeros(channels + 1, np.int16) for _ in range(3))
    weights, unweights = [], []
    f = start
    for ch in range(channels + 1):
        first = f
        while f < end and bin_mel[f] <= centres[ch]:
            f += 1
        freq[ch], wstart[ch], width[ch] = first, len(weights), f - first
        below = centres[ch - 1] if ch else lo
        for b in range(first, f):
            w = (centres[ch] - bin_mel[b]) / max(centres[ch] - below, 1e-9)
            weights.append(int(w * (1 << scale_bits)))
            unweights.append(int((1 - w) * (1 << scale_bits)))
    if not weights:  # every band empty: one zero weight for them to point at
        weights, unweights = [0], [0]
    return (np.array(weights, np.int16), np.array(unweights, np.int16), freq, wstart, width)


def _filter_bank_op(m, rng, spectrum_t, spectrum, channels, out_name="bank", tables=None):
    w, uw, freq, wstart, width = tables or mel_tables(rng, spectrum, channels)
    ins = [spectrum_t]
    for name, a in (("weights", w), ("unweights", uw), ("freq_starts", freq), ("weight_starts", wstart),
                    ("widths", width)):
        ins.append(m.tensor(f"{out_name}/{name}", a.shape, type="int16", data=a))
    y = m.tensor(out_name, (channels,), type="uint64")
    m.custom_op("SignalFilterBank", ins, [y], num_channels=channels)
    return y


def filter_bank(rng):
    m = ModelWriter()
    spectrum = int(rng.integers(2, 300))
    channels = int(rng.integers(1, 41))
    x = m.tensor("x", (spectrum,), type="uint32")
    tables = None
    kind = "mel"
    if rng.random() < 0.4:  # any tables in range: overlapping bands, negative weights, empty channels
        kind = "random"
        width = np.minimum(rng.integers(-1, 8, channels + 1), spectrum).astype(np.int16)
        freq = np.array([rng.integers(0, max(1, spectrum - max(int(wd), 0) + 1)) for wd in width], np.int16)
        n_w = int(rng.integers(max(1, int(width.max())), 60))
        wstart = np.array([rng.integers(0, max(1, n_w - max(int(wd), 0) + 1)) for wd in width], np.int16)
        w = rng.integers(-32768, 32768, n_w).astype(np.int16)
        uw = rng.integers(-32768, 32768, n_w).astype(np.int16)
        tables = (w, uw, freq, wstart, width)
    y = _filter_bank_op(m, rng, x, spectrum, channels, tables=tables)
    return m.finish([x], [y]), f"{spectrum} bins {channels} channels ({kind} tables)"


def filter_bank_square_root(rng):
    m = ModelWriter()
    n = int(rng.integers(1, 60))
    x = m.tensor("x", (n,), type="uint64")
    runtime = rng.random() < 0.2
    bits = int(rng.integers(0, 32)) if rng.random() < 0.5 else int(rng.integers(0, 8))
    s = m.tensor("scale_bits", (), type="int32") if runtime else m.tensor("scale_bits", (), type="int32", data=bits)
    y = m.tensor("y", (n,), type="uint32")
    m.custom_op("SignalFilterBankSquareRoot", [x, s], [y])
    return m.finish([x, s] if runtime else [x], [y]), f"{n} channels scale bits " + \
        ("an input" if runtime else str(bits))


def filter_bank_log(rng):
    m = ModelWriter()
    n = int(rng.integers(1, 60))
    x = m.tensor("x", (n,), type="uint32")
    y = m.tensor("y", (n,), type="int16")
    scale = int(rng.choice([1, 64, 1600, 4096, 65536])) if rng.random() < 0.6 else int(rng.integers(-2**31, 2**31))
    bits = int(rng.integers(0, 32)) if rng.random() < 0.3 else int(rng.integers(0, 4))
    m.custom_op("SignalFilterBankLog", [x], [y], output_scale=scale, input_correction_bits=bits)
    return m.finish([x], [y]), f"{n} channels scale {scale} correction {bits}"


def spectral_options(rng, channels):
    bits = int(rng.integers(8, 17)) if rng.random() < 0.7 else int(rng.integers(0, 64))
    one = 1 << min(bits, 30)
    s = int(rng.integers(0, one + 1))
    a = s if rng.random() < 0.5 else int(rng.integers(0, one + 1))
    return dict(num_channels=channels, smoothing=s, one_minus_smoothing=one - s, alternate_smoothing=a,
                alternate_one_minus_smoothing=one - a, min_signal_remaining=int(rng.integers(0, one + 1)),
                smoothing_bits=int(rng.integers(0, 32)) if rng.random() < 0.3 else int(rng.integers(0, 11)),
                spectral_subtraction_bits=bits, clamping=bool(rng.random() < 0.5))


def spectral_subtraction(rng):
    m = ModelWriter()
    n = int(rng.integers(1, 50))
    x = m.tensor("x", (n,), type="uint32")
    y = m.tensor("y", (n,), type="uint32")
    noise = m.tensor("noise", (n,), type="uint32")
    opts = spectral_options(rng, n)
    m.custom_op("SignalFilterBankSpectralSubtraction", [x], [y, noise], **opts)
    outs = [y, noise] if rng.random() < 0.7 else [y]
    return m.finish([x], outs), f"{n} channels " + " ".join(f"{k} {v}" for k, v in opts.items() if k != "num_channels")


def pcan_lut(strength, offset, input_bits, gain_bits):
    """TFLM's wide dynamic function table (pcan_op.py's), in numpy float32."""
    def gain(x):
        xf = np.float32(np.float32(x) / np.float32(2.0 ** input_bits))
        g = np.float32(2.0 ** gain_bits) * np.float32(np.power(np.float32(xf + np.float32(offset)),
                                                               np.float32(-strength)))
        return 32767 if g > 32767 else int(np.float32(g + np.float32(0.5)))
    lut = np.zeros(4 * 32 + 4, np.int64)  # indices shifted by 6, as TFLM's pointer
    lut[6], lut[7] = gain(0), gain(1)
    for interval in range(2, 33):
        x0 = 1 << (interval - 1)
        x1 = x0 + (x0 >> 1)
        x2 = x0 + (x0 - 1) if interval == 32 else 2 * x0
        y0, y1, y2 = gain(x0), gain(x1), gain(x2)
        a1 = 4 * (y1 - y0) - (y2 - y0)
        a2 = (y2 - y0) - a1
        lut[4 * interval: 4 * interval + 4] = [y0, a1, a2, 0]
    return lut[6:6 + 125].astype(np.int16)


def pcan(rng):
    m = ModelWriter()
    n = int(rng.integers(1, 50))
    x = m.tensor("x", (n,), type="uint32")
    noise = m.tensor("noise", (n,), type="uint32")
    if rng.random() < 0.7:
        lut = pcan_lut(float(rng.uniform(0.5, 1.0)), float(rng.uniform(1, 100)), int(rng.integers(0, 12)),
                       int(rng.integers(12, 22)))
        kind = "pcan table"
    else:
        lut = rng.integers(-32768, 32768, int(rng.integers(125, 140))).astype(np.int16)
        kind = "random table"
    lt = m.tensor("lut", lut.shape, type="int16", data=lut)
    y = m.tensor("y", (n,), type="uint32")
    u = rng.random()
    shift = 6 if u < 0.5 else (int(rng.integers(0, 20)) if u < 0.95 else int(rng.integers(0, 64)))
    m.custom_op("SignalPCAN", [x, noise, lt], [y], snr_shift=shift)
    return m.finish([x, noise], [y]), f"{n} channels snr_shift {shift} {kind} of {lut.size}"


def framer_model(rng, outer=None, prefill=None, single=False):
    m = ModelWriter()
    step = int(rng.integers(1, 9))
    size = int(rng.integers(1, 3 * step + 3))
    prefill = bool(rng.random() < 0.5) if prefill is None else prefill
    # One invoke: every frame complete (TFLM leaves an incomplete one's output
    # as the arena had it).
    prefill = (prefill or single) and step <= size
    frames = int(rng.integers(1, 4))
    outer = _outer_shape(rng) if outer is None else outer
    x = m.tensor("x", outer + (frames * step,), type="int16")
    y = m.tensor("frames", outer + (frames, size), type="int16")
    v = m.tensor("valid", (), type="bool")
    m.custom_op("SignalFramer", [x], [y, v], frame_size=size, frame_step=step, prefill=prefill)
    return m.finish([x], [y, v]), f"{list(outer)} {frames} frames of {size} step {step} prefill {prefill}"


def framer(rng):
    return framer_model(rng, single=True)


def stacker_model(rng, right=None):
    m = ModelWriter()
    ch = int(rng.integers(1, 12))
    left = int(rng.integers(0, 4))
    right = int(rng.integers(0, 3)) if right is None else right
    step = int(rng.integers(1, left + right + 2))
    x = m.tensor("x", (ch,), type="int16")
    y = m.tensor("stack", (ch * (left + right + 1),), type="int16")
    v = m.tensor("valid", (), type="bool")
    m.custom_op("SignalStacker", [x], [y, v], num_channels=ch, stacker_left_context=left,
                stacker_right_context=right, stacker_step=step)
    return m.finish([x], [y, v]), f"{ch} channels context {left}/{right} step {step}"


def stacker(rng):
    # One invoke: a complete stack only without right context.
    return stacker_model(rng, right=0)


def delay_model(rng, single=False):
    m = ModelWriter()
    frame = int(rng.integers(1, 40))
    if single:  # one invoke: some of the input comes out
        length = int(rng.integers(0, frame))
    else:
        length = int(rng.integers(0, 2 * frame + 3)) if rng.random() < 0.8 else int(rng.integers(frame, 4 * frame + 1))
    shape = _outer_shape(rng) + (frame,)
    x = m.tensor("x", shape, type="int16")
    y = m.tensor("y", shape, type="int16")
    m.custom_op("SignalDelay", [x], [y], delay_length=length)
    return m.finish([x], [y]), f"{list(shape)} delay {length}"


def delay(rng):
    return delay_model(rng, single=True)


def overlap_add_model(rng, type_=INT16):
    m = ModelWriter()
    size = int(rng.integers(1, 40))
    step = int(rng.integers(1, size + 1))
    frames = int(rng.integers(1, 4))
    outer = _outer_shape(rng, 2)
    t = _typ(type_)
    x = m.tensor("x", outer + (frames, size), type=t)
    y = m.tensor("y", outer + (frames * step,), type=t)
    m.custom_op("SignalOverlapAdd", [x], [y], T=type_, frame_step=step)
    return m.finish([x], [y]), f"{list(outer)} {frames} frames of {size} step {step}"


def overlap_add(rng):
    return overlap_add_model(rng)


def overlap_add_float32(rng):
    return overlap_add_model(rng, FLOAT32)


def audio_front_end(rng=None, frame=480, fft_length=512, channels=40, full=True):
    """TFLM's audio front end for keyword spotters, one invoke per 30 ms
    frame of 16 kHz samples: window -> FFT auto scale -> RFFT -> energy ->
    mel filter bank -> square root (undoing the auto scale) -> spectral
    subtraction -> PCAN -> log. full=False: window -> RFFT -> energy ->
    filter bank -> square root -> log, the chain without noise reduction."""
    rng = rng or np.random.default_rng(7)
    m = ModelWriter()
    n = fft_length // 2 + 1
    x = m.tensor("audio", (frame,), type="int16")
    hann = np.round(16384 * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame) / frame)))
    w = m.tensor("hann", (frame,), type="int16", data=hann)
    windowed = m.tensor("windowed", (frame,), type="int16")
    m.custom_op("SignalWindow", [x, w], [windowed], shift=14)
    fft_in = windowed
    if full:
        fft_in = m.tensor("scaled", (frame,), type="int16")
        bits = m.tensor("scale_bits", (), type="int32")
        m.custom_op("SignalFftAutoScale", [windowed], [fft_in, bits])
    else:
        bits = m.tensor("scale_bits", (), type="int32", data=0)
    spectrum = m.tensor("spectrum", (2 * n,), type="int16")
    m.custom_op("SignalRfft", [fft_in], [spectrum], T=INT16, fft_length=fft_length)
    tables = mel_tables(rng, n, channels)
    start = int(tables[2][0])
    end = int(max(int(f) + int(wd) for f, wd in zip(tables[2], tables[4])))
    power = m.tensor("energy", (n,), type="uint32")
    m.custom_op("SignalEnergy", [spectrum], [power], start_index=start, end_index=end)
    bank = _filter_bank_op(m, rng, power, n, channels, tables=tables)
    root = m.tensor("root", (channels,), type="uint32")
    m.custom_op("SignalFilterBankSquareRoot", [bank, bits], [root])
    last = root
    if full:
        clean = m.tensor("clean", (channels,), type="uint32")
        noise = m.tensor("noise", (channels,), type="uint32")
        one = 1 << 14
        m.custom_op("SignalFilterBankSpectralSubtraction", [root], [clean, noise], num_channels=channels,
                    smoothing=655, one_minus_smoothing=one - 655, alternate_smoothing=655,
                    alternate_one_minus_smoothing=one - 655, min_signal_remaining=819, smoothing_bits=10,
                    spectral_subtraction_bits=14, clamping=False)
        lut = m.tensor("gain_lut", (125,), type="int16", data=pcan_lut(0.95, 80.0, 10 - 3, 21))
        gained = m.tensor("gained", (channels,), type="uint32")
        m.custom_op("SignalPCAN", [clean, noise, lut], [gained], snr_shift=6)
        last = gained
    features = m.tensor("features", (channels,), type="int16")
    m.custom_op("SignalFilterBankLog", [last], [features], output_scale=1600, input_correction_bits=3)
    return m.finish([x], [features])


# Named after the registry's keys (CUSTOM:<custom code>), a type suffix
# where the op takes several.
GENERATORS = {
    "CUSTOM:SignalWindow_INT16": window,
    "CUSTOM:SignalFftAutoScale_INT16": fft_auto_scale,
    "CUSTOM:SignalRfft_INT16": rfft,
    "CUSTOM:SignalRfft_INT32": rfft_int32,
    "CUSTOM:SignalRfft_FLOAT32": rfft_float32,
    "CUSTOM:SignalIrfft_INT16": irfft,
    "CUSTOM:SignalIrfft_INT32": irfft_int32,
    "CUSTOM:SignalIrfft_FLOAT32": irfft_float32,
    "CUSTOM:SignalEnergy_INT16": energy,
    "CUSTOM:SignalFilterBank": filter_bank,
    "CUSTOM:SignalFilterBankSquareRoot": filter_bank_square_root,
    "CUSTOM:SignalFilterBankLog": filter_bank_log,
    "CUSTOM:SignalFilterBankSpectralSubtraction": spectral_subtraction,
    "CUSTOM:SignalPCAN": pcan,
    "CUSTOM:SignalFramer_INT16": framer,
    "CUSTOM:SignalStacker_INT16": stacker,
    "CUSTOM:SignalDelay_INT16": delay,
    "CUSTOM:SignalOverlapAdd_INT16": overlap_add,
    "CUSTOM:SignalOverlapAdd_FLOAT32": overlap_add_float32,
}
