"""Op-suite generators of the norm family (see tests/opsuite.py): SUM,
REDUCE_MIN and MEAN/REDUCE_MAX over any axes (int8 and int16), ARG_MIN,
CUMSUM, L2_NORMALIZATION, LOG_SOFTMAX, L2_POOL_2D, RESIZE_BILINEAR and int16
RESIZE_NEAREST_NEIGHBOR. Shapes of rank 1 to 5 with 1-long dimensions and
1-element tensors; axes negative, repeated, adjacent or not."""

import numpy as np

from converter.writer import ModelWriter
from opsuite import _q, _s16, _zp8


def _shape(rng, rank=None, hi=6):
    rank = int(rng.integers(1, 6)) if rank is None else rank
    shape = [int(rng.integers(1, hi + 1)) for _ in range(rank)]
    if rng.random() < 0.3:  # 1-long dimensions between the others
        shape = [1 if rng.random() < 0.4 else d for d in shape]
    if rng.random() < 0.05:
        shape = [1] * rank  # a 1-element tensor
    return shape


def _axes(rng, shape, adjacent=False):
    """Axes to reduce (at least one element reduced in most draws), written
    negative half the time, now and then repeated."""
    rank = len(shape)
    if adjacent:
        a = int(rng.integers(0, rank))
        axes = list(range(a, int(rng.integers(a, rank)) + 1))
    else:
        axes = [d for d in range(rank) if rng.random() < 0.5] or [int(rng.integers(0, rank))]
    resolved = sorted(axes)
    written = [a - rank if rng.random() < 0.5 else a for a in axes]
    if rng.random() < 0.15:
        written.append(written[0])  # TFLite drops duplicates
    rng.shuffle(written)
    return written, resolved


def _reduced_shape(shape, axes, keep):
    return [1 if d in axes else n for d, n in enumerate(shape)] if keep else \
        [n for d, n in enumerate(shape) if d not in axes]


def _make_varied(rng, shape, axes):
    """At least two values reduced per output (else MIN/MAX of one value is
    the input, which still varies, but a lone value tests little)."""
    if int(np.prod([shape[a] for a in axes])) < 2:
        shape[axes[0]] = max(2, shape[axes[0]])


def _reduce(rng, name, int16=False, adjacent=False):
    shape = _shape(rng)
    written, axes = _axes(rng, shape, adjacent)
    _make_varied(rng, shape, axes)
    keep = bool(rng.random() < 0.5)
    count = int(np.prod([shape[a] for a in axes]))
    t = "int16" if int16 else "int8"
    if int16:
        s = _s16(rng)
        zp = 0
    else:
        s, zp = _q(rng)
        zp = _zp8(rng)
    if name in ("REDUCE_MIN", "REDUCE_MAX"):
        so, zo = s, zp
    else:
        if int16 and name == "SUM" and rng.random() < 0.2:  # TFLM's int16 SUM takes zero points too
            zp = int(rng.integers(-300, 301))
        # The inputs are uniform over the type's range: each x - zp has mean
        # mu and deviation sigma; the output's scale covers the sum's (or the
        # mean's) spread, its zero point centres it, and now and then the
        # scale is smaller than the input's (a left shift).
        mu, sigma = -0.5 - zp, (18919.0 if int16 else 74.0)
        if name == "SUM":
            centre, amplitude = count * mu, np.sqrt(count) * sigma + abs(count * mu)
        else:
            centre, amplitude = mu, sigma / np.sqrt(count) + abs(mu)
        levels = float(rng.uniform(10000, 25000) if int16 else rng.uniform(60, 120))
        so = s * float(amplitude) / levels * (0.25 if rng.random() < 0.1 else 1)
        limit = 32767 if int16 else 127
        zo = int(np.clip(-round(centre * s / so) + int(rng.integers(-10, 11)), -limit - 1, limit))
        if int16 and name == "MEAN":
            zo = 0
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, scale=s, zp=zp)
    ax = m.tensor("axes", (len(written),), type="int32", data=np.array(written, np.int32))
    y = m.tensor("y", _reduced_shape(shape, axes, keep), type=t, scale=so, zp=zo)
    m.op(name, [x, ax], [y], keep_dims=keep)
    return m.finish([x], [y]), f"{t} {shape} axes {written} keep_dims {keep} scales {s:.3g}->{so:.3g} zp {zp}->{zo}"


def sum_(rng):
    return _reduce(rng, "SUM")


def sum_int16(rng):
    return _reduce(rng, "SUM", int16=True)


def reduce_min(rng):
    return _reduce(rng, "REDUCE_MIN")


def reduce_min_int16(rng):
    return _reduce(rng, "REDUCE_MIN", int16=True)


def reduce_max_int16(rng):
    return _reduce(rng, "REDUCE_MAX", int16=True)


def reduce_max_axes(rng):
    """int8 REDUCE_MAX over axes that are not one run (the REDUCE_ND record)."""
    return _reduce(rng, "REDUCE_MAX")


def mean_axes(rng):
    """int8 MEAN over any axes (non-adjacent ones take the REDUCE_ND record)."""
    return _reduce(rng, "MEAN")


def mean_int16_axes(rng):
    return _reduce(rng, "MEAN", int16=True)


def _arg_min(rng, float_input):
    shape = _shape(rng, int(rng.integers(1, 6)))
    axis = int(rng.integers(0, len(shape)))
    shape[axis] = max(shape[axis], 3)  # a 1-long axis always gives 0
    if int(np.prod(shape)) == shape[axis]:
        shape[axis] = max(shape[axis], 6)  # one output: a longer axis, for it to vary
    written = axis - len(shape) if rng.random() < 0.3 else axis
    otype = "int32" if rng.random() < 0.5 else "int64"
    m = ModelWriter()
    if float_input:
        x = m.tensor("x", shape, type="float32")
    else:
        s, zp = _q(rng)
        x = m.tensor("x", shape, scale=s, zp=zp)
    a = m.tensor("axis", (1,), type="int32", data=[written])
    y = m.tensor("y", [d for i, d in enumerate(shape) if i != axis], type=otype)
    m.op("ARG_MIN", [x, a], [y], output_type=otype)
    return m.finish([x], [y]), f"{'float32' if float_input else 'int8'} {shape} axis {written} -> {otype}"


def arg_min(rng):
    return _arg_min(rng, False)


def arg_min_float32(rng):
    return _arg_min(rng, True)


def cumsum(rng):
    shape = _shape(rng, int(rng.integers(1, 6)), hi=6)
    axis = int(rng.integers(0, len(shape)))
    if rng.random() < 0.3:
        shape[axis] = int(rng.integers(8, 40))  # sums long enough to wrap TFLM's int32 now and then
    written = axis - len(shape) if rng.random() < 0.3 else axis
    exclusive, reverse = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    if exclusive:
        shape[axis] = max(shape[axis], 2)  # an exclusive sum's first output is the same for every input
    s, zp = _q(rng)
    if rng.random() < 0.2:
        zp = _zp8(rng)
    # The running sums drift by mu = -0.5 - zp per value (inputs are uniform
    # over int8) around TFLM's start, -zp: the output's scale covers the
    # drift and the spread, its zero point centres them.
    depth, mu = shape[axis], -0.5 - zp
    amplitude = np.sqrt(depth) * 74 + abs(depth * mu) / 2 + 40
    so = s * float(amplitude / rng.uniform(60, 120))
    zo = int(np.clip(-round(s * (depth * mu / 2 - zp) / so) + int(rng.integers(-10, 11)), -128, 127))
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    a = m.tensor("axis", (1,), type="int32", data=[written])
    y = m.tensor("y", shape, scale=so, zp=zo)
    m.op("CUMSUM", [x, a], [y], exclusive=exclusive, reverse=reverse)
    return m.finish([x], [y]), f"{shape} axis {written} exclusive {exclusive} reverse {reverse} zp {zp}->{zo}"


def l2_normalization(rng):
    shape = _shape(rng)
    if rng.random() < 0.3:
        shape[-1] = int(rng.integers(16, 300))  # long rows: big sums of squares
    s, zp = _q(rng)
    zp = _zp8(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    y = m.tensor("y", shape, scale=1.0 / 128, zp=0)
    m.op("L2_NORMALIZATION", [x], [y], fused_activation_function="NONE")
    return m.finish([x], [y]), f"{shape} zp {zp}"


def log_softmax(rng):
    shape = _shape(rng)
    shape[-1] = max(shape[-1], 2)  # the log-softmax of one value is 0
    if rng.random() < 0.3:  # long rows in few of them: the tensor stays within a Cortex-M job's arena
        shape = [1] * (len(shape) - 2) + shape[-2:-1] * (len(shape) > 1) + [int(rng.integers(20, 1000))]
    r = rng.random()
    s = float(rng.uniform(0.005, 0.3) if r < 0.7 else rng.uniform(0.3, 2.0) if r < 0.9 else rng.uniform(1e-4, 5e-3))
    zp = _zp8(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    y = m.tensor("y", shape, scale=16.0 / 256, zp=127)
    m.op("LOG_SOFTMAX", [x], [y])
    return m.finish([x], [y]), f"{shape} input scale {s:.4f} zp {zp}"


def l2_pool_2d(rng):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 10)), int(rng.integers(1, 10)), int(rng.integers(1, 6))
    fh, fw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    padding = "SAME" if rng.random() < 0.5 or fh > h or fw > w else "VALID"
    oh = -(-h // sh) if padding == "SAME" else (h - fh) // sh + 1
    ow = -(-w // sw) if padding == "SAME" else (w - fw) // sw + 1
    act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, c), type="float32")
    y = m.tensor("y", (n, oh, ow, c), type="float32")
    m.op("L2_POOL_2D", [x], [y], padding=padding, stride_w=sw, stride_h=sh, filter_width=fw, filter_height=fh,
         fused_activation_function=act)
    return m.finish([x], [y]), f"float32 {[n, h, w, c]} window {fh}x{fw} stride {sh}x{sw} {padding} {act}"


def _resize(rng, name, t):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(1, 4))
    oh, ow = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    if rng.random() < 0.15:  # strong upscales: the integer scale's rounding adds up
        h, oh = int(rng.integers(1, 4)), int(rng.integers(20, 60))
    align = bool(rng.random() < 0.3)
    half = bool(not align and rng.random() < 0.5)
    if t == "int16":
        q = dict(scale=_s16(rng), zp=0)
    else:
        s, zp = _q(rng)
        q = dict(scale=s, zp=zp)
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, c), type=t, **q)
    size = m.tensor("size", (2,), type="int32", data=[oh, ow])
    y = m.tensor("y", (n, oh, ow, c), type=t, **q)
    m.op(name, [x, size], [y], align_corners=align, half_pixel_centers=half)
    return m.finish([x], [y]), f"{t} {[n, h, w, c]} -> {oh}x{ow} align {align} half {half}"


def resize_bilinear(rng):
    return _resize(rng, "RESIZE_BILINEAR", "int8")


def resize_bilinear_int16(rng):
    return _resize(rng, "RESIZE_BILINEAR", "int16")


def resize_nearest_neighbor_int16(rng):
    return _resize(rng, "RESIZE_NEAREST_NEIGHBOR", "int16")


GENERATORS = {f.__name__.rstrip("_").upper(): f for f in [
    sum_, sum_int16, reduce_min, reduce_min_int16, reduce_max_int16, reduce_max_axes, mean_axes, mean_int16_axes,
    arg_min, arg_min_float32, cumsum, l2_normalization, log_softmax, l2_pool_2d, resize_bilinear,
    resize_bilinear_int16, resize_nearest_neighbor_int16]}
