"""TFLite's quantization arithmetic, reproduced exactly (the runtime's
results are bit-exact only if these constants are)."""

import ctypes
import ctypes.util
import math

import numpy as np

from converter.errors import ConvertError

_libm = ctypes.CDLL(ctypes.util.find_library("m"))
_libm.expf.restype = ctypes.c_float
_libm.expf.argtypes = [ctypes.c_float]
_libm.tanhf.restype = ctypes.c_float
_libm.tanhf.argtypes = [ctypes.c_float]
_libm.logf.restype = ctypes.c_float
_libm.logf.argtypes = [ctypes.c_float]


def f32(x):
    return float(np.float32(x))


def round_away(x):
    """std::round: halves away from zero (numpy's round is half-to-even).
    Saturated at +-2^40 (and NaN as 0): callers clamp to int8 or int32, and
    a malformed model's extreme scales must not end in an exception."""
    if not math.isfinite(x):
        return 0 if math.isnan(x) else int(math.copysign(2**40, x))
    x = max(-2.0**40, min(2.0**40, x))
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def quantize_multiplier(m):
    """TFLite QuantizeMultiplier(double): (Q31 multiplier, shift)."""
    if not math.isfinite(m) or m < 0:
        raise ConvertError(f"the scales give a multiplier of {m}, not a finite non-negative number")
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    q_fixed = round_away(q * (1 << 31))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    if shift > 30:  # TFLite's kernels shift left by at most 30
        raise ConvertError(f"the scales give a multiplier of {m}, too large to requantize with")
    return int(q_fixed), int(shift)


def quantize_multiplier_smaller_than_one(m):
    q, s = quantize_multiplier(m)
    if s > 0:
        raise ConvertError(f"the scales give a multiplier of {m}, which must be smaller than one")
    return q, s


def activation_range(activation, scale, zero_point, qmin=-128, qmax=127):
    """CalculateActivationRangeQuantized: float32 division, std::round."""
    def q(v):
        return zero_point + int(round_away(f32(np.float32(v) / np.float32(scale))))
    if activation in (None, "NONE", 0):
        return qmin, qmax
    if activation in ("RELU", 1):
        return max(qmin, q(0.0)), qmax
    if activation in ("RELU6", 3):
        return max(qmin, q(0.0)), min(qmax, q(6.0))
    if activation in ("RELU_N1_TO_1", 2):
        return max(qmin, q(-1.0)), min(qmax, q(1.0))
    raise ConvertError(f"unknown fused activation {activation}")


def lut_s8(fn, in_scale, in_zp, out_scale, out_zp, strict=False):
    """TFLite's int8 lookup table for a float function, in float32 with the C
    library's expf/tanhf (the ones LiteRT calls). Indexed by (uint8)x.
    Beyond int32 the C conversion is undefined: LiteRT's build saturates, as
    here; `strict` refuses instead (TFLM's build gives INT32_MIN)."""
    inv = np.float32(1.0) / np.float32(out_scale)
    table = np.zeros(256, np.int8)
    with np.errstate(over="ignore", invalid="ignore"):  # EXP's infinities, as in C
        for v in range(-128, 128):
            deq = np.float32(in_scale) * np.float32(v - in_zp)
            y = np.float32(fn(float(deq)))
            q = float(np.float32(y * inv))
            f = float(np.float32(round_away(q)) + np.float32(out_zp))
            if strict and (math.isnan(q) or not -2.0**31 <= f < 2.0**31):
                raise ConvertError(f"output scale {out_scale:g} is too small: the value for input {v}, {float(y):g}, "
                                   "over it overflows int32, whose conversion C leaves undefined")
            table[v & 0xFF] = max(-128, min(127, int(f)))
    return table


def logistic(x):
    e = np.float32(_libm.expf(-x))
    return float(np.float32(1.0) / (np.float32(1.0) + e))


def tanh(x):
    return _libm.tanhf(x)


def expf(x):
    return _libm.expf(x)


def logf(x):
    return _libm.logf(x)


def softmax_params(in_scale, beta, integer_bits=5):
    """TFLite's PreprocessSoftmaxScaling and CalculateInputRadius for the
    fixed-point SOFTMAX: (input_multiplier, input_left_shift, diff_min)."""
    real = min(float(beta) * float(in_scale) * (1 << (31 - integer_bits)), (1 << 31) - 1.0)
    mult, shift = quantize_multiplier(real)
    if shift < 0:
        raise ConvertError(f"beta * input scale {real} is too small for the fixed-point SOFTMAX")
    radius = ((1 << integer_bits) - 1) * (1 << (31 - integer_bits)) / (1 << shift)
    return mult, shift, -int(math.floor(radius))


_I32_MIN, _I32_MAX = -(1 << 31), (1 << 31) - 1


def _wrap32(v):
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def _srdhm(a, b):  # gemmlowp SaturatingRoundingDoublingHighMul
    if a == b == _I32_MIN:
        return _I32_MAX
    v = a * b + ((1 << 30) if a * b >= 0 else 1 - (1 << 30))
    q = abs(v) >> 31  # truncation toward zero
    return q if v >= 0 else -q


def _rdpot(x, e):  # gemmlowp RoundingDivideByPOT
    mask = (1 << e) - 1
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if (x & mask) > threshold else 0)


def _shl_sat(x, e):
    threshold = (1 << (31 - e)) - 1
    return _I32_MAX if x > threshold else _I32_MIN if x < -threshold else x << e


def _exp_on_negative(a):
    """gemmlowp's exp_on_negative_values, a in Q5.26, result in Q0.31: the
    same integer steps as kernels/portable/softmax_s8.c."""
    exp_m18, one_third = 1895147668, 715827883
    rest = (a & ((1 << 24) - 1)) - (1 << 24)
    x = _shl_sat(rest, 5) + (1 << 28)
    x2 = _srdhm(x, x)
    x3, x4 = _srdhm(x2, x), _srdhm(x2, x2)
    poly = _rdpot(_srdhm(_rdpot(x4, 2) + x3, one_third) + x2, 1)
    result = exp_m18 + _srdhm(exp_m18, x + poly)
    remainder = rest - a
    for k, c in enumerate((1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242)):
        if remainder & (1 << (24 + k)):
            result = _srdhm(result, c)
    return _I32_MAX if a == 0 else result


def softmax_exp_table(mult, shift, diff_min):
    """The int8 SOFTMAX's exponential for the differences 0, -1, .., -255
    from a row's maximum (0 where below diff_min: never read)."""
    return [_exp_on_negative(_srdhm(_wrap32(-d << shift), mult)) if -d >= diff_min else 0 for d in range(256)]


def downscale_int32_to_int16_multiplier(m):
    if m >= 2 ** 31 - 1 - (1 << 15):
        return 32767
    return (m + (1 << 15)) >> 16


def multiply_by_quantized_multiplier(x, m, shift):
    """TFLite's MultiplyByQuantizedMultiplier (gemmlowp's double rounding).
    x * 2^left wraps as the C's int32 product does (an out-of-range multiplier)."""
    if shift < -31:
        raise ConvertError(f"a right shift of {-shift}: TFLite's rounding shift is undefined beyond 31")
    return _rdpot(_srdhm(_wrap32(x << max(shift, 0)), m), max(-shift, 0))


def inv_sqrt_multiplier_exp(v):
    """TFLite's GetInvSqrtQuantizedMultiplierExp(v, kReverseShift): 1/sqrt(v)
    as (Q31 multiplier, shift), by gemmlowp fixed-point Newton iterations."""
    if v <= 1:
        return _I32_MAX, 0
    shift = 11
    while v >= 1 << 29:
        v //= 4
        shift += 1
    pairs = (32 - v.bit_length() - 1) // 2 - 1  # (CountLeadingZeros - 1) / 2 - 1
    shift -= pairs
    v <<= 2 * pairs
    half_input = _rdpot(v >> 1, 1)  # Q3.28
    half_three = (1 << 28) + (1 << 27)
    x = 1 << 28
    for _ in range(5):
        x3 = _shl_sat(_srdhm(_srdhm(x, x), x), 6)  # Q9 rescaled to Q3
        x = _shl_sat(_wrap32(_srdhm(half_three, x) - _srdhm(half_input, x3)), 3)
    x = _srdhm(x, 1518500250)  # sqrt(2)/2 in Q0.31
    if shift < 0:
        x, shift = _wrap32(x << -shift), 0
    return x, -shift


def checked_log2(x):
    """TFLite's CheckedLog2 in float32 (logf, roundf): (is a power of two
    within 1e-3 of its log, the rounded log)."""
    logf = _libm.logf
    logf.restype, logf.argtypes = ctypes.c_float, [ctypes.c_float]
    f = np.float32
    lg = f(logf(f(x))) * (f(1.0) / f(logf(f(2.0))))
    rounded = f(round_away(float(lg)))
    return bool(abs(f(lg - rounded)) < f(1e-3)), int(rounded)


def _round_half_away(x):
    """std::round on a double, exactly (floor(x + 0.5) is not, near 0.5)."""
    a = abs(x)
    f = math.floor(a)
    return math.copysign(f + (1.0 if a - f >= 0.5 else 0.0), x)


def _lut_s16(fn, in_scale, in_zp, out_scale, out_zp):
    """TFLite's LUTPopulate<int16_t> in double: 512 samples and one more,
    each corrected by half its midpoint's interpolation error."""
    in_min, in_max = in_scale * (-32768 - in_zp), in_scale * (32767 - in_zp)
    out_min, out_max = out_scale * (-32768 - out_zp), out_scale * (32767 - out_zp)
    step = (in_max - in_min) / 512
    half = step / 2
    inv = 65536.0 / (out_max - out_min)
    lut = []
    for i in range(512):
        val, mid, nxt = fn(in_min + i * step), fn(in_min + i * step + half), fn(in_min + (i + 1) * step)
        sample = _round_half_away(val * inv)
        interp = _round_half_away((nxt * inv + _round_half_away(val * inv)) / 2)
        bias = _round_half_away((interp - _round_half_away(mid * inv)) / 2)
        lut.append(min(max(sample - bias, -32768.0), 32767.0))
    lut.append(min(max(_round_half_away(fn(in_max) * inv), -32768.0), 32767.0))
    return np.array(lut, np.int16)


def softmax_s16_luts():
    """The int16 SOFTMAX's tables as TFLite makes them: exp on [-10, 0] and
    1/(1 + x) on [0, 1], both to [-1, 1] in 16 bits."""
    r = 65535
    return (_lut_s16(math.exp, 10.0 / r, 32767, 2.0 / r, 0),
            _lut_s16(lambda v: 1.0 / (1.0 + v), 1.0 / r, -32768, 2.0 / r, 0))
