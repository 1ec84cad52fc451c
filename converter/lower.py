"""Lowering: each TFLite op of the (already transformed) graph becomes one
or more sprat ops with their parameter records. Every quantization constant
is computed here, offline, exactly as TFLite computes it at Prepare time."""

import math
import struct
from dataclasses import dataclass, field

import numpy as np

from converter import ir, layouts, quant
from converter.errors import ConvertError

# runtime/src/opcodes.h
OPCODES = {
    "CONV_2D": 1, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 3, "AVERAGE_POOL_2D": 4, "MAX_POOL_2D": 5,
    "ADD": 6, "MUL": 7, "MEAN": 8, "SOFTMAX": 9, "LUT": 10, "RELU": 11, "LEAKY_RELU": 12, "HARD_SWISH": 13,
    "QUANTIZE": 14, "REQUANTIZE": 15, "DEQUANTIZE": 16, "COPY": 17, "PAD": 18, "RESIZE_NEAREST": 19,
    "ARG_MAX": 20, "MAX_MIN": 21, "REDUCE_MAX": 22, "PRELU": 23, "GATHER": 24, "TRANSPOSE_CONV": 25,
    "FUSED_ROWS": 26,
}
MAX_DIMS = 6
SOFTMAX_TABLE_MIN = 128  # values per invoke from which SOFTMAX gets its exp table
_ACTIVATIONS = {1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6"}


@dataclass
class SpratOp:
    opcode: int
    name: str  # what the user recognises, e.g. "CONV_2D+RELU6" or "SUB"
    inputs: list
    outputs: list
    params: bytes
    source: int  # the .tflite op index
    macs: int = 0
    scratch: list = field(default_factory=list)
    flags: int = 0  # OPF_* of the blob's op record


def _i32(*values):
    values = [int(v) for v in values]
    bad = [v for v in values if not -2**31 <= v < 2**31]
    if bad:
        raise ConvertError(f"a parameter ({bad[0]}) does not fit the int32 parameter record")
    return struct.pack(f"<{len(values)}i", *values)


def _multipliers(in_scale, filter_scales, out_scale):
    """Per-channel (multiplier, shift): in * filter / out, in double, as TFLite."""
    return [quant.quantize_multiplier(float(np.float64(in_scale) * np.float64(s) / np.float64(out_scale)))
            for s in np.ravel(filter_scales)]


def _conv_record(p):
    """sprat_conv_params, field by field."""
    return _i32(*p["in"], *p["filter"], *p["out"], p["stride_h"], p["stride_w"], p["dilation_h"], p["dilation_w"],
                p["pad_top"], p["pad_left"], p["input_offset"], p["output_offset"], p["act_min"], p["act_max"],
                p["depth_multiplier"], p["layout"], p["flags"])


def _padding(padding, in_size, filt, stride, dilation, out_size):
    eff = (filt - 1) * dilation + 1
    if padding == 0:  # SAME
        want = (in_size + stride - 1) // stride
    else:  # VALID
        want = (in_size - eff + stride) // stride
    if want != out_size:
        return None
    total = max(0, (out_size - 1) * stride + eff - in_size)
    return total // 2 if padding == 0 else 0


def _shape4(shape):
    """NHWC, lower ranks padded with leading 1s (sprat_shape4)."""
    s = [1] * (4 - len(shape)) + [int(d) for d in shape]
    return s[-4:]


class Lowering:
    def __init__(self, graph, layout=None):
        self.g = graph
        self.ops = []
        self.layout = layout or layouts.plain  # the target kernel library's weights layout

    def err(self, op, msg, tensor=None):
        name = self.g.t(tensor).name if isinstance(tensor, int) and tensor >= 0 else tensor
        return ConvertError(msg, op_index=op.index, op_name=op.name, tensor=name)

    def const_i32(self, name, values):
        a = np.asarray(values, np.int32)
        return self.g.add_tensor(name, ir.INT32, a.shape, None, a).index

    def emit(self, op, opcode_name, inputs, outputs, params, name=None, macs=0, scratch=()):
        name = name or op.options.get("_display", op.name)
        act = _ACTIVATIONS.get(op.options.get("fused_activation_function", 0))
        if act and not name.endswith("+" + act):
            name += "+" + act  # reports show what the layer computes
        self.ops.append(SpratOp(OPCODES[opcode_name], name, list(inputs), list(outputs), params, op.index, macs,
                                list(scratch)))

    # ---- helpers -------------------------------------------------------
    def tensor(self, op, i, types=(ir.INT8,), quantized=True):
        if i >= len(op.inputs) or op.inputs[i] < 0:
            raise self.err(op, f"input {i} is missing")
        t = self.g.t(op.inputs[i])
        return self._check(op, t, types, quantized)

    def output(self, op, types=(ir.INT8,), quantized=True):
        return self._check(op, self.g.t(op.outputs[0]), types, quantized)

    def _check(self, op, t, types, quantized):
        if t.type not in types:
            tn = t.type[1] if isinstance(t.type, tuple) else ir.TYPE_NAMES.get(t.type, t.type)
            want = "/".join(ir.TYPE_NAMES[x] for x in types)
            raise self.err(op, f"type {tn} is not supported here (sprat supports {want})", t.name)
        if quantized and t.type in (ir.INT8, ir.INT16) and t.quant is None:
            raise self.err(op, "int8 tensor without quantization parameters", t.name)
        if quantized and t.type == ir.INT8 and t.quant.per_channel and not t.is_const:
            raise self.err(op, "per-channel quantized activations are not supported", t.name)
        return t

    def const_input(self, op, i, what):
        """A constant integer input (axes, sizes, paddings, indices)."""
        t = self.g.t(op.inputs[i]) if i < len(op.inputs) and op.inputs[i] >= 0 else None
        if t is None or not t.is_const:
            raise self.err(op, f"{what} must be a constant (sprat plans shapes offline)",
                           t.name if t is not None else None)
        if not np.issubdtype(t.data.dtype, np.integer) or t.data.size == 0:
            raise self.err(op, f"{what} must be a non-empty integer constant", t.name)
        return t.data

    def _bias(self, op, i, n):
        """The optional int32 bias input i (one value per output channel), or -1."""
        if len(op.inputs) <= i or op.inputs[i] < 0:
            return -1
        b = self.g.t(op.inputs[i])
        if b.type != ir.INT32 or not b.is_const or b.count != n:
            raise self.err(op, f"bias must be a constant int32 vector of {n} values (one per output channel)", b.name)
        return b.index

    def act(self, op, out):
        a = op.options.get("fused_activation_function", 0)
        if a not in (0, 1, 2, 3):
            raise self.err(op, f"fused activation {a} (e.g. TANH, SIGN_BIT) is not supported")
        return quant.activation_range(a, out.quant.s(), out.quant.zp())

    # ---- ops --------------------------------------------------------------
    def lower(self):
        for op in self.g.ops:
            fn = getattr(self, "op_" + op.name.lower(), None)
            if fn is None:
                raise ConvertError(f"operator {op.name} is not supported by sprat", op_index=op.index, op_name=op.name)
            try:
                fn(op)
            except ConvertError as e:
                if e.op_index is not None:
                    raise
                # Raised below the op (quantization arithmetic, records): say which op.
                raise ConvertError(str(e), op_index=op.index, op_name=op.name, tensor=e.tensor) from None
        return self.ops

    def _conv_like(self, op, depthwise):
        x = self.tensor(op, 0)
        w = self.tensor(op, 1)
        out = self.output(op)
        if len(x.shape) != 4 or len(w.shape) != 4 or len(out.shape) != 4:
            raise self.err(op, "expects 4-D input, filter and output")
        if not w.is_const:
            raise self.err(op, "a non-constant filter is not supported", w.name)
        if np.any(w.quant.zero_point != 0):
            raise self.err(op, "int8 filters must be symmetric (zero point 0)", w.name)
        o = op.options
        sh, sw = o.get("stride_h", 1), o.get("stride_w", 1)
        dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
        kh, kw = w.shape[1], w.shape[2]
        pad = o.get("_explicit_pad")
        if pad is None:
            pt = _padding(o.get("padding", 1), x.shape[1], kh, sh, dh, out.shape[1])
            pl = _padding(o.get("padding", 1), x.shape[2], kw, sw, dw, out.shape[2])
            if pt is None or pl is None:
                raise self.err(op, f"output shape {list(out.shape)} does not follow from input {list(x.shape)}, "
                                   f"filter {list(w.shape)}, strides and padding", out.name)
        else:
            pt, pl = pad
        oc = out.shape[3]
        if depthwise:
            if w.shape[3] != oc or oc % x.shape[3]:
                raise self.err(op, "filter/output channels do not match the input's", w.name)
            dm = oc // x.shape[3]
        else:
            if w.shape[0] != oc or x.shape[3] % w.shape[3] or oc % (x.shape[3] // w.shape[3]):
                raise self.err(op, "filter/output channels do not match the input's", w.name)
            dm = 0
        ws = w.quant.scale.astype(np.float32)
        if ws.size not in (1, oc):
            raise self.err(op, f"filter has {ws.size} scales for {oc} output channels", w.name)
        ws = np.broadcast_to(ws, (oc,))
        mults, shifts = zip(*_multipliers(x.quant.s(), ws, out.quant.s()))
        bias = self._bias(op, 2, oc)
        amin, amax = self.act(op, out)
        kind = "depthwise" if depthwise else "conv"
        filt, bias, layout, flags, mults, shifts = self._layout_weights(op, w, bias, mults, shifts, -x.quant.zp(),
                                                                        out.quant.zp(), kind, out.name)
        p = dict(stride_h=sh, stride_w=sw, dilation_h=dh, dilation_w=dw, pad_top=pt, pad_left=pl,
                 input_offset=-x.quant.zp(), output_offset=out.quant.zp(), act_min=amin, act_max=amax,
                 depth_multiplier=dm, layout=layout, flags=flags)
        p["in"], p["filter"], p["out"] = _shape4(x.shape), _shape4(w.shape), _shape4(out.shape)
        prepare = getattr(self.layout, "prepare", None)
        if prepare and layout == self.layout.LAYOUT:
            # Constants the kernels would build in scratch at every call, made
            # here and stored after the bias: less scratch, less set-up.
            extra = prepare(p, self.g.t(filt).data, self.g.t(bias).data, mults, shifts)
            if extra is not None:
                unprepared = dict(p)
                p["flags"] |= self.layout.PREPARED
                bt = self.g.t(bias)
                bias_data = np.asarray(bt.data, np.int32)
                bt.data = np.concatenate([bias_data, extra])
                bt.shape = bt.data.shape
        m = self.const_i32(f"{out.name}/multiplier", mults)
        s = self.const_i32(f"{out.name}/shift", shifts)
        macs = out.count * kh * kw * (1 if depthwise else w.shape[3])
        scratch_fn = self.layout.depthwise_scratch_bytes if depthwise else self.layout.conv_scratch_bytes
        nbytes = scratch_fn(p) if layout == self.layout.LAYOUT else 0
        scratch = [self.g.add_tensor(f"{out.name}/scratch", ir.INT8, (nbytes,)).index] if nbytes else []
        self.emit(op, "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x.index, filt, bias, m, s],
                  [out.index], _conv_record(p), macs=macs, scratch=scratch)
        if p["flags"] & getattr(self.layout, "PREPARED", 0):
            # What the converter restores where the prepared constants would
            # cost flash without saving RAM (convert._unprepare).
            self.ops[-1].unprepared = (_conv_record(unprepared), bias_data, scratch_fn(unprepared))

    def _layout_weights(self, op, w, bias, mults, shifts, input_offset, output_offset, kind, name):
        """The filter and bias tensors in the target library's layout, the
        layout's number, the flags it proved, and the multipliers and shifts
        (which a layout may rewrite for channels whose output is constant)."""
        b = None if bias < 0 else self.g.t(bias).data
        filt, folded, layout, flags, mults, shifts = self.layout.conv(w.data, b, mults, shifts, input_offset,
                                                                      output_offset, kind)
        if layout == layouts.plain.LAYOUT:
            return w.index, bias, layout, flags, mults, shifts
        f = w.index
        if filt is not w.data:
            f = self.g.add_tensor(f"{name}/filter_{self.layout.NAME}", ir.INT8, np.shape(filt), w.quant,
                                  np.asarray(filt, np.int8)).index
        return f, self.const_i32(f"{name}/bias_{self.layout.NAME}", folded), layout, flags, mults, shifts

    def op_conv_2d(self, op):
        self._conv_like(op, False)

    def op_depthwise_conv_2d(self, op):
        self._conv_like(op, True)

    def op_transpose_conv(self, op):
        w, x = self.tensor(op, 1), self.tensor(op, 2)
        out = self.output(op)
        if len(x.shape) != 4 or len(w.shape) != 4 or len(out.shape) != 4 or not w.is_const:
            raise self.err(op, "expects 4-D input, constant filter and 4-D output")
        if np.any(w.quant.zero_point != 0):
            raise self.err(op, "int8 filters must be symmetric (zero point 0)", w.name)
        oc, kh, kw, ic = w.shape
        if ic != x.shape[3] or oc != out.shape[3] or x.shape[0] != out.shape[0]:
            raise self.err(op, "filter/output channels do not match the input's", w.name)
        o = op.options
        sh, sw = o.get("stride_h", 1), o.get("stride_w", 1)
        # TFLite computes the padding with the output playing the input's role.
        pt = _padding(o.get("padding", 1), out.shape[1], kh, sh, 1, x.shape[1])
        pl = _padding(o.get("padding", 1), out.shape[2], kw, sw, 1, x.shape[2])
        if pt is None or pl is None:
            raise self.err(op, f"input {list(x.shape)} does not follow from output {list(out.shape)}, "
                               f"filter {list(w.shape)}, strides and padding", out.name)
        ws = np.broadcast_to(w.quant.scale.astype(np.float32), (oc,))
        mults, shifts = zip(*_multipliers(x.quant.s(), ws, out.quant.s()))
        bias = self._bias(op, 3, oc)
        amin, amax = self.act(op, out)
        acc = self.g.add_tensor(f"{out.name}/accumulators", ir.INT32, out.shape)
        p = dict(stride_h=sh, stride_w=sw, dilation_h=1, dilation_w=1, pad_top=pt, pad_left=pl,
                 input_offset=-x.quant.zp(), output_offset=out.quant.zp(), act_min=amin, act_max=amax,
                 depth_multiplier=0, layout=layouts.plain.LAYOUT, flags=0)
        p["in"], p["filter"], p["out"] = _shape4(x.shape), _shape4(w.shape), _shape4(out.shape)
        self.emit(op, "TRANSPOSE_CONV", [x.index, w.index, bias, self.const_i32(f"{out.name}/multiplier", mults),
                                         self.const_i32(f"{out.name}/shift", shifts)], [out.index],
                  _conv_record(p), macs=x.count * kh * kw * oc, scratch=[acc.index])

    def op_fully_connected(self, op):
        x = self.tensor(op, 0)
        w = self.tensor(op, 1)
        out = self.output(op)
        if not w.is_const or len(w.shape) != 2:
            raise self.err(op, "the filter must be a constant 2-D tensor", w.name)
        if op.options.get("weights_format", 0) != 0:
            raise self.err(op, "shuffled weights format is not supported")
        units, depth = w.shape
        if x.count % depth or out.count != (x.count // depth) * units:
            raise self.err(op, f"input {list(x.shape)} / output {list(out.shape)} do not fit filter {list(w.shape)}")
        per_channel = w.quant.per_channel
        if per_channel and np.any(w.quant.zero_point != 0):
            raise self.err(op, "per-channel filters must be symmetric", w.name)
        pairs = _multipliers(x.quant.s(), w.quant.scale, out.quant.s())
        foff = 0 if per_channel else -w.quant.zp()
        bias = self._bias(op, 2, units)
        amin, amax = self.act(op, out)
        mults, shifts = zip(*pairs)
        filt, layout, flags = w.index, layouts.plain.LAYOUT, 0
        if foff == 0:  # a filter zero point would make the input term depend on the input
            filt, bias, layout, flags, _, _ = self._layout_weights(op, w, bias, mults, np.broadcast_to(shifts, (units,)),
                                                                   -x.quant.zp(), out.quant.zp(), "fc", out.name)
        params = _i32(x.count // depth, depth, units, -x.quant.zp(), foff, out.quant.zp(), amin, amax,
                      1 if per_channel else 0, layout, flags)
        self.emit(op, "FULLY_CONNECTED", [x.index, filt, bias, self.const_i32(f"{out.name}/multiplier", mults),
                                          self.const_i32(f"{out.name}/shift", shifts)], [out.index], params,
                  macs=out.count * depth)

    def _pool(self, op, kind):
        x = self.tensor(op, 0)
        out = self.output(op)
        if len(x.shape) != 4 or len(out.shape) != 4:
            raise self.err(op, "expects 4-D input and output")
        if x.quant.s() != out.quant.s() or x.quant.zp() != out.quant.zp():
            raise self.err(op, "input and output must share scale and zero point (as TFLite requires)")
        o = op.options
        sh, sw, fh, fw = o.get("stride_h", 1), o.get("stride_w", 1), o.get("filter_height", 1), o.get("filter_width", 1)
        pt = _padding(o.get("padding", 1), x.shape[1], fh, sh, 1, out.shape[1])
        pl = _padding(o.get("padding", 1), x.shape[2], fw, sw, 1, out.shape[2])
        if pt is None or pl is None:
            raise self.err(op, f"output shape {list(out.shape)} does not follow from the input and window", out.name)
        amin, amax = self.act(op, out)
        self.emit(op, kind, [x.index], [out.index],
                  _i32(*_shape4(x.shape), *_shape4(out.shape), sh, sw, fh, fw, pt, pl, amin, amax),
                  macs=out.count * fh * fw)

    def op_average_pool_2d(self, op):
        self._pool(op, "AVERAGE_POOL_2D")

    def op_max_pool_2d(self, op):
        self._pool(op, "MAX_POOL_2D")

    def _broadcast(self, op, a, b, out):
        n = len(out.shape)
        if n > MAX_DIMS or len(a.shape) > n or len(b.shape) > n:
            raise self.err(op, f"broadcasting over more than {MAX_DIMS} dimensions is not supported")

        def strides(shape):
            shape = (1,) * (n - len(shape)) + tuple(shape)
            st, acc = [0] * n, 1
            for d in range(n - 1, -1, -1):
                if shape[d] not in (1, out.shape[d]):
                    raise self.err(op, f"shapes {list(a.shape)} and {list(b.shape)} do not broadcast to {list(out.shape)}")
                st[d] = 0 if shape[d] == 1 and out.shape[d] != 1 else acc
                acc *= shape[d]
            return st
        s1, s2 = strides(a.shape), strides(b.shape)
        pad = [0] * (MAX_DIMS - n)
        return [n] + list(out.shape) + pad + s1 + pad + s2 + pad

    def _add_sub(self, op, subtract):
        a, b, out = self.tensor(op, 0), self.tensor(op, 1), self.output(op)
        s1, s2, so = a.quant.s(), b.quant.s(), out.quant.s()
        twice_max = 2.0 * max(s1, s2)
        left_shift = 20
        m1 = quant.quantize_multiplier_smaller_than_one(s1 / twice_max)
        m2 = quant.quantize_multiplier_smaller_than_one(s2 / twice_max)
        mo = quant.quantize_multiplier_smaller_than_one(twice_max / ((1 << left_shift) * so))
        amin, amax = self.act(op, out)
        params = _i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), left_shift, *m1, *m2, *mo, amin, amax,
                      1 if subtract else 0, *self._broadcast(op, a, b, out))
        self.emit(op, "ADD", [a.index, b.index], [out.index], params, name=op.name)

    def op_add(self, op):
        self._add_sub(op, False)

    def op_sub(self, op):
        self._add_sub(op, True)

    def op_mul(self, op):
        a, b, out = self.tensor(op, 0), self.tensor(op, 1), self.output(op)
        # TFLite computes this multiplier in float32.
        real = quant.f32(quant.f32(np.float32(a.quant.s()) * np.float32(b.quant.s())) / np.float32(out.quant.s()))
        mo = quant.quantize_multiplier(real)
        amin, amax = self.act(op, out)
        params = _i32(-a.quant.zp(), -b.quant.zp(), out.quant.zp(), *mo, amin, amax, *self._broadcast(op, a, b, out))
        self.emit(op, "MUL", [a.index, b.index], [out.index], params, macs=out.count)

    def _max_min(self, op, is_min):
        a, b, out = self.tensor(op, 0), self.tensor(op, 1), self.output(op)
        # TFLite compares the raw int8 values: only meaningful on one scale.
        self._same_quant(op, a, out)
        self._same_quant(op, b, out)
        self.emit(op, "MAX_MIN", [a.index, b.index], [out.index], _i32(1 if is_min else 0, *self._broadcast(op, a, b, out)))

    def op_maximum(self, op):
        self._max_min(op, False)

    def op_minimum(self, op):
        self._max_min(op, True)

    def op_prelu(self, op):
        x, alpha, out = self.tensor(op, 0), self.tensor(op, 1), self.output(op)
        si, sa, so = np.float32(x.quant.s()), np.float32(alpha.quant.s()), np.float32(out.quant.s())
        # TFLite computes both multipliers in float32.
        m1 = quant.quantize_multiplier(quant.f32(si / so))
        m2 = quant.quantize_multiplier(quant.f32(np.float32(si * sa) / so))
        self.emit(op, "PRELU", [x.index, alpha.index], [out.index],
                  _i32(-x.quant.zp(), -alpha.quant.zp(), out.quant.zp(), *m1, *m2, *self._broadcast(op, x, alpha, out)))

    def op_reduce_max(self, op):
        x, out = self.tensor(op, 0), self.output(op)
        self._same_quant(op, x, out)
        outer, reduced, inner = self._axis_view(op, x.shape, self.const_input(op, 1, "the axis"))
        self.emit(op, "REDUCE_MAX", [x.index], [out.index], _i32(outer, reduced, inner))

    def op_gather(self, op):
        x = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
        out = self.output(op, types=tuple(ir.DTYPES), quantized=False)
        if op.options.get("batch_dims", 0) != 0:
            raise self.err(op, "batch_dims other than 0 is not supported")
        idx = np.asarray(self.const_input(op, 1, "the indices"), np.int64)
        axis = self._axis(op, op.options.get("axis", 0), len(x.shape))
        if idx.size == 0 or np.any(idx < 0) or np.any(idx >= x.shape[axis]):
            raise self.err(op, f"indices out of range 0..{x.shape[axis] - 1} of axis {axis}")
        self._same_quant(op, x, out)
        outer = int(np.prod(x.shape[:axis], dtype=np.int64))
        inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64)) * self._elem(x)
        if out.count * self._elem(out) != outer * idx.size * inner:
            raise self.err(op, f"output {list(out.shape)} does not fit {idx.size} gathered slices", out.name)
        ti = self.const_i32(f"{out.name}/indices", idx.ravel())
        self.emit(op, "GATHER", [x.index, ti], [out.index], _i32(outer, x.shape[axis], inner, idx.size))

    def _axis_view(self, op, shape, axes):
        """[outer, reduced, inner] for a set of contiguous axes."""
        n = len(shape)
        axes = sorted({(int(a) + n) % n if -n <= int(a) < n else -1 for a in np.ravel(axes)})
        if not axes or axes[0] < 0:
            raise self.err(op, f"axis {list(np.ravel(axes))} out of range for rank {n}")
        if axes != list(range(axes[0], axes[-1] + 1)):
            raise self.err(op, f"reducing over non-adjacent axes {axes} is not supported")
        outer = int(np.prod(shape[:axes[0]], dtype=np.int64))
        reduced = int(np.prod(shape[axes[0]:axes[-1] + 1], dtype=np.int64))
        inner = int(np.prod(shape[axes[-1] + 1:], dtype=np.int64))
        return outer, reduced, inner

    def op_mean(self, op):
        x, out = self.tensor(op, 0), self.output(op)
        outer, reduced, inner = self._axis_view(op, x.shape, self.const_input(op, 1, "the axis"))
        mult, shift = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
        # Fold 1/count into the multiplier, as TFLite's integer MEAN does.
        s = min(reduced.bit_length() - 1, 32, 31 + shift)
        mult = int((mult << s) // reduced)
        shift -= s
        self.emit(op, "MEAN", [x.index], [out.index],
                  _i32(outer, reduced, inner, x.quant.zp(), out.quant.zp(), mult, shift), macs=x.count)

    def op_arg_max(self, op):
        x = self.tensor(op, 0, types=(ir.INT8, ir.FLOAT32), quantized=False)
        out = self.output(op, types=(ir.INT32, ir.INT64), quantized=False)
        outer, reduced, inner = self._axis_view(op, x.shape, self.const_input(op, 1, "the axis"))
        self.emit(op, "ARG_MAX", [x.index], [out.index],
                  _i32(outer, reduced, inner, 1 if out.type == ir.INT64 else 0, x.type))

    def op_softmax(self, op):
        x, out = self.tensor(op, 0), self.output(op)
        depth = x.shape[-1] if x.shape else 1
        if out.quant.zp() != -128 or abs(out.quant.s() - 1 / 256) > 0.001 / 256:
            raise self.err(op, "an int8 SOFTMAX output must have scale 1/256 and zero point -128 (as TFLite requires)",
                           out.name)
        if depth >= 1 << 12:
            raise self.err(op, f"rows of {depth} values: at most 4095 are supported")
        try:
            mult, shift, diff_min = quant.softmax_params(x.quant.s(), op.options.get("beta", 1.0))
        except ConvertError as e:
            raise self.err(op, str(e))
        inputs = [x.index]
        if x.count >= SOFTMAX_TABLE_MIN:  # wide rows look exp up (1 KB of flash) instead of computing it twice
            table = np.array(quant.softmax_exp_table(mult, shift, diff_min), np.int32)
            inputs.append(self.g.add_tensor(f"{out.name}/exp_table", ir.INT32, (256,), None, table).index)
        self.emit(op, "SOFTMAX", inputs, [out.index], _i32(x.count // depth, depth, mult, shift, diff_min))

    def _lut(self, op, fn):
        x, out = self.tensor(op, 0), self.output(op)
        table = quant.lut_s8(fn, x.quant.s(), x.quant.zp(), out.quant.s(), out.quant.zp())
        t = self.g.add_tensor(f"{out.name}/table", ir.INT8, (256,), None, table)
        self.emit(op, "LUT", [x.index, t.index], [out.index], _i32(x.count), name=op.name)

    def op_logistic(self, op):
        self._lut(op, quant.logistic)

    def op_tanh(self, op):
        self._lut(op, quant.tanh)

    def _relu(self, op, lo, hi):
        x, out = self.tensor(op, 0), self.output(op)
        m, s = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
        zp, sc = out.quant.zp(), np.float32(out.quant.s())
        amin = max(-128, zp + int(quant.round_away(quant.f32(np.float32(lo) / sc))))
        amax = 127 if hi is None else min(127, zp + int(quant.round_away(quant.f32(np.float32(hi) / sc))))
        self.emit(op, "RELU", [x.index], [out.index], _i32(x.count, x.quant.zp(), zp, m, s, amin, amax), name=op.name)

    def op_relu(self, op):
        self._relu(op, 0.0, None)

    def op_relu6(self, op):
        self._relu(op, 0.0, 6.0)

    def op_relu_n1_to_1(self, op):
        self._relu(op, -1.0, 1.0)

    def op_leaky_relu(self, op):
        x, out = self.tensor(op, 0), self.output(op)
        alpha = np.float32(op.options.get("alpha", 0.2))
        si, so = np.float32(x.quant.s()), np.float32(out.quant.s())
        ma = quant.quantize_multiplier(quant.f32(np.float32(si * alpha) / so))
        mi = quant.quantize_multiplier(quant.f32(si / so))
        self.emit(op, "LEAKY_RELU", [x.index], [out.index], _i32(x.count, x.quant.zp(), out.quant.zp(), *mi, *ma))

    def op_hard_swish(self, op):
        x, out = self.tensor(op, 0), self.output(op)
        hires = np.float32(np.float32(1.0 / 128.0) * np.float32(x.quant.s()))
        reluish_scale = np.float32(3.0) / np.float32(32768.0)
        om, oe = quant.quantize_multiplier(quant.f32(hires / np.float32(out.quant.s())))
        if oe > 0:
            raise self.err(op, "output scale too small for TFLite's HARD_SWISH (output multiplier exponent > 0)")
        rm, re_ = quant.quantize_multiplier(quant.f32(hires / reluish_scale))
        self.emit(op, "HARD_SWISH", [x.index], [out.index],
                  _i32(x.count, x.quant.zp(), out.quant.zp(), quant.downscale_int32_to_int16_multiplier(rm), re_,
                       quant.downscale_int32_to_int16_multiplier(om), oe))

    def op_quantize(self, op):
        x = self.tensor(op, 0, types=(ir.FLOAT32, ir.INT8), quantized=False)
        out = self.output(op)
        if x.type == ir.FLOAT32:
            self.emit(op, "QUANTIZE", [x.index], [out.index],
                      _i32(x.count, out.quant.zp()) + struct.pack("<f", out.quant.s()))
        else:
            if x.quant is None:
                raise self.err(op, "int8 input without quantization", x.name)
            m, s = quant.quantize_multiplier(float(np.float64(x.quant.s()) / np.float64(out.quant.s())))
            self.emit(op, "REQUANTIZE", [x.index], [out.index], _i32(x.count, x.quant.zp(), out.quant.zp(), m, s))

    def op_dequantize(self, op):
        x = self.tensor(op, 0)
        out = self.output(op, types=(ir.FLOAT32,), quantized=False)
        self.emit(op, "DEQUANTIZE", [x.index], [out.index],
                  _i32(x.count, x.quant.zp()) + struct.pack("<f", x.quant.s()))

    # ---- data movement ----------------------------------------------------
    def _copy_params(self, dims, elem, in_start, in_strides, out_start, out_strides):
        n = len(dims)
        if n > MAX_DIMS:
            raise ConvertError(f"more than {MAX_DIMS} dimensions")
        pad = [0] * (MAX_DIMS - n)
        return _i32(n, elem, *dims, *pad, in_start, *in_strides, *pad, out_start, *out_strides, *pad)

    @staticmethod
    def _dense_strides(shape):
        st, acc = [0] * len(shape), 1
        for d in range(len(shape) - 1, -1, -1):
            st[d] = acc
            acc *= shape[d]
        return st

    def _elem(self, t):
        return np.dtype(ir.DTYPES[t.type]).itemsize

    def _same_quant(self, op, a, b):
        if a.type == ir.INT8 and (a.quant is None or b.quant is None or a.quant.s() != b.quant.s()
                                  or a.quant.zp() != b.quant.zp()):
            raise self.err(op, "input and output must share scale and zero point", b.name)

    def copy_op(self, op, x, out, name=None):
        """A dense copy (a RESHAPE that could not alias)."""
        n = x.count
        self.emit(op, "COPY", [x.index], [out.index], self._copy_params([n], self._elem(x), 0, [1], 0, [1]), name=name)

    def op_reshape(self, op):
        # Only reached when input and output are both model inputs/outputs
        # (otherwise the passes made the output an alias).
        x = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
        self.copy_op(op, x, self.output(op, types=tuple(ir.DTYPES), quantized=False), name=op.name)

    op_squeeze = op_reshape
    op_expand_dims = op_reshape

    def op_transpose(self, op):
        x, out = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False), self.output(op, types=tuple(ir.DTYPES), quantized=False)
        perm = [int(p) for p in np.ravel(self.const_input(op, 1, "the permutation"))]
        n = len(x.shape)
        if sorted(perm) != list(range(n)):
            raise self.err(op, f"permutation {perm} is not a permutation of {n} axes")
        self._same_quant(op, x, out)
        ist = self._dense_strides(x.shape)
        dims = [x.shape[p] for p in perm]
        self.emit(op, "COPY", [x.index], [out.index],
                  self._copy_params(dims, self._elem(x), 0, [ist[p] for p in perm], 0, self._dense_strides(dims)),
                  name="TRANSPOSE")

    def op_concatenation(self, op):
        out = self.output(op, types=tuple(ir.DTYPES), quantized=False)
        if op.options.get("fused_activation_function", 0) != 0:
            raise self.err(op, "a fused activation on CONCATENATION is not supported")
        n = len(out.shape)
        axis = self._axis(op, int(op.options.get("axis", 0)), n)
        ost = self._dense_strides(out.shape)
        at = 0
        for k, i in enumerate(op.inputs):
            if i < 0:
                raise self.err(op, f"input {k} is missing")
            x = self.g.t(i)
            self._check(op, x, (out.type,), False)
            self._same_quant(op, x, out)
            if len(x.shape) != n:
                raise self.err(op, "inputs of different rank", x.name)
            if any(a != b for d, (a, b) in enumerate(zip(x.shape, out.shape)) if d != axis):
                raise self.err(op, f"input {k} of shape {list(x.shape)} does not fit output {list(out.shape)} "
                                   f"beside the axis {axis}", x.name)
            self.emit(op, "COPY", [x.index], [out.index],
                      self._copy_params(list(x.shape), self._elem(x), 0, self._dense_strides(x.shape),
                                        at * ost[axis], ost), name="CONCATENATION")
            if all(d == 1 for d in out.shape[:axis]):
                # the input is one contiguous run of the output: converter/views.py
                # may let its producer write it there and drop the copy
                self.ops[-1].view = (x.index, out.index, at * ost[axis] * self._elem(x))
            at += x.shape[axis]
        if at != out.shape[axis]:
            raise self.err(op, "input sizes along the axis do not add up to the output's", out.name)

    def _pad(self, op, value):
        x, out = self.tensor(op, 0), self.output(op)
        pads = np.asarray(self.const_input(op, 1, "the paddings"))
        if pads.size != 2 * len(x.shape):
            raise self.err(op, "paddings do not match the input's rank")
        pads = pads.reshape(-1, 2)
        if pads.shape[0] != len(x.shape):
            raise self.err(op, "paddings do not match the input's rank")
        self._same_quant(op, x, out)
        ost = self._dense_strides(out.shape)
        start = sum(int(p) * s for p, s in zip(pads[:, 0], ost))
        if any(int(a) < 0 or int(b) < 0 for a, b in pads) or \
                [d + int(a) + int(b) for d, (a, b) in zip(x.shape, pads)] != list(out.shape):
            raise self.err(op, f"paddings {pads.tolist()} do not turn {list(x.shape)} into {list(out.shape)}")
        self.emit(op, "PAD", [x.index], [out.index],
                  _i32(value, out.count) + self._copy_params(list(x.shape), 1, 0, self._dense_strides(x.shape), start, ost))

    def op_pad(self, op):
        self._pad(op, self.output(op).quant.zp())

    def op_padv2(self, op):
        v = np.ravel(self.const_input(op, 2, "the pad value"))
        self._pad(op, int(v[0]) if v.size else self.output(op).quant.zp())

    def _axis(self, op, axis, rank):
        if not -rank <= axis < rank:
            raise self.err(op, f"axis {axis} out of range for rank {rank}")
        return axis + rank if axis < 0 else axis

    def _slices_along(self, op, x, outs, axis, name):
        """One COPY per output: consecutive slices of x along axis."""
        ist = self._dense_strides(x.shape)
        at = 0
        for o in outs:
            self._check(op, o, (x.type,), False)
            self._same_quant(op, x, o)
            if len(o.shape) != len(x.shape) or any(a != b for d, (a, b) in enumerate(zip(o.shape, x.shape)) if d != axis):
                raise self.err(op, f"output {list(o.shape)} is not a slice of {list(x.shape)} along axis {axis}", o.name)
            self.emit(op, "COPY", [x.index], [o.index],
                      self._copy_params(list(o.shape), self._elem(x), at * ist[axis], ist, 0,
                                        self._dense_strides(o.shape)), name=name)
            at += o.shape[axis]
        if at > x.shape[axis]:
            raise self.err(op, "the slices are longer than the input along the axis")

    def op_split(self, op):
        x = self.tensor(op, 1, types=tuple(ir.DTYPES), quantized=False)
        axis = self._axis(op, int(np.ravel(self.const_input(op, 0, "the axis"))[0]), len(x.shape))
        self._slices_along(op, x, [self.g.t(o) for o in op.outputs], axis, "SPLIT")

    def op_split_v(self, op):
        x = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
        axis = self._axis(op, int(np.ravel(self.const_input(op, 2, "the axis"))[0]), len(x.shape))
        self._slices_along(op, x, [self.g.t(o) for o in op.outputs], axis, "SPLIT_V")

    def op_unpack(self, op):
        x = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
        axis = self._axis(op, op.options.get("axis", 0), len(x.shape))
        ist = self._dense_strides(x.shape)
        for k, i in enumerate(op.outputs):
            o = self.g.t(i)
            self._same_quant(op, x, o)
            dims = [d for j, d in enumerate(x.shape) if j != axis]
            if list(o.shape) != dims:
                raise self.err(op, f"output {list(o.shape)} should be {dims}", o.name)
            self.emit(op, "COPY", [x.index], [o.index],
                      self._copy_params(dims, self._elem(x), k * ist[axis], [s for j, s in enumerate(ist) if j != axis],
                                        0, self._dense_strides(dims)), name="UNPACK")

    def op_pack(self, op):
        out = self.output(op, types=tuple(ir.DTYPES), quantized=False)
        axis = self._axis(op, op.options.get("axis", 0), len(out.shape))
        ost = self._dense_strides(out.shape)
        for k, i in enumerate(op.inputs):
            x = self.g.t(i)
            self._check(op, x, (out.type,), False)
            self._same_quant(op, x, out)
            if [d for j, d in enumerate(out.shape) if j != axis] != list(x.shape):
                raise self.err(op, f"input {list(x.shape)} does not stack into {list(out.shape)}", x.name)
            self.emit(op, "COPY", [x.index], [out.index],
                      self._copy_params(list(x.shape), self._elem(x), 0, self._dense_strides(x.shape), k * ost[axis],
                                        [s for j, s in enumerate(ost) if j != axis]), name="PACK")

    def op_slice(self, op):
        x = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False)
        out = self.output(op, types=tuple(ir.DTYPES), quantized=False)
        begin = [int(v) for v in np.ravel(self.const_input(op, 1, "begin"))]
        size = [int(v) for v in np.ravel(self.const_input(op, 2, "size"))]
        if len(begin) != len(x.shape) or len(size) != len(x.shape):
            raise self.err(op, "begin/size do not match the input's rank")
        size = [x.shape[d] - begin[d] if s == -1 else s for d, s in enumerate(size)]
        if any(b < 0 or s < 1 or b + s > d for b, s, d in zip(begin, size, x.shape)) or size != list(out.shape):
            raise self.err(op, f"slice begin {begin} size {size} does not fit {list(x.shape)} -> {list(out.shape)}")
        self._same_quant(op, x, out)
        ist = self._dense_strides(x.shape)
        self.emit(op, "COPY", [x.index], [out.index],
                  self._copy_params(size, self._elem(x), sum(b * s for b, s in zip(begin, ist)), ist, 0,
                                    self._dense_strides(size)), name="SLICE")

    def op_strided_slice(self, op):
        x, out = self.tensor(op, 0, types=tuple(ir.DTYPES), quantized=False), self.output(op, types=tuple(ir.DTYPES), quantized=False)
        begin = [int(v) for v in np.ravel(self.const_input(op, 1, "begin"))]
        end = [int(v) for v in np.ravel(self.const_input(op, 2, "end"))]
        strides = [int(v) for v in np.ravel(self.const_input(op, 3, "strides"))]
        o = op.options
        if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0):
            raise self.err(op, "ellipsis_mask and new_axis_mask are not supported")
        n = len(x.shape)
        if not (len(begin) == len(end) == len(strides)) or len(begin) > n:
            raise self.err(op, "begin/end/strides lengths do not match the input's rank")
        begin += [0] * (n - len(begin))
        end += [x.shape[d] for d in range(len(end), n)]
        strides += [1] * (n - len(strides))
        bm, em, sm = o.get("begin_mask", 0), o.get("end_mask", 0), o.get("shrink_axis_mask", 0)
        offset = bool(o.get("offset", False))
        ist = self._dense_strides(x.shape)
        dims, in_strides, start = [], [], 0
        for d in range(n):
            size, st = x.shape[d], strides[d]
            if st == 0:
                raise self.err(op, "a stride of 0")
            b, e = begin[d], end[d]
            if offset:
                e = b + e
            if sm >> d & 1:
                b = b + size if b < 0 else b
                if not 0 <= b < size:
                    raise self.err(op, f"index {begin[d]} out of range on axis {d}")
                start += b * ist[d]
                continue

            def clamp(v, lo, hi):
                return max(lo, min(hi, v))
            if bm >> d & 1:
                b = 0 if st > 0 else size - 1
            else:
                b = b + size if b < 0 else b
                b = clamp(b, 0, size) if st > 0 else clamp(b, -1, size - 1)
            if em >> d & 1 and not offset:
                e = size if st > 0 else -1
            else:
                e = e + size if e < 0 and not (em >> d & 1) else e
                e = clamp(e, 0, size) if st > 0 else clamp(e, -1, size - 1)
            count = max(0, (e - b + (st - (1 if st > 0 else -1))) // st)
            if count == 0:
                raise self.err(op, "an empty slice is not supported")
            dims.append(count)
            in_strides.append(st * ist[d])
            start += b * ist[d]
        if int(np.prod(dims, dtype=np.int64)) != out.count:
            raise self.err(op, f"the slice has {int(np.prod(dims))} elements, the output {out.count}", out.name)
        self._same_quant(op, x, out)
        self.emit(op, "COPY", [x.index], [out.index],
                  self._copy_params(dims, self._elem(x), start, in_strides, 0, self._dense_strides(dims)),
                  name="STRIDED_SLICE")

    def op_resize_nearest_neighbor(self, op):
        x, out = self.tensor(op, 0), self.output(op)
        if len(x.shape) != 4 or len(out.shape) != 4 or out.shape[0] != x.shape[0] or out.shape[3] != x.shape[3]:
            raise self.err(op, f"expects 4-D input and output of the same batch and channels, not {list(x.shape)} "
                               f"and {list(out.shape)}")
        self._same_quant(op, x, out)
        align = bool(op.options.get("align_corners", False))
        half = bool(op.options.get("half_pixel_centers", False))

        def src(out_size, in_size):
            if align and out_size > 1:
                scale = np.float32(in_size - 1) / np.float32(out_size - 1)
            else:
                scale = np.float32(in_size) / np.float32(out_size)
            off = np.float32(0.5) if half else np.float32(0.0)
            idx = []
            for i in range(out_size):
                v = np.float32(np.float32(i + off) * scale)
                k = int(quant.round_away(float(v))) if align else int(math.floor(float(v)))
                k = min(k, in_size - 1)
                if half:
                    k = max(0, k)
                idx.append(k)
            return idx
        ys = self.const_i32(f"{out.name}/src_y", src(out.shape[1], x.shape[1]))
        xs = self.const_i32(f"{out.name}/src_x", src(out.shape[2], x.shape[2]))
        self.emit(op, "RESIZE_NEAREST", [x.index, ys, xs], [out.index],
                  _i32(x.shape[0], x.shape[1], x.shape[2], x.shape[3], out.shape[1], out.shape[2]))
