"""TFLM's Signal library: the custom ops of audio front ends (SignalWindow,
SignalRfft, SignalEnergy, SignalFilterBank..., as TFLM registers them), on
int16 samples, uint32 energies and uint64 filter bank sums, with TFLM's
integer arithmetic to the bit (runtime/ops/signal.c, kernels/portable/
signal_*.c). What TFLM computes at init is computed here: the FFT's
twiddles and radices (kiss_fft v130's), checked index tables.

TFLM reads most options by position in the flexbuffer map (keys sorted),
not by name: a lowering takes an option only where the key at TFLM's
position is the one TFLM means, and refuses the op otherwise.

Ops TFLM gives two outputs become two sprat ops (one output each): the
FFT auto scale's signal and its shift, a framer's or stacker's frames and
its valid flag (SIGNAL_VALID reads it from the op's state), a spectral
subtraction's output and its noise estimate (a COPY of its state).

State TFLM keeps inside a kernel (framer, stacker, delay, overlap-add,
spectral subtraction) is a STATE tensor here, an extra input the op
updates in place: kept across invokes, reset by sprat_reset_state to what
TFLM's Prepare or Reset sets."""

import math

import numpy as np
import tflite

from converter import ir, passes
from converter.lower import Lowers, i32

_TFL_TYPES = {tflite.TensorType.INT16: ir.INT16, tflite.TensorType.INT32: ir.INT32,
              tflite.TensorType.FLOAT32: ir.FLOAT32}
_T_NAMES = {ir.INT16: "int16", ir.INT32: "int32", ir.FLOAT32: "float32"}
MAX_FACTORS = 24  # kernels.h SPRAT_SIGNAL_FFT_MAX_FACTORS
_LUT_MIN = 125  # TFLM's PCAN table: its last octave's coefficients end at 124


def _code(op):
    return op.name.split(":", 1)[1]


_INTERNAL = ("_display", "_explicit_pad")  # the converter's own notes on an op, not the model's


def _keys(op):
    """The flexbuffer map's keys in its order (sorted bytewise)."""
    if "_custom_options_error" in op.options or "_custom_options" in op.options:
        return None
    return sorted((k for k in op.options if k not in _INTERNAL), key=lambda k: k.encode())


def _options(L, op, wanted):
    """The values TFLM reads: `wanted` lists (position, key) pairs."""
    keys = _keys(op)
    if keys is None:
        raise L.err(op, "its custom options are not a flexbuffer map (TFLM reads them as one)")
    out = []
    for pos, key in wanted:
        if pos >= len(keys) or keys[pos] != key:
            have = ", ".join(keys) or "none"
            raise L.err(op, f"TFLM reads option '{key}' as the map's entry {pos} (keys sorted); this op's keys are "
                            f"{have}: it needs {', '.join(k for _, k in wanted)} there")
        v = op.options[key]
        if isinstance(v, (bool, np.bool_)):
            v = int(v)
        if not isinstance(v, (int, np.integer)):
            raise L.err(op, f"option '{key}' = {v!r}: TFLM reads it as an integer")
        out.append(int(v))
    return out


def _type_option(L, op):
    """The sample type of option T, which TFLM reads by name."""
    if _keys(op) is None or "T" not in op.options:
        raise L.err(op, "option 'T' (the sample type) is missing: TFLM reads it to pick its kernel")
    if not isinstance(op.options["T"], int):  # a mutated flexbuffer's value: None, a float, a string
        raise L.err(op, f"option T = {op.options['T']!r}: TFLM takes int16 (7), int32 (2) or float32 (0)")
    t = _TFL_TYPES.get(int(op.options["T"]))
    if t is None:
        raise L.err(op, f"option T = {int(op.options['T'])}: TFLM takes int16 (7), int32 (2) or float32 (0)")
    return t


def _in(L, op, i, types=(ir.INT16,), rank=None):
    t = L.tensor(op, i, types, quantized=False)
    if rank is not None and len(t.shape) != rank:
        raise L.err(op, f"input {i} has rank {len(t.shape)}: TFLM's kernel takes rank {rank}", t.name)
    return t


def _out(L, op, k=0, types=(ir.INT16,), rank=None):
    if k >= len(op.outputs) or op.outputs[k] < 0:
        raise L.err(op, f"output {k} is missing")
    t = L.check(op, L.g.t(op.outputs[k]), types, False)
    if rank is not None and len(t.shape) != rank:
        raise L.err(op, f"output {k} has rank {len(t.shape)}: TFLM's kernel takes rank {rank}", t.name)
    return t


def _n_io(L, op, n_in, n_out):
    ins = len([i for i in op.inputs if i >= 0])
    if len(op.inputs) != n_in or ins != n_in:
        raise L.err(op, f"{len(op.inputs)} inputs: TFLM's kernel takes {n_in}")
    if len(op.outputs) != n_out:
        raise L.err(op, f"{len(op.outputs)} outputs: TFLM's kernel gives {n_out}")


def _used(L, t):
    return passes._uses(L.g, t.index) > 0


def _state(L, op, what, type_, shape, init=None):
    t = L.g.add_tensor(f"{L.g.t(op.outputs[0]).name}/{what}", type_, shape)
    t.variable = True
    if init is not None:
        t.init = np.asarray(init, ir.DTYPES[type_]).reshape(shape)
    return t


def _outer(shape):
    return int(np.prod(shape[:-1], dtype=np.int64)) if len(shape) > 1 else 1


def _bits(L, op, name, value, hi):
    if not 0 <= value <= hi:
        raise L.err(op, f"{name} = {value}: TFLM shifts by it (0 to {hi} defined)")


# ---- window, auto scale, energy -----------------------------------------------------
def window(L, op):
    _n_io(L, op, 2, 1)
    x, w, out = _in(L, op, 0), _in(L, op, 1, rank=1), _out(L, op)
    (shift,) = _options(L, op, [(0, "shift")])
    _bits(L, op, "shift", shift, 31)
    if not x.shape or len(out.shape) != len(x.shape) or out.count != x.count:
        raise L.err(op, f"input {list(x.shape)} and output {list(out.shape)}: TFLM windows the input into an "
                        f"output of its shape")
    if x.count % w.count:
        raise L.err(op, f"{x.count} samples are no whole number of windows of {w.count} (TFLM would read past "
                        f"the input)", w.name)
    L.emit(op, "SIGNAL_WINDOW", [x.index, w.index], [out.index], i32(x.count // w.count, w.count, shift),
           name=_code(op))


def fft_auto_scale(L, op):
    _n_io(L, op, 1, 2)
    x, out = _in(L, op, 0, rank=1), _out(L, op, 0, rank=1)
    bits = _out(L, op, 1, (ir.INT32,), rank=0)
    if out.count != x.count:
        raise L.err(op, f"output of {out.count} samples for {x.count}", out.name)
    if _used(L, out) or not _used(L, bits):
        L.emit(op, "SIGNAL_FFT_AUTO_SCALE", [x.index], [out.index], i32(x.count, 0), name=_code(op))
    if _used(L, bits):
        L.emit(op, "SIGNAL_FFT_AUTO_SCALE", [x.index], [bits.index], i32(x.count, 1), name=_code(op) + "/scale_bits")


def energy(L, op):
    _n_io(L, op, 1, 1)
    x, out = _in(L, op, 0, rank=1), _out(L, op, 0, (ir.UINT32,), rank=1)
    end, start = _options(L, op, [(0, "end_index"), (1, "start_index")])
    if start < 0 or end > out.count or (start < end and 2 * end > x.count):
        raise L.err(op, f"bins [{start}, {end}) of {x.count // 2} complex values into {out.count} energies: out of "
                        f"range (TFLM would read or write past its tensors)")
    L.emit(op, "SIGNAL_ENERGY", [x.index], [out.index], i32(start, end, out.count), name=_code(op))


# ---- FFT ---------------------------------------------------------------------------
def kiss_factors(n):
    """kiss_fft's radices of an n-point complex FFT, outermost first: fours,
    then twos, then odd primes; past the square root, the rest at once."""
    out, p, root = [], 4, math.floor(math.sqrt(n))
    while True:
        while n % p:
            p = {4: 2, 2: 3}.get(p, p + 2)
            if p > root:
                p = n
        n //= p
        out.append(p)
        if n <= 1:
            return out


def _cexp(phases, type_):
    """kf_cexp: Q15 / Q31 rounded (floor of x + 0.5), or the float cast."""
    # libm's cos and sin, as TFLM calls them (numpy's vector ones may differ in the last bit)
    c = np.array([math.cos(a) for a in phases], np.float64)
    s = np.array([math.sin(a) for a in phases], np.float64)
    if type_ == ir.FLOAT32:
        return np.stack([c, s], 1).astype(np.float32).ravel()
    top = 32767.0 if type_ == ir.INT16 else 2147483647.0
    return np.stack([np.floor(0.5 + top * c), np.floor(0.5 + top * s)], 1).astype(ir.DTYPES[type_]).ravel()


def twiddles(fft_length, inverse, type_):
    """kiss_fftr_alloc's tables: n = fft_length / 2 twiddles of the complex
    FFT, then n / 2 of the real split, as TFLM computes them at init (the
    phases in double, in its operation order)."""
    n = fft_length // 2
    sign = -1.0 if inverse else 1.0
    pi = math.pi
    main = np.array([sign * (-2 * pi * i / n) for i in range(n)], np.float64)
    split = np.array([sign * (-pi * ((i + 1) / n + 0.5)) for i in range(n // 2)], np.float64)
    return np.concatenate([_cexp(main, type_), _cexp(split, type_)])


def _fft_common(L, op, inverse):
    _n_io(L, op, 1, 1)
    type_ = _type_option(L, op)
    (fft_length,) = _options(L, op, [(1, "fft_length")])
    x = _in(L, op, 0, (type_,))
    out = _out(L, op, 0, (type_,))
    if fft_length < 4 or fft_length % 2 or fft_length > 1 << 20:
        raise L.err(op, f"fft_length {fft_length}: TFLM's kiss_fft takes an even length of at least 4 (2 would "
                        f"need a scratch buffer it never allocates)")
    n = fft_length // 2
    factors = kiss_factors(n)
    if max(factors) > 5:
        raise L.err(op, f"fft_length {fft_length}: its half has the prime factor {max(factors)}; TFLM's kiss_fft "
                        f"runs radices 2, 3, 4 and 5 only (a larger one needs a buffer it never allocates)")
    if len(factors) > MAX_FACTORS:
        raise L.err(op, f"fft_length {fft_length}: {len(factors)} FFT stages, sprat takes {MAX_FACTORS}")
    if not x.shape or len(out.shape) != len(x.shape) or _outer(x.shape) != _outer(out.shape):
        raise L.err(op, f"input {list(x.shape)} and output {list(out.shape)} must have the same rank and rows")
    rows = _outer(x.shape)
    if inverse:
        if x.shape[-1] % 2 or x.shape[-1] // 2 < n + 1:
            raise L.err(op, f"input rows of {x.shape[-1]} values: TFLM reads {n + 1} complex ones "
                            f"({2 * (n + 1)} values)", x.name)
        if out.shape[-1] != fft_length:
            raise L.err(op, f"output rows of {out.shape[-1]}: the IRFFT gives {fft_length} samples", out.name)
        in_length = x.shape[-1] // 2
    else:
        if x.shape[-1] > fft_length:
            raise L.err(op, f"input rows of {x.shape[-1]} samples, longer than fft_length {fft_length}", x.name)
        if out.shape[-1] != 2 * (n + 1):
            raise L.err(op, f"output rows of {out.shape[-1]}: the RFFT gives {n + 1} complex values "
                            f"({2 * (n + 1)})", out.name)
        in_length = x.shape[-1]
    tw = L.g.add_tensor(f"{out.name}/twiddles", type_, (2 * (n + n // 2),), None,
                        twiddles(fft_length, inverse, type_))
    # Typed: the blob's checks then hold it to the alignment of its samples.
    scratch = L.g.add_tensor(f"{out.name}/scratch", type_, (2 * n,))
    params = i32(rows, in_length, fft_length, len(factors), *factors, *[0] * (MAX_FACTORS - len(factors)))
    suffix = {ir.INT16: "S16", ir.INT32: "S32", ir.FLOAT32: "F32"}[type_]
    name = ("SIGNAL_IRFFT_" if inverse else "SIGNAL_RFFT_") + suffix
    stages = len(factors)
    L.emit(op, name, [x.index, tw.index], [out.index], params, name=_code(op), macs=rows * n * stages * 4,
           scratch=[scratch.index])


def rfft(L, op):
    _fft_common(L, op, False)


def irfft(L, op):
    _fft_common(L, op, True)


# ---- filter bank and what follows it ---------------------------------------------------
def filter_bank(L, op):
    _n_io(L, op, 6, 1)
    x = _in(L, op, 0, (ir.UINT32,), rank=1)
    tables = [_in(L, op, i, rank=1) for i in range(1, 6)]
    out = _out(L, op, 0, (ir.UINT64,), rank=1)
    (channels,) = _options(L, op, [(0, "num_channels")])
    for t in tables:
        if not t.is_const:
            raise L.err(op, "the weights and the channels' index tables must be constants (sprat checks their "
                            "indices offline)", t.name)
    w, uw, freq, wstart, width = (t.data.astype(np.int64).ravel() for t in tables)
    if channels < 1 or out.count != channels:
        raise L.err(op, f"num_channels {channels} with {out.count} outputs: they must be equal", out.name)
    for t in tables[2:]:
        if t.count < channels + 1:
            raise L.err(op, f"{t.count} values: TFLM reads num_channels + 1 = {channels + 1}", t.name)
    if w.size != uw.size:
        raise L.err(op, f"{w.size} weights and {uw.size} unweights: they pair up", tables[1].name)
    for ch in range(channels + 1):
        if width[ch] <= 0:
            continue
        if freq[ch] < 0 or freq[ch] + width[ch] > x.count:
            raise L.err(op, f"channel {ch} reads spectrum bins [{freq[ch]}, {freq[ch] + width[ch]}) of {x.count}",
                        tables[2].name)
        if wstart[ch] < 0 or wstart[ch] + width[ch] > w.size:
            raise L.err(op, f"channel {ch} reads weights [{wstart[ch]}, {wstart[ch] + width[ch]}) of {w.size}",
                        tables[3].name)
    L.emit(op, "SIGNAL_FILTER_BANK", [x.index] + [t.index for t in tables], [out.index],
           i32(channels, x.count, w.size), name=_code(op), macs=2 * int(np.maximum(width[:channels + 1], 0).sum()))


def filter_bank_square_root(L, op):
    _n_io(L, op, 2, 1)
    x = _in(L, op, 0, (ir.UINT64,), rank=1)
    bits = _in(L, op, 1, (ir.INT32,), rank=0)
    out = _out(L, op, 0, (ir.UINT32,), rank=1)
    if out.count != x.count:
        raise L.err(op, f"{out.count} outputs for {x.count} channels", out.name)
    if bits.is_const:
        _bits(L, op, "scale_bits", int(bits.data.ravel()[0]), 31)
    L.emit(op, "SIGNAL_FILTER_BANK_SQRT", [x.index, bits.index], [out.index], i32(x.count), name=_code(op))


def filter_bank_log(L, op):
    _n_io(L, op, 1, 1)
    x, out = _in(L, op, 0, (ir.UINT32,), rank=1), _out(L, op, 0, (ir.INT16,), rank=1)
    correction, scale = _options(L, op, [(0, "input_correction_bits"), (1, "output_scale")])
    _bits(L, op, "input_correction_bits", correction, 31)
    if out.count != x.count:
        raise L.err(op, f"{out.count} outputs for {x.count} channels", out.name)
    L.emit(op, "SIGNAL_FILTER_BANK_LOG", [x.index], [out.index], i32(x.count, correction, scale), name=_code(op))


_SPECTRAL_KEYS = ["alternate_one_minus_smoothing", "alternate_smoothing", "clamping", "min_signal_remaining",
                  "num_channels", "one_minus_smoothing", "smoothing", "smoothing_bits", "spectral_subtraction_bits"]


def spectral_subtraction(L, op):
    _n_io(L, op, 1, 2)
    x = _in(L, op, 0, (ir.UINT32,), rank=1)
    out, noise = _out(L, op, 0, (ir.UINT32,), rank=1), _out(L, op, 1, (ir.UINT32,), rank=1)
    v = dict(zip(_SPECTRAL_KEYS, _options(L, op, list(enumerate(_SPECTRAL_KEYS)))))
    ch = v["num_channels"]
    if not ch == x.count == out.count == noise.count:
        raise L.err(op, f"num_channels {ch}, input {x.count}, output {out.count}, noise estimate {noise.count}: "
                        f"they must be equal")
    _bits(L, op, "smoothing_bits", v["smoothing_bits"], 31)
    _bits(L, op, "spectral_subtraction_bits", v["spectral_subtraction_bits"], 63)
    state = _state(L, op, "noise_estimate_state", ir.UINT32, (ch,))  # TFLM's Prepare: zeros
    u32 = lambda k: int(np.int64(v[k]).astype(np.uint32).view(np.int32))  # TFLM's uint32 fields, as bits
    params = i32(ch, u32("smoothing"), u32("one_minus_smoothing"), u32("alternate_smoothing"),
                 u32("alternate_one_minus_smoothing"), u32("min_signal_remaining"), v["smoothing_bits"],
                 v["spectral_subtraction_bits"], int(v["clamping"] != 0))
    L.emit(op, "SIGNAL_SPECTRAL_SUBTRACTION", [x.index, state.index], [out.index], params, name=_code(op))
    if _used(L, noise):
        L.copy_op(op, state, noise, name=_code(op) + "/noise_estimate")


def pcan(L, op):
    _n_io(L, op, 3, 1)
    x, noise = _in(L, op, 0, (ir.UINT32,), rank=1), _in(L, op, 1, (ir.UINT32,), rank=1)
    lut = _in(L, op, 2, (ir.INT16,), rank=1)
    out = _out(L, op, 0, (ir.UINT32,), rank=1)
    (snr_shift,) = _options(L, op, [(0, "snr_shift")])
    _bits(L, op, "snr_shift", snr_shift, 63)
    if not x.count == noise.count == out.count:
        raise L.err(op, f"input {x.count}, noise estimate {noise.count}, output {out.count}: they must be equal")
    if lut.count < _LUT_MIN:
        raise L.err(op, f"gain table of {lut.count} values: TFLM reads up to {_LUT_MIN} (4 * 32 - 3)", lut.name)
    L.emit(op, "SIGNAL_PCAN", [x.index, noise.index, lut.index], [out.index], i32(x.count, snr_shift),
           name=_code(op))


# ---- streams -------------------------------------------------------------------------
def framer(L, op):
    _n_io(L, op, 1, 2)
    x = _in(L, op, 0)
    out, valid = _out(L, op, 0), _out(L, op, 1, (ir.BOOL,), rank=0)
    size, step, prefill = _options(L, op, [(0, "frame_size"), (1, "frame_step"), (2, "prefill")])
    if not x.shape:
        raise L.err(op, "a scalar input: TFLM frames its innermost dimension", x.name)
    inner = x.shape[-1]
    if size < 1 or step < 1 or inner < step or inner % step:
        raise L.err(op, f"frame_size {size}, frame_step {step} with rows of {inner} samples: TFLM takes a step "
                        f"of at least 1 dividing the rows")
    if prefill and step > size:
        raise L.err(op, f"prefill with frame_step {step} above frame_size {size}: TFLM would prefill a negative "
                        f"count")
    frames = inner // step
    want = tuple(x.shape[:-1]) + (frames, size)
    if tuple(out.shape) != want:
        raise L.err(op, f"output {list(out.shape)}: the frames are {list(want)}", out.name)
    capacity = -(-size // step) * step  # TFLM's: frame_size rounded up to whole steps
    outer = _outer(x.shape)
    samples = _state(L, op, "framer_samples", ir.INT16, (outer, capacity))
    meta = _state(L, op, "framer_fill", ir.INT32, (2,), [size - step if prefill else 0, 0])
    L.emit(op, "SIGNAL_FRAMER", [x.index, samples.index, meta.index], [out.index],
           i32(outer, frames, size, step, capacity), name=_code(op))
    if _used(L, valid):
        L.emit(op, "SIGNAL_VALID", [meta.index], [valid.index], i32(1), name=_code(op) + "/valid")


def stacker(L, op):
    _n_io(L, op, 1, 2)
    x, out = _in(L, op, 0, rank=1), _out(L, op, 0, rank=1)
    valid = _out(L, op, 1, (ir.BOOL,), rank=0)
    ch, left, right, step = _options(L, op, [(0, "num_channels"), (1, "stacker_left_context"),
                                             (2, "stacker_right_context"), (3, "stacker_step")])
    if ch < 1 or left < 0 or right < 0 or left >= 1 << 16 or right >= 1 << 16:
        raise L.err(op, f"num_channels {ch}, contexts {left} and {right}: out of range")
    span = left + right + 1
    if not 1 <= step <= span:
        raise L.err(op, f"stacker_step {step}: TFLM discards that many frames of the {span} it holds (1 to {span})")
    if x.count != ch:
        raise L.err(op, f"input of {x.count}: TFLM stacks num_channels = {ch} values per invoke", x.name)
    if out.count != ch * span:
        raise L.err(op, f"output of {out.count}: the stack is {ch} x {span} = {ch * span}", out.name)
    # The buffer, then the last complete stack: TFLM's output keeps it while invalid.
    samples = _state(L, op, "stacker_samples", ir.INT16, (2 * ch * span,))
    meta = _state(L, op, "stacker_fill", ir.INT32, (3,))
    L.emit(op, "SIGNAL_STACKER", [x.index, samples.index, meta.index], [out.index],
           i32(ch, left, right, step, ch * span), name=_code(op))
    if _used(L, valid):
        L.emit(op, "SIGNAL_VALID", [meta.index], [valid.index], i32(2), name=_code(op) + "/valid")


def delay(L, op):
    _n_io(L, op, 1, 1)
    x, out = _in(L, op, 0), _out(L, op)
    (length,) = _options(L, op, [(0, "delay_length")])
    if not x.shape:
        raise L.err(op, "a scalar input: TFLM delays its innermost dimension", x.name)
    if out.count != x.count:
        raise L.err(op, f"output {list(out.shape)} for input {list(x.shape)}", out.name)
    if length < 0 or length > 1 << 20:
        raise L.err(op, f"delay_length {length}: out of range")
    if length == 0:
        L.copy_op(op, x, out, name=_code(op))
        return
    outer = _outer(x.shape)
    held = _state(L, op, "delay_samples", ir.INT16, (outer, length))  # TFLM's Prepare: zeros
    L.emit(op, "SIGNAL_DELAY", [x.index, held.index], [out.index], i32(outer, x.shape[-1], length), name=_code(op))


def overlap_add(L, op):
    _n_io(L, op, 1, 1)
    type_ = _type_option(L, op)
    if type_ == ir.INT32:
        raise L.err(op, "option T = int32: TFLM's overlap-add takes int16 and float32")
    (step,) = _options(L, op, [(1, "frame_step")])
    x, out = _in(L, op, 0, (type_,)), _out(L, op, 0, (type_,))
    if len(x.shape) < 2 or len(out.shape) != len(x.shape) - 1:
        raise L.err(op, f"input {list(x.shape)} and output {list(out.shape)}: TFLM takes frames [..., n, size] "
                        f"into [..., n * step]")
    frames, size = x.shape[-2], x.shape[-1]
    if not 1 <= step <= size:
        raise L.err(op, f"frame_step {step} with frames of {size}: TFLM takes 1 to the frame size")
    want = tuple(x.shape[:-2]) + (frames * step,)
    if tuple(out.shape) != want:
        raise L.err(op, f"output {list(out.shape)}: the overlap-added signal is {list(want)}", out.name)
    outer = int(np.prod(x.shape[:-2], dtype=np.int64))
    sums = _state(L, op, "overlap_add_sums", type_, (outer, size))
    L.emit(op, "SIGNAL_OVERLAP_ADD", [x.index, sums.index], [out.index],
           i32(outer, frames, size, step, int(type_ == ir.FLOAT32)), name=_code(op))


_EXACT = "bit-exact with TFLM (the oracle: LiteRT has no Signal ops)"
_STATE = "state kept across invokes, reset by sprat_reset_state as TFLM's Reset"
OPS = {
    "CUSTOM:SignalWindow": Lowers(window, ("int16",), note=_EXACT),
    "CUSTOM:SignalFftAutoScale": Lowers(fft_auto_scale, ("int16",), note=_EXACT),
    "CUSTOM:SignalRfft": Lowers(rfft, ("int16", "int32", "float32"),
                                note="kiss_fft v130's arithmetic, twiddles computed offline; lengths whose half has "
                                     "a prime factor above 5 refused, as TFLM cannot run them"),
    "CUSTOM:SignalIrfft": Lowers(irfft, ("int16", "int32", "float32"), note="as SignalRfft"),
    "CUSTOM:SignalEnergy": Lowers(energy, ("int16",), note="energies outside [start_index, end_index) are 0 (TFLM "
                                                           "leaves them as they were)"),
    "CUSTOM:SignalFilterBank": Lowers(filter_bank, ("uint32",), note="constant weights and index tables, checked "
                                                                     "offline"),
    "CUSTOM:SignalFilterBankSquareRoot": Lowers(filter_bank_square_root, ("uint64",), note=_EXACT),
    "CUSTOM:SignalFilterBankLog": Lowers(filter_bank_log, ("uint32",), note=_EXACT),
    "CUSTOM:SignalFilterBankSpectralSubtraction": Lowers(spectral_subtraction, ("uint32",),
                                                         note="noise estimate: " + _STATE),
    "CUSTOM:SignalPCAN": Lowers(pcan, ("uint32",), note=_EXACT),
    "CUSTOM:SignalFramer": Lowers(framer, ("int16",), note=_STATE + "; incomplete frames are 0 (TFLM leaves them)"),
    "CUSTOM:SignalStacker": Lowers(stacker, ("int16",), note=_STATE + "; while invalid, the last stack (0 before the "
                                                                      "first), as TFLM's output keeps it"),
    "CUSTOM:SignalDelay": Lowers(delay, ("int16",), note=_STATE),
    "CUSTOM:SignalOverlapAdd": Lowers(overlap_add, ("int16", "float32"), note=_STATE),
}
