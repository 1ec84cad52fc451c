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


# TFLite's int16 LOGISTIC and TANH interpolate this table of sigmoid on
# [0, 10.7) in steps of 1/24, in 0.16 fixed point. Its numbers are fitted, not
# the rounded function (44 differ from round(65536 sigmoid(i/24))), so they
# cannot be computed here; they were measured from LiteRT's reference TANH
# (tanh's arithmetic returns an entry exactly at each step), and
# tests/test_int16.py measures them again and checks both ops on every
# int16 input at many scales.
SIGMOID_S16_TABLE = (
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432,
    42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475,
    49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485,
    55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519,
    59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
    62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405,
    64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179,
    65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
    65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425,
    65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501,
    65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517,
    65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533,
    65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
)


def sigmoid_s16_params(in_scale):
    """TFLite's (input_multiplier, input_left_shift) of int16 LOGISTIC and
    TANH: the input rescaled to steps of 1/(3 * 4096); (3, 0) for the scale
    2^-12 (its power-of-two case). None when the multiplier would not fit
    the kernels' 15 bits."""
    pot, lg = checked_log2(in_scale)
    if pot and (15 - 3) + lg == 0:
        return 3, 0
    m, shift = float(np.float32(in_scale)) * 4096.0 * 3.0, 0
    while m <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        m *= 2.0
    m = int(m)
    return (m, shift) if 1 <= m <= 32767 else None
