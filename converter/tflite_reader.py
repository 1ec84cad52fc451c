"""Reads a .tflite file (flatbuffers, through the `tflite` bindings) into the
converter's Graph. Every index and buffer is checked: a malformed file gives
a ConvertError naming the op or tensor, never a Python traceback."""

import inspect
import re

import flatbuffers
import numpy as np
import tflite

from converter import ir, variables
from converter.errors import ConvertError

_OPS = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
_OPTIONS = {v: k for k, v in vars(tflite.BuiltinOptions).items() if not k.startswith("_")}
_TFLITE_TYPES = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
_TYPE_MAP = {"INT8": ir.INT8, "INT16": ir.INT16, "INT32": ir.INT32, "FLOAT32": ir.FLOAT32,
             "UINT8": ir.UINT8, "INT64": ir.INT64, "BOOL": ir.BOOL}
_TYPE_MAP.update({"UINT32": ir.UINT32, "UINT64": ir.UINT64})

# Bounds checked once, here, so that no later stage meets a value its
# arithmetic or its int32 parameter records cannot hold. A microcontroller
# model is far inside them.
MAX_RANK = 6
MAX_DIM = 1 << 20
MAX_ELEMENTS = 1 << 26
# Zero points each quantized type can hold.
_ZP_RANGE = {ir.INT8: (-128, 127), ir.UINT8: (0, 255), ir.INT16: (-32768, 32767)}
# Options that count or step (a zero would divide, a huge one overflow).
_POSITIVE_OPTIONS = ("stride_w", "stride_h", "stride_d", "dilation_w_factor", "dilation_h_factor",
                     "dilation_d_factor", "filter_width", "filter_height", "depth_multiplier")


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
    from converter.ops import decode  # TFLM's earlier compression scheme, refused by name
    decode.refuse_metadata([(model.Metadata(k).Name() or b"").decode(errors="replace")
                            for k in range(model.MetadataLength())])
    tensors, ops, inputs, outputs = _subgraph(model, data, 0)
    # Extra subgraphs: CALL_ONCE's initialization of resource variables
    # (converter/variables.py folds it into the states' initial values);
    # IF and WHILE are refused there, by name.
    tensors, ops = variables.resolve(tensors, ops, lambda k: _subgraph(model, data, k), model.SubgraphsLength())
    for op in ops:
        if op.name == "CUSTOM:ethos-u":  # its inputs are the NPU's command stream and scratch, not a graph
            raise ConvertError("the model was compiled by Vela for an Arm Ethos-U NPU: sprat runs the .tflite "
                               "from before Vela", op_index=op.index, op_name=op.name)
    _check_dataflow(tensors, ops, inputs)
    return ir.Graph(tensors, ops, inputs, outputs)


def _subgraph(model, data, index):
    """(tensors, ops, inputs, outputs) of subgraph `index`, checked."""
    g = model.Subgraphs(index)
    n_buffers = model.BuffersLength()
    tensors = []
    empty = {}  # tensor index -> name of the tensors without elements
    from converter.ops import decode  # TFLM's DECODE reads its inputs as bytes, whatever their quantization says
    as_bytes = decode.byte_inputs(model, g)
    for i in range(g.TensorsLength()):
        t = g.Tensors(i)
        name = (t.Name() or b"").decode(errors="replace") or f"tensor{i}"
        ttype = _TFLITE_TYPES.get(t.Type(), f"type {t.Type()}")
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if not t.ShapeIsNone() else ()
        if any(d < 0 for d in shape):
            raise ConvertError(f"dynamic shape {list(shape)} is not supported (sprat plans memory offline)", tensor=name)
        if 0 in shape:
            empty[i] = name  # an op's intermediate (an LSTM's); anything else is refused below
        _check_shape(tuple(d for d in shape if d != 0) if 0 in shape else shape, name)
        stype = _TYPE_MAP.get(ttype)
        int4 = ttype == "INT4"  # constants unpacked to int8 here: every op then takes them as int8 weights
        if int4:
            stype = ir.INT8
        quant = None if i in as_bytes else _quant(t.Quantization(), stype, shape, name)
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
            elif int4:
                n = int(np.prod(shape, dtype=np.int64))
                if len(raw) != (n + 1) // 2:
                    raise ConvertError(f"constant data has {len(raw)} bytes, shape {list(shape)} of INT4 (two to a "
                                       f"byte) needs {(n + 1) // 2}", tensor=name)
                nib = np.empty(2 * len(raw), np.int8)
                nib[0::2], nib[1::2] = raw & 15, raw >> 4
                const = (((nib[:n] ^ 8) - 8).astype(np.int8)).reshape(shape)  # sign-extended nibbles
            else:
                dt = np.dtype(ir.DTYPES[stype]).newbyteorder("<")
                want = int(np.prod(shape, dtype=np.int64)) * dt.itemsize if shape else dt.itemsize
                if len(raw) != want:
                    raise ConvertError(f"constant data has {len(raw)} bytes, shape {list(shape)} of {ttype} needs {want}",
                                       tensor=name)
                const = np.frombuffer(bytes(raw), dt).astype(ir.DTYPES[stype]).reshape(shape)
        variable = bool(t.IsVariable())
        const = None if isinstance(const, tuple) else const
        # A variable's buffer, if it has one, is its initial value, not a constant.
        init, const = (const, None) if variable else (None, const)
        if int4 and const is None:
            raise ConvertError("an INT4 tensor that is not a constant: sprat takes int4 weights only (unpacked to "
                               "int8), not int4 activations", tensor=name)
        tensors.append(ir.Tensor(i, name, stype if stype is not None else ("unsupported", ttype), shape, quant,
                                 const, variable=variable, init=init))
    ops = []
    n_t = len(tensors)
    for k in range(g.OperatorsLength()):
        op = g.Operators(k)
        ci = op.OpcodeIndex()
        if ci >= model.OperatorCodesLength():
            raise ConvertError(f"opcode index {ci} out of range", op_index=k)
        oc = model.OperatorCodes(ci)
        code = max(_builtin_code_field(oc), oc.DeprecatedBuiltinCode())
        name = _OPS.get(code, f"BUILTIN_{code}")
        if name == "CUSTOM":
            name = "CUSTOM:" + (oc.CustomCode() or b"?").decode(errors="replace")
        ins = [int(x) for x in op.InputsAsNumpy()] if not op.InputsIsNone() else []
        outs = [int(x) for x in op.OutputsAsNumpy()] if not op.OutputsIsNone() else []
        for x in ins + outs:
            if x >= n_t or x < -1:
                raise ConvertError(f"tensor index {x} out of range ({n_t} tensors)", op_index=k, op_name=name)
        if (not outs and name not in variables.NO_OUTPUT) or any(x < 0 for x in outs):
            raise ConvertError("an op needs an output tensor", op_index=k, op_name=name)
        options = _custom_options(op, k, name) if name.startswith("CUSTOM:") else _options(op)
        inter = [int(x) for x in op.IntermediatesAsNumpy()] if not op.IntermediatesIsNone() else []
        if any(x >= n_t or x < -1 for x in inter):
            raise ConvertError(f"intermediate tensor index out of range ({n_t} tensors)", op_index=k, op_name=name)
        ops.append(ir.Op(k, name, ins, outs, _check_options(options, k, name), inter))
    inputs = [int(x) for x in g.InputsAsNumpy()] if not g.InputsIsNone() else []
    outputs = [int(x) for x in g.OutputsAsNumpy()] if not g.OutputsIsNone() else []
    for x in inputs + outputs:
        if not 0 <= x < n_t:
            raise ConvertError(f"model input/output tensor index {x} out of range")
    for x in [x for op in ops for x in op.inputs + op.outputs] + inputs + outputs:
        if x in empty:
            raise ConvertError(f"shape {list(tensors[x].shape)} has no elements", tensor=empty[x])
    return tensors, ops, inputs, outputs


def _builtin_code_field(oc):
    """OperatorCode.builtin_code as stored. The tflite package's BuiltinCode()
    returns deprecated_builtin_code for codes below 127, which tools writing
    only builtin_code leave 0 (ADD): TFLM's compression tool writes its
    DECODE so; TFLite takes the larger of the two."""
    o = oc._tab.Offset(10)
    return oc._tab.Get(flatbuffers.number_types.Int32Flags, o + oc._tab.Pos) if o else 0


def _custom_options(op, k, name):
    """A custom op's options: TFLM's custom ops (the Signal library,
    TFLite_Detection_PostProcess, CIRCULAR_BUFFER) keep them as a flexbuffer
    map, read here into a dict (lists as numpy arrays); none: {}."""
    if op.CustomOptionsIsNone() or op.CustomOptionsLength() == 0:
        return {}
    from flatbuffers import flexbuffers
    raw = bytes(op.CustomOptionsAsNumpy())
    try:
        value = flexbuffers.Loads(raw)
    except Exception as e:  # not a flexbuffer: the op's lowering decides whether it needs options
        return {"_custom_options_error": f"{type(e).__name__}: {e}"}
    if not isinstance(value, dict):
        return {"_custom_options": value}
    return {str(key): (np.asarray(v) if isinstance(v, list) else v) for key, v in value.items()}


def _check_shape(shape, name):
    if len(shape) > MAX_RANK:
        raise ConvertError(f"rank {len(shape)}: sprat supports tensors of at most {MAX_RANK} dimensions", tensor=name)
    if 0 in shape:
        raise ConvertError(f"shape {list(shape)} has no elements", tensor=name)
    if any(d > MAX_DIM for d in shape) or int(np.prod(shape, dtype=np.float64)) > MAX_ELEMENTS:
        raise ConvertError(f"shape {list(shape)} is far beyond any microcontroller's memory", tensor=name)


def _quant(q, stype, shape, name):
    """The tensor's quantization, checked: scales positive and finite, zero
    points in the type's range, one per scale, the channel axis inside the
    shape. None when absent (an unquantized tensor)."""
    if q is None or q.ScaleIsNone() or q.ScaleLength() == 0:
        return None
    scale = np.asarray(q.ScaleAsNumpy(), dtype=np.float32)
    zp = np.asarray(q.ZeroPointAsNumpy(), dtype=np.int64) if not q.ZeroPointIsNone() else np.zeros(0, np.int64)
    if zp.size == 0:
        zp = np.zeros(scale.size, np.int64)
    if zp.size == 1 and scale.size > 1:
        zp = np.repeat(zp, scale.size)
    axis = int(q.QuantizedDimension())
    if stype not in _ZP_RANGE:
        # int32 biases and the like: their scale is implied by their users';
        # a malformed one is dropped rather than trusted.
        ok = (zp.size == scale.size and np.all(np.isfinite(scale)) and np.all(scale > 0)
              and np.all(zp >= -2**31) and np.all(zp < 2**31))
        return ir.Quant(scale, zp, axis) if ok else None
    if zp.size != scale.size:
        raise ConvertError(f"{scale.size} scales but {zp.size} zero points", tensor=name)
    if not np.all(np.isfinite(scale)) or not np.all(scale > 0):
        raise ConvertError(f"quantization scale {scale[~(np.isfinite(scale) & (scale > 0))][0]} is not a positive "
                           "finite number", tensor=name)
    lo, hi = _ZP_RANGE[stype]
    if np.any(zp < lo) or np.any(zp > hi):
        raise ConvertError(f"zero point {int(zp[(zp < lo) | (zp > hi)][0])} is outside [{lo}, {hi}]", tensor=name)
    if scale.size > 1 and not (0 <= axis < len(shape) and shape[axis] == scale.size):
        raise ConvertError(f"{scale.size} per-channel scales do not match axis {axis} of shape {list(shape)}",
                           tensor=name)
    return ir.Quant(scale, zp, axis)


def _check_options(options, k, name):
    for key, v in options.items():
        if isinstance(v, (bool, np.bool_)):
            continue
        if isinstance(v, (int, np.integer)) and not -2**31 <= int(v) < 2**31:
            raise ConvertError(f"option {key} = {int(v)} does not fit int32", op_index=k, op_name=name)
        if isinstance(v, (float, np.floating)) and not np.isfinite(v):
            raise ConvertError(f"option {key} = {v} is not finite", op_index=k, op_name=name)
        if key in _POSITIVE_OPTIONS and isinstance(v, (int, np.integer)) and not 1 <= int(v) <= 1 << 16:
            raise ConvertError(f"option {key} = {int(v)} must be between 1 and 65536", op_index=k, op_name=name)
    return options


def _check_dataflow(tensors, ops, inputs):
    """Ops in order, each tensor written once, by an op that comes before
    every reader, never a constant or a model input: the graph is a DAG the
    converter can walk front to back."""
    written = set(inputs) | {t.index for t in tensors if t.variable}  # state starts at its initial value
    for op in ops:
        for x in op.inputs:
            if x >= 0 and x not in written and tensors[x].data is None:
                raise ConvertError(f"reads tensor '{tensors[x].name}' before any op writes it",
                                   op_index=op.index, op_name=op.name)
        for x in op.outputs:
            if tensors[x].variable and tensors[x].data is None:
                continue  # a state: ASSIGN_VARIABLE writes it again and again
            if x in written or tensors[x].data is not None:
                raise ConvertError(f"writes tensor '{tensors[x].name}', which is a constant, a model input or "
                                   "another op's output", op_index=op.index, op_name=op.name)
            written.add(x)
