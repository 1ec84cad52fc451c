"""Randomized single-op test models, built with the project's model writer.

Each generator takes a numpy Generator and returns (tflite bytes, config
description). Quantization parameters are chosen from the op's real output
range, so outputs use the int8 range instead of saturating; the suite checks
that outputs depend on inputs."""

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


def _conv_like(rng, depthwise, produced=False):
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
    wdata = rng.integers(-127, 128, fshape)
    amp = np.sqrt(depth) * 60 * in_s * 70 * float(np.mean(w_s))
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
    wt = m.tensor("w", fshape, data=wdata, scale=w_s, zp=np.zeros(w_s.size), axis=3 if depthwise else 0)
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
           f"{'per-channel' if per_channel else 'per-tensor'}{pruned}" + (" (after a QUANTIZE)" if produced else "")
    return m.finish([first], [y]), desc


def conv_2d(rng):
    return _conv_like(rng, False)


def depthwise_conv_2d(rng):
    return _conv_like(rng, True)


def fully_connected(rng):
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 65)), int(rng.integers(1, 33))
    if rng.random() < 0.3:  # the sizes of real classifiers and autoencoders
        depth, units = int(rng.integers(60, 400)), int(rng.integers(1, 70))
    in_s, in_zp = _in_q(rng)
    w_s = float(rng.uniform(0.002, 0.02))
    amp = np.sqrt(depth) * 60 * in_s * 70 * w_s
    out_s, out_zp = _act_q(rng, amp)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    x = m.tensor("x", (batches, depth), scale=in_s, zp=in_zp)
    w = m.tensor("w", (units, depth), data=rng.integers(-127, 128, (units, depth)), scale=w_s, zp=0)
    bias = m.tensor("b", (units,), type="int32", data=rng.integers(-3000, 3000, units), scale=in_s * w_s, zp=0) \
        if rng.random() < 0.8 else -1
    y = m.tensor("y", (batches, units), scale=out_s, zp=out_zp)
    m.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function=act)
    return m.finish([x], [y]), f"batches {batches} depth {depth} units {units} {act}{'' if bias >= 0 else ' no bias'}"


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


def _unary(rng, name, out_q=None, produced=False, **opts):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    s, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-30, 31))
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


def gather(rng):
    rank = int(rng.integers(1, 4))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    axis = int(rng.integers(0, rank))
    shape[axis] = max(shape[axis], 2)
    n = int(rng.integers(1, 6))
    idx = rng.integers(0, shape[axis], n)
    s, zp = _q(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    it = m.tensor("indices", (n,), type="int32", data=idx)
    y = m.tensor("y", shape[:axis] + [n] + shape[axis + 1:], scale=s, zp=zp)
    m.op("GATHER", [x, it], [y], axis=axis)
    return m.finish([x], [y]), f"{shape} axis {axis} indices {idx.tolist()}"

GENERATORS = {f.__name__.upper(): f for f in [
    conv_2d, depthwise_conv_2d, fully_connected, average_pool_2d, max_pool_2d, add, sub, mul, mean, softmax,
    logistic, tanh, relu, relu6, leaky_relu, hard_swish, pad, concatenation, reshape, strided_slice, transpose,
    quantize, dequantize, resize_nearest_neighbor, arg_max, split, split_v, pack, unpack, slice_, maximum, minimum,
    prelu, reduce_max, gather, transpose_conv]}
