"""TFLM's DECODE beyond the op suite (tests/opsuite_decode.py): decoded
constants compared with TFLM's own decoding of them (the model returns
them) and with the values encoded, models written by TFLM's compression
tool, and crafted ancillary data the converter must refuse by name, never
with a traceback or a hang."""

import importlib
import time

import numpy as np
import pytest

import opsuite  # noqa: F401  (opsuite_decode imports its helpers)
import opsuite_decode as D
from converter import passes, tflite_reader
from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference

TYPES = ["int8", "int16", "int32", "int64", "float32", "bool"]


def _returning_decoded(rng):
    """A model returning one decoded constant (beside a RELU of its input),
    the values encoded and a description."""
    type_ = TYPES[int(rng.integers(0, len(TYPES)))]
    rank = int(rng.integers(1, 5))
    shape = tuple(int(rng.integers(1, 6)) for _ in range(rank))
    scale = zp = None
    axis = 0
    if type_ not in ("float32", "bool") and rng.random() < 0.6:
        if rng.random() < 0.5:  # per channel, along the first or the last axis
            axis = int(rng.choice([0, rank - 1]))
            n = shape[axis]
            axis = axis if n > 1 else 0  # TFLM's decoders refuse one scale on another axis
            scale = rng.uniform(0.01, 0.1, n)
            zp = rng.integers(-5, 6, n) if type_ == "int8" and rng.random() < 0.5 else np.zeros(n)
        else:
            scale, zp = 0.05, (int(rng.integers(-5, 6)) if type_ == "int8" else 0)
    if type_ == "float32":
        data = np.round(rng.normal(0, 1, shape), 1).astype(np.float32)
        data = np.where(rng.random(shape) < 0.5, np.float32(0), data)
    elif type_ == "bool":
        data = rng.random(shape) < 0.5
    else:
        lo, hi = {"int8": (-128, 128), "int16": (-32768, 32768)}.get(type_, (-10 ** 6, 10 ** 6))
        data = D._weights(rng, shape, lo, hi, int(np.ravel(zp)[0]) if zp is not None else 0)
        if zp is not None and np.size(zp) > 1:  # pruned elements hold their channel's zero point
            n, inter = D.channels_of(shape, scale, axis)
            ch = D._channel_index(int(np.prod(shape)), n, inter).reshape(shape)
            data = np.where(rng.random(shape) < 0.5, np.asarray(zp)[ch], data)
    m = ModelWriter()
    x = m.tensor("x", (3,), scale=0.1, zp=0)
    y = m.tensor("y", (3,), scale=0.1, zp=0)
    m.op("RELU", [x], [y])
    d = D.Decoder(m, rng)
    out = d.const("c", shape, type_, data, scale=scale, zp=zp, axis=axis)
    d.op()
    return m.finish([x], [y, out]), np.asarray(data, D._NP[type_]).reshape(shape), \
        f"{type_} {list(shape)} axis {axis} {d.describe()}"


def _bits(a):
    return a.view(np.uint8) if a.dtype != np.bool_ else a


def test_decoded_constants_are_tflms(host):
    """sprat's decoding of every decode type, type and channel layout, as
    TFLM's interpreter decodes it (the constant is a model output: sprat's
    COPY of its folded constant), and equal to the values encoded."""
    kinds = set()
    for i in range(160):
        model, want, desc = _returning_decoded(np.random.default_rng([11, i]))
        x = [np.array([-3, 0, 5], np.int8)]
        tflm = reference.run_tflm(model, x)[1]
        r = convert(model)
        got = H.run_result(host, r, x)[1]
        assert tflm.dtype == want.dtype and np.array_equal(_bits(tflm), _bits(want)), (i, desc)
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(_bits(got), _bits(want)), \
            (i, desc, got, want)
        kinds.add(next(w for w in desc.split() if w.startswith("c:"))[2:7])
    assert {"lut1", "lut4", "lut7", "prune", "huffm"} <= kinds, kinds


def test_no_oracle_is_litert():
    """LiteRT has no DECODE: the oracle is TFLM's interpreter."""
    model, _, _ = _returning_decoded(np.random.default_rng([11, 0]))
    _, oracle = reference.run_with_oracle(model, [np.zeros(3, np.int8)])
    assert oracle == reference.TFLM


# ---- models written by TFLM's compression tool ----------------------------

def _tool():
    try:
        return (importlib.import_module("tflite_micro.tensorflow.lite.micro.compression.compress"),
                importlib.import_module("tflite_micro.tensorflow.lite.micro.compression.spec"))
    except Exception as e:  # an older tflite-micro, or a dependency missing
        pytest.skip(f"TFLM's compression tool does not load: {type(e).__name__}: {e}")


def _clustered(rng, shape, k, axis=None):
    """Weights of k values (per slice along axis): what compression needs."""
    if axis is None:
        return rng.integers(-127, 128, k)[rng.integers(0, k, shape)]
    n = shape[axis]
    pal = rng.integers(-127, 128, (n, k))
    idx = rng.integers(0, k, shape)
    ch = np.indices(shape)[axis]
    return pal[ch, idx]


def test_fully_connected_weights(host):
    """Decoded FULLY_CONNECTED weights and biases (LUT, Prune, Huffman):
    sprat runs the compressed model as LiteRT runs the uncompressed one, and
    TFLM runs both alike. (TFLM's int8 FULLY_CONNECTED rounds twice where
    LiteRT's and sprat's round once, docs/kernels.md: compared with TFLM
    directly, an output now and then differs by one, as it does uncompressed.)"""
    for i in range(40):
        model, desc = D.fully_connected(np.random.default_rng([17, i]))
        D.PLAIN = True
        try:
            plain, _ = D.fully_connected(np.random.default_rng([17, i]))
        finally:
            D.PLAIN = False
        r = convert(model)
        x = reference.random_inputs(r, i)
        got = H.run_result(host, r, x)[0]
        assert np.array_equal(got, reference.run_litert(plain, x)[0]), (i, desc)
        assert np.array_equal(reference.run_tflm(model, x)[0], reference.run_tflm(plain, x)[0]), (i, desc)


def _tool_model(rng, fc=True):
    """A CONV_2D, DEPTHWISE_CONV_2D (and FULLY_CONNECTED) chain with
    clustered weights and biases, and the tool's spec compressing them."""
    m = ModelWriter()
    h, w, cin, c1 = int(rng.integers(3, 8)), int(rng.integers(3, 8)), int(rng.integers(1, 5)), int(rng.integers(2, 7))
    x = m.tensor("x", (1, h, w, cin), scale=0.05, zp=-3)
    s1 = rng.uniform(0.004, 0.01, c1)
    w1 = m.tensor("w1", (c1, 3, 3, cin), data=_clustered(rng, (c1, 3, 3, cin), int(rng.integers(1, 9)), 0), scale=s1,
                  zp=np.zeros(c1), axis=0)
    b1 = m.tensor("b1", (c1,), type="int32", data=_clustered(rng, (c1,), 3) * 20, scale=0.05 * s1, zp=np.zeros(c1))
    y1 = m.tensor("y1", (1, h, w, c1), scale=0.08, zp=0)
    m.op("CONV_2D", [x, w1, b1], [y1], padding="SAME", stride_w=1, stride_h=1, fused_activation_function="RELU")
    s2 = rng.uniform(0.005, 0.02, c1)
    w2 = m.tensor("w2", (1, 3, 3, c1), data=_clustered(rng, (1, 3, 3, c1), int(rng.integers(2, 5)), 3), scale=s2,
                  zp=np.zeros(c1), axis=3)
    b2 = m.tensor("b2", (c1,), type="int32", data=rng.integers(-500, 500, c1), scale=0.08 * s2, zp=np.zeros(c1))
    y2 = m.tensor("y2", (1, h, w, c1), scale=0.1, zp=-10)
    m.op("DEPTHWISE_CONV_2D", [y1, w2, b2], [y2], padding="SAME", stride_w=1, stride_h=1, depth_multiplier=1)
    units = int(rng.integers(2, 9))
    w3 = m.tensor("w3", (units, h * w * c1), data=_clustered(rng, (units, h * w * c1), int(rng.integers(2, 17))),
                  scale=0.003, zp=0)
    z = m.tensor("z", (1, units), scale=float(h * w * c1 * 0.01), zp=0)
    if fc:
        m.op("FULLY_CONNECTED", [y2, w3, -1], [z])
    plain = m.finish([x], [z if fc else y2])

    def lut(tensor, bits, axis=None):
        mode = "per_tensor:" if axis is None else f"per_channel:\n            axis: {axis}"
        return f"""
  - subgraph: 0
    tensor: {tensor}
    compression:
      - lut:
          index_bitwidth: {bits}
          {mode}"""

    spec = "tensors:" + lut(w1, 3, 0) + lut(b1, 2, 0) + lut(w2, int(rng.integers(2, 8)), 3) + (lut(w3, 4) if fc else "")
    return plain, spec


def test_models_compressed_by_tflms_tool(host):
    """The tool's LUT compression (per channel on axis 0 and on the last
    axis, per tensor) converts, and runs bit-exact: with TFLM (its oracle),
    whose output is the uncompressed model's, and, with a FULLY_CONNECTED
    (which TFLM rounds twice), with LiteRT on the uncompressed model."""
    compress, spec = _tool()
    import warnings
    for i in range(8):
        fc = i % 2 == 1
        plain, text = _tool_model(np.random.default_rng([5, i]), fc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # expansion of tiny tensors
            model = bytes(compress.compress(plain, spec.parse_yaml(text)))
        r = convert(model)
        assert sum(op.name == "CUSTOM:" + D.CODE for op in tflite_reader.read(model).ops) == (3 if fc else 2)
        for k in range(2):
            x = reference.random_inputs(r, k)
            want, oracle = reference.run_with_oracle(model, x)
            assert oracle == reference.TFLM
            assert np.array_equal(want[0], reference.run_tflm(plain, x)[0])
            got = H.run_result(host, r, x)[0]
            assert np.array_equal(got, reference.run_litert(plain, x)[0] if fc else want[0]), (i, k)
            assert len(np.unique(got)) > 1, (i, got)  # not saturated


def test_tool_table_for_one_channel_of_a_per_channel_tensor_is_refused():
    """per_tensor on a per-channel quantized bias: the tool writes one
    table, TFLM's decoder reads one per channel (past the table's end)."""
    compress, spec = _tool()
    plain, text = _tool_model(np.random.default_rng([5, 0]))
    text = text.replace("index_bitwidth: 2\n          per_channel:\n            axis: 0",
                        "index_bitwidth: 2\n          per_tensor:")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = bytes(compress.compress(plain, spec.parse_yaml(text)))
    with pytest.raises(ConvertError, match=r"b1_ancillary.*one value table.*quantization scales"):
        convert(model)


# ---- crafted DECODEs -------------------------------------------------------

def _model(enc, anc, shape=(2, 3), type_="int8", scale=0.1, zp=0, axis=0, const=True):
    """x + DECODE(enc, anc) (an ADD reading the decoded constant)."""
    m = ModelWriter()
    q = dict(scale=0.1, zp=0) if type_ in ("int8", "int16") else {}
    x = m.tensor("x", shape, type=type_, **q)
    e = m.tensor("enc", (len(enc),), type="uint8", data=np.frombuffer(enc, np.uint8) if const else None)
    a = m.tensor("anc", (len(anc),), type="uint8", data=np.frombuffer(anc, np.uint8))
    c = m.tensor("c", shape, type=type_, scale=scale, zp=zp, axis=axis)
    m.custom_op(D.CODE, [e, a], [c])
    y = m.tensor("y", shape, type=type_, **q)
    m.op("ADD", [x, c], [y])
    return m.finish([x] if const else [x, e], [y])


LUT4 = D.dcm(D.LUT, 1, 4, 16) + bytes(range(16))  # 4-bit indices into 16 int8 values
ENC6 = bytes([0x01, 0x23, 0x45])  # six 4-bit indices


def _huffman_anc(entries, wide=False, first=1):
    dt = "<u4" if wide else "<u2"
    return D.dcm(D.HUFFMAN, 1, ((first - 1) << 4) | int(wide)) + np.asarray(entries, dt).tobytes()


# A 1-bit code per symbol: 0 -> 5, 1 -> 9 (16-bit entries: found, 1 bit used).
H2 = [0x8000 | (1 << 11) | 5, 0x8000 | (1 << 11) | 9]

CRAFTED = {
    "short header": (b"\0", b"\0" * 8, {}, r"tensor 'anc'.*less than the 16-byte"),
    "DCM version": (ENC6, bytes([0, 2]) + LUT4[2:], {}, r"header version 2"),
    "custom type 127": (ENC6, bytes([127, 1]) + LUT4[2:], {}, r"custom decode type 127"),
    "custom type 200": (ENC6, bytes([200, 1]) + LUT4[2:], {}, r"custom decode type 200"),
    "reserved type": (ENC6, bytes([5, 1]) + LUT4[2:], {}, r"decode type 5 is reserved"),
    "LUT version": (ENC6, LUT4[:4] + b"\x02" + LUT4[5:], {}, r"LUT version 2"),
    "LUT width 0": (ENC6, LUT4[:5] + b"\x00" + LUT4[6:], {}, r"index width 0"),
    "LUT short encoding": (ENC6[:2], LUT4, {}, r"tensor 'enc'.*has 2 bytes, too few for 6 indices of 4 bits \(3"),
    "LUT index past the table": (ENC6, LUT4[:6] + b"\x04" + LUT4[7:], {}, r"element 4's index 4 is outside"),
    "LUT short table": (ENC6, LUT4[:20], {}, r"1 value table\(s\) of 16 entries need 32 bytes"),
    "LUT uint8 output": (ENC6, LUT4, dict(type_="uint8"), r"tensor 'c'.*type uint8"),
    "LUT one table, per-channel output": (ENC6, LUT4[:5] + bytes([4 | 0xF0]) + LUT4[6:],
                                          dict(scale=[0.1, 0.2], zp=[0, 0], axis=0),
                                          r"says one value table, but the output has 2"),
    "LUT axis field contradicts": (ENC6, LUT4[:5] + bytes([4 | 0x10]) + LUT4[6:], {},
                                   r"names channel axis 1, but TFLM's decoder takes one table"),
    "LUT channels on a middle axis": (bytes(12), D.dcm(D.LUT, 1, 4, 16) + bytes(64),
                                      dict(shape=(2, 2, 3), scale=[0.1, 0.2], zp=[0, 0], axis=1),
                                      r"per-channel quantization along axis 1"),
    "Prune version": (b"\xff", D.dcm(D.PRUNE, 3) + bytes(6), {}, r"Prune version 3"),
    "Prune short bitmap": (b"\xff", D.dcm(D.PRUNE) + bytes(9), dict(shape=(3, 3)),
                           r"too few for a bitmap of 9 elements \(2 bytes\)"),
    "Prune short values": (b"\xfc", D.dcm(D.PRUNE) + bytes(5), {}, r"keeps 6 values, which need 22 bytes"),
    "Prune int16 zero point": (b"\xfc", D.dcm(D.PRUNE) + bytes(12), dict(type_="int16", zp=3),
                               r"zero points of 0"),
    "Huffman version": (b"\0" * 4, D.dcm(D.HUFFMAN, 2), {}, r"Huffman version 2"),
    "Huffman int32": (b"\0" * 4, _huffman_anc(H2, True), dict(type_="int32"), r"writes int8 and int16"),
    "Huffman 16-bit entries, int16": (b"\0" * 4, _huffman_anc(H2), dict(type_="int16", scale=0.001),
                                      r"16-bit Huffman table entries decode int8 only"),
    "Huffman empty table": (b"\0" * 4, _huffman_anc([]), {}, r"element 0's code runs off the Huffman table"),
    "Huffman link off the table": (b"\0" * 4, _huffman_anc([0x0100, 0x0100]), {}, r"runs off the Huffman table"),
    "Huffman truncated stream": (b"\x80", _huffman_anc(H2), dict(shape=(3, 3)),
                                 r"element 8's code runs past the end of the 8-bit encoded stream"),
    # A link back to itself (offset 0): it eats a bit a lookup until the stream ends.
    "Huffman endless links": (b"\0" * 64, _huffman_anc([0x0000, 0x0000]), {}, r"runs past the end of the 512-bit"),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_decode_is_refused_by_name(case):
    enc, anc, kw, match = CRAFTED[case]
    with pytest.raises(ConvertError, match=match) as e:
        convert(_model(enc, anc, **kw))
    assert "op 0 (CUSTOM:TFLM_DECODE)" in str(e.value), str(e.value)


def test_well_formed_crafts_decode():
    """The crafts' unbroken forms fold: the LUT's six indices, Huffman's
    one-bit codes."""
    g = tflite_reader.read(_model(ENC6, LUT4))
    passes.run_all(g)
    assert g.t(g.ops[0].inputs[1]).data.ravel().tolist() == [0, 1, 2, 3, 4, 5]
    g = tflite_reader.read(_model(bytes([0b10110000]), _huffman_anc(H2)))
    passes.run_all(g)
    assert g.t(g.ops[0].inputs[1]).data.ravel().tolist() == [9, 5, 9, 9, 5, 5]
    # 8-bit lookups of 1-bit codes: the last ones look past the stream's one
    # byte (TFLM reads on in whole words) and give the 7 bits back.
    first8 = [0x8000 | (1 << 11) | (9 if e >= 128 else 5) for e in range(256)]
    g = tflite_reader.read(_model(bytes([0b10100101]), _huffman_anc(first8, first=8), shape=(2, 4)))
    passes.run_all(g)
    assert g.t(g.ops[0].inputs[1]).data.ravel().tolist() == [9, 5, 9, 5, 5, 9, 5, 9]


def test_decode_of_a_non_constant_is_refused():
    with pytest.raises(ConvertError, match=r"op 0 \(CUSTOM:TFLM_DECODE\), tensor 'enc': the encoded input is not a "
                                           r"constant"):
        convert(_model(ENC6, LUT4, const=False))


def test_unpaired_inputs_are_refused():
    m = ModelWriter()
    e = m.tensor("enc", (3,), type="uint8", data=np.frombuffer(ENC6, np.uint8))
    a = m.tensor("anc", (len(LUT4),), type="uint8", data=np.frombuffer(LUT4, np.uint8))
    x = m.tensor("x", (2, 3), scale=0.1, zp=0)
    c = m.tensor("c", (2, 3), scale=0.1, zp=0)
    y = m.tensor("y", (2, 3), scale=0.1, zp=0)
    m.custom_op(D.CODE, [e, a, e], [c])
    m.op("ADD", [x, c], [y])
    with pytest.raises(ConvertError, match=r"op 0 \(CUSTOM:TFLM_DECODE\): 3 inputs and 1 outputs"):
        convert(m.finish([x], [y]))


def test_mutated_ancillary_data_never_crashes_or_hangs():
    """Bytes of real encodings flipped, cut or grown: each model converts or
    is refused with a ConvertError, quickly."""
    start = time.monotonic()
    outcomes = {"ok": 0, "refused": 0}
    for i in range(300):
        rng = np.random.default_rng([13, i])
        values = D._weights(rng, (4, 5), -128, 128)
        kind = i % 3
        if kind == 0:
            enc, anc = D.encode_lut(values, "int8", 1, False, rng)
        elif kind == 1:
            enc, anc = D.encode_prune(values, "int8", np.zeros(20))
        else:
            enc, anc, _ = D.encode_huffman(values, "int8", rng)
        enc, anc = bytearray(enc), bytearray(anc)
        for _ in range(int(rng.integers(1, 4))):
            target = enc if (rng.random() < 0.4 and enc) else anc
            r = rng.random()
            if r < 0.6:
                target[int(rng.integers(0, len(target)))] ^= 1 << int(rng.integers(0, 8))
            elif r < 0.8 and len(target) > 1:
                del target[int(rng.integers(1, len(target))):]
            else:
                target += bytes(rng.integers(0, 256, int(rng.integers(1, 9))).astype(np.uint8))
        try:
            convert(_model(bytes(enc) or b"\0", bytes(anc), shape=(4, 5)))
            outcomes["ok"] += 1
        except ConvertError as e:
            assert "op 0 (CUSTOM:TFLM_DECODE)" in str(e)
            outcomes["refused"] += 1
    assert outcomes["ok"] and outcomes["refused"], outcomes
    assert time.monotonic() - start < 120


def test_large_huffman_tensor_folds_quickly():
    """A 64K-element Huffman tensor (a real layer's size) folds in seconds."""
    rng = np.random.default_rng(1)
    values = np.clip(np.round(rng.normal(0, 20, (256, 256))), -128, 127).astype(np.int8)
    enc, anc, _ = D.encode_huffman(values, "int8", rng, wide=True)
    m = ModelWriter()
    x = m.tensor("x", (1, 256), scale=0.05, zp=0)
    e = m.tensor("enc", (len(enc),), type="uint8", data=np.frombuffer(enc, np.uint8))
    a = m.tensor("anc", (len(anc),), type="uint8", data=np.frombuffer(anc, np.uint8))
    w = m.tensor("w", (256, 256), scale=0.01, zp=0)
    y = m.tensor("y", (1, 256), scale=1.0, zp=0)
    m.custom_op(D.CODE, [e, a], [w])
    m.op("FULLY_CONNECTED", [x, w, -1], [y])
    start = time.monotonic()
    g = tflite_reader.read(m.finish([x], [y]))
    passes.run_all(g)
    assert time.monotonic() - start < 20
    assert np.array_equal(g.t(g.ops[0].inputs[1]).data, values)


def test_earlier_compression_metadata_is_refused():
    """COMPRESSION_METADATA (TFLM's kernels decoding LUT tensors, no longer
    written by its tool) is refused by name."""
    try:
        model_editor = importlib.import_module("tflite_micro.tensorflow.lite.micro.compression.model_editor")
    except Exception as e:
        pytest.skip(f"TFLM's model_editor does not load: {type(e).__name__}: {e}")
    m = ModelWriter()
    x = m.tensor("x", (1, 4), scale=0.1, zp=0)
    y = m.tensor("y", (1, 4), scale=0.1, zp=0)
    m.op("RELU", [x], [y])
    model = model_editor.read(m.finish([x], [y]))
    model.metadata["COMPRESSION_METADATA"] = b"\x00"
    with pytest.raises(ConvertError, match="COMPRESSION_METADATA.*no longer writes it"):
        convert(bytes(model.build()))


def test_decoded_weights_also_returned(host):
    """A decoded filter the model also returns: the convolution reads the
    constant, the output is a COPY of it."""
    rng = np.random.default_rng(3)
    m = ModelWriter()
    x = m.tensor("x", (1, 4, 4, 2), scale=0.05, zp=1)
    d = D.Decoder(m, rng)
    wd = D.palette(rng, -127, 128, (3, 3, 3, 2), k=5)
    w = d.const("w", (3, 3, 3, 2), "int8", wd, scale=[0.01, 0.02, 0.015], zp=[0, 0, 0], axis=0)
    b = m.tensor("b", (3,), type="int32", data=[10, -20, 30], scale=[0.0005, 0.001, 0.00075], zp=[0, 0, 0])
    y = m.tensor("y", (1, 4, 4, 3), scale=0.1, zp=0)
    d.op()
    m.op("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=1, stride_h=1)
    model = m.finish([x], [y, w])
    r = convert(model)
    xs = reference.random_inputs(r, 0)
    got, want = H.run_result(host, r, xs), reference.run_tflm(model, xs)
    assert np.array_equal(got[1], wd) and np.array_equal(want[1], wd)
    assert np.array_equal(got[0], want[0])
