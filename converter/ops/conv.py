"""CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV (runtime/ops/conv.c): the
per-channel requantization, padding from the output shape as TFLite
derives it, weights in the target library's layout and, where the library
prepares them offline, its kernel constants after the bias."""

import numpy as np

from converter import ir, layouts
from converter.lower import i32, multipliers, padding_offset, shape4


def _conv_record(p):
    """sprat_conv_params, field by field."""
    return i32(*p["in"], *p["filter"], *p["out"], p["stride_h"], p["stride_w"], p["dilation_h"], p["dilation_w"],
               p["pad_top"], p["pad_left"], p["input_offset"], p["output_offset"], p["act_min"], p["act_max"],
               p["depth_multiplier"], p["layout"], p["flags"])


def _conv_like(L, op, depthwise):
    x = L.tensor(op, 0)
    w = L.tensor(op, 1)
    out = L.output(op)
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
    ws = np.broadcast_to(ws, (oc,))
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


def conv_2d(L, op):
    _conv_like(L, op, False)


def depthwise_conv_2d(L, op):
    _conv_like(L, op, True)


def transpose_conv(L, op):
    w, x = L.tensor(op, 1), L.tensor(op, 2)
    out = L.output(op)
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
    bias = L.bias(op, 3, oc)
    amin, amax = L.act(op, out)
    acc = L.g.add_tensor(f"{out.name}/accumulators", ir.INT32, out.shape)
    p = dict(stride_h=sh, stride_w=sw, dilation_h=1, dilation_w=1, pad_top=pt, pad_left=pl,
             input_offset=-x.quant.zp(), output_offset=out.quant.zp(), act_min=amin, act_max=amax,
             depth_multiplier=0, layout=layouts.plain.LAYOUT, flags=0)
    p["in"], p["filter"], p["out"] = shape4(x.shape), shape4(w.shape), shape4(out.shape)
    L.emit(op, "TRANSPOSE_CONV", [x.index, w.index, bias, L.const_i32(f"{out.name}/multiplier", mults),
                                  L.const_i32(f"{out.name}/shift", shifts)], [out.index],
           _conv_record(p), macs=x.count * kh * kw * oc, scratch=[acc.index])


OPS = {
    "CONV_2D": conv_2d,
    "DEPTHWISE_CONV_2D": depthwise_conv_2d,
    "TRANSPOSE_CONV": transpose_conv,
}
