"""Randomized single-op test models, built with the project's model writer.

Each generator takes a numpy Generator and returns (tflite bytes, config
description). Quantization parameters are chosen from the op's real output
range, so outputs use the int8 range instead of saturating; the suite checks
that outputs depend on inputs."""

import os
import numpy as np

from converter.writer import ModelWriter

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _q(rng):
    return float(rng.uniform(0.01, 0.12)), int(rng.integers(-20, 21))


def _act_q(rng, amplitude):
    """Output scale/zero point for values of about +-amplitude."""
    scale = max(amplitude, 1e-6) / float(rng.uniform(60, 120))
    return scale, int(rng.integers(-15, 16))


def _in_q(rng):
    """Input scale/zero point; a quarter of the time a zero point at an end
    of the int8 range (ReLU outputs sit at -128)."""
    s, zp = _q(rng)
    return s, (int(rng.choice([-128, 127])) if rng.random() < 0.25 else zp)


def out_hw(padding, h, w, kh, kw, sh, sw, dh, dw):
    """(padding, out h, out w) of a window op; VALID becomes SAME where
    the window does not fit."""
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    if padding == "VALID" and (eh > h or ew > w):
        padding = "SAME"
    oh = -(-h // sh) if padding == "SAME" else (h - eh) // sh + 1
    ow = -(-w // sw) if padding == "SAME" else (w - ew) // sw + 1
    return padding, oh, ow


def _conv_like(rng, depthwise, produced=False, int4=False):
    """Half the draws are any shape; half are the shapes fast kernels
    specialise (1x1, 3x3 and 5x5, strides 1 and 2, up to 48 channels), with
    the counts and borders that break them: channels off multiples of 4,
    odd widths, 1-pixel images, padding on every border."""
    n = int(rng.integers(1, 3))
    h, w = int(rng.integers(1, 11)), int(rng.integers(1, 11))
    cin = int(rng.integers(1, 7))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.3 else (1, 1)
    fast = rng.random() < 0.5
    if fast:
        n = 1
        h, w = int(rng.integers(1, 14)), int(rng.integers(1, 14))
        cin = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 24, 31, 32, 48]))
        k = int(rng.choice([1, 1, 3, 3, 5])) if not depthwise else int(rng.choice([3, 3, 5, 1]))
        kh = kw = k
        sh = sw = int(rng.choice([1, 1, 2]))
        dh = dw = 1
    padding, oh, ow = out_hw("SAME" if rng.random() < 0.5 else "VALID", h, w, kh, kw, sh, sw, dh, dw)
    if depthwise:
        dm = int(rng.integers(1, 4)) if not fast or rng.random() < 0.2 else 1
        cout = cin * dm
        fshape = (1, kh, kw, cout)
        depth = kh * kw
    else:
        cout = int(rng.integers(1, 9)) if not fast else int(rng.choice([1, 3, 4, 5, 8, 9, 16, 19, 24, 40]))
        fshape = (cout, kh, kw, cin)
        depth = kh * kw * cin
    in_s, in_zp = _in_q(rng)
    per_channel = rng.random() < 0.7
    w_s = rng.uniform(0.002, 0.02, cout if per_channel else 1)
    wdata = rng.integers(-8, 8, fshape) if int4 else rng.integers(-127, 128, fshape)
    amp = np.sqrt(depth) * 60 * in_s * (4.5 if int4 else 70) * float(np.mean(w_s))
    out_s, out_zp = _act_q(rng, amp)
    if rng.random() < 0.1:  # an effective multiplier above 1/2: shift >= 0 (a left shift)
        out_s = float(in_s * np.max(w_s) * rng.uniform(0.3, 1.9))
    act = ACTS[int(rng.integers(0, 4))]
    pruned = ""
    if per_channel and rng.random() < 0.15:
        # Pruned channels (all-zero filters) with scales far off the rest, as
        # real models have them: their multipliers lack the fast form.
        dead = rng.random(cout) < 0.4
        dead[int(rng.integers(0, cout))] = False  # the output still depends on the input
        w_s = np.where(dead, w_s * rng.choice([1e-7, 3e3], cout), w_s)
        wdata = wdata.copy()
        if depthwise:
            wdata[..., dead] = 0
        else:
            wdata[dead] = 0
        pruned = f" {int(dead.sum())} pruned channels"
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, cin), scale=in_s, zp=in_zp)
    wt = m.tensor("w", fshape, type="int4" if int4 else "int8", data=wdata, scale=w_s, zp=np.zeros(w_s.size),
                  axis=3 if depthwise else 0)
    # LiteRT's int8 convolutions require a bias (sprat also runs without).
    bs = in_s * np.broadcast_to(w_s, (cout,))
    bias = m.tensor("b", (cout,), type="int32", data=rng.integers(-3000, 3000, cout), scale=bs, zp=np.zeros(cout))
    y = m.tensor("y", (n, oh, ow, cout), scale=out_s, zp=out_zp)
    opts = dict(padding=padding, stride_w=sw, stride_h=sh, fused_activation_function=act,
                dilation_w_factor=dw, dilation_h_factor=dh)
    if depthwise:
        opts["depth_multiplier"] = cout // cin
    first = x
    if produced:  # x made by a QUANTIZE (a layer's output, which the planner may overlap), not the model input
        first = m.tensor("x_in", (n, h, w, cin), scale=in_s * float(rng.uniform(0.8, 1.25)),
                         zp=int(rng.integers(-20, 21)))
        m.op("QUANTIZE", [first], [x])
    m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bias], [y], **opts)
    desc = f"in {[n, h, w, cin]} filter {list(fshape)} stride {sh}x{sw} dil {dh}x{dw} {padding} {act} " \
           f"{'per-channel' if per_channel else 'per-tensor'}{pruned}" + (" (after a QUANTIZE)" if produced else "") + \
           (" int4 weights" if int4 else "")
    return m.finish([first], [y]), desc


def conv_2d(rng):
    return _conv_like(rng, False)


def depthwise_conv_2d(rng):
    return _conv_like(rng, True)


def fully_connected(rng, int4=False):
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 65)), int(rng.integers(1, 33))
    if rng.random() < 0.3:  # the sizes of real classifiers and autoencoders
        depth, units = int(rng.integers(60, 400)), int(rng.integers(1, 70))
    in_s, in_zp = _in_q(rng)
    w_s = float(rng.uniform(0.002, 0.02))
    amp = np.sqrt(depth) * 60 * in_s * (4.5 if int4 else 70) * w_s
    out_s, out_zp = _act_q(rng, amp)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (batches, depth), scale=in_s, zp=in_zp)
    w = m.tensor("w", (units, depth), type="int4" if int4 else "int8", scale=w_s, zp=0,
                 data=rng.integers(-8, 8, (units, depth)) if int4 else rng.integers(-127, 128, (units, depth)))
    bias = m.tensor("b", (units,), type="int32", data=rng.integers(-3000, 3000, units), scale=in_s * w_s, zp=0) \
        if rng.random() < 0.8 else -1
    y = m.tensor("y", (batches, units), scale=out_s, zp=out_zp)
    m.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function=act)
    return m.finish([x], [y]), f"batches {batches} depth {depth} units {units} {act}{'' if bias >= 0 else ' no bias'}" + \
        (" int4 weights" if int4 else "")


def _pool(rng, name, produced=False):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 12)), int(rng.integers(1, 12)), int(rng.integers(1, 6))
    if rng.random() < 0.4:  # channel counts around SIMD widths
        c = int(rng.choice([4, 7, 8, 12, 16, 19, 32]))
    fh, fw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    padding = "SAME" if rng.random() < 0.5 or fh > h or fw > w else "VALID"
    oh = -(-h // sh) if padding == "SAME" else (h - fh) // sh + 1
    ow = -(-w // sw) if padding == "SAME" else (w - fw) // sw + 1
    s, zp = _q(rng)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, c), scale=s, zp=zp)
    y = m.tensor("y", (n, oh, ow, c), scale=s, zp=zp)
    first = _produced(m, rng, x, (n, h, w, c), s) if produced else x
    m.op(name, [x], [y], padding=padding, stride_w=sw, stride_h=sh, filter_width=fw, filter_height=fh,
         fused_activation_function=act)
    return m.finish([first], [y]), (f"in {[n, h, w, c]} window {fh}x{fw} stride {sh}x{sw} {padding} {act}"
                                    + (" (after a QUANTIZE)" if produced else ""))


def average_pool_2d(rng):
    return _pool(rng, "AVERAGE_POOL_2D")


def max_pool_2d(rng):
    return _pool(rng, "MAX_POOL_2D")


def _broadcast_shapes(rng):
    rank = int(rng.integers(1, 5))
    out = [int(rng.integers(1, 6)) for _ in range(rank)]
    a = [d if rng.random() < 0.75 else 1 for d in out]
    b = [d if rng.random() < 0.75 else 1 for d in out]
    if rng.random() < 0.3:
        b = b[int(rng.integers(0, rank)):]  # lower rank
    out = [max(x, y) for x, y in zip(a, [1] * (rank - len(b)) + b)]
    return a, b, out


def _binary(rng, name, produced=False):
    a_shape, b_shape, out = _broadcast_shapes(rng)
    s1, z1 = _q(rng)
    s2, z2 = _q(rng)
    amp = 120 * (s1 * s2 * 40 if name == "MUL" else s1 + s2)
    so, zo = _act_q(rng, amp)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    a = m.tensor("a", a_shape, scale=s1, zp=z1)
    b = m.tensor("b", b_shape, scale=s2, zp=z2)
    y = m.tensor("y", out, scale=so, zp=zo)
    first = _produced(m, rng, a, a_shape, s1) if produced else a
    m.op(name, [a, b], [y], fused_activation_function=act)
    return m.finish([first, b], [y]), f"{a_shape} {name} {b_shape} -> {out} {act}"


def add(rng):
    return _binary(rng, "ADD")


def sub(rng):
    return _binary(rng, "SUB")


def mul(rng):
    return _binary(rng, "MUL")


def mean(rng):
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 7))]
    choices = [[1, 2], [1], [2], [3], [2, 3], [1, 2, 3], [0]]
    axes = choices[int(rng.integers(0, len(choices)))] if rng.random() < 0.6 else [1, 2]
    keep = bool(rng.random() < 0.5)
    s, zp = _q(rng)
    so, zo = s * float(rng.uniform(0.5, 1.5)), int(rng.integers(-10, 11))
    out = [1 if i in axes else d for i, d in enumerate(shape)] if keep else [d for i, d in enumerate(shape) if i not in axes]
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    ax = m.tensor("axes", (len(axes),), type="int32", data=axes)
    y = m.tensor("y", out, scale=so, zp=zo)
    m.op("MEAN", [x, ax], [y], keep_dims=keep)
    return m.finish([x], [y]), f"{shape} axes {axes} keep_dims {keep}"


def softmax(rng):
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 40))] if rng.random() < 0.6 else \
        [1, int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(2, 20))] if rng.random() < 0.5 else \
        [int(rng.integers(1, 3)), int(rng.integers(100, 2000))]  # a classifier's rows: the exp table
    s, zp = float(rng.uniform(0.02, 0.3)), int(rng.integers(-20, 21))
    beta = float(rng.choice([1.0, float(rng.uniform(0.3, 2.0))]))
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    y = m.tensor("y", shape, scale=1.0 / 256, zp=-128)
    m.op("SOFTMAX", [x], [y], beta=beta)
    return m.finish([x], [y]), f"{shape} beta {beta:.3f} input scale {s:.4f}"


def _produced(m, rng, x, shape, scale):
    """A model input, QUANTIZEd into x: x is a layer's output, which the
    planner may overlap."""
    first = m.tensor(f"{x}_in", shape, scale=scale * float(rng.uniform(0.8, 1.25)), zp=int(rng.integers(-20, 21)))
    m.op("QUANTIZE", [first], [x])
    return first


def _unary(rng, name, out_q=None, produced=False, in_q=None, **opts):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    s, zp = in_q or (float(rng.uniform(0.01, 0.1)), int(rng.integers(-30, 31)))
    if out_q is None:
        so, zo = s * float(rng.uniform(0.5, 1.6)), int(rng.integers(-30, 31))
    else:
        so, zo = out_q
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    y = m.tensor("y", shape, scale=so, zp=zo)
    first = _produced(m, rng, x, shape, s) if produced else x
    m.op(name, [x], [y], **opts)
    return m.finish([first], [y]), f"{shape} in scale {s:.4f} zp {zp} out scale {so:.4f} zp {zo} {opts or ''}"


def logistic(rng):
    return _unary(rng, "LOGISTIC", (1.0 / 256, -128))


def tanh(rng):
    return _unary(rng, "TANH", (1.0 / 128, 0))


def relu(rng):
    return _unary(rng, "RELU")


def relu6(rng):
    return _unary(rng, "RELU6")


def leaky_relu(rng):
    return _unary(rng, "LEAKY_RELU", alpha=float(rng.uniform(0.01, 0.5)))


def hard_swish(rng):
    return _unary(rng, "HARD_SWISH")


def _zp8(rng, lo=-128, hi=127):
    """A zero point in [lo, hi], at an end of the int8 range a quarter of the time."""
    return int(np.clip(rng.choice([-128, 127]), lo, hi)) if rng.random() < 0.25 else int(rng.integers(lo, hi + 1))


def _zp_for(level, scale, value, rng, jitter=20):
    """The zero point putting `value` near quantized `level` (off by up
    to `jitter`: some tables saturate there)."""
    return int(np.clip(round(level - value / scale) + int(rng.integers(-jitter, jitter + 1)), -128, 127))


def abs_(rng):
    s, zp = float(rng.uniform(0.01, 0.1)), _zp8(rng)
    amp = s * max(127 - zp, zp + 128)
    if rng.random() < 0.25:  # equal scales: TFLite adds the zero point, no multiplier
        so = s
    else:
        so = amp / float(rng.uniform(120, 320))  # above 255 steps: saturates at the top
    zo = -128 if rng.random() < 0.6 else int(rng.integers(-128, 21))
    return _unary(rng, "ABS", (so, zo), in_q=(s, zp))


abs_.__name__ = "abs"


def neg(rng):
    s, zp = float(rng.uniform(0.01, 0.1)), _zp8(rng)
    # TFLite negates the stored values: quantization matters only to the meaning.
    out_q = (s, int(np.clip(-zp, -128, 127))) if rng.random() < 0.6 else _q(rng)
    return _unary(rng, "NEG", out_q, in_q=(s, zp))


def elu(rng):
    s, zp = float(rng.uniform(0.01, 0.15)), _zp8(rng)
    hi = s * (127 - zp)
    so = (hi + 1) / float(rng.uniform(150, 320))
    return _unary(rng, "ELU", (so, _zp_for(-128, so, -1.0, rng)), in_q=(s, zp))


def exp(rng):
    s, zp = float(rng.uniform(0.01, 0.1)), _zp8(rng)
    hi = s * (127 - zp)
    so = float(np.exp(hi * rng.uniform(0.6, 1.0))) / float(rng.uniform(200, 260))
    zo = -128 + int(rng.integers(0, 21)) if rng.random() < 0.7 else int(rng.integers(-128, 51))
    return _unary(rng, "EXP", (so, zo), in_q=(s, zp))


def log(rng):
    s = float(rng.uniform(0.005, 0.1))
    zp = -128 if rng.random() < 0.6 else _zp8(rng, hi=60)  # values <= 0: TFLite's floor
    lo, hi = np.log(s), np.log(s * (127 - zp))
    so = max(hi - lo, 1.0) / float(rng.uniform(180, 300))
    return _unary(rng, "LOG", (so, _zp_for(-128, so, lo, rng)), in_q=(s, zp))


def sqrt(rng):
    # Zero point -128: TFLite stops with an error on values below zero.
    s = float(rng.uniform(0.005, 0.2))
    so = float(np.sqrt(255 * s)) / float(rng.uniform(150, 320))
    return _unary(rng, "SQRT", (so, -128 + int(rng.integers(0, 21))), in_q=(s, -128))


def rsqrt(rng):
    s = float(rng.uniform(0.005, 0.2))
    so = float(1 / np.sqrt(s)) / float(rng.uniform(150, 400))  # the smallest values saturate
    return _unary(rng, "RSQRT", (so, -128 + int(rng.integers(0, 31))), in_q=(s, -128))


def pad(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in range(rank)]
    s, zp = _q(rng)
    out = [d + a + b for d, (a, b) in zip(shape, pads)]
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    p = m.tensor("pads", (rank, 2), type="int32", data=pads)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("PAD", [x, p], [y])
    return m.finish([x], [y]), f"{shape} pads {pads}"


def concatenation(rng):
    rank = int(rng.integers(1, 5))
    base = [int(rng.integers(1, 5)) for _ in range(rank)]
    axis = int(rng.integers(-rank, rank))
    k = int(rng.integers(1, 5))
    s, zp = _q(rng)
    m = ModelWriter()
    ins, total = [], 0
    for i in range(k):
        shape = list(base)
        shape[axis] = int(rng.integers(1, 4))
        total += shape[axis]
        ins.append(m.tensor(f"x{i}", shape, scale=s, zp=zp))
    out = list(base)
    out[axis] = total
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("CONCATENATION", ins, [y], axis=axis)
    return m.finish(ins, [y]), f"{k} inputs, axis {axis}, out {out}"


def reshape(rng):
    shape = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 5)))]
    n = int(np.prod(shape))
    out = [n] if rng.random() < 0.3 else [1, n] if rng.random() < 0.5 else list(reversed(shape))
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    sh = m.tensor("shape", (len(out),), type="int32", data=out)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("RESHAPE", [x, sh], [y])
    return m.finish([x], [y]), f"{shape} -> {out}"


def strided_slice(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 7)) for _ in range(rank)]
    begin, end, strides, out = [], [], [], []
    bm = em = sm = 0
    for d, size in enumerate(shape):
        st = int(rng.choice([1, 1, 2, 3, -1, -2]))
        b = int(rng.integers(-size, size))
        e = int(rng.integers(-size - 1, size + 2))
        if rng.random() < 0.2:
            bm |= 1 << d
        if rng.random() < 0.2:
            em |= 1 << d
        begin.append(b)
        end.append(e)
        strides.append(st)
    # Output shape from numpy's slicing semantics (the same as TFLite's).
    sl = []
    for d, size in enumerate(shape):
        b = None if bm >> d & 1 else begin[d]
        e = None if em >> d & 1 else end[d]
        sl.append(slice(b, e, strides[d]))
    if rng.random() < 0.2 and rank > 1:
        d = int(rng.integers(0, rank))
        sm = 1 << d
        strides[d] = 1
        begin[d] = int(rng.integers(0, shape[d]))
        bm &= ~(1 << d)
        sl[d] = begin[d]
    out = list(np.zeros(shape)[tuple(sl)].shape)
    if 0 in out:
        return strided_slice(rng)
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    bt = m.tensor("begin", (rank,), type="int32", data=begin)
    et = m.tensor("end", (rank,), type="int32", data=end)
    stt = m.tensor("strides", (rank,), type="int32", data=strides)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("STRIDED_SLICE", [x, bt, et, stt], [y], begin_mask=bm, end_mask=em, shrink_axis_mask=sm)
    return m.finish([x], [y]), f"{shape} begin {begin} end {end} strides {strides} masks b{bm} e{em} s{sm}"


def transpose(rng):
    rank = int(rng.integers(1, 6))
    shape = [int(rng.integers(1, 5)) for _ in range(rank)]
    perm = [int(p) for p in rng.permutation(rank)]
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    p = m.tensor("perm", (rank,), type="int32", data=perm)
    y = m.tensor("y", [shape[i] for i in perm], scale=s, zp=zp)
    m.op("TRANSPOSE", [x, p], [y])
    return m.finish([x], [y]), f"{shape} perm {perm}"


def quantize(rng):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 4)))]
    so, zo = _q(rng)
    m = ModelWriter()
    if rng.random() < 0.5:
        x = m.tensor("x", shape, type="float32")
        desc = "float32"
    else:
        si, zi = _q(rng)
        x = m.tensor("x", shape, scale=si, zp=zi)
        desc = f"int8 scale {si:.4f} zp {zi}"
    y = m.tensor("y", shape, scale=so, zp=zo)
    m.op("QUANTIZE", [x], [y])
    return m.finish([x], [y]), f"{shape} {desc} -> int8 scale {so:.4f} zp {zo}"


def dequantize(rng):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 4)))]
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    y = m.tensor("y", shape, type="float32")
    m.op("DEQUANTIZE", [x], [y])
    return m.finish([x], [y]), f"{shape} scale {s:.4f} zp {zp}"


def resize_nearest_neighbor(rng):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(1, 4))
    oh, ow = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    align = bool(rng.random() < 0.3)
    half = bool(not align and rng.random() < 0.5)
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, c), scale=s, zp=zp)
    size = m.tensor("size", (2,), type="int32", data=[oh, ow])
    y = m.tensor("y", (n, oh, ow, c), scale=s, zp=zp)
    m.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [y], align_corners=align, half_pixel_centers=half)
    return m.finish([x], [y]), f"{[n, h, w, c]} -> {oh}x{ow} align {align} half {half}"


def arg_max(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 7)) for _ in range(rank)]
    axis = int(rng.integers(0, rank))
    shape[axis] = max(shape[axis], 2)  # a 1-long axis always gives 0
    otype = "int32" if rng.random() < 0.5 else "int64"
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    a = m.tensor("axis", (1,), type="int32", data=[axis])
    y = m.tensor("y", [d for i, d in enumerate(shape) if i != axis], type=otype)
    m.op("ARG_MAX", [x, a], [y], output_type=otype)
    return m.finish([x], [y]), f"{shape} axis {axis} -> {otype}"


def _slices(rng, name):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 5)) for _ in range(rank)]
    axis = int(rng.integers(0, rank))
    k = int(rng.integers(1, 4))
    s, zp = _q(rng)
    m = ModelWriter()
    if name == "SPLIT":
        shape[axis] = k * int(rng.integers(1, 3))
        sizes = [shape[axis] // k] * k
    else:
        sizes = [int(rng.integers(1, 4)) for _ in range(k)]
        shape[axis] = sum(sizes)
    x = m.tensor("x", shape, scale=s, zp=zp)
    outs = []
    for i, n in enumerate(sizes):
        o = list(shape)
        o[axis] = n
        outs.append(m.tensor(f"y{i}", o, scale=s, zp=zp))
    ax = m.tensor("axis", (), type="int32", data=axis - rank if rng.random() < 0.3 else axis)
    if name == "SPLIT":
        m.op("SPLIT", [ax, x], outs, num_splits=k)
    else:
        sz = m.tensor("sizes", (k,), type="int32", data=sizes)
        m.op("SPLIT_V", [x, sz, ax], outs, num_splits=k)
    return m.finish([x], outs), f"{shape} axis {axis} into {sizes}"


def split(rng):
    return _slices(rng, "SPLIT")


def split_v(rng):
    return _slices(rng, "SPLIT_V")


def pack(rng):
    rank = int(rng.integers(1, 4))
    shape = [int(rng.integers(1, 5)) for _ in range(rank)]
    k, axis = int(rng.integers(1, 4)), int(rng.integers(0, rank + 1))
    s, zp = _q(rng)
    m = ModelWriter()
    ins = [m.tensor(f"x{i}", shape, scale=s, zp=zp) for i in range(k)]
    out = shape[:axis] + [k] + shape[axis:]
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("PACK", ins, [y], values_count=k, axis=axis)
    return m.finish(ins, [y]), f"{k} x {shape} axis {axis}"


def unpack(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 5)) for _ in range(rank)]
    axis = int(rng.integers(0, rank))
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    outs = [m.tensor(f"y{i}", [d for j, d in enumerate(shape) if j != axis], scale=s, zp=zp) for i in range(shape[axis])]
    m.op("UNPACK", [x], outs, num=shape[axis], axis=axis)
    return m.finish([x], outs), f"{shape} axis {axis}"


def slice_(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    begin = [int(rng.integers(0, d)) for d in shape]
    size = [int(rng.integers(1, d - b + 1)) if rng.random() < 0.8 else -1 for d, b in zip(shape, begin)]
    out = [d - b if n == -1 else n for d, b, n in zip(shape, begin, size)]
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    bt = m.tensor("begin", (rank,), type="int32", data=begin)
    st = m.tensor("size", (rank,), type="int32", data=size)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("SLICE", [x, bt, st], [y])
    return m.finish([x], [y]), f"{shape} begin {begin} size {size}"


slice_.__name__ = "slice"


def _max_min(rng, name):
    a_shape, b_shape, out = _broadcast_shapes(rng)
    s, zp = _q(rng)
    m = ModelWriter()
    a = m.tensor("a", a_shape, scale=s, zp=zp)
    b = m.tensor("b", b_shape, scale=s, zp=zp)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op(name, [a, b], [y])
    return m.finish([a, b], [y]), f"{a_shape} {name} {b_shape} -> {out}"


def maximum(rng):
    return _max_min(rng, "MAXIMUM")


def minimum(rng):
    return _max_min(rng, "MINIMUM")


def prelu(rng):
    shape = [int(rng.integers(1, 5)) for _ in range(4)]
    alpha_shape = [1, 1, 1, shape[3]] if rng.random() < 0.6 else [1, 1, shape[2], shape[3]]
    s, zp = _q(rng)
    sa, za = float(rng.uniform(0.002, 0.01)), int(rng.integers(-20, 21))
    so, zo = s * float(rng.uniform(0.6, 1.4)), int(rng.integers(-20, 21))
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    al = m.tensor("alpha", alpha_shape, data=rng.integers(-128, 128, alpha_shape), scale=sa, zp=za)
    y = m.tensor("y", shape, scale=so, zp=zo)
    m.op("PRELU", [x, al], [y])
    return m.finish([x], [y]), f"{shape} alpha {alpha_shape}"


def reduce_max(rng):
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 7)), int(rng.integers(1, 7)), int(rng.integers(1, 6))]
    axes = [[1, 2], [1], [2], [3], [2, 3], [0]][int(rng.integers(0, 6))]
    for a in axes:
        shape[a] = max(shape[a], 2)
    keep = bool(rng.random() < 0.5)
    s, zp = _q(rng)
    out = [1 if i in axes else d for i, d in enumerate(shape)] if keep else [d for i, d in enumerate(shape) if i not in axes]
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    ax = m.tensor("axes", (len(axes),), type="int32", data=axes)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("REDUCE_MAX", [x, ax], [y], keep_dims=keep)
    return m.finish([x], [y]), f"{shape} axes {axes} keep_dims {keep}"


def transpose_conv(rng):
    n, h, w, cin = int(rng.integers(1, 3)), int(rng.integers(1, 7)), int(rng.integers(1, 7)), int(rng.integers(1, 5))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    padding = "SAME" if rng.random() < 0.5 else "VALID"
    oh = h * sh if padding == "SAME" else (h - 1) * sh + kh
    ow = w * sw if padding == "SAME" else (w - 1) * sw + kw
    cout = int(rng.integers(1, 6))
    in_s, in_zp = _q(rng)
    w_s = rng.uniform(0.002, 0.02, cout if rng.random() < 0.7 else 1)
    amp = np.sqrt(kh * kw * cin) * 60 * in_s * 70 * float(np.mean(w_s))
    out_s, out_zp = _act_q(rng, amp)
    m = ModelWriter()
    shape = m.tensor("output_shape", (4,), type="int32", data=[n, oh, ow, cout])
    wt = m.tensor("w", (cout, kh, kw, cin), data=rng.integers(-127, 128, (cout, kh, kw, cin)), scale=w_s,
                  zp=np.zeros(w_s.size), axis=0)
    x = m.tensor("x", (n, h, w, cin), scale=in_s, zp=in_zp)
    bias = -1
    if rng.random() < 0.7:
        bias = m.tensor("b", (cout,), type="int32", data=rng.integers(-3000, 3000, cout),
                        scale=in_s * np.broadcast_to(w_s, (cout,)), zp=np.zeros(cout))
    y = m.tensor("y", (n, oh, ow, cout), scale=out_s, zp=out_zp)
    m.op("TRANSPOSE_CONV", [shape, wt, x, bias], [y], padding=padding, stride_w=sw, stride_h=sh)
    return m.finish([x], [y]), f"in {[n, h, w, cin]} filter {[cout, kh, kw, cin]} stride {sh}x{sw} {padding}" \
                               f"{'' if bias >= 0 else ' no bias'}"


GENERATORS = {f.__name__.upper(): f for f in [
    conv_2d, depthwise_conv_2d, fully_connected, average_pool_2d, max_pool_2d, add, sub, mul, mean, softmax,
    logistic, tanh, relu, relu6, leaky_relu, hard_swish, pad, concatenation, reshape, strided_slice, transpose,
    quantize, dequantize, resize_nearest_neighbor, arg_max, split, split_v, pack, unpack, slice_, maximum, minimum,
    prelu, reduce_max, transpose_conv, abs_, neg, elu, exp, log, sqrt, rsqrt]}


# ---- int16 activations, int8 weights (TFLite's 16x8 mode) --------------------
# Scales assume inputs over the whole int16 range, real values of a few
# units (so that RELU6 and RELU_N1_TO_1 clip only some); int16 tensors are
# symmetric (zero point 0) as TFLite's int16 kernels require.
_INT32, _INT64 = 2, 4  # TFLite TensorType codes (quantized_bias_type)


def _s16(rng, lo=3e-5, hi=3e-4):
    return float(rng.uniform(lo, hi))


def _out16(rng, amplitude):
    """An int16 output scale for values of about +-amplitude."""
    return max(amplitude, 1e-9) / float(rng.uniform(8000, 30000))


def _bias16(m, rng, n, scales, allow32=True, allow_none=True, allow16=False):
    """(bias tensor or -1, options, description): int64 mostly, int32 with
    quantized_bias_type INT32 (LiteRT reads an int32 bias only then), int16
    (TFLM's TRANSPOSE_CONV widens it), or none."""
    r = rng.random()
    if allow_none and r < 0.1:
        return -1, {}, " no bias"
    if allow16 and r > 0.8:
        return m.tensor("b", (n,), type="int16", data=rng.integers(-2**15, 2**15, n), scale=scales, zp=np.zeros(n)), \
            {}, " int16 bias"
    if allow32 and r < 0.35:
        data = rng.integers(-2**20, 2**20, n)
        return m.tensor("b", (n,), type="int32", data=data, scale=scales, zp=np.zeros(n)), \
            dict(quantized_bias_type=_INT32), " int32 bias"
    data = rng.integers(-2**20, 2**20, n)
    opts = dict(quantized_bias_type=_INT64) if rng.random() < 0.3 else {}
    return m.tensor("b", (n,), type="int64", data=data, scale=scales, zp=np.zeros(n)), opts, ""


def _conv_like_s16(rng, depthwise):
    n = int(rng.integers(1, 3))
    h, w = int(rng.integers(1, 11)), int(rng.integers(1, 11))
    cin = int(rng.integers(1, 7))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.3 else (1, 1)
    if rng.random() < 0.5:  # the shapes fast kernels specialise, with the counts that break them
        n = 1
        h, w = int(rng.integers(1, 14)), int(rng.integers(1, 14))
        cin = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 24, 31]))
        kh = kw = int(rng.choice([1, 3, 3, 5]))
        sh = sw = int(rng.choice([1, 1, 2]))
        dh = dw = 1
    padding, oh, ow = out_hw("SAME" if rng.random() < 0.5 else "VALID", h, w, kh, kw, sh, sw, dh, dw)
    if depthwise:
        dm = int(rng.integers(1, 4)) if rng.random() < 0.4 else 1
        cout = cin * dm
        fshape, depth = (1, kh, kw, cout), kh * kw
    else:
        cout = int(rng.integers(1, 9)) if rng.random() < 0.5 else int(rng.choice([1, 3, 4, 5, 8, 9, 16, 19]))
        fshape, depth = (cout, kh, kw, cin), kh * kw * cin
    per_channel = rng.random() < 0.7
    w_s = rng.uniform(0.002, 0.02, cout if per_channel else 1)
    wdata = rng.integers(-127, 128, fshape)
    amp = float(np.exp(rng.uniform(np.log(0.5), np.log(10))))  # the outputs' real amplitude
    in_s = amp / (np.sqrt(depth) * 19000 * 73 * float(np.mean(w_s)))
    out_s = _out16(rng, amp)
    if rng.random() < 0.1:  # an effective multiplier above 1/2 (a left shift), weights small enough to use it
        wdata = rng.integers(-1, 2, fshape)
        out_s = float(in_s * np.max(w_s) * rng.uniform(0.3, 1.9))
    pruned = ""
    if per_channel and rng.random() < 0.15:  # all-zero filters with scales far off the rest
        dead = rng.random(cout) < 0.4
        dead[int(rng.integers(0, cout))] = False
        w_s = np.where(dead, w_s * rng.choice([1e-7, 20.0], cout), w_s)
        wdata = wdata.copy()
        if depthwise:
            wdata[..., dead] = 0
        else:
            wdata[dead] = 0
        pruned = f" {int(dead.sum())} pruned channels"
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, cin), type="int16", scale=in_s, zp=0)
    wt = m.tensor("w", fshape, data=wdata, scale=w_s, zp=np.zeros(w_s.size), axis=3 if depthwise else 0)
    # LiteRT and TFLM fail on a depthwise layer without bias (sprat runs it).
    bias, bopts, bdesc = _bias16(m, rng, cout, in_s * np.broadcast_to(w_s, (cout,)), allow32=not depthwise,
                                 allow_none=not depthwise)
    y = m.tensor("y", (n, oh, ow, cout), type="int16", scale=out_s, zp=0)
    opts = dict(padding=padding, stride_w=sw, stride_h=sh, fused_activation_function=act, dilation_w_factor=dw,
                dilation_h_factor=dh)
    if depthwise:
        opts["depth_multiplier"] = cout // cin
    else:
        opts.update(bopts)
    m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bias], [y], **opts)
    return m.finish([x], [y]), (f"int16 in {[n, h, w, cin]} filter {list(fshape)} stride {sh}x{sw} dil {dh}x{dw} "
                                f"{padding} {act} {'per-channel' if per_channel else 'per-tensor'}{pruned}{bdesc}")


def conv_2d_int16(rng):
    return _conv_like_s16(rng, False)


def depthwise_conv_2d_int16(rng):
    return _conv_like_s16(rng, True)


def fully_connected_int16(rng):
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 65)), int(rng.integers(1, 33))
    if rng.random() < 0.3:
        depth, units = int(rng.integers(60, 400)), int(rng.integers(1, 70))
    per_channel = rng.random() < 0.5 and units > 1
    w_s = rng.uniform(0.002, 0.02, units if per_channel else 1)
    amp = float(np.exp(rng.uniform(np.log(0.5), np.log(10))))
    in_s = amp / (np.sqrt(depth) * 19000 * 73 * float(np.mean(w_s)))
    out_s = _out16(rng, amp)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (batches, depth), type="int16", scale=in_s, zp=0)
    w = m.tensor("w", (units, depth), data=rng.integers(-127, 128, (units, depth)), scale=w_s,
                 zp=np.zeros(w_s.size), axis=0)
    bias, bopts, bdesc = _bias16(m, rng, units, in_s * np.broadcast_to(w_s, (units,)))
    y = m.tensor("y", (batches, units), type="int16", scale=out_s, zp=0)
    m.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function=act, **bopts)
    return m.finish([x], [y]), (f"int16 batches {batches} depth {depth} units {units} {act} "
                                f"{'per-channel' if per_channel else 'per-tensor'}{bdesc}")


def _pool_s16(rng, name):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 12)), int(rng.integers(1, 12)), int(rng.integers(1, 6))
    if rng.random() < 0.4:
        c = int(rng.choice([4, 7, 8, 12, 16, 19, 32]))
    fh, fw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    padding = "SAME" if rng.random() < 0.5 or fh > h or fw > w else "VALID"
    oh = -(-h // sh) if padding == "SAME" else (h - fh) // sh + 1
    ow = -(-w // sw) if padding == "SAME" else (w - fw) // sw + 1
    s = _s16(rng)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, c), type="int16", scale=s, zp=0)
    y = m.tensor("y", (n, oh, ow, c), type="int16", scale=s, zp=0)
    m.op(name, [x], [y], padding=padding, stride_w=sw, stride_h=sh, filter_width=fw, filter_height=fh,
         fused_activation_function=act)
    return m.finish([x], [y]), f"int16 in {[n, h, w, c]} window {fh}x{fw} stride {sh}x{sw} {padding} {act}"


def average_pool_2d_int16(rng):
    return _pool_s16(rng, "AVERAGE_POOL_2D")


def max_pool_2d_int16(rng):
    return _pool_s16(rng, "MAX_POOL_2D")


def _binary_s16(rng, name):
    a_shape, b_shape, out = _broadcast_shapes(rng)
    opts, kind = {}, "general"
    if name != "MUL" and rng.random() < 0.5:
        # Power-of-two scales: TFLite's shift-only scheme, one input at the
        # output's scale, the other at it or finer (ADD: same shapes only).
        e = int(rng.integers(11, 16))
        so = 2.0 ** -e
        s1, s2 = so, so * 2.0 ** -int(rng.integers(0, 6))
        if rng.random() < 0.5:
            s1, s2 = s2, s1
        if rng.random() < 0.15:
            s2 *= 1 + float(rng.uniform(-4e-4, 4e-4))  # within TFLite's tolerance of a power of two
        kind = "power-of-two"
        if rng.random() < 0.2:
            opts["pot_scale_int16"], kind = False, "power-of-two scales, general scheme"
        if name == "ADD":
            a_shape = b_shape = out
    else:
        s1, s2 = _s16(rng), _s16(rng)
        so = _out16(rng, 19000 * (s1 * s2 * 19000 if name == "MUL" else s1 + s2))
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    a = m.tensor("a", a_shape, type="int16", scale=s1, zp=0)
    b = m.tensor("b", b_shape, type="int16", scale=s2, zp=0)
    y = m.tensor("y", out, type="int16", scale=so, zp=0)
    m.op(name, [a, b], [y], fused_activation_function=act, **opts)
    return m.finish([a, b], [y]), f"int16 {a_shape} {name} {b_shape} -> {out} {act} {kind}"


def add_int16(rng):
    return _binary_s16(rng, "ADD")


def sub_int16(rng):
    return _binary_s16(rng, "SUB")


def mul_int16(rng):
    return _binary_s16(rng, "MUL")


def quantize_int16(rng):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 4)))]
    kind = ["float32", "int8", "int16", "int16->int8"][int(rng.integers(0, 4))]
    m = ModelWriter()
    if kind == "float32":
        x = m.tensor("x", shape, type="float32")
        so = _s16(rng, 3e-5, 3e-4)
        y = m.tensor("y", shape, type="int16", scale=so, zp=int(rng.integers(-2000, 2001)) if rng.random() < 0.3 else 0)
    elif kind == "int8":
        si, zi = _q(rng)
        x = m.tensor("x", shape, scale=si, zp=zi)
        y = m.tensor("y", shape, type="int16", scale=si * float(rng.uniform(0.002, 0.05)), zp=0)
    elif kind == "int16":
        si = _s16(rng)
        x = m.tensor("x", shape, type="int16", scale=si, zp=0)
        y = m.tensor("y", shape, type="int16", scale=si * float(rng.uniform(0.5, 2.0)), zp=0)
    else:
        si = _s16(rng)
        x = m.tensor("x", shape, type="int16", scale=si, zp=0)
        y = m.tensor("y", shape, scale=si * 32768 / float(rng.uniform(60, 150)), zp=int(rng.integers(-20, 21)))
    m.op("QUANTIZE", [x], [y])
    return m.finish([x], [y]), f"{shape} {kind} -> int{'8' if kind == 'int16->int8' else '16'}"


def dequantize_int16(rng):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 4)))]
    s = _s16(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    y = m.tensor("y", shape, type="float32")
    m.op("DEQUANTIZE", [x], [y])
    return m.finish([x], [y]), f"{shape} int16 scale {s:.6f}"


def _unary_s16(rng, name, in_s=None, out_s=None, **opts):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    s = in_s if in_s is not None else _s16(rng, 1e-4, 5e-4)
    so = out_s if out_s is not None else s * float(rng.uniform(0.5, 1.6))
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    y = m.tensor("y", shape, type="int16", scale=so, zp=0)
    m.op(name, [x], [y], **opts)
    return m.finish([x], [y]), f"int16 {shape} in scale {s:.3g} out scale {so:.3g} {opts or ''}"


def relu_int16(rng):
    return _unary_s16(rng, "RELU")


def relu6_int16(rng):
    return _unary_s16(rng, "RELU6")


def leaky_relu_int16(rng):
    return _unary_s16(rng, "LEAKY_RELU", alpha=float(rng.uniform(0.01, 0.5)))


def softmax_int16(rng):
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 40))] if rng.random() < 0.6 else \
        [1, int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(2, 20))] if rng.random() < 0.5 else \
        [int(rng.integers(1, 3)), int(rng.integers(100, 2000))]
    s = _s16(rng, 3e-5, 5e-4)  # differences of up to 2^16 steps: a range of 2 to 33
    beta = float(rng.choice([1.0, float(rng.uniform(0.3, 2.0))]))
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    y = m.tensor("y", shape, type="int16", scale=1.0 / 32768, zp=0)
    m.op("SOFTMAX", [x], [y], beta=beta)
    return m.finish([x], [y]), f"int16 {shape} beta {beta:.3f} input scale {s:.3g}"


def mean_int16(rng):
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 7))]
    choices = [[1, 2], [1], [2], [3], [2, 3], [1, 2, 3], [0]]
    axes = choices[int(rng.integers(0, len(choices)))] if rng.random() < 0.6 else [1, 2]
    keep = bool(rng.random() < 0.5)
    s = _s16(rng)
    so = s * float(rng.uniform(0.5, 1.5)) / (1 if rng.random() < 0.7 else 16)  # some averages of few values saturate
    out = [1 if i in axes else d for i, d in enumerate(shape)] if keep else [d for i, d in enumerate(shape) if i not in axes]
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    ax = m.tensor("axes", (len(axes),), type="int32", data=axes)
    y = m.tensor("y", out, type="int16", scale=so, zp=0)
    m.op("MEAN", [x, ax], [y], keep_dims=keep)
    return m.finish([x], [y]), f"int16 {shape} axes {axes} keep_dims {keep}"


GENERATORS.update({f.__name__.upper(): f for f in [
    conv_2d_int16, depthwise_conv_2d_int16, fully_connected_int16, average_pool_2d_int16, max_pool_2d_int16,
    add_int16, sub_int16, mul_int16, quantize_int16, dequantize_int16, relu_int16, relu6_int16, leaky_relu_int16,
    softmax_int16, mean_int16]})


# Data movement (converter/ops/movement.py, converter/ops/space.py): int8
# half the time, else another type the op moves in TFLite.
def _moved(rng, types):
    """A type among those TFLite moves for the op, with its quantization."""
    t = str(rng.choice(types)) if rng.random() < 0.5 else "int8"
    if t == "int8":
        s, zp = _q(rng)
        return t, dict(scale=s, zp=zp)
    if t == "uint8":
        return t, dict(scale=float(rng.uniform(0.01, 0.1)), zp=int(rng.integers(0, 256)))
    if t == "int16":
        return t, dict(scale=float(rng.uniform(1e-4, 1e-3)), zp=0)
    return t, {}


def depth_to_space(rng):
    t, q = _moved(rng, ["uint8", "int32", "int64", "float32"])
    bs = int(rng.choice([1, 2, 2, 3, 4]))
    n, h, w, oc = int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, oc * bs * bs), type=t, **q)
    y = m.tensor("y", (n, h * bs, w * bs, oc), type=t, **q)
    m.op("DEPTH_TO_SPACE", [x], [y], block_size=bs)
    return m.finish([x], [y]), f"{[n, h, w, oc * bs * bs]} {t} block {bs}"


def space_to_depth(rng):
    t, q = _moved(rng, ["uint8", "int32", "int64", "float32"])
    bs = int(rng.choice([1, 2, 2, 3, 4]))
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 5))
    h, w = bs * int(rng.integers(1, 4)), bs * int(rng.integers(1, 4))
    m = ModelWriter()
    x = m.tensor("x", (n, h, w, c), type=t, **q)
    y = m.tensor("y", (n, h // bs, w // bs, c * bs * bs), type=t, **q)
    m.op("SPACE_TO_DEPTH", [x], [y], block_size=bs)
    return m.finish([x], [y]), f"{[n, h, w, c]} {t} block {bs}"


def mirror_pad(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    mode = str(rng.choice(["REFLECT", "SYMMETRIC"]))
    off = mode == "REFLECT"
    pads = []
    for d in shape:
        a = int(rng.integers(0, d - off + 1)) if rng.random() < 0.7 else 0
        b = int(rng.integers(0, d - off + 1))
        if t == "int8" and rng.random() < 0.2:
            # Wider than LiteRT takes: TFLM repeats the first element past the mirror image
            b = int(rng.integers(0, 2 * d + 2))
        pads.append([a, b])
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, **q)
    p = m.tensor("pads", (rank, 2), type=str(rng.choice(["int32", "int64"])), data=pads)
    y = m.tensor("y", [d + a + b for d, (a, b) in zip(shape, pads)], type=t, **q)
    m.op("MIRROR_PAD", [x, p], [y], mode=mode)
    return m.finish([x], [y]), f"{shape} {t} pads {pads} {mode}"


def reverse_v2(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank = int(rng.integers(1, 6))
    shape = [int(rng.integers(1, 5)) for _ in range(rank)]
    first = int(rng.integers(0, rank))
    axes = list(range(first, int(rng.integers(first + 1, rank + 1))))  # LiteRT takes contiguous axes only
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, **q)
    a = m.tensor("axes", (len(axes),), type="int32", data=axes)
    y = m.tensor("y", shape, type=t, **q)
    m.op("REVERSE_V2", [x, a], [y])
    return m.finish([x], [y]), f"{shape} {t} axes {axes}"


def broadcast_to(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank = int(rng.integers(1, 6))
    out = [int(rng.integers(1, 5)) for _ in range(rank)]
    shape = [d if rng.random() < 0.5 else 1 for d in out][int(rng.integers(0, rank)):]
    m = ModelWriter()
    x = m.tensor("x", shape or [1], type=t, **q)
    s = m.tensor("shape", (rank,), type=str(rng.choice(["int32", "int64"])), data=out)
    y = m.tensor("y", out, type=t, **q)
    m.op("BROADCAST_TO", [x, s], [y])
    return m.finish([x], [y]), f"{shape or [1]} {t} to {out}"


def _block_shape(rng):
    rank = int(rng.integers(3, 5))
    block = [int(rng.choice([1, 2, 2, 3, 4])) for _ in range(rank - 2)]
    return rank, block


def space_to_batch_nd(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank, block = _block_shape(rng)
    shape = [int(rng.integers(1, 3))] + [int(rng.integers(1, 7)) for _ in block] + [int(rng.integers(1, 4))]
    pads = []
    for s, r in zip(shape[1:], block):
        a = int(rng.integers(0, r + 2)) if rng.random() < 0.7 else 0
        b = (-(s + a)) % r + (r * int(rng.integers(0, 2)) if rng.random() < 0.3 else 0)
        pads.append([a, b])
    out = [shape[0] * int(np.prod(block))] + [(s + a + b) // r for s, (a, b), r in zip(shape[1:], pads, block)]
    out.append(shape[-1])
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, **q)
    bt = m.tensor("block", (len(block),), type="int32", data=block)
    pt = m.tensor("pads", (len(block), 2), type="int32", data=pads)
    y = m.tensor("y", out, type=t, **q)
    m.op("SPACE_TO_BATCH_ND", [x, bt, pt], [y])
    return m.finish([x], [y]), f"{shape} {t} block {block} pads {pads}"


def batch_to_space_nd(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank, block = _block_shape(rng)
    n = int(rng.integers(1, 3))
    shape = [n * int(np.prod(block))] + [int(rng.integers(1, 5)) for _ in block] + [int(rng.integers(1, 4))]
    crops = []
    for s, r in zip(shape[1:], block):
        while True:
            a, b = (int(rng.integers(0, r + 1)), int(rng.integers(0, r + 1))) if rng.random() < 0.7 else (0, 0)
            if s * r - a - b >= 1:
                break
        crops.append([a, b])
    out = [n] + [s * r - a - b for s, r, (a, b) in zip(shape[1:], block, crops)] + [shape[-1]]
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, **q)
    bt = m.tensor("block", (len(block),), type="int32", data=block)
    ct = m.tensor("crops", (len(block), 2), type="int32", data=crops)
    y = m.tensor("y", out, type=t, **q)
    m.op("BATCH_TO_SPACE_ND", [x, bt, ct], [y])
    return m.finish([x], [y]), f"{shape} {t} block {block} crops {crops}"


def zeros_like(rng):
    """Beside the input (a CONCATENATION, so that the output varies); half
    the time a model output too (a copy, not a folded constant)."""
    t, q = _moved(rng, ["int32", "int64", "float32"])
    shape = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 4)))]
    out = bool(rng.random() < 0.5)
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, **q)
    z = m.tensor("z", shape, type=t, **q)
    y = m.tensor("y", [2 * shape[0]] + shape[1:], type=t, **q)
    m.op("ZEROS_LIKE", [x], [z])
    m.op("CONCATENATION", [x, z], [y], axis=0)
    return m.finish([x], [z, y] if out else [y]), f"{shape} {t}{' (a model output)' if out else ''}"


def fill(rng):
    """A value the model is given, or a constant (folded) beside an input."""
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    shape = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 4)))]
    m = ModelWriter()
    dims = m.tensor("dims", (len(shape),), type=str(rng.choice(["int32", "int64"])), data=shape)
    if rng.random() < 0.7:
        v = m.tensor("value", (), type=t, **q)
        y = m.tensor("y", shape, type=t, **q)
        m.op("FILL", [dims, v], [y])
        return m.finish([v], [y]), f"{shape} {t}"
    if t in ("uint8", "int16"):
        t, q = "int32", {}
    v = m.tensor("value", (), type=t, data=np.asarray(3, np.float32 if t == "float32" else np.int64), **q)
    x = m.tensor("x", shape, type=t, **q)
    f = m.tensor("f", shape, type=t, **q)
    y = m.tensor("y", [2 * shape[0]] + shape[1:], type=t, **q)
    m.op("FILL", [dims, v], [f])
    m.op("CONCATENATION", [x, f], [y], axis=0)
    return m.finish([x], [y]), f"{shape} {t} constant value"


GENERATORS.update({f.__name__.upper(): f for f in [
    depth_to_space, space_to_depth, mirror_pad, reverse_v2, broadcast_to, space_to_batch_nd, batch_to_space_nd,
    zeros_like, fill]})


# ---- ops the passes usually remove, in the places they remain ----------------
def _relu_chain(rng, name, shape, out_shape, extra_inputs=(), **opts):
    """x -> RELU -> op -> RELU: the op between two layers, where the
    converter makes a RESHAPE-like op an alias."""
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    a = m.tensor("a", shape, scale=s, zp=zp)
    b = m.tensor("b", out_shape, scale=s, zp=zp)
    y = m.tensor("y", out_shape, scale=s, zp=zp)
    m.op("RELU", [x], [a])
    m.op(name, [a] + [fn(m) for fn in extra_inputs], [b], **opts)
    m.op("LEAKY_RELU", [b], [y], alpha=0.25)  # not fused into the op before it
    return m.finish([x], [y]), f"{shape} -> {out_shape} {opts or ''}"


def squeeze(rng):
    shape = [int(rng.choice([1, 1, 2, 3, 5])) for _ in range(int(rng.integers(1, 5)))]
    ones = [d for d, v in enumerate(shape) if v == 1]
    dims = [d for d in ones if rng.random() < 0.6] if ones and rng.random() < 0.7 else []
    out = [v for d, v in enumerate(shape) if (v != 1 if not dims else d not in dims)] or [1] * 0
    return _relu_chain(rng, "SQUEEZE", shape, out, squeeze_dims=dims)


def expand_dims(rng):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 4)))]
    axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
    out = list(shape)
    out.insert(axis if axis >= 0 else len(shape) + 1 + axis, 1)
    return _relu_chain(rng, "EXPAND_DIMS", shape, out,
                       extra_inputs=[lambda m: m.tensor("axis", (1,), type="int32", data=[axis])])


def padv2(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in range(rank)]
    s, zp = _q(rng)
    value = int(rng.integers(-128, 128))
    out = [d + a + b for d, (a, b) in zip(shape, pads)]
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    p = m.tensor("pads", (rank, 2), type="int32", data=pads)
    v = m.tensor("value", (1,), data=[value], scale=s, zp=zp)
    y = m.tensor("y", out, scale=s, zp=zp)
    m.op("PADV2", [x, p, v], [y])
    return m.finish([x], [y]), f"{shape} pads {pads} value {value}"


def relu_n1_to_1(rng):
    return _unary(rng, "RELU_N1_TO_1")


def shape(rng):
    """SHAPE of a tensor that is also a model output: the one SHAPE the
    converter does not fold."""
    dims = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", dims, scale=s, zp=zp)
    y = m.tensor("y", dims, scale=s, zp=zp)
    sh = m.tensor("shape", (len(dims),), type="int32")
    m.op("RELU", [x], [y])
    m.op("SHAPE", [y], [sh])
    return m.finish([x], [y, sh]), f"{dims}"


GENERATORS.update({f.__name__.upper(): f for f in [squeeze, expand_dims, padv2, relu_n1_to_1, shape]})


# Newer op families keep their generators in their own modules,
# tests/opsuite_<family>.py, each with a GENERATORS table of its own.
import opsuite_arith  # noqa: E402
import opsuite_gather  # noqa: E402
import opsuite_logic  # noqa: E402
import opsuite_norm  # noqa: E402
import opsuite_recurrent  # noqa: E402
import opsuite_svdf  # noqa: E402
import opsuite_signal  # noqa: E402
import opsuite_detect  # noqa: E402
import opsuite_types  # noqa: E402
import opsuite_state  # noqa: E402
import opsuite_decode  # noqa: E402

for _family in (opsuite_logic, opsuite_arith, opsuite_norm, opsuite_gather, opsuite_recurrent, opsuite_svdf,
                opsuite_signal, opsuite_detect, opsuite_types, opsuite_state):
    GENERATORS.update(_family.GENERATORS)
GENERATORS.update(opsuite_decode.GENERATORS)
import opsuite_flavor  # noqa: E402
GENERATORS.update(opsuite_flavor.generators(GENERATORS))  # after every family: it wraps their generators

# SPRAT_OPS=NAME,NAME... runs only those ops' generators (while working on them).
if os.environ.get("SPRAT_OPS"):
    _keep = set(os.environ["SPRAT_OPS"].split(","))
    GENERATORS = {k: v for k, v in GENERATORS.items() if k in _keep}
