"""A small 16x8 network (int16 activations throughout, int8 weights):
CONV_2D -> DEPTHWISE_CONV_2D -> CONV_2D -> AVERAGE_POOL_2D ->
FULLY_CONNECTED, some with a float32 QUANTIZE in front and a DEQUANTIZE
after, on randomized shapes and scales, on the host (portable kernels) and
under QEMU (the Cortex-M library, which runs the portable int16 kernels),
byte for byte against LiteRT's reference kernels."""

import os

import numpy as np
import pytest

import opsuite
from converter.convert import convert
from converter.writer import ModelWriter
from sprat import jobs, reference
from test_ops_host import seed
from test_qemu import _compare

pytestmark = pytest.mark.usefixtures("in_build_env")
TARGET = "qemu_cortex_m7"
CONFIGS = int(os.environ.get("SPRAT_INT16_CONFIGS", "12"))


def _conv_weights(m, rng, name, shape, axis):
    n = shape[axis]
    scales = rng.uniform(0.002, 0.02, n)
    return m.tensor(name, shape, data=rng.integers(-127, 128, shape), scale=scales, zp=np.zeros(n), axis=axis), scales


def net16(rng):
    """(tflite bytes, description) of one 16x8 network."""
    h, w, c = int(rng.integers(5, 17)), int(rng.integers(5, 17)), int(rng.choice([1, 3, 4]))
    c1, c3, units = int(rng.integers(2, 13)), int(rng.integers(2, 17)), int(rng.integers(1, 11))
    float_io = rng.random() < 0.5
    m = ModelWriter()
    s = float(rng.uniform(5e-5, 3e-4))
    x = m.tensor("x", (1, h, w, c), type="int16", scale=s, zp=0)
    first = x
    if float_io:
        first = m.tensor("input", (1, h, w, c), type="float32")
        m.op("QUANTIZE", [first], [x])
    shape = (1, h, w, c)

    def conv(x, shape, name, cout, k, stride, depthwise):
        nonlocal s
        _, oh, ow = opsuite.out_hw("SAME", shape[1], shape[2], k, k, stride, stride, 1, 1)
        fshape = (1, k, k, cout) if depthwise else (cout, k, k, shape[3])
        wt, ws = _conv_weights(m, rng, f"{name}/w", fshape, 3 if depthwise else 0)
        depth = k * k * (1 if depthwise else shape[3])
        out_s = float(np.sqrt(depth) * 19000 * s * 73 * np.mean(ws)) / float(rng.uniform(8000, 20000))
        b = m.tensor(f"{name}/b", (cout,), type="int64", data=rng.integers(-2**16, 2**16, cout), scale=s * ws,
                     zp=np.zeros(cout))
        y = m.tensor(name, (1, oh, ow, cout), type="int16", scale=out_s, zp=0)
        opts = dict(padding="SAME", stride_w=stride, stride_h=stride, fused_activation_function="RELU")
        if depthwise:
            opts["depth_multiplier"] = cout // shape[3]
        m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, b], [y], **opts)
        s = out_s
        return y, (1, oh, ow, cout)

    y, shape = conv(x, shape, "conv1", c1, 3, int(rng.choice([1, 2])), False)
    y, shape = conv(y, shape, "dw", c1 * int(rng.choice([1, 2])), 3, 1, True)
    y, shape = conv(y, shape, "conv2", c3, 1, 1, False)
    pooled = m.tensor("pool", (1, 1, 1, shape[3]), type="int16", scale=s, zp=0)
    m.op("AVERAGE_POOL_2D", [y], [pooled], padding="VALID", stride_w=1, stride_h=1, filter_width=shape[2],
         filter_height=shape[1])
    fw = m.tensor("fc/w", (units, shape[3]), data=rng.integers(-127, 128, (units, shape[3])), scale=0.01, zp=0)
    fb = m.tensor("fc/b", (units,), type="int64", data=rng.integers(-2**16, 2**16, units), scale=s * 0.01, zp=0)
    out_s = float(np.sqrt(shape[3]) * 10000 * s * 73 * 0.01) / 20000
    out = m.tensor("logits", (1, units), type="int16", scale=out_s, zp=0)
    m.op("FULLY_CONNECTED", [pooled, fw, fb], [out])
    last = out
    if float_io:
        last = m.tensor("output", (1, units), type="float32")
        m.op("DEQUANTIZE", [out], [last])
    desc = f"in {[1, h, w, c]} conv {c1} dw {y} conv {c3} fc {units}{' float in/out' if float_io else ''}"
    return m.finish([first], [last]), desc


def chain16(rng):
    """Every int16 op in one chain, float32 in and out: QUANTIZE, CONV_2D
    (int32 bias), DEPTHWISE_CONV_2D, ADD, MAX_POOL_2D, RELU, LEAKY_RELU,
    MUL, QUANTIZE (int16 to int16), SUB (power-of-two scales), RELU6,
    AVERAGE_POOL_2D, MEAN, FULLY_CONNECTED (per channel), SOFTMAX, the
    int16 -> int16, int16 -> int8 and int8 -> int16 QUANTIZEs, DEQUANTIZE."""
    c = int(rng.integers(1, 6))
    m = ModelWriter()
    inp = m.tensor("input", (1, 8, 8, c), type="float32")

    def t16(name, shape, scale):
        return m.tensor(name, shape, type="int16", scale=scale, zp=0)

    x = t16("x", (1, 8, 8, c), 1e-4)
    m.op("QUANTIZE", [inp], [x])
    w1, ws1 = _conv_weights(m, rng, "c1/w", (6, 3, 3, c), 0)
    b1 = m.tensor("c1/b", (6,), type="int32", data=rng.integers(-2**12, 2**12, 6), scale=1e-4 * ws1, zp=np.zeros(6))
    c1 = t16("c1", (1, 8, 8, 6), float(np.sqrt(9 * c) * 3 * 73 * np.mean(ws1)) / 20000)
    m.op("CONV_2D", [x, w1, b1], [c1], padding="SAME", stride_w=1, stride_h=1, quantized_bias_type=2)
    s1 = m.tensors[c1]["scale"][0]
    w2, ws2 = _conv_weights(m, rng, "dw/w", (1, 3, 3, 6), 3)
    b2 = m.tensor("dw/b", (6,), type="int64", data=rng.integers(-2**12, 2**12, 6), scale=s1 * ws2, zp=np.zeros(6))
    d1 = t16("dw", (1, 8, 8, 6), float(3 * 20000 * s1 * 73 * np.mean(ws2)) / 20000)
    m.op("DEPTHWISE_CONV_2D", [c1, w2, b2], [d1], padding="SAME", stride_w=1, stride_h=1, depth_multiplier=1)
    a1 = t16("add", (1, 8, 8, 6), 2 * max(s1, m.tensors[d1]["scale"][0]))
    m.op("ADD", [c1, d1], [a1])
    p1 = t16("maxpool", (1, 4, 4, 6), m.tensors[a1]["scale"][0])
    m.op("MAX_POOL_2D", [a1], [p1], padding="VALID", stride_w=2, stride_h=2, filter_width=2, filter_height=2)
    r1 = t16("relu", (1, 4, 4, 6), m.tensors[p1]["scale"][0] * 0.7)
    m.op("RELU", [p1], [r1])
    l1 = t16("leaky", (1, 4, 4, 6), m.tensors[p1]["scale"][0])
    m.op("LEAKY_RELU", [p1], [l1], alpha=0.2)
    mu = t16("mul", (1, 4, 4, 6), float(m.tensors[r1]["scale"][0] * m.tensors[l1]["scale"][0]) * 20000)
    m.op("MUL", [r1, l1], [mu])
    g1 = t16("requant_a", (1, 4, 4, 6), 1.0 / 32768)
    m.op("QUANTIZE", [mu], [g1])
    th = t16("requant_b", (1, 4, 4, 6), 1.0 / 32768)
    m.op("QUANTIZE", [l1], [th])
    sb = t16("sub", (1, 4, 4, 6), 1.0 / 32768)
    m.op("SUB", [g1, th], [sb])  # scales all 2^-15: the power-of-two scheme
    r6 = t16("relu6", (1, 4, 4, 6), 1.0 / 16384)
    m.op("RELU6", [sb], [r6])
    ap = t16("avgpool", (1, 1, 1, 6), 1.0 / 16384)
    m.op("AVERAGE_POOL_2D", [r6], [ap], padding="VALID", stride_w=1, stride_h=1, filter_width=4, filter_height=4)
    axes = m.tensor("axes", (2,), type="int32", data=[1, 2])
    mean = t16("mean", (1, 1, 1, 6), 1.0 / 16384)
    m.op("MEAN", [r6, axes], [mean], keep_dims=True)
    both = t16("pooled", (1, 1, 1, 6), 1.0 / 8192)
    m.op("ADD", [ap, mean], [both], pot_scale_int16=False)
    units = int(rng.integers(2, 8))  # a SOFTMAX of one value is constant
    fw, _ = _conv_weights(m, rng, "fc/w", (units, 6), 0)
    fb = m.tensor("fc/b", (units,), type="int64", data=rng.integers(-2**10, 2**10, units), scale=np.full(units, 1e-6),
                  zp=np.zeros(units))
    fc = t16("fc", (1, units), 2e-4)
    m.op("FULLY_CONNECTED", [both, fw, fb], [fc])
    sm = t16("softmax", (1, units), 1.0 / 32768)
    m.op("SOFTMAX", [fc], [sm], beta=1.0)
    q1 = t16("requantized", (1, units), 3e-4)
    m.op("QUANTIZE", [sm], [q1])
    q2 = m.tensor("int8", (1, units), scale=1.0 / 256, zp=-128)
    m.op("QUANTIZE", [q1], [q2])
    q3 = t16("int16", (1, units), 3e-4)
    m.op("QUANTIZE", [q2], [q3])
    out = m.tensor("output", (1, units), type="float32")
    m.op("DEQUANTIZE", [q3], [out])
    return m.finish([inp], [out]), f"chain of every int16 op, {c} input channels, {units} units"


@pytest.mark.parametrize("make", [net16, chain16])
def test_int16_nets_bitexact_host_and_qemu(make):
    host, lib, expect_h, expect_l = [], [], [], []
    varies = 0
    for i in range(CONFIGS):
        data, desc = make(np.random.default_rng(seed(make.__name__, i)))
        r = convert(data)
        assert all(op.opcode >= 40 for op in r.ops), [op.name for op in r.ops]  # every layer int16
        x, x2 = reference.random_inputs(r, 2 * i), reference.random_inputs(r, 2 * i + 1)
        want = reference.run(data, x)
        varies += any(not np.array_equal(a, b) for a, b in zip(want, reference.run(data, x2)))
        host.append((r, x))
        expect_h.append((f"config {i} (host): {desc}", want))
        lib.append((convert(data, target=TARGET), x))
        expect_l.append((f"config {i} ({TARGET}): {desc}", want))
    assert varies >= CONFIGS * 9 // 10, f"only {varies} of {CONFIGS} outputs depend on the input"
    _compare(jobs.run_jobs("host", host), expect_h)
    _compare(jobs.run_jobs(TARGET, lib), expect_l)
