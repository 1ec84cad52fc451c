"""Randomized blocks the converter may fuse into FUSED_ROWS
(converter/fuse.py), built with the project's model writer: chains of 2 or
3 convolutions; residual blocks (a chain, then ADD or SUB with the block's
input, either operand order); blocks with a convolution on the skip path;
and chains added to a tensor of their own. Shapes are drawn to break a
row-streaming schedule: 1-pixel and 1-row images, odd channel counts,
kernels 1 to 5 with padding on every border, strides 1 to 3, dilation.
The block's input is made by a QUANTIZE so that the planner may place the
block's output over it."""

import numpy as np

from converter.writer import ModelWriter
from opsuite import ACTS, _act_q, _in_q, out_hw


class _Block:
    def __init__(self, rng):
        self.rng = rng
        self.m = ModelWriter()
        self.n = 0
        self.desc = []

    def name(self, what):
        self.n += 1
        return f"{what}{self.n}"

    def conv(self, x, shape, scale, keep_hw=False, cout=None, pointwise_stride=None, out_q=None):
        """A random CONV_2D or DEPTHWISE_CONV_2D on x (NHWC shape, scale).
        keep_hw: stride 1 and SAME; cout: the output channels (None: any);
        pointwise_stride: a 1x1 CONV_2D with these strides, SAME; out_q:
        the output's (scale, zero point) instead of one drawn to fit."""
        rng = self.rng
        _, h, w, cin = shape
        k = int(rng.choice([1, 1, 3, 3, 3, 5, 2, 4]))
        kh, kw = (k, k) if rng.random() < 0.8 else (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        sh, sw = (1, 1) if keep_hw or rng.random() < 0.55 else (int(rng.choice([2, 2, 3])), int(rng.choice([1, 2])))
        dh, dw = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.2 else (1, 1)
        padding = "SAME" if keep_hw or rng.random() < 0.6 else "VALID"
        dm = 1 if rng.random() < 0.8 else int(rng.integers(2, 4))
        depthwise = rng.random() < 0.45 and (cout is None or cout == cin * dm)
        if pointwise_stride:
            kh = kw = dh = dw = 1
            (sh, sw), padding, depthwise = pointwise_stride, "SAME", False
        padding, oh, ow = out_hw(padding, h, w, kh, kw, sh, sw, dh, dw)
        if depthwise:
            cout = cin * dm
            fshape, depth = (1, kh, kw, cout), kh * kw
        else:
            cout = cout or int(rng.choice([1, 3, 4, 5, 7, 8, 12, 16, 17, 24]))
            fshape, depth = (cout, kh, kw, cin), kh * kw * cin
        per_channel = rng.random() < 0.7
        w_s = rng.uniform(0.002, 0.02, cout if per_channel else 1)
        amp = np.sqrt(depth) * 60 * scale * 70 * float(np.mean(w_s))
        out_s, out_zp = _act_q(rng, amp)
        if out_q:
            out_s, out_zp = out_q
        act = ACTS[int(rng.integers(0, 3))]  # NONE, RELU, RELU6: what blocks use
        m = self.m
        wt = m.tensor(self.name("w"), fshape, data=rng.integers(-127, 128, fshape), scale=w_s, zp=np.zeros(w_s.size),
                      axis=3 if depthwise else 0)
        bias = m.tensor(self.name("b"), (cout,), type="int32", data=rng.integers(-3000, 3000, cout),
                        scale=scale * np.broadcast_to(w_s, (cout,)), zp=np.zeros(cout))
        y = m.tensor(self.name("y"), (1, oh, ow, cout), scale=out_s, zp=out_zp)
        opts = dict(padding=padding, stride_w=sw, stride_h=sh, fused_activation_function=act,
                    dilation_w_factor=dw, dilation_h_factor=dh)
        if depthwise:
            opts["depth_multiplier"] = cout // cin
        m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bias], [y], **opts)
        self.desc.append(f"{'dw' if depthwise else 'conv'} {kh}x{kw} s{sh}x{sw} d{dh}x{dw} {padding} -> "
                         f"{[oh, ow, cout]} {act}")
        return y, (1, oh, ow, cout), out_s

    def add(self, a, b, sa, sb, shape):
        rng = self.rng
        so, zo = _act_q(rng, 120 * (sa + sb))
        name = "SUB" if rng.random() < 0.2 else "ADD"
        act = ACTS[int(rng.integers(0, 3))]
        y = self.m.tensor(self.name("s"), shape, scale=so, zp=zo)
        self.m.op(name, [a, b], [y], fused_activation_function=act)
        self.desc.append(f"{name} {act}")
        self.out_scale = so
        return y


def _add_block(b, x, shape, s, kind, inputs):
    """One block of `kind` on tensor x (shape, scale s); returns its output,
    shape and scale, or None when the draw does not line up."""
    rng, m = b.rng, b.m
    _, h, w, c = shape
    if kind == "chain":
        t, sh, sc = x, shape, s
        for _ in range(int(rng.integers(2, 4))):
            t, sh, sc = b.conv(t, sh, sc)
        return t, sh, sc
    n = int(rng.integers(1, 3)) if kind == "skip_conv" else int(rng.integers(1, 4))
    t, sh, sc = x, shape, s
    for j in range(n):
        last = j == n - 1
        t, sh, sc = b.conv(t, sh, sc, keep_hw=kind != "skip_conv", cout=c if last and kind != "skip_conv" else None)
    if kind == "residual":
        other, so = x, s
    elif kind == "skip_conv":
        # The skip path: a 1x1 convolution striding as the main path does.
        st = [next((k for k in (1, 2, 3, 4, 5, 6, 8, 11, 16) if -(-d // k) == o), None)
              for d, o in ((h, sh[1]), (w, sh[2]))]
        if None in st:
            return None  # VALID borders the skip path cannot follow
        other, _, so = b.conv(x, shape, s, cout=sh[3], pointwise_stride=tuple(st))
    else:
        z_in = m.tensor(b.name("z_in"), sh, scale=sc, zp=int(rng.integers(-20, 21)))
        other = m.tensor(b.name("z"), sh, scale=sc * float(rng.uniform(0.5, 2.0)), zp=int(rng.integers(-20, 21)))
        m.op("QUANTIZE", [z_in], [other])
        inputs.append(z_in)
        so = sc
    pair = (t, other, sc, so) if rng.random() < 0.5 else (other, t, so, sc)
    out = b.add(*pair, sh)
    return out, sh, b.out_scale


KINDS = ["chain", "residual", "skip_conv", "skip_tensor"]


def _start(rng):
    b = _Block(rng)
    m = b.m
    h, w = int(rng.choice([1, 2, 3, 5, 7, 8, 11, 16])), int(rng.choice([1, 2, 3, 4, 7, 9, 12]))
    c = int(rng.choice([1, 2, 3, 4, 5, 8, 9, 16, 17]))
    s, zp = _in_q(rng)
    x_in = m.tensor("x_in", (1, h, w, c), scale=s * float(rng.uniform(0.8, 1.25)), zp=int(rng.integers(-20, 21)))
    x = m.tensor("x", (1, h, w, c), scale=s, zp=zp)
    m.op("QUANTIZE", [x_in], [x])
    return b, x, (1, h, w, c), s, [x_in]


def block(rng):
    """(tflite bytes, description) of one random block."""
    while True:
        b, x, shape, s, inputs = _start(rng)
        kind = KINDS[int(rng.integers(0, 4))]
        got = _add_block(b, x, shape, s, kind, inputs)
        if got is not None:
            break
    desc = f"{kind}: in {list(shape[1:])}; " + "; ".join(b.desc)
    return b.m.finish(inputs, [got[0]]), desc


def network(rng):
    """(tflite bytes, description): 2 to 4 random blocks in a row, some of
    them also read by the next block's skip path."""
    while True:
        b, x, shape, s, inputs = _start(rng)
        t, kinds = (x, shape, s), []
        for _ in range(int(rng.integers(2, 5))):
            kind = KINDS[int(rng.integers(0, 4))]
            got = _add_block(b, *t, kind, inputs)
            if got is None:
                break
            t = got
            kinds.append(kind)
        else:
            return b.m.finish(inputs, [t[0]]), f"{' > '.join(kinds)}: in {list(shape[1:])}; " + "; ".join(b.desc)


def concat_net(rng):
    """(tflite bytes, description): 2 to 4 branches, each a convolution or
    two, concatenated (converter/views.py). The axis is drawn so that the
    inputs are contiguous runs of the output (height, or flattened to
    [1, n] through a RESHAPE) or not (channels of an image wider than a
    pixel); sometimes a concatenation of a concatenation, an input given
    twice, a model input among the inputs, or a branch read again after
    the concatenation. The result goes through one more convolution."""
    b, x, shape, s, inputs = _start(rng)
    m = b.m
    _, h, w, c = shape
    q = _act_q(rng, 60 * s)  # every input of a concatenation shares the output's quantization
    mode = str(rng.choice(["height", "flat", "channels"]))
    cout = int(rng.choice([1, 3, 4, 8, 9]))
    parts, shapes = [], []
    for _ in range(int(rng.integers(2, 5))):
        t, sh, sc = (x, shape, s)
        if rng.random() < 0.4:  # a deeper branch
            t, sh, sc = b.conv(t, sh, sc, keep_hw=True)
        t, sh, _ = b.conv(t, sh, sc, keep_hw=mode != "flat", cout=cout if mode != "channels" else None, out_q=q)
        parts.append(t)
        shapes.append(sh)
    extra = []
    if rng.random() < 0.3:  # a model input among the inputs: it stays a copy
        z = m.tensor(b.name("z"), shapes[0], scale=q[0], zp=q[1])
        inputs.append(z)
        parts.insert(int(rng.integers(0, len(parts) + 1)), z)
        shapes.insert(parts.index(z), shapes[0])
    if rng.random() < 0.2:  # one input twice
        parts.append(parts[0])
        shapes.append(shapes[0])
    if rng.random() < 0.3 and mode != "flat":  # a branch read again after the concatenation
        extra = [(parts[-1], shapes[-1])]
    if mode == "flat":
        flat = []
        for t, sh in zip(parts, shapes):
            n = int(np.prod(sh))
            f = m.tensor(b.name("f"), (1, n), scale=q[0], zp=q[1])
            m.op("RESHAPE", [t, m.tensor(b.name("shape"), (2,), type="int32", data=[1, n])], [f])
            flat.append(f)
        parts, shapes, axis = flat, [(1, int(np.prod(sh))) for sh in shapes], 1
    else:
        axis = 1 if mode == "height" else 3

    def concat(ts, shs):
        out = list(shs[0])
        out[axis] = sum(sh[axis] for sh in shs)
        y = m.tensor(b.name("cat"), out, scale=q[0], zp=q[1])
        m.op("CONCATENATION", ts, [y], axis=axis)
        return y, tuple(out)

    nested = len(parts) >= 3 and rng.random() < 0.4
    if nested:  # a concatenation of a concatenation
        inner, ish = concat(parts[:2], shapes[:2])
        y, ysh = concat([inner] + parts[2:], [ish] + shapes[2:])
    else:
        y, ysh = concat(parts, shapes)
    b.desc.insert(0, f"{mode} concat of {len(parts)}{' nested' if nested else ''} -> {list(ysh)}")
    outs = []
    if len(ysh) == 4:
        t, _, _ = b.conv(y, ysh, q[0])
        outs.append(t)
    else:
        n = ysh[1]
        units = int(rng.integers(1, 9))
        wt = m.tensor(b.name("w"), (units, n), data=rng.integers(-127, 128, (units, n)), scale=0.01, zp=0)
        bias = m.tensor(b.name("b"), (units,), type="int32", data=rng.integers(-3000, 3000, units),
                        scale=q[0] * 0.01, zp=0)
        so, zo = _act_q(rng, np.sqrt(n) * 60 * q[0] * 0.7)
        t = m.tensor(b.name("fc"), (1, units), scale=so, zp=zo)
        m.op("FULLY_CONNECTED", [y, wt, bias], [t])
        b.desc.append(f"FULLY_CONNECTED {units}")
        outs.append(t)
    for t, sh in extra:
        t2, _, _ = b.conv(t, sh, q[0])
        outs.append(t2)
    return m.finish(inputs, outs), "; ".join(b.desc)
