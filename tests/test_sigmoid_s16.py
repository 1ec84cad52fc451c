"""int16 LOGISTIC and TANH: TFLite's sigmoid table, which the converter
carries (converter/quant.py), measured again from LiteRT's reference, and
both ops on every int16 input at scales from the power-of-two case to
ranges far past the table's, against LiteRT and TFLM."""

import numpy as np
import pytest

from converter import quant
from converter.convert import convert
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference

X = np.arange(-32768, 32768, dtype=np.int16).reshape(1, -1)  # every int16 value


def _model(name, in_scale):
    m = ModelWriter()
    x = m.tensor("x", X.shape, type="int16", scale=in_scale, zp=0)
    y = m.tensor("y", X.shape, type="int16", scale=2.0 ** -15, zp=0)
    m.op(name, [x], [y])
    return m.finish([x], [y])


def _rescaled(in_scale):
    mult, shift = quant.sigmoid_s16_params(in_scale)
    rnd = 1 << (shift - 1) if shift else 0
    return (X[0].astype(np.int64) * mult + rnd) >> shift


def test_table_is_the_references():
    """TANH's arithmetic returns table[k] - 32768 where the rescaled input
    is exactly 256 k: at input scales 1/12288 and 2/12288 (rescaled inputs
    x and 2x) every entry but the last shows; the last is the final step's
    slope."""
    got = {}
    for s in (1 / 12288, 2 / 12288):
        v, out = _rescaled(s), reference.run_litert(_model("TANH", s), [X])[0][0].astype(np.int64)
        for a, o in zip(v[(v >= 0) & (v % 256 == 0) & (v < 255 * 256)], out[(v >= 0) & (v % 256 == 0) & (v < 255 * 256)]):
            got.setdefault(int(a) >> 8, set()).add(int(o) + 32768)
        last = out[(v >= 0) & (v >> 8 == 254) & ((v & 255) == 254)]
    assert all(len(vals) == 1 for vals in got.values()) and sorted(got) == list(range(255))
    table = [got[k].pop() for k in range(255)]
    table.append(int(last[0]) + 32768)  # table[254] + floor((254 d + 128) / 256), = table[255] for a slope d below 128
    assert tuple(table) == quant.SIGMOID_S16_TABLE


SCALES = [2.0 ** -12, 2.0 ** -15, 2.0 ** -10, 1 / 12288, 3.1e-6, 4.7e-5, 2.3e-4, 1.9e-3, 7.7e-3]


@pytest.mark.parametrize("name", ["LOGISTIC", "TANH"])
def test_every_input_bitexact(host, name):
    for s in SCALES:
        data = _model(name, s)
        got = H.run_result(host, convert(data), [X])[0]
        for oracle in (reference.run_litert, reference.run_tflm):
            want = oracle(data, [X])[0]
            assert np.array_equal(got, want), f"{name} input scale {s:g} ({oracle.__name__}): " \
                f"{int(np.sum(got != want))} of 65536 values differ"
