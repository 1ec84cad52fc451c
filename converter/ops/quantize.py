"""QUANTIZE (float32 in, or int8 requantized), DEQUANTIZE
(runtime/ops/quantize.c)."""

import struct

import numpy as np

from converter import ir, quant
from converter.lower import i32


def quantize(L, op):
    x = L.tensor(op, 0, types=(ir.FLOAT32, ir.INT8), quantized=False)
    out = L.output(op)
    if x.type == ir.FLOAT32:
        L.emit(op, "QUANTIZE", [x.index], [out.index],
               i32(x.count, out.quant.zp()) + struct.pack("<f", out.quant.s()))
    else:
        if x.quant is None:
            raise L.err(op, "int8 input without quantization", x.name)
        m, s = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
        L.emit(op, "REQUANTIZE", [x.index], [out.index], i32(x.count, x.quant.zp(), out.quant.zp(), m, s))


def dequantize(L, op):
    x = L.tensor(op, 0)
    out = L.output(op, types=(ir.FLOAT32,), quantized=False)
    L.emit(op, "DEQUANTIZE", [x.index], [out.index],
           i32(x.count, x.quant.zp()) + struct.pack("<f", x.quant.s()))


OPS = {
    "QUANTIZE": quantize,
    "DEQUANTIZE": dequantize,
}
