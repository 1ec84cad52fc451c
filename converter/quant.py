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


def lut_s8(fn, in_scale, in_zp, out_scale, out_zp):
    """TFLite's int8 lookup table for a float function, in float32 with the C
    library's expf/tanhf (the ones LiteRT calls). Indexed by (uint8)x."""
    inv = np.float32(1.0) / np.float32(out_scale)
    table = np.zeros(256, np.int8)
    for v in range(-128, 128):
        deq = np.float32(in_scale) * np.float32(v - in_zp)
        y = np.float32(fn(float(deq)))
        r = round_away(float(np.float32(y * inv)))
        qv = int(np.float32(r) + np.float32(out_zp))
        table[v & 0xFF] = max(-128, min(127, qv))
    return table


def logistic(x):
    e = np.float32(_libm.expf(-x))
    return float(np.float32(1.0) / (np.float32(1.0) + e))


def tanh(x):
    return _libm.tanhf(x)


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
