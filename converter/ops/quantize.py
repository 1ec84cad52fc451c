"""QUANTIZE (float32 in, or int8 requantized), DEQUANTIZE
(runtime/ops/quantize.c)."""

import struct

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32


def _quantize_s16(L, op):
    """float32 -> int16, and int8 <-> int16 or int16 -> int16 as
    requantizations (TFLite's int8 arithmetic, clamped to the output type)."""
    x = L.tensor(op, 0, types=(ir.FLOAT32, ir.INT8, ir.INT16, ir.INT32), quantized=False)
    out = L.output(op, types=(ir.INT8, ir.INT16, ir.INT32), quantized=False)
    if out.quant is None:
        raise L.err(op, f"{ir.TYPE_NAMES[out.type]} output without quantization", out.name)
    if x.type == ir.FLOAT32 and out.type == ir.INT32:
        raise L.err(op, "float32 to int32 is not supported (int8 and int16 outputs are)", out.name)
    if x.type == ir.INT32 and out.type == ir.INT32:
        raise L.err(op, "int32 to int32 is not a requantization TFLM runs", out.name)
    if x.type == ir.FLOAT32:  # to int16: a float32 to int8 QUANTIZE takes the int8 lowering
        L.emit(op, "QUANTIZE_S16", [x.index], [out.index],
               i32(x.count, out.quant.zp()) + struct.pack("<f", out.quant.s()))
        return
    if x.quant is None:
        raise L.err(op, f"{ir.TYPE_NAMES[x.type]} input without quantization", x.name)
    L.check(op, x, (x.type,), True)
    if x.type == out.type == ir.INT16:
        L.symmetric16(op, x, out)
    _requantize_typed(L, op, x, out)


def _multiplier(x, out):
    """in / out in double, as TFLite's requantizing QUANTIZE takes it."""
    return quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))


def _requantize_typed(L, op, x, out):
    """REQUANTIZE_S16: its record names both types (int8, int16, int32,
    uint8)."""
    m, s = _multiplier(x, out)
    L.emit(op, "REQUANTIZE_S16", [x.index], [out.index],
           i32(x.count, x.quant.zp(), out.quant.zp(), m, s, x.type, out.type))


def _requantize_u8(L, op):
    """int8 to uint8 and back (TFLM's; its XOR of the top bit where the
    scales match and the zero points differ by 128 is the same numbers)."""
    x = L.tensor(op, 0, types=(ir.INT8, ir.UINT8))
    out = L.output(op, types=(ir.UINT8,) if x.type == ir.INT8 else (ir.INT8,))
    _requantize_typed(L, op, x, out)


def quantize(L, op):
    types = {L.g.t(op.outputs[0]).type} | ({L.g.t(op.inputs[0]).type} if op.inputs and op.inputs[0] >= 0 else set())
    if ir.UINT8 in types:
        return _requantize_u8(L, op)
    if types & {ir.INT16, ir.INT32}:
        return _quantize_s16(L, op)
    x = L.tensor(op, 0, types=(ir.FLOAT32, ir.INT8), quantized=False)
    out = L.output(op)
    if x.type == ir.FLOAT32:
        L.emit(op, "QUANTIZE", [x.index], [out.index],
               i32(x.count, out.quant.zp()) + struct.pack("<f", out.quant.s()))
    else:
        if x.quant is None:
            raise L.err(op, "int8 input without quantization", x.name)
        m, s = _multiplier(x, out)
        L.emit(op, "REQUANTIZE", [x.index], [out.index], i32(x.count, x.quant.zp(), out.quant.zp(), m, s))


def dequantize(L, op):
    if L.is_int16(op):
        x = L.tensor(op, 0, types=(ir.INT16,))
        out = L.output(op, types=(ir.FLOAT32,), quantized=False)
        L.emit(op, "DEQUANTIZE_S16", [x.index], [out.index],
               i32(x.count, x.quant.zp()) + struct.pack("<f", x.quant.s()))
        return
    x = L.tensor(op, 0, types=(ir.INT8, ir.UINT8))
    out = L.output(op, types=(ir.FLOAT32,), quantized=False)
    L.emit(op, "DEQUANTIZE_U8" if x.type == ir.UINT8 else "DEQUANTIZE", [x.index], [out.index],
           i32(x.count, x.quant.zp()) + struct.pack("<f", x.quant.s()))


OPS = {
    "QUANTIZE": Lowers(quantize, ("float32", "int8", "int16", "int32", "uint8"),
                       note="to int8 or int16; int8, int16 and int32 requantized to and from one another as TFLM "
                            "does; uint8 to and from int8"),
    "DEQUANTIZE": Lowers(dequantize, ("int8", "int16", "uint8"), note="to float32"),
}
