"""Op-suite generators of the detect family (see tests/opsuite.py):
TFLite_Detection_PostProcess with random anchors, box encodings and scores,
both NMS variants, up to 40 classes, with and without a background class,
several classes per detection, thresholds that keep some boxes but not all.

The model's inputs are drawn by reference.random_inputs: uint8 codes in
[0, 127], int8 in [-128, 127], float32 standard normal; the quantization
here is chosen around those ranges. uint8 scores tie often (a few dozen
values over many boxes), which exercises TFLite's orders for equal scores."""

import numpy as np

from converter.writer import ModelWriter

CODE = "TFLite_Detection_PostProcess"


def _anchors(rng, n):
    """[n, 4] (y, x, h, w): centres in the unit square, sizes from small to
    a third of it, so that neighbours overlap by all sorts of IoUs."""
    a = np.empty((n, 4))
    a[:, :2] = rng.uniform(0.0, 1.0, (n, 2))
    a[:, 2:] = rng.uniform(0.02, 0.35, (n, 2))
    if n > 3 and rng.random() < 0.3:  # a few anchors on one spot, as SSD's aspect ratios are
        a[1:3, :2] = a[0, :2]
    return a


def _options(rng, num_classes):
    regular = bool(rng.random() < 0.5)
    max_det = int(rng.integers(1, 16))
    per_det = int(rng.integers(1, 4)) if rng.random() < 0.6 else 1
    if rng.random() < 0.1:
        per_det = num_classes + int(rng.integers(1, 3))  # more than there are classes: slots left unwritten
    opts = dict(max_detections=max_det, max_classes_per_detection=per_det, use_regular_nms=regular,
                nms_iou_threshold=float(rng.choice([float(rng.uniform(0.1, 0.9)), 1.0], p=[0.9, 0.1])),
                num_classes=num_classes, y_scale=float(rng.uniform(5, 12)), x_scale=float(rng.uniform(5, 12)),
                h_scale=float(rng.uniform(3, 7)), w_scale=float(rng.uniform(3, 7)))
    if rng.random() < 0.8:  # else TFLite's default, 100
        opts["detections_per_class"] = int(rng.integers(1, 12))
    return opts


def _sizes(rng):
    n = int(rng.integers(1, 50)) if rng.random() < 0.8 else int(rng.integers(50, 300))
    num_classes = int(rng.integers(1, 8)) if rng.random() < 0.7 else int(rng.integers(8, 41))
    background = int(rng.random() < 0.6)
    stride = 4 if rng.random() < 0.7 else int(rng.integers(5, 11))  # keypoints after the box
    return n, num_classes, background, stride


def _outputs(m, opts):
    slots = opts["max_detections"] * opts["max_classes_per_detection"]
    return [m.tensor("detection_boxes", (1, slots, 4), type="float32"),
            m.tensor("detection_classes", (1, slots), type="float32"),
            m.tensor("detection_scores", (1, slots), type="float32"),
            m.tensor("num_detections", (1,), type="float32")]


def _desc(n, num_classes, background, stride, opts, kinds):
    return (f"{n} boxes x{stride} {num_classes} classes{' + background' if background else ''} "
            f"{'regular' if opts['use_regular_nms'] else 'fast'} max_det {opts['max_detections']} "
            f"per_det {opts['max_classes_per_detection']} per_class {opts.get('detections_per_class', 100)} "
            f"score>={opts['nms_score_threshold']:.3g} iou>{opts['nms_iou_threshold']:.3g} {kinds}")


def detection_postprocess(rng):
    """uint8 box encodings and anchors (TFLite's quantized path), class
    predictions uint8 or float32."""
    n, num_classes, background, stride = _sizes(rng)
    opts = _options(rng, num_classes)
    m = ModelWriter()
    # Codes 0..127: y, x about +-2.5 (a quarter of an anchor at scale 10),
    # h, w giving exp(+-0.6) at scale 5.
    box_s = float(rng.uniform(0.02, 0.06))
    box = m.tensor("box_encodings", (1, n, stride), type="uint8", scale=box_s, zp=int(rng.integers(40, 90)))
    a = _anchors(rng, n)
    a_s = float(rng.uniform(1.2, 2.0)) / 255
    a_zp = int(rng.integers(0, 3))
    codes = np.clip(np.round(a / a_s) + a_zp, a_zp, 255).astype(np.uint8)
    anchors = m.tensor("anchors", (n, 4), type="uint8", data=codes, scale=a_s, zp=a_zp)
    if rng.random() < 0.6:
        s = float(rng.uniform(0.5, 1.0)) / 127
        zp = int(rng.integers(0, 30))
        cls = m.tensor("class_predictions", (1, n, num_classes + background), type="uint8", scale=s, zp=zp)
        opts["nms_score_threshold"] = float((rng.uniform(20, 120) - zp) * s)
        kinds = "uint8 scores"
    else:
        cls = m.tensor("class_predictions", (1, n, num_classes + background), type="float32")
        opts["nms_score_threshold"] = float(rng.uniform(-0.5, 1.8))
        kinds = "float32 scores"
    outs = _outputs(m, opts)
    m.custom_op(CODE, [box, cls, anchors], outs, **opts)
    return m.finish([box, cls], outs), _desc(n, num_classes, background, stride, opts, "uint8 boxes, " + kinds)


def detection_postprocess_dequantized(rng):
    """int8 box encodings and class predictions through DEQUANTIZE ops (as
    full-integer converted SSD models have them), float32 anchors; now and
    then the box encodings reshaped after their DEQUANTIZE, the scores a
    float32 input, or a DEQUANTIZE's output also a model output."""
    n, num_classes, background, stride = _sizes(rng)
    opts = _options(rng, num_classes)
    m = ModelWriter()
    inputs, extra = [], []
    box_s = float(rng.uniform(0.01, 0.03))
    reshaped = rng.random() < 0.25
    q_shape = (1, n * stride) if reshaped else (1, n, stride)
    box_q = m.tensor("box_encodings_int8", q_shape, scale=box_s, zp=int(rng.integers(-20, 21)))
    box_f = m.tensor("box_encodings_float", q_shape, type="float32")
    m.op("DEQUANTIZE", [box_q], [box_f])
    inputs.append(box_q)
    box = box_f
    if reshaped:
        box = m.tensor("box_encodings", (1, n, stride), type="float32")
        shape = m.tensor("shape", (3,), type="int32", data=[1, n, stride])
        m.op("RESHAPE", [box_f, shape], [box], new_shape=[1, n, stride])
    anchors = m.tensor("anchors", (n, 4), type="float32", data=_anchors(rng, n))
    c = num_classes + background
    kinds = "int8 boxes (DEQUANTIZE)" + (" reshaped" if reshaped else "")
    if rng.random() < 0.75:
        s = float(rng.uniform(0.5, 1.0)) / 255
        zp = int(rng.integers(-128, -100))
        cls_q = m.tensor("class_predictions_int8", (1, n, c), scale=s, zp=zp)
        cls = m.tensor("class_predictions", (1, n, c), type="float32")
        m.op("DEQUANTIZE", [cls_q], [cls])
        inputs.append(cls_q)
        opts["nms_score_threshold"] = float(rng.uniform(60, 240) * s)
        kinds += ", int8 scores (DEQUANTIZE)"
        if rng.random() < 0.15:
            extra.append(cls)
            kinds += " also an output"
    else:
        cls = m.tensor("class_predictions", (1, n, c), type="float32")
        inputs.append(cls)
        opts["nms_score_threshold"] = float(rng.uniform(-0.5, 1.8))
        kinds += ", float32 scores"
    outs = _outputs(m, opts)
    m.custom_op(CODE, [box, cls, anchors], outs, **opts)
    return m.finish(inputs, outs + extra), _desc(n, num_classes, background, stride, opts, kinds)


GENERATORS = {
    "CUSTOM:" + CODE: detection_postprocess,
    "CUSTOM:" + CODE + "_DEQUANTIZED": detection_postprocess_dequantized,
}
