"""Bad input to the converter gets a clear error naming the op and tensor;
`sprat convert` exits non-zero without a traceback."""

import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, shared_model
from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter


def _unsupported_model():
    m = ModelWriter()
    x = m.tensor("x", (1, 4), scale=0.1, zp=0)
    y = m.tensor("y", (1, 4), scale=0.1, zp=0)
    z = m.tensor("z", (1, 4), scale=0.1, zp=0)
    m.op("RELU", [x], [y])
    m.op("RANK", [y], [z])  # not in TFLM, nor in sprat
    return m.finish([x], [z])


def test_unsupported_op_names_index_and_op():
    with pytest.raises(ConvertError) as e:
        convert(_unsupported_model())
    assert "op 1 (RANK)" in str(e.value) and "not supported" in str(e.value)


def test_unsupported_type_names_tensor():
    m = ModelWriter()
    x = m.tensor("my_input", (1, 4), type="int16", scale=0.1, zp=0)
    y = m.tensor("y", (1, 4), type="int16", scale=0.1, zp=0)
    m.op("HARD_SWISH", [x], [y])  # TFLM has no int16 HARD_SWISH, nor sprat
    with pytest.raises(ConvertError) as e:
        convert(m.finish([x], [y]))
    assert "op 0 (HARD_SWISH)" in str(e.value) and "my_input" in str(e.value) and "int16" in str(e.value)


@pytest.mark.parametrize("case, match", [
    ("zero point", r"op 0 \(RELU\), tensor 'x': int16 zero point 3: TFLite's int16 kernels need 0"),
    ("depthwise int32 bias", r"op 0 \(DEPTHWISE_CONV_2D\), tensor 'b': bias must be an int64 constant"),
    ("pot add broadcast", r"op 0 \(ADD\): LiteRT's power-of-two int16 ADD does not broadcast"),
    ("logistic", r"op 0 \(LOGISTIC\), tensor 'y': an int16 LOGISTIC output must have scale 2\^-15"),
])
def test_int16_cases_tflite_refuses_are_refused(case, match):
    m = ModelWriter()
    if case == "zero point":
        x = m.tensor("x", (1, 4), type="int16", scale=0.01, zp=3)
        y = m.tensor("y", (1, 4), type="int16", scale=0.01, zp=0)
        m.op("RELU", [x], [y])
    elif case == "depthwise int32 bias":
        x = m.tensor("x", (1, 3, 3, 2), type="int16", scale=1e-3, zp=0)
        w = m.tensor("w", (1, 1, 1, 2), data=np.ones((1, 1, 1, 2)), scale=[0.01, 0.01], zp=[0, 0], axis=3)
        b = m.tensor("b", (2,), type="int32", data=[1, 2], scale=[1e-5, 1e-5], zp=[0, 0])
        y = m.tensor("y", (1, 3, 3, 2), type="int16", scale=1e-3, zp=0)
        m.op("DEPTHWISE_CONV_2D", [x, w, b], [y], padding="SAME", stride_w=1, stride_h=1, depth_multiplier=1)
    elif case == "pot add broadcast":
        x = m.tensor("x", (2, 4), type="int16", scale=2.0 ** -12, zp=0)
        z = m.tensor("z", (1, 4), type="int16", scale=2.0 ** -12, zp=0)
        y = m.tensor("y", (2, 4), type="int16", scale=2.0 ** -12, zp=0)
        m.op("ADD", [x, z], [y])
        return _raises(m.finish([x, z], [y]), match)
    else:
        x = m.tensor("x", (1, 4), type="int16", scale=1e-3, zp=0)
        y = m.tensor("y", (1, 4), type="int16", scale=1.0 / 20000, zp=0)
        m.op("LOGISTIC", [x], [y])
    _raises(m.finish([x], [y]), match)


def _raises(model, match):
    with pytest.raises(ConvertError, match=match):
        convert(model)


def test_float_model_is_refused_with_how_to_quantize():
    m = ModelWriter()
    x = m.tensor("input_1", (1, 5, 5, 4), type="float32")
    w = m.tensor("w", (6, 3, 3, 4), type="float32", data=np.ones((6, 3, 3, 4), np.float32))
    b = m.tensor("b", (6,), type="float32", data=np.ones(6, np.float32))
    y = m.tensor("Identity", (1, 5, 5, 6), type="float32")
    m.op("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=1, stride_h=1)
    with pytest.raises(ConvertError) as e:
        convert(m.finish([x], [y]))
    text = str(e.value)
    assert "op 0 (CONV_2D)" in text and "'input_1'" in text and "float32" in text
    assert "fully quantized" in text and "representative_dataset" in text


def test_asymmetric_filter_is_refused():
    m = ModelWriter()
    x = m.tensor("x", (1, 3, 3, 1), scale=0.1, zp=0)
    w = m.tensor("weights", (1, 1, 1, 1), data=[[[[5]]]], scale=0.1, zp=3)
    y = m.tensor("y", (1, 3, 3, 1), scale=0.1, zp=0)
    m.op("CONV_2D", [x, w, -1], [y], padding="SAME", stride_w=1, stride_h=1)
    with pytest.raises(ConvertError, match=r"op 0 \(CONV_2D\).*weights.*symmetric"):
        convert(m.finish([x], [y]))


def _unary_model(name, in_q, out_q):
    m = ModelWriter()
    x = m.tensor("x", (1, 4), scale=in_q[0], zp=in_q[1])
    y = m.tensor("y", (1, 4), scale=out_q[0], zp=out_q[1])
    m.op(name, [x], [y])
    return m.finish([x], [y])


def test_int8_square_is_refused():
    """TFLite computes SQUARE in float32 only: LiteRT refuses int8 at
    Prepare, TFLM at Invoke."""
    with pytest.raises(ConvertError, match=r"op 0 \(SQUARE\), tensor 'x': type int8 is not supported.*float32 only"):
        convert(_unary_model("SQUARE", (0.1, 0), (0.1, 0)))


@pytest.mark.parametrize("name, in_q, out_q, match", [
    # sqrt(x) / scale beyond int32: the C conversion is undefined (LiteRT's x86 build gives -128).
    ("SQRT", (1.0, -128), (1e-9, 0), r"op 0 \(SQRT\), tensor 'y': output scale 1e-09 is too small"),
    # TFLM's ELU table, x / scale beyond int32 (TFLM's build gives -128).
    ("ELU", (1.0, -128), (1e-8, 0), r"op 0 \(ELU\): output scale 1e-08 is too small.*overflows int32"),
    # 1 / (sqrt(in) * out) below 2^-12: TFLite's rounding shift would exceed 31.
    ("RSQRT", (100.0, -128), (500.0, 0), r"op 0 \(RSQRT\), tensor 'y':.*multiplier below 2\^-12"),
    ("RSQRT", (1e-6, -128), (1e-7, 0), r"op 0 \(RSQRT\):.*too large to requantize with"),
])
def test_unary_scales_tflite_cannot_compute_are_refused(name, in_q, out_q, match):
    with pytest.raises(ConvertError, match=match):
        convert(_unary_model(name, in_q, out_q))


def _movement_model(name, shape, out_shape, consts=(), runtime=(), **options):
    """x -> name -> y; `consts`: constant int32 inputs after x, `runtime`:
    their shapes where they are model inputs instead."""
    m = ModelWriter()
    x = m.tensor("x", shape, scale=0.1, zp=0)
    given = [m.tensor(f"r{k}", s, type="int32") for k, s in enumerate(runtime)]
    ins = [x] + [m.tensor(f"c{k}", np.shape(c), type="int32", data=c) for k, c in enumerate(consts)] + given
    y = m.tensor("y", out_shape, scale=0.1, zp=0)
    m.op(name, ins, [y], **options)
    return m.finish([x] + given, [y])


@pytest.mark.parametrize("model, match", [
    (lambda: _movement_model("SPACE_TO_BATCH_ND", (1, 4, 4, 1), (4, 2, 2, 1), consts=[[2, 2]], runtime=[(2, 2)]),
     r"op 0 \(SPACE_TO_BATCH_ND\), tensor 'r0': the paddings must be a constant"),
    (lambda: _movement_model("BATCH_TO_SPACE_ND", (4, 2, 2, 1), (1, 4, 4, 1), runtime=[(2,), (2, 2)]),
     r"op 0 \(BATCH_TO_SPACE_ND\), tensor 'r0': the block shape must be a constant"),
    (lambda: _movement_model("SPACE_TO_BATCH_ND", (1, 4, 4, 1, 1), (4, 2, 2, 1, 1), consts=[[2, 2], [[0, 0]] * 2]),
     r"op 0 \(SPACE_TO_BATCH_ND\): expects a 3-D or 4-D input"),
    (lambda: _movement_model("SPACE_TO_BATCH_ND", (1, 3, 4, 1), (4, 2, 2, 1), consts=[[2, 2], [[0, 0]] * 2]),
     r"op 0 \(SPACE_TO_BATCH_ND\): padded sizes \[3, 4\] are not multiples of the block shape"),
    (lambda: _movement_model("DEPTH_TO_SPACE", (1, 2, 2, 6), (1, 4, 4, 1), block_size=2),
     r"op 0 \(DEPTH_TO_SPACE\), tensor 'x': 6 input channels are not a multiple of block_size 2 squared"),
    (lambda: _movement_model("SPACE_TO_DEPTH", (1, 4, 4, 1), (1, 4, 4, 1), block_size=0),
     r"op 0 \(SPACE_TO_DEPTH\): block_size 0 must be between 1 and 65536"),
    # TFLite would read before the input.
    (lambda: _movement_model("MIRROR_PAD", (3, 4), (6, 6), consts=[[[3, 0], [1, 1]]], mode="REFLECT"),
     r"op 0 \(MIRROR_PAD\): padding 3 before axis 0 of size 3 is wider than REFLECT allows \(2\)"),
    (lambda: _movement_model("REVERSE_V2", (3, 4), (3, 4), runtime=[(1,)]),
     r"op 0 \(REVERSE_V2\), tensor 'r0': the axes must be a constant"),
    (lambda: _movement_model("BROADCAST_TO", (3, 2), (2, 3, 4), consts=[[2, 3, 4]]),
     r"op 0 \(BROADCAST_TO\), tensor 'y': cannot broadcast \[3, 2\] to \[2, 3, 4\]"),
])
def test_movement_ops_refuse_what_they_cannot_do(model, match):
    with pytest.raises(ConvertError, match=match):
        convert(model())


@pytest.mark.parametrize("cut", [0, 7, 100, 1000])
def test_malformed_tflite(cut):
    data = open(shared_model("kws_ref_model"), "rb").read()
    bad = data[:cut] if cut else b"this is not a model"
    with pytest.raises(ConvertError) as e:
        convert(bad)
    assert "TFLite" in str(e.value) or "malformed" in str(e.value)


def test_corrupted_tflite_never_crashes():
    data = bytearray(open(shared_model("kws_ref_model"), "rb").read())
    rng = np.random.default_rng(3)
    for _ in range(200):
        bad = bytearray(data)
        for i in rng.integers(0, min(len(bad), 4096), 4):
            bad[i] ^= int(rng.integers(1, 256))
        try:
            convert(bytes(bad))
        except ConvertError:
            pass  # a clear error is the right answer; anything else fails the test


def _mutants(seed, count):
    """Malformed .tflite files: the op suite's models (made by the project's
    own writer) with bits flipped, bytes replaced, words set to extreme
    integers, and truncations. Seeded: a failure names its seed."""
    import opsuite
    models = [gen(np.random.default_rng(k))[0] for k, gen in enumerate(opsuite.GENERATORS.values())]
    rng = np.random.default_rng(seed)
    extreme = [0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x10000, 255, 127, 128]
    for _ in range(count):
        b = bytearray(models[int(rng.integers(len(models)))])
        kind = int(rng.integers(4))
        for _ in range(int(rng.integers(1, 5))):
            if len(b) < 8:
                break
            if kind == 0:
                b[int(rng.integers(len(b)))] ^= 1 << int(rng.integers(8))
            elif kind == 1:
                b[int(rng.integers(len(b)))] = int(rng.integers(256))
            elif kind == 2:
                i = int(rng.integers(0, len(b) - 4)) & ~3
                b[i:i + 4] = extreme[int(rng.integers(len(extreme)))].to_bytes(4, "little")
            else:
                b = b[:int(rng.integers(1, len(b)))]
        yield bytes(b)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_tflite_gives_only_convert_errors(seed):
    """A bounded slice of the converter fuzzing (the long runs: tools/fuzz):
    the classes found by mutation (struct.error on out-of-range values,
    ZeroDivisionError and NaN on zero or non-finite scales and strides,
    IndexError on empty quantization arrays and missing inputs, hangs on
    alias cycles and giant shapes) are fixed where the values are read."""
    import warnings
    raw = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for k, b in enumerate(_mutants(seed, 1500)):
            try:
                convert(b)
            except ConvertError:
                pass
            except Exception as e:  # noqa: BLE001 - the test's subject
                raw.append(f"mutant {k} of seed {seed}: {type(e).__name__}: {e}")
    assert not raw, "\n".join(raw[:10])


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-m", "sprat", *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def test_cli_unsupported_op_exits_nonzero(tmp_path):
    src = tmp_path / "bad.tflite"
    src.write_bytes(_unsupported_model())
    p = _cli("convert", str(src), "-o", str(tmp_path / "out"))
    assert p.returncode != 0
    assert "op 1 (RANK)" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_cli_converts(tmp_path):
    p = _cli("convert", shared_model("kws_ref_model"), "-o", str(tmp_path / "out"))
    assert p.returncode == 0, p.stderr
    blob = (tmp_path / "out" / "model.sprat").read_bytes()
    assert blob[:4] == b"SPRT"
    assert "FULLY_CONNECTED" in (tmp_path / "out" / "report.txt").read_text()
    assert f"[{len(blob)}]" in (tmp_path / "out" / "model_data.c").read_text()


@pytest.mark.parametrize("op", ["DEQUANTIZE", "QUANTIZE"])
def test_unquantized_uint8_is_refused_by_name(op):
    """A uint8 QUANTIZE/DEQUANTIZE input without scale and zero point (a
    mutant of the fuzzing found it ending in an AttributeError)."""
    m = ModelWriter()
    x = m.tensor("x", (1, 4), type="uint8")
    y = m.tensor("y", (1, 4), type="float32") if op == "DEQUANTIZE" else m.tensor("y", (1, 4), scale=0.1, zp=0)
    m.op(op, [x], [y])
    _raises(m.finish([x], [y]), rf"op 0 \({op}\), tensor 'x': uint8 tensor without quantization parameters")
