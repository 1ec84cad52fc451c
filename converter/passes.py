"""Graph transformations before lowering. Each keeps results bit-exact."""

import numpy as np

from converter import ir
from converter.errors import ConvertError

_RESHAPES = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
_ACTIVATION_CODE = {"RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
_FUSES_ACTIVATION = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB", "MUL", "AVERAGE_POOL_2D",
                     "MAX_POOL_2D")


def _same_quant(a, b):
    if a.quant is None or b.quant is None:
        return a.quant is None and b.quant is None
    return (a.quant.scale.size == 1 and b.quant.scale.size == 1 and a.quant.s() == b.quant.s()
            and a.quant.zp() == b.quant.zp())


def _need(op, *indices):
    """The op's inputs at these positions exist (the passes read them)."""
    for i in indices:
        if i >= len(op.inputs) or op.inputs[i] < 0:
            raise ConvertError(f"input {i} is missing", op_index=op.index, op_name=op.name)


def _uses(g, tensor_index):
    """Readers of the tensor's data, through any RESHAPE alias of it."""
    names = [tensor_index] + [a for a in g.aliases if g.buffer_of(a) == tensor_index]
    return sum(len(g.consumers(i)) + (i in g.outputs) for i in names)


def alias_reshapes(g):
    """RESHAPE/SQUEEZE/EXPAND_DIMS move no data: the output shares the input's
    buffer (or, for a constant, becomes a reshaped constant)."""
    keep = []
    for op in g.ops:
        if op.name not in _RESHAPES:
            keep.append(op)
            continue
        _need(op, 0)
        x, out = g.t(op.inputs[0]), g.t(op.outputs[0])
        if x.count != out.count or x.type != out.type:
            raise ConvertError(f"reshapes {list(x.shape)} to {list(out.shape)}", op_index=op.index, op_name=op.name)
        if x.is_const:
            out.data = x.data.reshape(out.shape)
            out.quant = out.quant or x.quant
            continue
        if not _same_quant(x, out):
            raise ConvertError("input and output quantization differ", op_index=op.index, op_name=op.name,
                               tensor=out.name)
        if x.index in g.inputs and out.index in g.outputs:
            keep.append(op)  # both ends visible to the user: keep a copy
            continue
        g.aliases[out.index] = x.index
    g.ops = keep


def fold_pad(g):
    """PAD (zero point, spatial only) followed by a VALID convolution becomes
    the convolution's own explicit padding."""
    keep = []
    removed = set()
    for op in g.ops:
        if op.name not in ("PAD", "PADV2") or len(op.inputs) < 2:
            keep.append(op)
            continue
        _need(op, 0, 1)
        x, out, pads = g.t(op.inputs[0]), g.t(op.outputs[0]), g.t(op.inputs[1])
        users = g.consumers(out.index)
        ok = (pads.is_const and x.type == ir.INT8 and len(x.shape) == 4 and len(users) == 1
              and out.index not in g.outputs and _same_quant(x, out))
        if ok:
            p = np.asarray(pads.data).astype(np.int64)
            p = p.reshape(4, 2) if p.size == 8 else np.zeros((0, 2), np.int64)
            value = out.quant.zp()
            if op.name == "PADV2" and len(op.inputs) > 2:
                v = g.t(op.inputs[2])
                value = int(np.ravel(v.data)[0]) if v.is_const else None
            user = users[0]
            ok = (value == x.quant.zp() and p.shape == (4, 2) and not p[0].any() and not p[3].any()
                  and (p >= 0).all() and (p <= 1 << 16).all()
                  and user.name in ("CONV_2D", "DEPTHWISE_CONV_2D") and user.inputs[0] == out.index
                  and user.options.get("padding", 1) == 1 and "_explicit_pad" not in user.options)
        if not ok:
            keep.append(op)
            continue
        user.inputs[0] = x.index
        user.options["_explicit_pad"] = (int(p[1][0]), int(p[2][0]))
        user.options["_display"] = "PAD+" + user.options.get("_display", user.name)
        removed.add(op.index)
    g.ops = keep


def fuse_activations(g):
    """A RELU/RELU6/RELU_N1_TO_1 whose input and output share quantization
    becomes its producer's fused activation (the same clamp TFLite applies)."""
    for op in list(g.ops):
        if op.name not in _ACTIVATION_CODE:
            continue
        _need(op, 0)
        x, out = g.t(op.inputs[0]), g.t(op.outputs[0])
        prod = g.producer(x.index)
        if (prod is None or prod.name not in _FUSES_ACTIVATION or _uses(g, x.index) != 1
                or not _same_quant(x, out) or prod.options.get("fused_activation_function", 0) != 0):
            continue
        prod.outputs[0] = out.index
        prod.options["fused_activation_function"] = _ACTIVATION_CODE[op.name]
        g.ops.remove(op)


def fold_constants(g):
    """Ops whose inputs are all constant and that numpy computes exactly,
    and SHAPE, whose output is known offline."""
    for op in list(g.ops):
        if op.name == "SHAPE" and op.outputs[0] not in g.outputs:
            _need(op, 0)
            out = g.t(op.outputs[0])
            out.data = np.asarray(g.t(op.inputs[0]).shape, ir.DTYPES.get(out.type, np.int32))
            g.ops.remove(op)
            continue
        ins = [g.t(i) for i in op.inputs if i >= 0]
        if not ins or not all(t.is_const for t in ins) or op.outputs[0] in g.outputs:
            continue
        out = g.t(op.outputs[0])
        if op.name == "SHAPE":
            continue  # handled below: needs no constant input
        if op.name == "DEQUANTIZE" and ins[0].quant is not None and ins[0].quant.scale.size == 1:
            q = ins[0].quant
            out.data = (np.float64(q.s()) * (ins[0].data.astype(np.int64) - q.zp())).astype(np.float32)
        elif op.name == "TRANSPOSE":
            _need(op, 0, 1)
            perm = [int(p) for p in np.ravel(ins[1].data)]
            if sorted(perm) != list(range(ins[0].data.ndim)):
                raise ConvertError(f"permutation {perm} does not fit a rank-{ins[0].data.ndim} input",
                                   op_index=op.index, op_name=op.name)
            out.data = np.ascontiguousarray(np.transpose(ins[0].data, perm))
        else:
            continue
        g.ops.remove(op)


def remove_dead(g):
    changed = True
    while changed:
        changed = False
        for op in list(g.ops):
            if all(_uses(g, o) == 0 for o in op.outputs):
                g.ops.remove(op)
                changed = True


def check_io(g):
    for i in g.inputs + g.outputs:
        t = g.t(i)
        if t.type not in (ir.INT8, ir.FLOAT32, ir.INT32, ir.INT16, ir.UINT8, ir.INT64):
            raise ConvertError(f"model input/output of type {t.type} is not supported", tensor=t.name)


def run_all(g):
    check_io(g)
    alias_reshapes(g)
    fold_constants(g)
    fold_pad(g)
    fuse_activations(g)
    remove_dead(g)
