"""Op-suite generators for more types of ops the main suite draws in int8
(see tests/opsuite.py): PAD and PADV2 in int16, int32 and float32."""

import numpy as np

from converter.writer import ModelWriter

_NP = {"int16": np.int16, "int32": np.int32, "float32": np.float32}


def _pad(rng, name, type_):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in range(rank)]
    out = [d + a + b for d, (a, b) in zip(shape, pads)]
    q = dict(scale=float(rng.uniform(1e-4, 1e-3)), zp=0) if type_ == "int16" else {}
    m = ModelWriter()
    x = m.tensor("x", shape, type=type_, **q)
    p = m.tensor("pads", (rank, 2), type="int32", data=pads)
    ins, desc = [x, p], f"{type_} {shape} pads {pads}"
    if name == "PADV2":
        value = float(rng.standard_normal()) if type_ == "float32" else int(rng.integers(-1000, 1000))
        ins.append(m.tensor("value", (1,), type=type_, data=np.array([value], _NP[type_]), **q))
        desc += f" value {value}"
    y = m.tensor("y", out, type=type_, **q)
    m.op(name, ins, [y])
    return m.finish([x], [y]), desc


def pad_int16(rng):
    return _pad(rng, "PAD", "int16")


def padv2_int16(rng):
    return _pad(rng, "PADV2", "int16")


def pad_other(rng):
    """int32 and float32."""
    return _pad(rng, "PAD", ["int32", "float32"][int(rng.integers(0, 2))])


def padv2_other(rng):
    return _pad(rng, "PADV2", ["int32", "float32"][int(rng.integers(0, 2))])


GENERATORS = {f.__name__.upper(): f for f in [pad_int16, padv2_int16, pad_other, padv2_other]}


def transpose_conv_int16(rng):
    """16x8 TRANSPOSE_CONV: int16 in and out (symmetric), int8 per-channel
    filter, int64 bias or none."""
    from opsuite import _bias16, _out16
    n, h, w, cin = int(rng.integers(1, 3)), int(rng.integers(1, 7)), int(rng.integers(1, 7)), int(rng.integers(1, 5))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    padding = "SAME" if rng.random() < 0.5 else "VALID"
    oh = h * sh if padding == "SAME" else (h - 1) * sh + kh
    ow = w * sw if padding == "SAME" else (w - 1) * sw + kw
    cout = int(rng.integers(1, 6))
    w_s = rng.uniform(0.002, 0.02, cout if rng.random() < 0.7 else 1)
    amp = float(np.exp(rng.uniform(np.log(0.5), np.log(10))))
    # Each output sums at most ceil(kh/sh) * ceil(kw/sw) * cin products.
    reach = -(-kh // sh) * -(-kw // sw) * cin
    in_s = amp / (np.sqrt(reach) * 19000 * 73 * float(np.mean(w_s)))
    out_s = _out16(rng, amp)
    m = ModelWriter()
    shape = m.tensor("output_shape", (4,), type="int32", data=[n, oh, ow, cout])
    wt = m.tensor("w", (cout, kh, kw, cin), data=rng.integers(-127, 128, (cout, kh, kw, cin)), scale=w_s,
                  zp=np.zeros(w_s.size), axis=0)
    x = m.tensor("x", (n, h, w, cin), type="int16", scale=in_s, zp=0)
    bias, _, bdesc = _bias16(m, rng, cout, in_s * np.broadcast_to(w_s, (cout,)), allow32=False, allow16=True)
    y = m.tensor("y", (n, oh, ow, cout), type="int16", scale=out_s, zp=0)
    m.op("TRANSPOSE_CONV", [shape, wt, x, bias], [y], padding=padding, stride_w=sw, stride_h=sh)
    return m.finish([x], [y]), f"in {[n, h, w, cin]} filter {[cout, kh, kw, cin]} stride {sh}x{sw} {padding}{bdesc}"


GENERATORS["TRANSPOSE_CONV_INT16"] = transpose_conv_int16


def softmax_int8_to_int16(rng):
    """int8 in, int16 out (zero point -32768, scale 1/65536), as TFLM's
    keyword models have it."""
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 40))] if rng.random() < 0.6 else \
        [1, int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(2, 20))] if rng.random() < 0.5 else \
        [int(rng.integers(1, 3)), int(rng.integers(100, 2000))]  # a classifier's rows: the exp table
    s, zp = float(rng.uniform(0.02, 0.3)), int(rng.integers(-20, 21))
    beta = float(rng.choice([1.0, float(rng.uniform(0.3, 2.0))]))
    m = ModelWriter()
    x = m.tensor("x", shape, scale=s, zp=zp)
    y = m.tensor("y", shape, type="int16", scale=1.0 / 65536, zp=-32768)
    m.op("SOFTMAX", [x], [y], beta=beta)
    return m.finish([x], [y]), f"{shape} beta {beta:.3f} input scale {s:.4f}"


GENERATORS["SOFTMAX_INT8_TO_INT16"] = softmax_int8_to_int16


def cast_uint32(rng):
    """uint32 (the Signal ops' energies) to every type, and every integer
    type and bool to uint32."""
    from opsuite_logic import _cast
    others = ["int8", "int16", "int32", "int64", "uint8", "bool"]
    if rng.random() < 0.5:
        return _cast(rng, "uint32", (others + ["float32"])[int(rng.integers(0, 7))])
    return _cast(rng, others[int(rng.integers(0, 6))], "uint32")


GENERATORS["CAST_UINT32"] = cast_uint32


def quantize_int32(rng):
    """TFLM's requantizations to and from int32: int8 and int16 to int32,
    int32 to int8 and int16."""
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 4)))]
    kind = ["int8->int32", "int16->int32", "int32->int8", "int32->int16"][int(rng.integers(0, 4))]
    m = ModelWriter()
    if kind == "int8->int32":
        si = float(rng.uniform(0.01, 0.1))
        x = m.tensor("x", shape, scale=si, zp=int(rng.integers(-20, 21)))
        y = m.tensor("y", shape, type="int32", scale=si * float(rng.uniform(1e-4, 0.5)), zp=0)
    elif kind == "int16->int32":
        si = float(rng.uniform(1e-4, 1e-3))
        x = m.tensor("x", shape, type="int16", scale=si, zp=0)
        y = m.tensor("y", shape, type="int32", scale=si * float(rng.uniform(1e-3, 0.5)), zp=0)
    else:
        si = float(rng.uniform(1e-5, 1e-3))
        # int32 values over a wide range (reference.random_inputs' [lo:hi] names).
        x = m.tensor("x[-3000000:3000000]", shape, type="int32", scale=si, zp=0)
        if kind == "int32->int8":
            y = m.tensor("y", shape, scale=si * 3e6 / 100, zp=int(rng.integers(-20, 21)))
        else:
            y = m.tensor("y", shape, type="int16", scale=si * 3e6 / 25000, zp=0)
    m.op("QUANTIZE", [x], [y])
    return m.finish([x], [y]), f"{shape} {kind}"


GENERATORS["QUANTIZE_INT32"] = quantize_int32


def _raw_binary(rng, name):
    """int32 or float32 ADD, SUB, MUL: raw values, broadcasting, a fused
    activation (int32 products wrap as TFLite's)."""
    from opsuite_arith import _shapes
    t = ["int32", "float32"][int(rng.integers(0, 2))]
    a_shape, b_shape, out = _shapes(rng)
    act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][int(rng.integers(0, 4))]
    m = ModelWriter()
    wide = "[-100000:100000]" if t == "int32" and rng.random() < 0.5 else ""
    a = m.tensor("a" + wide, a_shape, type=t)
    b = m.tensor("b" + wide, b_shape, type=t)
    y = m.tensor("y", out, type=t)
    m.op(name, [a, b], [y], fused_activation_function=act)
    return m.finish([a, b], [y]), f"{t} {a_shape} {name} {b_shape} -> {out} {act}"


for _name in ("ADD", "SUB", "MUL"):
    GENERATORS[f"{_name}_RAW"] = (lambda n: lambda rng: _raw_binary(rng, n))(_name)


def _sigmoid_int16(rng, name):
    """int16 LOGISTIC and TANH: input scales from TFLite's power-of-two case
    (2^-12) to ranges far past the table's 10.7, output 2^-15."""
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    r = rng.random()
    s = 2.0 ** -12 if r < 0.15 else 2.0 ** int(rng.integers(-15, -8)) if r < 0.3 else float(10 ** rng.uniform(-5.5, -2.5))
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    y = m.tensor("y", shape, type="int16", scale=2.0 ** -15, zp=0)
    m.op(name, [x], [y])
    return m.finish([x], [y]), f"int16 {shape} input scale {s:.3g}"


def logistic_int16(rng):
    return _sigmoid_int16(rng, "LOGISTIC")


def tanh_int16(rng):
    return _sigmoid_int16(rng, "TANH")


def abs_int16(rng):
    """Quantized (zero points 0), and now and then raw int16 values."""
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    if rng.random() < 0.2:
        m = ModelWriter()
        x, y = m.tensor("x", shape, type="int16"), m.tensor("y", shape, type="int16")
        m.op("ABS", [x], [y])
        return m.finish([x], [y]), f"int16 {shape} unquantized"
    s = float(rng.uniform(1e-4, 1e-3))
    so = s if rng.random() < 0.3 else s * float(rng.uniform(0.4, 1.6))  # equal scales: TFLite skips the multiplier
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    y = m.tensor("y", shape, type="int16", scale=so, zp=0)
    m.op("ABS", [x], [y])
    return m.finish([x], [y]), f"int16 {shape} in scale {s:.3g} out scale {so:.3g}"


def prelu_int16(rng):
    """16x8 PRELU (TFLM's): int16 in and out, int8 alpha broadcast."""
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    alpha_shape = [d if rng.random() < 0.5 else 1 for d in shape][int(rng.integers(0, rank)):]
    s = float(rng.uniform(1e-4, 1e-3))
    sa, za = float(rng.uniform(0.002, 0.01)), int(rng.integers(-20, 21))
    so = s * float(rng.uniform(0.3, 1.6))
    m = ModelWriter()
    x = m.tensor("x", shape, type="int16", scale=s, zp=0)
    al = m.tensor("alpha", alpha_shape, data=rng.integers(-128, 128, alpha_shape), scale=sa, zp=za)
    y = m.tensor("y", shape, type="int16", scale=so, zp=0)
    m.op("PRELU", [x, al], [y])
    return m.finish([x], [y]), f"int16 {shape} alpha {alpha_shape} zp {za}"


GENERATORS.update({f.__name__.upper(): f for f in [logistic_int16, tanh_int16, abs_int16, prelu_int16]})


def conv_2d_int4(rng):
    """int4 weights (TFLite's INT4, two to a byte), which the converter
    unpacks to int8; the int8 convolution's draws otherwise."""
    from opsuite import _conv_like
    return _conv_like(rng, False, int4=True)


def depthwise_conv_2d_int4(rng):
    from opsuite import _conv_like
    return _conv_like(rng, True, int4=True)


def fully_connected_int4(rng):
    from opsuite import fully_connected
    return fully_connected(rng, int4=True)


GENERATORS.update({f.__name__.upper(): f for f in [conv_2d_int4, depthwise_conv_2d_int4, fully_connected_int4]})


def quantize_uint8(rng):
    """int8 to uint8 and back: any scales, and TFLM's special case (the same
    scale, zero points 128 apart)."""
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    to_u8 = rng.random() < 0.5
    s, zp = float(rng.uniform(0.005, 0.1)), int(rng.integers(-128, 128))
    if rng.random() < 0.3:
        so, zo = s, zp + 128 if to_u8 else zp
        zp = zp if to_u8 else zp + 128
        if not to_u8:
            zo = zp - 128
    else:
        so = s * float(rng.uniform(0.5, 2.0))
        zp = zp if to_u8 else int(rng.integers(0, 256))
        zo = int(rng.integers(0, 256)) if to_u8 else int(rng.integers(-128, 128))
    m = ModelWriter()
    x = m.tensor("x", shape, type="int8" if to_u8 else "uint8", scale=s, zp=zp)
    y = m.tensor("y", shape, type="uint8" if to_u8 else "int8", scale=so, zp=zo)
    m.op("QUANTIZE", [x], [y])
    return m.finish([x], [y]), f"{'int8 to uint8' if to_u8 else 'uint8 to int8'} {shape} scales {s:.4f}/{so:.4f} " \
                               f"zero points {zp}/{zo}"


def dequantize_uint8(rng):
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    s, zp = float(rng.uniform(0.001, 0.5)), int(rng.integers(0, 256))
    m = ModelWriter()
    x = m.tensor("x", shape, type="uint8", scale=s, zp=zp)
    y = m.tensor("y", shape, type="float32")
    m.op("DEQUANTIZE", [x], [y])
    return m.finish([x], [y]), f"uint8 {shape} scale {s:.4f} zp {zp}"


GENERATORS.update({f.__name__.upper(): f for f in [quantize_uint8, dequantize_uint8]})
