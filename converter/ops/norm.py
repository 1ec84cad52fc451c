"""CUMSUM, L2_NORMALIZATION, LOG_SOFTMAX, L2_POOL_2D, RESIZE_BILINEAR
(runtime/ops/norm.c). The reductions of the family (SUM, REDUCE_MIN,
ARG_MIN, and MEAN and REDUCE_MAX over any axes) are in reduce.py; int16
RESIZE_NEAREST_NEIGHBOR in movement.py."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32, padding_offset, shape4

_FLT_MAX = float(np.finfo(np.float32).max)


def cumsum(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    if len(x.shape) < 1 or list(out.shape) != list(x.shape):
        raise L.err(op, f"expects input and output of one shape of rank 1 or more, not {list(x.shape)} and "
                        f"{list(out.shape)}")
    axis = np.ravel(L.const_input(op, 1, "the axis"))
    if axis.size != 1:
        raise L.err(op, f"the axis must be one value, not {axis.size}")
    axis = L.axis(op, int(axis[0]), len(x.shape))
    # TFLM's Prepare: every value rescaled to half the input scale in
    # 2^20 steps, the running sum rescaled from there to the output.
    left_shift = 20
    twice = 2 * np.float64(x.quant.s())
    in_mult, in_shift = quant.quantize_multiplier_smaller_than_one(float(np.float64(x.quant.s()) / twice))
    real_out = float(twice / ((1 << left_shift) * np.float64(out.quant.s())))
    if not 0 < real_out < 1:
        raise L.err(op, f"output scale {out.quant.s():g} is below 2^-19 of the input scale: TFLM's CUMSUM needs a "
                        "rescaling smaller than one", out.name)
    out_mult, out_shift = quant.quantize_multiplier_smaller_than_one(real_out)
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
    L.emit(op, "CUMSUM", [x.index], [out.index],
           i32(outer, x.shape[axis], inner, int(bool(op.options.get("exclusive", False))),
               int(bool(op.options.get("reverse", False))), -x.quant.zp(), out.quant.zp(), left_shift,
               in_mult, in_shift, out_mult, out_shift), macs=x.count)


def _last_axis_rows(L, op, x, out):
    if len(x.shape) < 1 or list(out.shape) != list(x.shape):
        raise L.err(op, f"expects input and output of one shape of rank 1 or more, not {list(x.shape)} and "
                        f"{list(out.shape)}")
    depth = int(x.shape[-1])
    return x.count // depth if depth else 0, depth


def l2_normalization(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    if op.options.get("fused_activation_function", 0) != 0:
        raise L.err(op, "a fused activation is not supported (nor by TFLite's kernels)")
    if out.quant.s() != np.float32(1 / 128) or out.quant.zp() != 0:
        raise L.err(op, f"output scale {out.quant.s():g} and zero point {out.quant.zp()}: TFLite's int8 "
                        "L2_NORMALIZATION gives scale 1/128, zero point 0", out.name)
    rows, depth = _last_axis_rows(L, op, x, out)
    L.emit(op, "L2_NORMALIZATION", [x.index], [out.index], i32(rows, depth, x.quant.zp()), macs=2 * x.count)


def log_softmax(L, op):
    x, out = L.tensor(op, 0), L.output(op)
    if out.quant.s() != np.float32(16 / 256) or out.quant.zp() != 127:
        raise L.err(op, f"output scale {out.quant.s():g} and zero point {out.quant.zp()}: TFLite's int8 "
                        "LOG_SOFTMAX gives scale 16/256, zero point 127", out.name)
    rows, depth = _last_axis_rows(L, op, x, out)
    if depth >= 1 << 12:
        raise L.err(op, f"rows of {depth} values: at most 4095 are supported (TFLite's Q12.19 sum of "
                        "exponentials overflows beyond)")
    # TFLite's PreprocessLogSoftmaxScalingExp (beta 1, 5 integer bits).
    real = min(np.float64(x.quant.s()) * (1 << 26), (1 << 31) - 1.0)
    if not real > 1:
        raise L.err(op, f"input scale {x.quant.s():g} is at or below 2^-26: TFLite's fixed-point LOG_SOFTMAX "
                        "needs it larger", x.name)
    mult, left_shift, diff_min = quant.softmax_params(x.quant.s(), 1.0)
    reverse = float((1 << (31 - left_shift)) / np.float64(mult))
    if not 0 < reverse < 1:
        raise L.err(op, f"input scale {x.quant.s():g}: TFLite's reverse scaling of it is not below one", x.name)
    rev_mult, rev_shift = quant.quantize_multiplier_smaller_than_one(reverse)
    L.emit(op, "LOG_SOFTMAX", [x.index], [out.index],
           i32(rows, depth, mult, left_shift, rev_mult, -rev_shift, diff_min), macs=3 * x.count)


def l2_pool_2d(L, op):
    t = L.g.t(op.inputs[0]) if op.inputs and op.inputs[0] >= 0 else None
    if t is not None and t.type != ir.FLOAT32:
        raise L.err(op, f"type {ir.TYPE_NAMES.get(t.type, t.type)}: TFLite has no quantized L2_POOL_2D (LiteRT's and "
                        "TFLM's kernels take float32 only), so sprat runs float32 only", t.name)
    x = L.tensor(op, 0, types=(ir.FLOAT32,), quantized=False)
    out = L.output(op, types=(ir.FLOAT32,), quantized=False)
    if len(x.shape) != 4 or len(out.shape) != 4 or out.shape[0] != x.shape[0] or out.shape[3] != x.shape[3]:
        raise L.err(op, f"expects 4-D input and output of the same batch and channels, not {list(x.shape)} "
                        f"and {list(out.shape)}")
    o = op.options
    sh, sw, fh, fw = o.get("stride_h", 1), o.get("stride_w", 1), o.get("filter_height", 1), o.get("filter_width", 1)
    pt = padding_offset(o.get("padding", 1), x.shape[1], fh, sh, 1, out.shape[1])
    pl = padding_offset(o.get("padding", 1), x.shape[2], fw, sw, 1, out.shape[2])
    if pt is None or pl is None:
        raise L.err(op, f"output shape {list(out.shape)} does not follow from the input and window", out.name)
    # TFLite's CalculateActivationRange<float>.
    act = o.get("fused_activation_function", 0)
    ranges = {0: (-_FLT_MAX, _FLT_MAX), 1: (0.0, _FLT_MAX), 2: (-1.0, 1.0), 3: (0.0, 6.0)}
    if act not in ranges:
        raise L.err(op, f"fused activation {act} (e.g. TANH, SIGN_BIT) is not supported")
    lo, hi = ranges[act]
    L.emit(op, "L2_POOL_2D", [x.index], [out.index],
           i32(*shape4(x.shape), *shape4(out.shape), sh, sw, fh, fw, pt, pl) + np.array([lo, hi], "<f4").tobytes(),
           macs=out.count * fh * fw)


def _c_div(a, b):
    """C's integer division (truncates toward zero), b > 0."""
    return a // b if a >= 0 else -((-a) // b)


def _bilinear_axis(L, op, in_size, out_size, align, half, name):
    """(y0, y1, weight) for each output row or column, as TFLite's
    ComputeInterpolationValuesInteger (weights in 1/1024)."""
    if align and out_size > 1:
        scale = ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    else:
        scale = ((1 << 10) * in_size + out_size // 2) // out_size
    table = []
    for v in range(out_size):
        scaled = v * scale + scale // 2 - (1 << 9) if half else v * scale
        if not -2**31 <= scaled < 2**31 - 1024:
            raise L.err(op, f"a {name} of {out_size} from {in_size} overflows TFLite's int32 positions")
        lo = max(_c_div(scaled, 1 << 10), 0)
        hi = min(_c_div(scaled + (1 << 10) - 1, 1 << 10), in_size - 1)
        if lo >= in_size:
            raise L.err(op, f"a {name} of {out_size} from {in_size}: TFLite's integer RESIZE_BILINEAR would read "
                            f"past the input (its rounded scale reaches position {lo})")
        table += [lo, hi, scaled - (1 << 10) * lo]
    return table


def resize_bilinear(L, op):
    t = (ir.INT16,) if L.is_int16(op) else (ir.INT8,)
    x, out = L.tensor(op, 0, types=t), L.output(op, types=t)
    if len(x.shape) != 4 or len(out.shape) != 4 or out.shape[0] != x.shape[0] or out.shape[3] != x.shape[3]:
        raise L.err(op, f"expects 4-D input and output of the same batch and channels, not {list(x.shape)} "
                        f"and {list(out.shape)}")
    size = np.ravel(L.const_input(op, 1, "the size"))
    if size.size != 2 or [int(v) for v in size] != [int(out.shape[1]), int(out.shape[2])]:
        raise L.err(op, f"size {size.tolist()} is not the output's height and width {list(out.shape[1:3])}")
    if x.quant.s() != out.quant.s() or x.quant.zp() != out.quant.zp():
        raise L.err(op, "input and output must share scale and zero point (TFLite interpolates the raw values)",
                    out.name)
    align = bool(op.options.get("align_corners", False))
    half = bool(op.options.get("half_pixel_centers", False))
    if align and half:
        raise L.err(op, "align_corners and half_pixel_centers together (TFLite refuses them)")
    ys = L.const_i32(f"{out.name}/bilinear_y", _bilinear_axis(L, op, x.shape[1], out.shape[1], align, half, "height"))
    xs = L.const_i32(f"{out.name}/bilinear_x", _bilinear_axis(L, op, x.shape[2], out.shape[2], align, half, "width"))
    L.emit(op, "RESIZE_BILINEAR", [x.index, ys, xs], [out.index],
           i32(x.shape[0], x.shape[1], x.shape[2], x.shape[3], out.shape[1], out.shape[2], x.type),
           macs=4 * out.count)


OPS = {
    "CUMSUM": Lowers(cumsum, ("int8",), note="checked against TFLM (LiteRT has no int8 CUMSUM), whose running sum "
                                             "starts at minus the input zero point (in input steps), not 0"),
    "L2_NORMALIZATION": Lowers(l2_normalization, ("int8",), note="output scale 1/128, zero point 0"),
    "LOG_SOFTMAX": Lowers(log_softmax, ("int8",), note="output scale 16/256, zero point 127; rows of up to 4095"),
    "L2_POOL_2D": Lowers(l2_pool_2d, ("float32",),
                         note="float32 only, as TFLite (no quantized kernel); IEEE operations in TFLite's order"),
    "RESIZE_BILINEAR": Lowers(resize_bilinear, ("int8", "int16"),
                              note="TFLite's integer path; int16: LiteRT's kernel (TFLM's takes int8 only)"),
}
