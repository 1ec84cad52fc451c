"""EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, LOGICAL_AND,
LOGICAL_OR, LOGICAL_NOT, SELECT_V2, CAST, REDUCE_ALL, REDUCE_ANY: bool
tensors and the ops that make or read them (runtime/ops/logic.c)."""

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, MAX_DIMS, i32

_KINDS = {"EQUAL": 0, "NOT_EQUAL": 1, "GREATER": 2, "GREATER_EQUAL": 3, "LESS": 4, "LESS_EQUAL": 5}
_EQ, _NE = 0, 1
_ALL = (ir.INT8, ir.INT16, ir.INT32, ir.FLOAT32, ir.UINT8, ir.INT64, ir.BOOL)
_TYPE_NAMES = ("int8", "int16", "int32", "int64", "float32", "uint8", "bool")
_CAST_TYPES = _TYPE_NAMES + ("uint32",)


def _broadcast(L, op, operands, out):
    """(ndim, output dims, each operand's element strides over the output's
    index space, 0 on broadcast dimensions), padded to MAX_DIMS. Single
    elements are one, whatever their ranks (TFLite keeps the output's
    shape when every operand has one element)."""
    shapes = [tuple(t.shape) for t in operands]
    if out.count == 1 and all(t.count == 1 for t in operands):
        return 0, [0] * MAX_DIMS, [[0] * MAX_DIMS for _ in operands]
    n = len(out.shape)
    if n > MAX_DIMS or any(len(s) > n for s in shapes):
        raise L.err(op, f"shapes {[list(s) for s in shapes]} do not broadcast to {list(out.shape)}", out.name)
    padded = [(1,) * (n - len(s)) + s for s in shapes]
    for d in range(n):
        if out.shape[d] != max(s[d] for s in padded) or any(s[d] not in (1, out.shape[d]) for s in padded):
            raise L.err(op, f"shapes {[list(s) for s in shapes]} do not broadcast to {list(out.shape)}", out.name)
    strides = []
    for s in padded:
        st, acc = [0] * MAX_DIMS, 1
        for d in range(n - 1, -1, -1):
            st[d] = 0 if s[d] == 1 else acc
            acc *= s[d]
        strides.append(st)
    return n, list(out.shape) + [0] * (MAX_DIMS - n), strides


def _bc_words(ndim, dims, s1, s2):
    return [ndim] + dims + s1 + s2


def _quant_of(t):
    return None if t.quant is None else (float(t.quant.scale[0]), t.quant.zp())


def _per_tensor(L, op, *tensors):
    for t in tensors:
        if t.quant is not None and t.quant.per_channel:
            raise L.err(op, "per-channel quantization is not supported here", t.name)


def _rescaling(L, op, t):
    """TFLite's multiplier of one input: its scale, which must be below 1
    (TFLite stops on a larger one)."""
    s = float(t.quant.scale[0])
    if s >= 1.0:
        raise L.err(op, f"scale {s:g}: TFLite's quantized comparison needs scales below 1", t.name)
    m, shift = quant.quantize_multiplier(s)
    if shift > 0:  # rounded up to 1
        raise L.err(op, f"scale {s!r}: TFLite's quantized comparison needs scales below 1", t.name)
    return m, shift


def compare(L, op):
    kind = _KINDS[op.name]
    a, b = L.tensor(op, 0, types=_ALL, quantized=False), L.tensor(op, 1, types=_ALL, quantized=False)
    if b.type != a.type:
        raise L.err(op, f"inputs of two types ({ir.TYPE_NAMES[a.type]} and {ir.TYPE_NAMES[b.type]})", b.name)
    out = L.output(op, types=(ir.BOOL,), quantized=False)
    _per_tensor(L, op, a, b)
    if a.type == ir.BOOL and kind not in (_EQ, _NE):
        raise L.err(op, "bool inputs: TFLite orders numbers only", a.name)
    scaled = a.type in (ir.INT8, ir.UINT8)
    if scaled and (a.quant is None or b.quant is None):
        t = a if a.quant is None else b
        raise L.err(op, f"{ir.TYPE_NAMES[t.type]} tensor without quantization parameters", t.name)
    if a.type == ir.INT16:
        qa, qb = _quant_of(a), _quant_of(b)
        if kind in (_EQ, _NE):
            # LiteRT rescales quantized int16 as int8; unquantized, EQUAL compares
            # the raw values and NOT_EQUAL writes nothing.
            if (qa is None) != (qb is None):
                raise L.err(op, "one int16 input is quantized and the other is not", (a if qa is None else b).name)
            if qa is None and kind == _NE:
                raise L.err(op, "int16 NOT_EQUAL without quantization: LiteRT's kernel leaves the output unwritten",
                            a.name)
            scaled = qa is not None
        elif qa != qb:
            # LiteRT orders the raw int16 values (TFLM's int16 GREATER scales with
            # parameters its Prepare never sets): only meaningful on one scale.
            raise L.err(op, "int16 inputs of different scales or zero points: TFLite compares their raw values",
                        b.name)
    words = [kind, a.type, int(scaled)]
    if scaled:
        m1, s1 = _rescaling(L, op, a)
        m2, s2 = _rescaling(L, op, b)
        words += [8, -a.quant.zp(), m1, s1, -b.quant.zp(), m2, s2]
    else:
        words += [0] * 7
    n, dims, (st1, st2) = _broadcast(L, op, [a, b], out)
    L.emit(op, "COMPARE", [a.index, b.index], [out.index], i32(*words, *_bc_words(n, dims, st1, st2)))


def logical(L, op):
    kind = {"LOGICAL_AND": 0, "LOGICAL_OR": 1, "LOGICAL_NOT": 2}[op.name]
    ins = [L.tensor(op, i, types=(ir.BOOL,), quantized=False) for i in range(1 if kind == 2 else 2)]
    out = L.output(op, types=(ir.BOOL,), quantized=False)
    n, dims, st = _broadcast(L, op, ins, out)
    st2 = st[1] if len(st) > 1 else [0] * MAX_DIMS
    L.emit(op, "LOGICAL", [t.index for t in ins], [out.index], i32(kind, *_bc_words(n, dims, st[0], st2)))


def select_v2(L, op):
    cond = L.tensor(op, 0, types=(ir.BOOL,), quantized=False)
    x = L.tensor(op, 1, types=_ALL, quantized=False)
    y = L.tensor(op, 2, types=(x.type,), quantized=False)
    out = L.output(op, types=(x.type,), quantized=False)
    _per_tensor(L, op, x, y, out)
    for t in (x, y):
        if _quant_of(t) != _quant_of(out):
            # TFLite copies the raw values: a value is only itself on the output's scale.
            raise L.err(op, "x, y and the output must share scale and zero point", t.name)
    n, dims, (sc, sx, sy) = _broadcast(L, op, [cond, x, y], out)
    L.emit(op, "SELECT", [cond.index, x.index, y.index], [out.index],
           i32(L.elem(x), *sc, *_bc_words(n, dims, sx, sy)))


def cast(L, op):
    x = L.tensor(op, 0, types=_ALL + (ir.UINT32,), quantized=False)
    out = L.output(op, types=_ALL + (ir.UINT32,), quantized=False)
    if x.type == ir.FLOAT32 and out.type == ir.UINT32:
        raise L.err(op, "float32 to uint32 is not supported (only integers and bool cast to uint32)", out.name)
    if x.count != out.count:
        raise L.err(op, f"output {list(out.shape)} does not have the input's {x.count} elements", out.name)
    L.emit(op, "CAST", [x.index], [out.index], i32(x.count, x.type, out.type))


def reduce_bool(L, op):
    x = L.tensor(op, 0, types=(ir.BOOL,), quantized=False)
    out = L.output(op, types=(ir.BOOL,), quantized=False)
    rank = len(x.shape)
    axes = set()
    for a in np.ravel(L.const_input(op, 1, "the axis")):
        if not -rank <= int(a) < max(rank, 1):
            raise L.err(op, f"axis {int(a)} out of range for rank {rank}")
        axes.add(int(a) % max(rank, 1))
    kept = [d for d in range(rank) if d not in axes]
    keep_dims = bool(op.options.get("keep_dims", False))
    want = [1 if d in axes else x.shape[d] for d in range(rank)] if keep_dims else [x.shape[d] for d in kept]
    if list(out.shape) != want and not (out.count == 1 and int(np.prod(want, dtype=np.int64)) == 1):
        raise L.err(op, f"output {list(out.shape)} is not the reduction's {want}", out.name)
    strides, acc = [0] * MAX_DIMS, 1
    for d in reversed(kept):
        strides[d] = acc
        acc *= x.shape[d]
    dims = list(x.shape) + [0] * (MAX_DIMS - rank)
    L.emit(op, "REDUCE_BOOL", [x.index], [out.index],
           i32(1 if op.name == "REDUCE_ANY" else 0, rank, *dims, *strides, out.count))


_RESCALED = "int8 and uint8 rescaled to a common scale first, as TFLite (scales below 1)"
OPS = {
    "EQUAL": Lowers(compare, _TYPE_NAMES, note=_RESCALED + "; int16 too when quantized, else raw; int16 and uint8 "
                                                           "LiteRT's (TFLM has neither)"),
    "NOT_EQUAL": Lowers(compare, _TYPE_NAMES, note=_RESCALED + "; int16 quantized only (unquantized, LiteRT writes "
                                                               "nothing), rescaled too; int16 and uint8 LiteRT's"),
    **{name: Lowers(compare, _TYPE_NAMES[:-1],
                    note=_RESCALED + "; int16 raw values of inputs on one scale, as LiteRT (TFLM has int16 GREATER "
                                     "only, scaled with parameters its Prepare never sets); uint8 LiteRT's")
       for name in ("GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL")},
    "LOGICAL_AND": Lowers(logical, ("bool",)),
    "LOGICAL_OR": Lowers(logical, ("bool",)),
    "LOGICAL_NOT": Lowers(logical, ("bool",)),
    "SELECT_V2": Lowers(select_v2, _TYPE_NAMES, note="x, y and the output on one scale; TFLM takes int8, int16 "
                                                     "and float32 only"),
    "CAST": Lowers(cast, _CAST_TYPES, note="floats truncated and saturated, NaN to the maximum (LiteRT's; TFLM's "
                                           "conversion is undefined out of range); to int64, uint8 or bool and "
                                           "from int64 or uint8 LiteRT's"),
    "REDUCE_ALL": Lowers(reduce_bool, ("bool",), note="any axes"),
    "REDUCE_ANY": Lowers(reduce_bool, ("bool",), note="any axes; LiteRT's (TFLM has no REDUCE_ANY)"),
}
