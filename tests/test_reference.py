"""The two oracles (sprat/reference.py): LiteRT's reference kernels, and
TFLM's interpreter where LiteRT refuses a model (here, a bias whose
quantization names axis 3, which LiteRT rejects and TFLM runs, as on a
widely used person-detection model); `sprat bench` says which it used,
and with neither reports its figures with bit-exactness unknown, without
a traceback."""

import json

import numpy as np
import pytest

from converter.convert import convert
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference
from test_bench import bench

pytestmark = pytest.mark.usefixtures("in_build_env")


def _bias_axis3(seed=0, c=6):
    rng = np.random.default_rng(seed)
    m = ModelWriter()
    x = m.tensor("x", (1, 5, 7, 4), scale=0.05, zp=3)
    w = m.tensor("w", (c, 3, 3, 4), data=rng.integers(-127, 128, (c, 3, 3, 4)), scale=[0.01], zp=[0])
    b = m.tensor("b", (c,), type="int32", data=rng.integers(-900, 900, c), scale=[0.0005], zp=[0], axis=3)
    y = m.tensor("y", (1, 5, 7, c), scale=0.1, zp=-2)
    m.op("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=1, stride_h=1, fused_activation_function="RELU")
    return m.finish([x], [y])


def test_tflm_serves_where_litert_refuses(host):
    data = _bias_axis3()
    with pytest.raises(Exception, match="quantized_dimension"):
        reference.run_litert(data, [np.zeros((1, 5, 7, 4), np.int8)])
    r = convert(data)
    for s in range(3):
        x = reference.random_inputs(r, s)
        ref = reference.compute(data, x)
        assert ref.oracle == reference.TFLM and "quantized_dimension" in ref.describe(), ref.describe()
        want, oracle = reference.run_with_oracle(data, x)
        assert oracle == reference.TFLM and np.array_equal(want[0], ref.outputs[0])
        got = H.run_result(host, r, x)[0]
        assert np.array_equal(got, want[0]) and len(np.unique(got)) > 3


def test_no_oracle_is_reported_in_one_line():
    ref = reference.compute(b"TFL3" + bytes(60), [np.zeros(4, np.int8)])
    assert ref.outputs is None and ref.oracle is None
    text = ref.describe()
    assert "no reference ran" in text and "LiteRT" in text and "TFLM" in text and "\n" not in text


def test_bench_names_its_oracle(tmp_path):
    model = tmp_path / "bias_axis3.tflite"
    model.write_bytes(_bias_axis3(1))
    p = bench(str(model), "--target", "host")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert "bit-exact          yes (against TFLM's interpreter" in p.stdout, p.stdout[-1500:]
    p = bench(str(model), "--target", "host", "--json")
    res = json.loads(p.stdout)
    assert res["bitexact"] is True and res["oracle"] == reference.TFLM and "LiteRT" in res["oracle_note"]
