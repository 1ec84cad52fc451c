"""TFLite_Detection_PostProcess beyond the op suite: scores that tie
everywhere (TFLite's orders for equal scores: a stable sort of the
candidates, libstdc++'s partial_sort of each anchor's classes, the first
maximum, stable merges across classes), the DEQUANTIZE the op reads
through, and what the converter refuses."""

import numpy as np
import pytest

from converter.convert import convert
from converter.errors import ConvertError
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference

CODE = "TFLite_Detection_PostProcess"


def _model(n, num_classes, background=1, regular=False, max_det=8, per_det=1, per_class=None, score=0.1, iou=0.5,
           box_type="uint8", cls_type="uint8", anchors=None, outputs=None, seed=0):
    rng = np.random.default_rng(seed)
    m = ModelWriter()
    box = m.tensor("boxes", (1, n, 4), type=box_type,
                   **(dict(scale=0.04, zp=64) if box_type in ("uint8", "int8") else {}))
    cls = m.tensor("scores", (1, n, num_classes + background), type=cls_type,
                   **(dict(scale=0.25, zp=0) if cls_type in ("uint8", "int8") else {}))
    if anchors is None:
        a = np.concatenate([rng.uniform(0.2, 0.8, (n, 2)), rng.uniform(0.1, 0.4, (n, 2))], axis=1)
        anchors = m.tensor("anchors", (n, 4), type="uint8", data=np.round(a * 200), scale=0.005, zp=0) \
            if box_type == "uint8" else m.tensor("anchors", (n, 4), type="float32", data=a)
    else:
        anchors = anchors(m)
    slots = max_det * per_det
    outs = outputs(m) if outputs else [m.tensor("b", (1, slots, 4), type="float32"),
                                       m.tensor("c", (1, slots), type="float32"),
                                       m.tensor("s", (1, slots), type="float32"),
                                       m.tensor("n", (1,), type="float32")]
    opts = dict(max_detections=max_det, max_classes_per_detection=per_det, use_regular_nms=regular,
                nms_score_threshold=score, nms_iou_threshold=iou, num_classes=num_classes, y_scale=10.0,
                x_scale=10.0, h_scale=5.0, w_scale=5.0)
    if per_class is not None:
        opts["detections_per_class"] = per_class
    m.custom_op(CODE, [box, cls, anchors], outs, **opts)
    return m.finish([box, cls], outs)


def _same(got, want):
    return len(got) == len(want) and all(g.dtype == w.dtype and g.shape == w.shape and np.array_equal(g, w)
                                         for g, w in zip(got, want))


@pytest.mark.parametrize("regular", [False, True])
def test_tied_scores_in_tflite_order(host, regular):
    """Scores of four values only, many classes, several classes per
    detection: nearly every order decision is between equal scores."""
    bad = []
    for k in range(60):
        rng = np.random.default_rng([k, regular])
        n, c = int(rng.integers(2, 80)), int(rng.integers(2, 30))
        data = _model(n, c, background=int(k % 2), regular=regular, max_det=int(rng.integers(1, 20)),
                      per_det=int(rng.integers(1, 6)), per_class=int(rng.integers(1, 10)), score=0.2,
                      iou=float(rng.uniform(0.1, 0.9)), seed=k)
        r = convert(data)
        x = [rng.integers(0, 256, (1, n, 4)).astype(np.uint8),
             rng.integers(0, 4, (1, n, c + k % 2)).astype(np.uint8)]
        want, oracle = reference.run_with_oracle(data, x)
        assert oracle == reference.LITERT  # BUILTIN_REF registers the op: the kernel sprat follows
        if not _same(H.run_result(host, r, x), want):
            bad.append(k)
    assert not bad, bad


def test_float_scores_and_ties(host):
    """float32 class predictions with repeated values (ties) and every
    count of classes around the SIMD argmax's width."""
    bad = []
    for k in range(40):
        rng = np.random.default_rng([k, 5])
        n, c = int(rng.integers(1, 40)), int(rng.integers(1, 11))
        data = _model(n, c, background=0, max_det=int(rng.integers(1, 10)), per_det=int(rng.integers(1, 3)),
                      score=0.3, cls_type="float32", seed=k)
        r = convert(data)
        x = [rng.integers(0, 256, (1, n, 4)).astype(np.uint8),
             rng.choice(np.float32([0.1, 0.5, 0.7, 0.9, -0.0, 0.0]), (1, n, c))]
        if not _same(H.run_result(host, r, x), reference.run(data, x)):
            bad.append(k)
    assert not bad, bad


def _dequantized(also_output):
    m = ModelWriter()
    n, c = 30, 5
    bq = m.tensor("boxes_q", (1, n, 4), scale=0.02, zp=0)
    bf = m.tensor("boxes", (1, n, 4), type="float32")
    m.op("DEQUANTIZE", [bq], [bf])
    sq = m.tensor("scores_q", (1, n, c), scale=1 / 256, zp=-128)
    sf = m.tensor("scores", (1, n, c), type="float32")
    m.op("DEQUANTIZE", [sq], [sf])
    rng = np.random.default_rng(3)
    a = m.tensor("anchors", (n, 4), type="float32",
                 data=np.concatenate([rng.uniform(0, 1, (n, 2)), rng.uniform(0.1, 0.3, (n, 2))], axis=1))
    outs = [m.tensor("b", (1, 6, 4), type="float32"), m.tensor("c", (1, 6), type="float32"),
            m.tensor("s", (1, 6), type="float32"), m.tensor("n", (1,), type="float32")]
    m.custom_op(CODE, [bf, sf, a], outs, max_detections=6, max_classes_per_detection=1, nms_score_threshold=0.5,
                nms_iou_threshold=0.4, num_classes=c, y_scale=10.0, x_scale=10.0, h_scale=5.0, w_scale=5.0)
    return m.finish([bq, sq], outs + ([sf] if also_output else []))


@pytest.mark.parametrize("also_output", [False, True])
def test_reads_the_int8_behind_a_dequantize(host, also_output):
    """The op reads the DEQUANTIZEs' int8 inputs through tables; a
    DEQUANTIZE whose float32 output nothing else reads is gone, with its
    four-times-larger buffer."""
    data = _dequantized(also_output)
    r = convert(data)
    names = [layer.name for layer in r.layers]
    assert names.count("DEQUANTIZE") == int(also_output), names
    for seed in range(5):
        x = reference.random_inputs(r, seed)
        assert _same(H.run_result(host, r, x), reference.run(data, x))


def _float_anchors(m):
    return m.tensor("anchors", (4, 4), type="float32", data=np.full((4, 4), 0.5))


@pytest.mark.parametrize("kwargs, match", [
    (dict(box_type="float32", cls_type="float32", anchors=_float_anchors),
     r"tensor 'boxes': float32 box encodings: the decode's exp differs in its last bit between C libraries"),
    (dict(box_type="int8", anchors=_float_anchors), r"tensor 'boxes': int8 box encodings: TFLite's kernel reads them "
                                                    r"as uint8 or float32"),
    (dict(cls_type="int8"), r"tensor 'scores': int8 class predictions"),
    (dict(anchors=_float_anchors), r"tensor 'anchors': float32 anchors with uint8 box encodings"),
    (dict(anchors=lambda m: m.tensor("anchors", (4, 4), type="uint8", data=np.full((4, 4), 3), scale=0.1, zp=5)),
     r"tensor 'anchors': anchor 0 has a negative height or width"),
    (dict(anchors=lambda m: m.tensor("anchors", (3, 4), type="uint8", data=np.ones((3, 4)), scale=0.1, zp=0)),
     r"tensor 'anchors': anchors \[3, 4\]: TFLite reads \[4, 4\]"),
    (dict(num_classes=3, background=2), r"num_classes 3 with class predictions of 5 per box"),
    (dict(iou=0.0), r"nms_iou_threshold 0: TFLite wants it in \(0, 1\]"),
    (dict(outputs=lambda m: [m.tensor("b", (1, 9, 4), type="float32"), m.tensor("c", (1, 8), type="float32"),
                             m.tensor("s", (1, 8), type="float32"), m.tensor("n", (1,), type="float32")]),
     r"output boxes: float32 \[1, 9, 4\], TFLite makes float32 \[1, 8, 4\]"),
])
def test_refused_by_name(kwargs, match):
    kw = dict(n=4, num_classes=3)
    kw.update(kwargs)
    with pytest.raises(ConvertError, match=r"op 0 \(CUSTOM:TFLite_Detection_PostProcess\).*" + match):
        convert(_model(**kw))
