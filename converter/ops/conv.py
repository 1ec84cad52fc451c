"""CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV (runtime/ops/conv.c): the
per-channel requantization, padding from the output shape as TFLite
derives it, weights in the target library's layout and, where the library
prepares them offline, its kernel constants after the bias."""

import numpy as np

from converter import ir, layouts
from converter.lower import Lowers, i32, multipliers, padding_offset, shape4


def _conv_record(p):
    """sprat_conv_params, field by field."""
    return i32(*p["in"], *p["filter"], *p["out"], p["stride_h"], p["stride_w"], p["dilation_h"], p["dilation_w"],
               p["pad_top"], p["pad_left"], p["input_offset"], p["output_offset"], p["act_min"], p["act_max"],
               p["depth_multiplier"], p["layout"], p["flags"])


def _window(L, op, x, w, out):
    """Strides, dilations and the top and left padding, checked."""
    if len(x.shape) != 4 or len(w.shape) != 4 or len(out.shape) != 4:
        raise L.err(op, "expects 4-D input, filter and output")
    if not w.is_const:
        raise L.err(op, "a non-constant filter is not supported", w.name)
    if np.any(w.quant.zero_point != 0):
        raise L.err(op, "int8 filters must be symmetric (zero point 0)", w.name)
    o = op.options
    sh, sw = o.get("stride_h", 1), o.get("stride_w", 1)
    dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
    kh, kw = w.shape[1], w.shape[2]
    pad = o.get("_explicit_pad")
    if pad is None:
        pt = padding_offset(o.get("padding", 1), x.shape[1], kh, sh, dh, out.shape[1])
        pl = padding_offset(o.get("padding", 1), x.shape[2], kw, sw, dw, out.shape[2])
        if pt is None or pl is None:
            raise L.err(op, f"output shape {list(out.shape)} does not follow from input {list(x.shape)}, "
                            f"filter {list(w.shape)}, strides and padding", out.name)
    else:
        pt, pl = pad
    return sh, sw, dh, dw, pt, pl


def _channels(L, op, x, w, out, depthwise):
    """The depth multiplier (0 for CONV_2D) and the filter's float32 scales,
    one per output channel, checked against the tensors' channels."""
    oc = out.shape[3]
    if depthwise:
        if w.shape[3] != oc or oc % x.shape[3]:
            raise L.err(op, "filter/output channels do not match the input's", w.name)
        dm = oc // x.shape[3]
    else:
        if w.shape[0] != oc or x.shape[3] % w.shape[3] or oc % (x.shape[3] // w.shape[3]):
            raise L.err(op, "filter/output channels do not match the input's", w.name)
        dm = 0
    ws = w.quant.scale.astype(np.float32)
    if ws.size not in (1, oc):
        raise L.err(op, f"filter has {ws.size} scales for {oc} output channels", w.name)
    return dm, np.broadcast_to(ws, (oc,))


def _conv_like(L, op, depthwise):
    x = L.tensor(op, 0)
    w = L.tensor(op, 1)
    out = L.output(op)
    sh, sw, dh, dw, pt, pl = _window(L, op, x, w, out)
    kh, kw = w.shape[1], w.shape[2]
    oc = out.shape[3]
    dm, ws = _channels(L, op, x, w, out, depthwise)
    mults, shifts = zip(*multipliers(x.quant.s(), ws, out.quant.s()))
    bias = L.bias(op, 2, oc)
    amin, amax = L.act(op, out)
    kind = "depthwise" if depthwise else "conv"
    filt, bias, layout, flags, mults, shifts = L.layout_weights(op, w, bias, mults, shifts, -x.quant.zp(),
                                                                out.quant.zp(), kind, out.name)
    p = dict(stride_h=sh, stride_w=sw, dilation_h=dh, dilation_w=dw, pad_top=pt, pad_left=pl,
             input_offset=-x.quant.zp(), output_offset=out.quant.zp(), act_min=amin, act_max=amax,
             depth_multiplier=dm, layout=layout, flags=flags)
    p["in"], p["filter"], p["out"] = shape4(x.shape), shape4(w.shape), shape4(out.shape)
    prepare = getattr(L.layout, "prepare", None)
    if prepare and layout == L.layout.LAYOUT:
        # Constants the kernels would build in scratch at every call, made
        # here and stored after the bias: less scratch, less set-up.
        extra = prepare(p, L.g.t(filt).data, L.g.t(bias).data, mults, shifts)
        if extra is not None:
            unprepared = dict(p)
            p["flags"] |= L.layout.PREPARED
            bt = L.g.t(bias)
            bias_data = np.asarray(bt.data, np.int32)
            bt.data = np.concatenate([bias_data, extra])
            bt.shape = bt.data.shape
    m = L.const_i32(f"{out.name}/multiplier", mults)
    s = L.const_i32(f"{out.name}/shift", shifts)
    macs = out.count * kh * kw * (1 if depthwise else w.shape[3])
    scratch_fn = L.layout.depthwise_scratch_bytes if depthwise else L.layout.conv_scratch_bytes
    nbytes = scratch_fn(p) if layout == L.layout.LAYOUT else 0
    scratch = [L.g.add_tensor(f"{out.name}/scratch", ir.INT8, (nbytes,)).index] if nbytes else []
    L.emit(op, "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x.index, filt, bias, m, s],
           [out.index], _conv_record(p), macs=macs, scratch=scratch)
    if p["flags"] & getattr(L.layout, "PREPARED", 0):
        # What the converter restores where the prepared constants would
        # cost flash without saving RAM (convert._unprepare).
        L.ops[-1].unprepared = (_conv_record(unprepared), bias_data, scratch_fn(unprepared))


BIAS32 = 4  # kernels.h SPRAT_CONV_BIAS32
_TFL_INT32, _TFL_INT64 = 2, 4  # TFLite's TensorType codes (quantized_bias_type)


def bias16(L, op, i, n, allow32=True, allow16=False):
    """An int16 layer's optional bias (int64, or int32 where TFLite takes
    one) and whether it is int32: TFLite then sums in 32 bits. Without a
    bias the options' quantized_bias_type decides, as in TFLite. allow16:
    an int16 bias, widened to int64 here as TFLM's TRANSPOSE_CONV does."""
    want = op.options.get("quantized_bias_type", 0)
    if len(op.inputs) <= i or op.inputs[i] < 0:
        return -1, allow32 and want == _TFL_INT32
    b = L.g.t(op.inputs[i])
    if allow16 and b.type == ir.INT16 and b.is_const and b.count == n:
        return L.g.add_tensor(f"{b.name}/int64", ir.INT64, (n,), b.quant, np.asarray(b.data, np.int64)).index, False
    types = (ir.INT64, ir.INT32) if allow32 else (ir.INT64,)
    if b.type not in types or not b.is_const or b.count != n:
        kinds = "an int64 or int32" if allow32 else "an int64"
        raise L.err(op, f"bias must be {kinds} constant vector of {n} values (one per output channel)", b.name)
    if want in (_TFL_INT32, _TFL_INT64) and (b.type == ir.INT32) != (want == _TFL_INT32):
        raise L.err(op, "the bias type differs from the options' quantized_bias_type", b.name)
    return b.index, b.type == ir.INT32


def check_shifts16(L, op, shifts, bias32):
    """The 64-bit requantization shifts right by 15 - shift: TFLite takes
    shifts up to 7 there."""
    if not bias32 and max(shifts) > 7:
        raise L.err(op, f"the scales give a multiplier of 2^{max(shifts)} or more; TFLite's 64-bit "
                        "requantization takes at most 2^7")


def _conv_s16(L, op, depthwise):
    """16x8: int16 input and output (symmetric), int8 per-channel filter;
    layout PLAIN whatever the target (the int16 kernels are portable)."""
    x = L.tensor(op, 0, types=(ir.INT16,))
    w = L.tensor(op, 1)
    out = L.output(op, types=(ir.INT16,))
    sh, sw, dh, dw, pt, pl = _window(L, op, x, w, out)
    L.symmetric16(op, x, out)
    kh, kw = w.shape[1], w.shape[2]
    oc = out.shape[3]
    if x.shape[0] != out.shape[0]:
        raise L.err(op, "input and output batches differ", out.name)
    if depthwise and w.shape[0] != 1:
        raise L.err(op, "filter/output channels do not match the input's", w.name)
    dm, ws = _channels(L, op, x, w, out, depthwise)
    mults, shifts = zip(*multipliers(x.quant.s(), ws, out.quant.s()))
    bias, bias32 = bias16(L, op, 2, oc, allow32=not depthwise)
    check_shifts16(L, op, shifts, bias32)
    amin, amax = L.act16(op, out)
    p = dict(stride_h=sh, stride_w=sw, dilation_h=dh, dilation_w=dw, pad_top=pt, pad_left=pl, input_offset=0,
             output_offset=0, act_min=amin, act_max=amax, depth_multiplier=dm, layout=layouts.plain.LAYOUT,
             flags=BIAS32 if bias32 else 0)
    p["in"], p["filter"], p["out"] = shape4(x.shape), shape4(w.shape), shape4(out.shape)
    L.emit(op, "DEPTHWISE_CONV_2D_S16" if depthwise else "CONV_2D_S16",
           [x.index, w.index, bias, L.const_i32(f"{out.name}/multiplier", mults),
            L.const_i32(f"{out.name}/shift", shifts)], [out.index], _conv_record(p),
           macs=out.count * kh * kw * (1 if depthwise else w.shape[3]))


def conv_2d(L, op):
    if L.is_int16(op):
        return _conv_s16(L, op, False)
    _conv_like(L, op, False)


def depthwise_conv_2d(L, op):
    if L.is_int16(op):
        return _conv_s16(L, op, True)
    _conv_like(L, op, True)


def transpose_conv(L, op):
    s16 = L.g.t(op.inputs[2]).type == ir.INT16 if len(op.inputs) > 2 and op.inputs[2] >= 0 else False
    w, x = L.tensor(op, 1), L.tensor(op, 2, types=(ir.INT16,) if s16 else (ir.INT8,))
    out = L.output(op, types=(ir.INT16,) if s16 else (ir.INT8,))
    if len(x.shape) != 4 or len(w.shape) != 4 or len(out.shape) != 4 or not w.is_const:
        raise L.err(op, "expects 4-D input, constant filter and 4-D output")
    if np.any(w.quant.zero_point != 0):
        raise L.err(op, "int8 filters must be symmetric (zero point 0)", w.name)
    oc, kh, kw, ic = w.shape
    if ic != x.shape[3] or oc != out.shape[3] or x.shape[0] != out.shape[0]:
        raise L.err(op, "filter/output channels do not match the input's", w.name)
    o = op.options
    sh, sw = o.get("stride_h", 1), o.get("stride_w", 1)
    # TFLite computes the padding with the output playing the input's role.
    pt = padding_offset(o.get("padding", 1), out.shape[1], kh, sh, 1, x.shape[1])
    pl = padding_offset(o.get("padding", 1), out.shape[2], kw, sw, 1, x.shape[2])
    if pt is None or pl is None:
        raise L.err(op, f"input {list(x.shape)} does not follow from output {list(out.shape)}, "
                        f"filter {list(w.shape)}, strides and padding", out.name)
    ws = np.broadcast_to(w.quant.scale.astype(np.float32), (oc,))
    mults, shifts = zip(*multipliers(x.quant.s(), ws, out.quant.s()))
    if s16:  # 16x8: int64 bias and accumulators, symmetric int16
        L.symmetric16(op, x, out)
        bias, _ = bias16(L, op, 3, oc, allow32=False, allow16=True)
        check_shifts16(L, op, shifts, False)
        amin, amax = L.act16(op, out)
    else:
        bias = L.bias(op, 3, oc)
        amin, amax = L.act(op, out)
    acc = L.g.add_tensor(f"{out.name}/accumulators", ir.INT64 if s16 else ir.INT32, out.shape)
    p = dict(stride_h=sh, stride_w=sw, dilation_h=1, dilation_w=1, pad_top=pt, pad_left=pl,
             input_offset=-x.quant.zp(), output_offset=out.quant.zp(), act_min=amin, act_max=amax,
             depth_multiplier=0, layout=layouts.plain.LAYOUT, flags=0)
    p["in"], p["filter"], p["out"] = shape4(x.shape), shape4(w.shape), shape4(out.shape)
    L.emit(op, "TRANSPOSE_CONV_S16" if s16 else "TRANSPOSE_CONV",
           [x.index, w.index, bias, L.const_i32(f"{out.name}/multiplier", mults),
            L.const_i32(f"{out.name}/shift", shifts)], [out.index],
           _conv_record(p), macs=x.count * kh * kw * oc, scratch=[acc.index], name="TRANSPOSE_CONV")


# int4 weights are unpacked to int8 as the model is read (converter/tflite_reader.py).
_INT4 = "int8 weights, or TFLite's int4 (unpacked to int8)"

OPS = {
    "CONV_2D": Lowers(conv_2d, ("int8", "int16"), note=_INT4),
    "DEPTHWISE_CONV_2D": Lowers(depthwise_conv_2d, ("int8", "int16"), note=_INT4),
    "TRANSPOSE_CONV": Lowers(transpose_conv, ("int8", "int16"), note="16x8: an int64 bias, or int16 (TFLM's, widened to int64)"),
}
