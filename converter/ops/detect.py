"""TFLite_Detection_PostProcess, the custom op closing SSD detectors: box
decoding against constant anchors, score thresholds and non-max
suppression (regular or fast), four float32 outputs. LiteRT's kernel
(BUILTIN_REF registers it) is the oracle; TFLM's differs (float inputs only,
its fast NMS's slots with several classes per detection, detections_per_class
not capped by max_detections).

The op runs in float as TFLite's does (runtime/ops/detect.c,
kernels/portable/detection_postprocess.c), except the decode's exp, whose
last bit differs between C libraries: box encodings are quantized codes
(uint8 as TFLite's kernel reads them, or the int8 codes behind a DEQUANTIZE
of them), so every exp the kernel could need is computed here, with the
host's libm as LiteRT computes it, into a table of 256 per coordinate. Class
scores are float32, or codes looked up in a table (uint8, or the int8 behind
a DEQUANTIZE). TFLite's four outputs come out of one packed float32 tensor
(the runtime's ops have one output) that four COPY ops split."""

import math
import struct

import numpy as np

from converter import ir, quant
from converter.lower import Lowers, i32

CODE = "CUSTOM:TFLite_Detection_PostProcess"
_FLOAT_BOXES = ("float32 box encodings: the decode's exp differs in its last bit between C libraries, so sprat "
                "computes it offline per quantized code; feed uint8 box encodings, or int8 ones through a "
                "DEQUANTIZE")


def _opt(L, op, key, kind, default):
    """The option as TFLite's Init reads it from the flexbuffer map
    (AsInt32, AsFloat, AsBool; an absent key reads as 0)."""
    v = op.options.get(key)
    if v is None:
        return default
    if isinstance(v, (bool, np.bool_)):
        v = int(v)
    if not isinstance(v, (int, float, np.integer, np.floating)):
        raise L.err(op, f"option {key} = {v!r} is not a number")
    if kind == "int":
        return int(v)
    if kind == "bool":
        return v != 0
    return quant.f32(float(v))


def _per_tensor(L, op, t):
    if t.quant is None:
        raise L.err(op, f"{ir.TYPE_NAMES[t.type]} tensor without quantization parameters", t.name)
    if t.quant.per_channel:
        raise L.err(op, "per-channel quantization is not supported here (TFLite's kernel reads one scale)", t.name)
    return np.float32(t.quant.s()), t.quant.zp()


def _dequantized_from(L, op, t):
    """The DEQUANTIZE (int8, one scale) whose output t is, through RESHAPE
    aliases, or None."""
    i = t.index
    while i in L.g.aliases:
        i = L.g.aliases[i]
    prod = L.g.producer(i)
    if prod is None or prod.name != "DEQUANTIZE" or not prod.inputs or prod.inputs[0] < 0:
        return None
    src = L.g.t(prod.inputs[0])
    if src.type != ir.INT8 or src.quant is None or src.quant.per_channel or src.is_const:
        return None
    return prod


def _drop_if_unused(L, op, deq):
    """Drops the lowered DEQUANTIZE whose float32 output only this op reads
    (it reads the int8 codes instead): the float32 tensor would be four
    times the codes in the arena."""
    out = deq.outputs[0]
    root = L.g.buffer_of(out)
    same = {k for k in range(len(L.g.tensors)) if L.g.buffer_of(k) == root}
    if same & set(L.g.outputs):
        return
    if any(o is not op and same & set(x for x in o.inputs if x >= 0) for o in L.g.ops):
        return
    L.ops[:] = [s for s in L.ops if not (s.source == deq.index and s.outputs == [out])]


def _codes(L, op, t, what):
    """(codes tensor, int8?, per-code dequantized float32 values, the
    DEQUANTIZE read through or None) of a quantized input."""
    if t.type == ir.UINT8:
        s, zp = _per_tensor(L, op, t)
        # TFLite's Dequantizer: (float(code) - zero_point) * scale, in float.
        values = np.float32(np.arange(256) - zp) * s
        return t, False, values, None
    if t.type == ir.FLOAT32:
        deq = _dequantized_from(L, op, t)
        if deq is None:
            return None
        src = L.g.t(deq.inputs[0])
        s, zp = _per_tensor(L, op, src)
        # DEQUANTIZE's float(double(scale) * (code - zero_point)).
        values = (np.float64(s) * (np.arange(-128, 128) - zp)).astype(np.float32)
        return src, True, values, deq
    if t.type == ir.INT8:
        raise L.err(op, f"int8 {what}: TFLite's kernel reads them as uint8 or float32 (int8 ones need a DEQUANTIZE "
                        "before the op)", t.name)
    raise L.err(op, f"{what} of type {ir.TYPE_NAMES.get(t.type, t.type)}: TFLite's kernel takes uint8 or float32",
                t.name)


def _exp(x):
    """C's exp (the host's libm, as LiteRT calls it): infinity past
    overflow, where Python's raises."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _decode_table(values, scales):
    """Per code, as doubles: y / y_scale, x / x_scale, 0.5 * exp(h / h_scale),
    0.5 * exp(w / w_scale), TFLite's double operations on the dequantized
    code before the anchor's."""
    table = np.zeros((4, 256), np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for k in range(4):
            q = np.float64(values) / np.float64(scales[k])
            table[k] = q if k < 2 else [0.5 * _exp(float(v)) for v in q]
    return table


def detection_postprocess(L, op):
    if "_custom_options_error" in op.options or "_custom_options" in op.options:
        raise L.err(op, "its custom options are not a flexbuffer map (max_detections, num_classes, ...)")
    if len(op.inputs) != 3 or any(i < 0 for i in op.inputs):
        raise L.err(op, f"{len(op.inputs)} inputs: it takes box encodings, class predictions and anchors")
    if len(op.outputs) != 4:
        raise L.err(op, f"{len(op.outputs)} outputs: it makes boxes, classes, scores and the number of detections")
    max_det = _opt(L, op, "max_detections", "int", 0)
    per_det = _opt(L, op, "max_classes_per_detection", "int", 0)
    per_class = _opt(L, op, "detections_per_class", "int", 100)
    regular = _opt(L, op, "use_regular_nms", "bool", False)
    score_thr = _opt(L, op, "nms_score_threshold", "float", 0.0)
    iou_thr = _opt(L, op, "nms_iou_threshold", "float", 0.0)
    num_classes = _opt(L, op, "num_classes", "int", 0)
    scales = [_opt(L, op, k, "float", 0.0) for k in ("y_scale", "x_scale", "h_scale", "w_scale")]
    box, cls, anchors = (L.g.t(i) for i in op.inputs)
    if len(box.shape) != 3 or len(cls.shape) != 3 or len(anchors.shape) != 2:
        raise L.err(op, f"box encodings {list(box.shape)}, class predictions {list(cls.shape)}, anchors "
                        f"{list(anchors.shape)}: TFLite wants ranks 3, 3 and 2")
    if box.shape[0] != 1 or cls.shape[0] != 1:
        raise L.err(op, "a batch of more than one: TFLite's kernel runs batch 1")
    n, stride = box.shape[1], box.shape[2]
    with_bg = cls.shape[2]
    if stride < 4:
        raise L.err(op, f"box encodings of {stride} values per box: TFLite wants at least 4", box.name)
    if cls.shape[1] != n:
        raise L.err(op, f"class predictions for {cls.shape[1]} boxes, box encodings for {n}", cls.name)
    if num_classes < 1 or not num_classes <= with_bg <= num_classes + 1:
        raise L.err(op, f"num_classes {num_classes} with class predictions of {with_bg} per box: TFLite wants "
                        "num_classes or num_classes + 1 (a background class first)", cls.name)
    if max_det < 1 or per_det < 1:
        raise L.err(op, f"max_detections {max_det}, max_classes_per_detection {per_det}: both must be at least 1")
    per_class = min(per_class, max_det)
    if regular and per_class < 1:
        raise L.err(op, f"detections_per_class {per_class}: the regular NMS needs at least 1")
    if not (np.float32(iou_thr) > 0 and np.float32(iou_thr) <= 1):
        raise L.err(op, f"nms_iou_threshold {iou_thr:g}: TFLite wants it in (0, 1]")
    slots = max_det * per_det
    want = [(1, slots, 4), (1, slots), (1, slots), (1,)]
    outs = [L.g.t(i) for i in op.outputs]
    for t, shape, what in zip(outs, want, ("boxes", "classes", "scores", "number of detections")):
        if t.type != ir.FLOAT32 or tuple(t.shape) != shape:
            raise L.err(op, f"output {what}: {ir.TYPE_NAMES.get(t.type, t.type)} {list(t.shape)}, TFLite makes "
                            f"float32 {list(shape)}", t.name)

    got = _codes(L, op, box, "box encodings")
    if got is None:
        raise L.err(op, _FLOAT_BOXES, box.name)
    codes, box_int8, box_values, box_deq = got
    if not anchors.is_const:
        raise L.err(op, "the anchors must be a constant", anchors.name)
    if anchors.shape[0] < n or anchors.shape[1] != 4:
        raise L.err(op, f"anchors {list(anchors.shape)}: TFLite reads [{n}, 4] (y, x, h, w per box)", anchors.name)
    if box.type == ir.UINT8:
        if anchors.type != ir.UINT8:
            raise L.err(op, f"{ir.TYPE_NAMES.get(anchors.type, anchors.type)} anchors with uint8 box encodings: "
                            "TFLite's kernel reads them as uint8", anchors.name)
        s, zp = _per_tensor(L, op, anchors)
        a = np.float32(anchors.data[:n].astype(np.int64) - zp) * s
    else:
        if anchors.type != ir.FLOAT32:
            raise L.err(op, f"{ir.TYPE_NAMES.get(anchors.type, anchors.type)} anchors with float32 box encodings: "
                            "TFLite wants float32 ones", anchors.name)
        a = np.asarray(anchors.data[:n], np.float32)
    negative = np.flatnonzero((a[:, 2] < 0) | (a[:, 3] < 0))
    if negative.size:
        raise L.err(op, f"anchor {int(negative[0])} has a negative height or width: TFLite stops with an error on "
                        "the boxes it decodes from it", anchors.name)

    scores_kind, score_table, split, cls_deq = 0, -1, 0, None
    if cls.type == ir.FLOAT32 and _dequantized_from(L, op, cls) is None:
        scores_in = cls
    else:
        scores_in, cls_int8, values, cls_deq = _codes(L, op, cls, "class predictions")
        scores_kind = 2 if cls_int8 else 1
        table = np.concatenate([values, values])
        if not cls_int8:
            # LiteRT's optimized Dequantize (its NEON code, NEON_2_SSE on
            # x86): 8 at a time code * scale + (-zero_point * scale) in
            # float, the last count % 8 as float(double(scale) * (code -
            # zero_point)).
            s, zp = _per_tensor(L, op, cls)
            split = cls.count // 8 * 8
            table[:256] = np.float32(np.float32(np.arange(256)) * s) + np.float32(-zp * np.float64(s))
            table[256:] = (np.float64(s) * (np.arange(256) - zp)).astype(np.float32)
        score_table = L.g.add_tensor(f"{cls.name}/score_table", ir.FLOAT32, (512,), None,
                                     table.astype(np.float32)).index

    name = op.options.get("_display", "TFLite_Detection_PostProcess")
    decode = _decode_table(box_values, scales)
    decode = L.g.add_tensor(f"{box.name}/decode_table", ir.UINT8, (decode.nbytes,), None,
                            np.frombuffer(decode.astype("<f8").tobytes(), np.uint8).copy()).index
    anchor_t = L.g.add_tensor(f"{anchors.name}/decoded", ir.FLOAT32, (n, 4), None, a).index
    per_anchor = min(per_det, num_classes)
    words = n * 10 + min(n, max_det) + (2 * max_det if regular else n * per_anchor + 2 * num_classes)
    scratch = L.g.add_tensor(f"{name}/scratch", ir.INT8, (4 * words,))
    packed = L.g.add_tensor(f"{name}/packed", ir.FLOAT32, (slots * 6 + 1,))
    params = i32(n, stride, int(box_int8), num_classes, with_bg, scores_kind, split, max_det, per_det, per_class,
                 int(regular)) + struct.pack("<ff", score_thr, iou_thr)
    for deq in (box_deq, cls_deq):
        if deq is not None:
            _drop_if_unused(L, op, deq)
    L.emit(op, "DETECTION_POSTPROCESS", [codes.index, scores_in.index, anchor_t, decode, score_table], [packed.index],
           params, name=name, macs=n * with_bg + n * n, scratch=[scratch.index])
    start = 0
    for t, what in zip(outs, ("boxes", "classes", "scores", "num_detections")):
        L.emit(op, "COPY", [packed.index], [t.index], L.copy_params([t.count], 4, start, [1], 0, [1]),
               name=f"{name}/{what}")
        start += t.count


OPS = {
    CODE: Lowers(detection_postprocess, ("uint8", "float32"),
                 note="oracle: LiteRT's BUILTIN_REF kernel (TFLM's is float-only and differs with several "
                      "classes per detection); box encodings uint8 or int8 through a DEQUANTIZE (the decode's exp "
                      "tabulated offline per code with the host's libm, as LiteRT computes it; float32 ones "
                      "refused), class predictions uint8 (dequantized as LiteRT's x86 build does), float32 or int8 "
                      "through a DEQUANTIZE; output slots TFLite leaves unwritten are 0"),
}
