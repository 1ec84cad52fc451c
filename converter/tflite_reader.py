"""Reads a .tflite file (flatbuffers, through the `tflite` bindings) into the
converter's Graph. Every index and buffer is checked: a malformed file gives
a ConvertError naming the op or tensor, never a Python traceback."""

import inspect
import re

import numpy as np
import tflite

from converter import ir
from converter.errors import ConvertError

_OPS = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
_OPTIONS = {v: k for k, v in vars(tflite.BuiltinOptions).items() if not k.startswith("_")}
_TFLITE_TYPES = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
_TYPE_MAP = {"INT8": ir.INT8, "INT16": ir.INT16, "INT32": ir.INT32, "FLOAT32": ir.FLOAT32,
             "UINT8": ir.UINT8, "INT64": ir.INT64, "BOOL": ir.BOOL}


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _options(op):
    """The op's builtin options as a dict of snake_case names."""
    kind = _OPTIONS.get(op.BuiltinOptionsType(), "NONE")
    table = op.BuiltinOptions()
    if kind == "NONE" or table is None:
        return {}
    cls = getattr(tflite, kind, None)
    if cls is None:
        return {}
    obj = cls()
    obj.Init(table.Bytes, table.Pos)
    out = {}
    for name in dir(obj):
        if name.startswith("_") or name in ("Init",) or name.startswith("GetRootAs") or name.endswith(("IsNone", "Length")):
            continue
        fn = getattr(obj, name)
        if not callable(fn):
            continue
        if name.endswith("AsNumpy"):
            v = fn()
            out[_snake(name[:-7])] = np.asarray(v) if not isinstance(v, int) else np.zeros(0)
            continue
        try:
            if len(inspect.signature(fn).parameters) == 0:
                out.setdefault(_snake(name), fn())
        except (TypeError, ValueError):
            pass
    return out


def read(path_or_bytes):
    data = path_or_bytes if isinstance(path_or_bytes, (bytes, bytearray)) else open(path_or_bytes, "rb").read()
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise ConvertError("not a TFLite flatbuffer (no 'TFL3' identifier)")
    try:
        return _read(bytes(data))
    except ConvertError:
        raise
    except Exception as e:  # a flatbuffer offset out of range, a bad enum...
        raise ConvertError(f"malformed .tflite: {type(e).__name__}: {e}") from None


def _read(data):
    model = tflite.Model.GetRootAsModel(data, 0)
    if model.SubgraphsLength() < 1:
        raise ConvertError("malformed .tflite: no subgraph")
    if model.SubgraphsLength() > 1:
        # Control flow (WHILE, IF) lives in extra subgraphs.
        raise ConvertError(f"models with {model.SubgraphsLength()} subgraphs (control flow) are not supported")
    g = model.Subgraphs(0)
    n_buffers = model.BuffersLength()
    tensors = []
    for i in range(g.TensorsLength()):
        t = g.Tensors(i)
        name = (t.Name() or b"").decode(errors="replace") or f"tensor{i}"
        ttype = _TFLITE_TYPES.get(t.Type(), f"type {t.Type()}")
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if not t.ShapeIsNone() else ()
        if any(d < 0 for d in shape):
            raise ConvertError(f"dynamic shape {list(shape)} is not supported (sprat plans memory offline)", tensor=name)
        stype = _TYPE_MAP.get(ttype)
        q = t.Quantization()
        quant = None
        if q is not None and not q.ScaleIsNone() and q.ScaleLength() > 0:
            scale = np.asarray(q.ScaleAsNumpy(), dtype=np.float32)
            zp = np.asarray(q.ZeroPointAsNumpy(), dtype=np.int64) if not q.ZeroPointIsNone() else np.zeros(scale.size, np.int64)
            if zp.size == 1 and scale.size > 1:
                zp = np.repeat(zp, scale.size)
            quant = ir.Quant(scale, zp, int(q.QuantizedDimension()))
        buf = t.Buffer()
        if buf >= n_buffers:
            raise ConvertError(f"buffer index {buf} out of range ({n_buffers} buffers)", tensor=name)
        raw = None
        if buf > 0:
            b = model.Buffers(buf)
            if b.Offset() > 1:  # data stored after the flatbuffer (>2 GB models)
                off, size = b.Offset(), b.Size()
                if off + size > len(data):
                    raise ConvertError("buffer points past the end of the file", tensor=name)
                raw = np.frombuffer(data, np.uint8, size, off)
            elif not b.DataIsNone() and b.DataLength() > 0:
                raw = b.DataAsNumpy()
        const = None
        if raw is not None and len(raw) > 0:
            if stype is None:
                const = ("unsupported", ttype)
            else:
                dt = np.dtype(ir.DTYPES[stype]).newbyteorder("<")
                want = int(np.prod(shape, dtype=np.int64)) * dt.itemsize if shape else dt.itemsize
                if len(raw) != want:
                    raise ConvertError(f"constant data has {len(raw)} bytes, shape {list(shape)} of {ttype} needs {want}",
                                       tensor=name)
                const = np.frombuffer(bytes(raw), dt).astype(ir.DTYPES[stype]).reshape(shape)
        tensors.append(ir.Tensor(i, name, stype if stype is not None else ("unsupported", ttype), shape, quant,
                                 const if not isinstance(const, tuple) else None))
    ops = []
    n_t = len(tensors)
    for k in range(g.OperatorsLength()):
        op = g.Operators(k)
        ci = op.OpcodeIndex()
        if ci >= model.OperatorCodesLength():
            raise ConvertError(f"opcode index {ci} out of range", op_index=k)
        oc = model.OperatorCodes(ci)
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        name = _OPS.get(code, f"BUILTIN_{code}")
        if name == "CUSTOM":
            name = "CUSTOM:" + (oc.CustomCode() or b"?").decode(errors="replace")
        ins = [int(x) for x in op.InputsAsNumpy()] if not op.InputsIsNone() else []
        outs = [int(x) for x in op.OutputsAsNumpy()] if not op.OutputsIsNone() else []
        for x in ins + outs:
            if x >= n_t or x < -1:
                raise ConvertError(f"tensor index {x} out of range ({n_t} tensors)", op_index=k, op_name=name)
        ops.append(ir.Op(k, name, ins, outs, _options(op)))
    inputs = [int(x) for x in g.InputsAsNumpy()] if not g.InputsIsNone() else []
    outputs = [int(x) for x in g.OutputsAsNumpy()] if not g.OutputsIsNone() else []
    for x in inputs + outputs:
        if not 0 <= x < n_t:
            raise ConvertError(f"model input/output tensor index {x} out of range")
    return ir.Graph(tensors, ops, inputs, outputs)
