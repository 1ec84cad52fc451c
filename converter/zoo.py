"""Models sprat builds itself: the bundled default model, MobileNetV2 alpha
0.30 at 80x80x3 with 1000 classes (the architecture of the benchmark model
in ../shared/models, written from scratch with the project's model writer).

Weights are random (fixed seed), but chosen so the signal survives: each
layer is calibrated on smooth random images in float, its batch-norm-like
scale folded so pre-activations are about N(0, 1), and every tensor gets
int8 quantization from its calibrated range. The classifier is centred and
scaled so the top classes change with the input. A model whose output does
not depend on its input would prove nothing."""

import numpy as np

from converter.writer import ModelWriter


def _make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _same_pad(x, k, stride):
    n, h, w, c = x.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph = max(0, (oh - 1) * stride + k - h)
    pw = max(0, (ow - 1) * stride + k - w)
    return np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0))), oh, ow


def _conv(x, w, stride):
    """x [n,h,w,cin], w [cout,k,k,cin], SAME padding."""
    k = w.shape[1]
    xp, oh, ow = _same_pad(x, k, stride)
    out = np.zeros((x.shape[0], oh, ow, w.shape[0]), np.float64)
    for dy in range(k):
        for dx in range(k):
            patch = xp[:, dy:dy + stride * oh:stride, dx:dx + stride * ow:stride, :]
            out += np.tensordot(patch, w[:, dy, dx, :], axes=([3], [1]))
    return out


def _dwconv(x, w, stride):
    """x [n,h,w,c], w [1,k,k,c], SAME padding."""
    k = w.shape[1]
    xp, oh, ow = _same_pad(x, k, stride)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]), np.float64)
    for dy in range(k):
        for dx in range(k):
            out += xp[:, dy:dy + stride * oh:stride, dx:dx + stride * ow:stride, :] * w[0, dy, dx, :]
    return out


def smooth_images(rng, n, size=80):
    """Random images with structure at several scales, in [-1, 1]."""
    imgs = np.zeros((n, size, size, 3))
    for cells in (4, 10, 40):
        noise = rng.standard_normal((n, cells, cells, 3))
        rep = -(-size // cells)
        imgs += np.repeat(np.repeat(noise, rep, 1), rep, 2)[:, :size, :size, :] / cells ** 0.25
    return np.clip(imgs / 2.0, -1, 1)


class _Builder:
    def __init__(self, seed, calib):
        self.rng = np.random.default_rng(seed)
        self.m = ModelWriter()
        self.n = 0

    def name(self, kind):
        self.n += 1
        return f"{kind}_{self.n}"

    @staticmethod
    def act_quant(v, relu6):
        if relu6:
            return 6.0 / 255.0, -128
        # A quarter more than the calibration saw: other inputs go further.
        lo, hi = 1.25 * min(float(v.min()), 0.0), 1.25 * max(float(v.max()), 0.0)
        scale = max(hi - lo, 1e-3) / 255.0
        return scale, int(np.clip(np.round(-128 - lo / scale), -128, 127))

    def layer(self, x, xt, xq, kind, cout=None, stride=1, k=1, relu6=True):
        """Adds CONV_2D (kind 'conv') or DEPTHWISE_CONV_2D ('dw'); returns
        (float activations, tensor, (scale, zp))."""
        cin = x.shape[3]
        if kind == "dw":
            w = self.rng.standard_normal((1, k, k, cin))
            y = _dwconv(x, w, stride)
        else:
            w = self.rng.standard_normal((cout, k, k, cin))
            y = _conv(x, w, stride)
        # Fold a batch norm with statistics of the calibration activations.
        mean, std = y.mean(axis=(0, 1, 2)), y.std(axis=(0, 1, 2)) + 1e-6
        axis_c = 3 if kind == "dw" else 0
        shape_c = [1, 1, 1, 1]
        shape_c[axis_c] = -1
        w = w / std.reshape(shape_c)
        b = -mean / std
        y = (y - mean) / std
        if relu6:
            y = np.clip(y, 0.0, 6.0)
        oq = self.act_quant(y, relu6)
        wmax = np.abs(w).max(axis=tuple(i for i in range(4) if i != axis_c))
        ws = np.maximum(wmax, 1e-8) / 127.0
        wq = np.clip(np.round(w / ws.reshape(shape_c)), -127, 127)
        bq = np.round(b / (xq[0] * ws)).astype(np.int64)
        name = self.name(kind)
        wt = self.m.tensor(name + "/weights", wq.shape, data=wq, scale=ws, zp=np.zeros(ws.size), axis=axis_c)
        bt = self.m.tensor(name + "/bias", (ws.size,), type="int32", data=bq, scale=xq[0] * ws, zp=np.zeros(ws.size))
        out = self.m.tensor(name, y.shape[1:] and (1,) + y.shape[1:], scale=oq[0], zp=oq[1])
        opts = dict(padding="SAME", stride_w=stride, stride_h=stride,
                    fused_activation_function="RELU6" if relu6 else "NONE", dilation_w_factor=1, dilation_h_factor=1)
        if kind == "dw":
            opts["depth_multiplier"] = 1
            self.m.op("DEPTHWISE_CONV_2D", [xt, wt, bt], [out], **opts)
        else:
            self.m.op("CONV_2D", [xt, wt, bt], [out], **opts)
        return y, out, oq


def mobilenet_v2(alpha=0.30, size=80, classes=1000, last=384, seed=2026):
    """Returns the .tflite bytes of MobileNetV2 (int8 in, int8 out)."""
    calib = smooth_images(np.random.default_rng(seed + 1), 12, size)
    b = _Builder(seed, calib)
    m = b.m
    xq = (2.0 / 255.0, 0)
    x = m.tensor("input", (1, size, size, 3), scale=xq[0], zp=xq[1])
    # The model sees the image as int8, so calibrate on what int8 can hold.
    a = np.clip(np.round(calib / xq[0]), -128, 127) * xq[0]
    a, t, q = b.layer(a, x, xq, "conv", _make_divisible(32 * alpha), 2, 3)
    cin = a.shape[3]
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                (6, 320, 1, 1)]
    for expand, c, n, s in settings:
        cout = _make_divisible(c * alpha)
        for i in range(n):
            stride = s if i == 0 else 1
            inp, inp_t, inp_q = a, t, q
            if expand != 1:
                a, t, q = b.layer(a, t, q, "conv", cin * expand, 1, 1)
            a, t, q = b.layer(a, t, q, "dw", None, stride, 3)
            a, t, q = b.layer(a, t, q, "conv", cout, 1, 1, relu6=False)
            if stride == 1 and cin == cout:
                a = a + inp
                oq = b.act_quant(a, False)
                out = m.tensor(b.name("add"), (1,) + a.shape[1:], scale=oq[0], zp=oq[1])
                m.op("ADD", [inp_t, t], [out], fused_activation_function="NONE")
                t, q = out, oq
            cin = cout
    a, t, q = b.layer(a, t, q, "conv", last, 1, 1)
    # Global average pool.
    a = a.mean(axis=(1, 2))
    oq = b.act_quant(a, False)
    axes = m.tensor("mean/axes", (2,), type="int32", data=[1, 2])
    pooled = m.tensor("mean", (1, last), scale=oq[0], zp=oq[1])
    m.op("MEAN", [t, axes], [pooled], keep_dims=False)
    # The classifier: centred and scaled so logits spread over a few units.
    w = b.rng.standard_normal((classes, last))
    logits = a @ w.T
    mu, sd = logits.mean(axis=0), logits.std() + 1e-6
    w, bias = w * (6.0 / sd), -mu * (6.0 / sd)
    logits = a @ w.T + bias
    lq = b.act_quant(logits, False)
    ws = np.abs(w).max() / 127.0
    wq = np.clip(np.round(w / ws), -127, 127)
    wt = m.tensor("logits/weights", wq.shape, data=wq, scale=ws, zp=0)
    bt = m.tensor("logits/bias", (classes,), type="int32", data=np.round(bias / (oq[0] * ws)), scale=oq[0] * ws, zp=0)
    lt = m.tensor("logits", (1, classes), scale=lq[0], zp=lq[1])
    m.op("FULLY_CONNECTED", [pooled, wt, bt], [lt], fused_activation_function="NONE")
    probs = m.tensor("probabilities", (1, classes), scale=1.0 / 256.0, zp=-128)
    m.op("SOFTMAX", [lt], [probs], beta=1.0)
    return m.finish([x], [probs])


def demo_image(size=80):
    """The demo's fixed input: a deterministic synthetic picture, int8."""
    img = smooth_images(np.random.default_rng(7), 1, size)[0]
    return np.clip(np.round(img / (2.0 / 255.0)), -128, 127).astype(np.int8)[None]
