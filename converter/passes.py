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


def _ints(t, shape):
    """A constant integer tensor's values as a nested list, None unless it
    has this shape."""
    if not t.is_const or not np.issubdtype(t.data.dtype, np.integer) or t.data.size != int(np.prod(shape)):
        return None
    return np.asarray(t.data, np.int64).reshape(shape).tolist()


def _only_reader(g, t):
    """The one op reading tensor t (through its RESHAPE aliases) and the
    tensor it reads it as, or (None, None)."""
    root = g.buffer_of(t.index)
    readers = [(op, i) for op in g.ops for i in op.inputs if i >= 0 and g.buffer_of(i) == root]
    if len(readers) != 1 or _uses(g, t.index) != 1 or any(g.buffer_of(o) == root for o in g.outputs):
        return None, None
    return readers[0][0], g.t(readers[0][1])


def _dilated(g, s2b):
    """What folding s2b, its convolution and their BATCH_TO_SPACE_ND needs,
    or None where the three do not compute one dilated convolution."""
    if len(s2b.inputs) < 3 or min(s2b.inputs[:3]) < 0:
        return None
    x, mid = g.t(s2b.inputs[0]), g.t(s2b.outputs[0])
    if x.type != ir.INT8 or x.is_const or len(x.shape) not in (3, 4) or len(mid.shape) != len(x.shape) \
            or not _same_quant(x, mid):
        return None
    m = len(x.shape) - 2
    block, pads = _ints(g.t(s2b.inputs[1]), (m,)), _ints(g.t(s2b.inputs[2]), (m, 2))
    if block is None or pads is None or min(block) < 1 or min(min(p) for p in pads) < 0:
        return None
    conv, ci = _only_reader(g, mid)
    if conv is None or conv.name not in ("CONV_2D", "DEPTHWISE_CONV_2D") or conv.inputs[0] != ci.index:
        return None
    o = conv.options
    if o.get("padding", 1) != 1 or "_explicit_pad" in o or len(conv.inputs) < 2 or conv.inputs[1] < 0:
        return None
    co, w = g.t(conv.outputs[0]), g.t(conv.inputs[1])
    b2s, bi = _only_reader(g, co)
    if b2s is None or b2s.name != "BATCH_TO_SPACE_ND" or b2s.inputs[0] != bi.index or min(b2s.inputs[:3]) < 0:
        return None
    y = g.t(b2s.outputs[0])
    if _ints(g.t(b2s.inputs[1]), (m,)) != block or not _same_quant(bi, y) or len(y.shape) != len(x.shape) \
            or len(bi.shape) != len(x.shape):
        return None
    crops = _ints(g.t(b2s.inputs[2]), (m, 2))
    if crops is None or min(min(c) for c in crops) < 0 or len(w.shape) != 4:
        return None
    # The conv axes (1: height, 2: width) the spatial axes land on: both,
    # or for a 3-D input (Conv1D) the one the EXPAND_DIMS left it on.
    for axes in ([1, 2],) if m == 2 else ([2], [1]):
        other = [a for a in (1, 2) if a not in axes]
        ins = [mid.shape[0]] + [1] * 2 + [mid.shape[-1]]
        outs = [bi.shape[0]] + [1] * 2 + [bi.shape[-1]]
        for j, a in enumerate(axes):
            ins[a], outs[a] = mid.shape[1 + j], bi.shape[1 + j]
        if list(ci.shape) == ins and list(co.shape) == outs and all(w.shape[a] == 1 for a in other):
            break
    else:
        return None
    stride = {1: o.get("stride_h", 1), 2: o.get("stride_w", 1)}
    dil = {1: o.get("dilation_h_factor", 1), 2: o.get("dilation_w_factor", 1)}
    pad = {1: 0, 2: 0}
    for j, a in enumerate(axes):
        r, (pb, pa), (cb, ce), k = block[j], pads[j], crops[j], w.shape[a]
        s = x.shape[1 + j]
        valid = (s + pb + pa) // r - (k - 1) * dil[a]  # the convolution's output on each phase
        if (s + pb + pa) % r or mid.shape[1 + j] != (s + pb + pa) // r or valid < 1 or bi.shape[1 + j] != valid \
                or y.shape[1 + j] != valid * r - cb - ce or stride[a] != 1 or not 0 <= pb - cb <= 1 << 16:
            return None
        # Output o reads padded input o + cb + t * r * dilation, that is
        # input o - (pb - cb) + t * r * dilation: the same taps, the padding
        # the same zero point.
        pad[a], dil[a] = pb - cb, r * dil[a]
    if mid.shape[0] != x.shape[0] * int(np.prod(block)) or y.shape[0] != x.shape[0] or y.shape[-1] != co.shape[-1]:
        return None
    return conv, b2s, axes, (pad[1], pad[2]), dil


def fold_dilated(g):
    """SPACE_TO_BATCH_ND, a VALID stride-1 CONV_2D or DEPTHWISE_CONV_2D and
    BATCH_TO_SPACE_ND of the same block (what TensorFlow makes of a dilated
    convolution) become the convolution alone, its dilation times the block,
    the paddings less the crops its explicit padding. Elsewhere the three
    run as they are."""
    for s2b in [op for op in g.ops if op.name == "SPACE_TO_BATCH_ND"]:
        f = _dilated(g, s2b)
        if f is None:
            continue
        conv, b2s, axes, pad, dil = f
        x, y = g.t(s2b.inputs[0]), g.t(b2s.outputs[0])
        if g.tflm_oracle and x.quant is not None and x.quant.zp() != 0 and np.any(g.t(s2b.inputs[2]).data != 0):
            continue  # TFLM's SPACE_TO_BATCH_ND pads with 0, a convolution's padding is the zero point
        if len(x.shape) == 3:  # Conv1D: 4-D views of its input and output
            x4, y4 = list(x.shape), list(y.shape)
            x4.insert(3 - axes[0], 1)
            y4.insert(3 - axes[0], 1)
            xv = g.add_tensor(f"{x.name}/4d", ir.INT8, x4, x.quant)
            yv = g.add_tensor(f"{y.name}/4d", ir.INT8, y4, y.quant)
            g.aliases[xv.index] = x.index
            g.aliases[y.index] = yv.index
            x, y = xv, yv
        conv.inputs[0], conv.outputs[0] = x.index, y.index
        conv.options["_explicit_pad"] = pad
        conv.options["dilation_h_factor"], conv.options["dilation_w_factor"] = dil[1], dil[2]
        conv.options["_display"] = f"SPACE_TO_BATCH_ND+{conv.options.get('_display', conv.name)}+BATCH_TO_SPACE_ND"
        g.ops = [op for op in g.ops if op is not s2b and op is not b2s]


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
        if op.name == "ZEROS_LIKE" and op.outputs[0] not in g.outputs:
            _need(op, 0)
            x, out = g.t(op.inputs[0]), g.t(op.outputs[0])
            if x.shape != out.shape or x.type != out.type or out.type not in ir.DTYPES:
                raise ConvertError(f"output {list(out.shape)} is not the input's shape and type",
                                   op_index=op.index, op_name=op.name, tensor=out.name)
            out.data = np.zeros(out.shape, ir.DTYPES[out.type])  # raw zeros, whatever the zero point
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
        elif op.name == "FILL":
            _need(op, 0, 1)
            shape = [int(v) for v in np.ravel(ins[0].data)]
            if shape != list(out.shape) or ins[1].data.size != 1 or ins[1].type != out.type:
                raise ConvertError(f"a fill of {list(ins[1].shape)} into {shape} does not make output "
                                   f"{list(out.shape)} of the value's type", op_index=op.index, op_name=op.name,
                                   tensor=out.name)
            out.data = np.full(out.shape, ins[1].data.ravel()[0], ir.DTYPES[out.type])
            out.quant = out.quant or ins[1].quant
        elif op.name == "TRANSPOSE":
            _need(op, 0, 1)
            perm = [int(p) for p in np.ravel(ins[1].data)]
            if sorted(perm) != list(range(ins[0].data.ndim)):
                raise ConvertError(f"permutation {perm} does not fit a rank-{ins[0].data.ndim} input",
                                   op_index=op.index, op_name=op.name)
            out.data = np.ascontiguousarray(np.transpose(ins[0].data, perm))
        elif op.name == "BROADCAST_ARGS" and len(ins) == 2:
            from converter.ops.gather import broadcast_args_values  # the lowering's own arithmetic
            v = broadcast_args_values(ins[0].data, ins[1].data)
            if v is None or v.shape != out.shape:
                continue  # the lowering says what does not fit
            out.data = v.astype(ir.DTYPES.get(out.type, v.dtype))
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


# The Signal ops' energies, filter bank sums and a framer's valid flag.
_SIGNAL_IO_TYPES = (ir.UINT32, ir.UINT64, ir.BOOL)


def check_io(g):
    for i in g.inputs + g.outputs:
        t = g.t(i)
        if t.type not in (ir.INT8, ir.FLOAT32, ir.INT32, ir.INT16, ir.UINT8, ir.INT64, ir.BOOL) + _SIGNAL_IO_TYPES:
            raise ConvertError(f"model input/output of type {t.type} is not supported", tensor=t.name)


def run_all(g):
    from converter.ops import decode  # TFLM's compressed constants: decoded before any pass reads them
    decode.fold(g)
    check_io(g)
    alias_reshapes(g)
    fold_constants(g)
    fold_dilated(g)
    fold_pad(g)
    fuse_activations(g)
    remove_dead(g)
