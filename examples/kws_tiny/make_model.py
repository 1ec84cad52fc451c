"""Writes kws_tiny.tflite, the example's model: a small keyword spotter's
shape (49 x 10 MFCC frames in, 4 classes out: conv 3x3 stride 2, depthwise
3x3, pointwise, average pool, fully connected, softmax), random weights with
a fixed seed and quantization chosen so that every layer's output uses the
int8 range and depends on the input. Made with the project's own model
writer; rerun to remake the checked-in file:
    python3 examples/kws_tiny/make_model.py examples/kws_tiny/kws_tiny.tflite"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from converter.writer import ModelWriter  # noqa: E402


def conv(m, rng, x, in_s, shape_in, cout, k, stride, depthwise=False, act="RELU"):
    n, h, w, cin = shape_in
    oh, ow = -(-h // stride), -(-w // stride)
    fshape = (1, k, k, cin) if depthwise else (cout, k, k, cin)
    w_s = rng.uniform(0.004, 0.01, cout)
    depth = k * k * (1 if depthwise else cin)
    out_s = np.sqrt(depth) * 60 * in_s * 70 * float(np.mean(w_s)) / 90
    wt = m.tensor(f"w{len(m.tensors)}", fshape, data=rng.integers(-127, 128, fshape), scale=w_s,
                  zp=np.zeros(cout), axis=3 if depthwise else 0)
    b = m.tensor(f"b{len(m.tensors)}", (cout,), type="int32", data=rng.integers(-2000, 2000, cout),
                 scale=in_s * w_s, zp=np.zeros(cout))
    y = m.tensor(f"y{len(m.tensors)}", (n, oh, ow, cout), scale=out_s, zp=-40)
    opts = dict(padding="SAME", stride_w=stride, stride_h=stride, fused_activation_function=act)
    if depthwise:
        opts["depth_multiplier"] = 1
    m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, b], [y], **opts)
    return y, out_s, (n, oh, ow, cout)


def make():
    rng = np.random.default_rng(2026)
    m = ModelWriter()
    s = 0.05
    x = m.tensor("mfcc", (1, 49, 10, 1), scale=s, zp=0)
    y, s, shape = conv(m, rng, x, s, (1, 49, 10, 1), 12, 3, 2)
    y, s, shape = conv(m, rng, y, s, shape, 12, 3, 1, depthwise=True)
    y, s, shape = conv(m, rng, y, s, shape, 20, 1, 1)
    p = m.tensor("pool", (1, 1, 1, 20), scale=s, zp=-40)
    m.op("AVERAGE_POOL_2D", [y], [p], padding="VALID", stride_w=1, stride_h=1, filter_width=shape[2],
         filter_height=shape[1], fused_activation_function="NONE")
    flat = m.tensor("flat", (1, 20), scale=s, zp=-40)
    m.op("RESHAPE", [p, m.tensor("shape", (2,), type="int32", data=np.array([1, 20]))], [flat])
    w_s = 0.03
    wt = m.tensor("fc_w", (4, 20), data=rng.integers(-127, 128, (4, 20)), scale=w_s, zp=0)
    b = m.tensor("fc_b", (4,), type="int32", data=np.zeros(4, np.int64), scale=s * w_s, zp=0)
    logits = m.tensor("logits", (1, 4), scale=np.sqrt(20) * 60 * s * 70 * w_s / 12, zp=0)
    m.op("FULLY_CONNECTED", [flat, wt, b], [logits], fused_activation_function="NONE")
    probs = m.tensor("probs", (1, 4), scale=1.0 / 256, zp=-128)
    m.op("SOFTMAX", [logits], [probs], beta=1.0)
    return m.finish([x], [probs])


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        f.write(make())
