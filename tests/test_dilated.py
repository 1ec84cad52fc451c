"""Dilated convolutions as TensorFlow writes them: SPACE_TO_BATCH_ND, a
VALID convolution, BATCH_TO_SPACE_ND (converter/passes.py fold_dilated).
Random dilations, kernels, channels and odd sizes padded on every border,
CONV_2D and DEPTHWISE_CONV_2D, 2-D and Conv1D (through EXPAND_DIMS and
SQUEEZE): folded into one convolution where that is the same computation,
run as the three ops where it is not, byte for byte against LiteRT on the
host and under QEMU (the Cortex-M library)."""

import os

import numpy as np
import pytest

from converter.convert import convert
from converter.writer import ModelWriter
from sprat import host as H
from sprat import jobs, reference
from test_ops_host import seed
from test_qemu import _compare

CONFIGS = int(os.environ.get("SPRAT_DILATED_CONFIGS", "120"))
FOLDED = "SPACE_TO_BATCH_ND+"
# How each draw is built, and whether it must fold.
KINDS = {"same": True, "valid": True, "free": True, "conv1d": True, "crop_first": False, "strided": False,
         "conv_same": False, "mismatch": False, "shared": False}


def _tf_paddings(size, k, r, same):
    """TensorFlow's paddings and crops for a dilated convolution
    (required_space_to_batch_paddings): the padding SAME needs, then the
    end padded to a multiple of the rate and cropped back."""
    total = (k - 1) * r if same else 0
    pb, pa = total // 2, total - total // 2
    extra = -(size + total) % r
    return [pb, pa + extra], [0, extra]


def _free_paddings(rng, size, k, r, d, first_crop=False):
    """Any paddings and crops that make a valid chain; the crop before
    larger than the padding before if asked."""
    pb = int(rng.integers(0, r if first_crop else 2 * r + 1))
    pa = -(size + pb) % r
    need = (k - 1) * d + 1 + (first_crop or rng.random() < 0.3)  # rows of each phase: the convolution fits
    pa += r * max(0, need - (size + pb + pa) // r)
    valid = (size + pb + pa) // r - (k - 1) * d
    cb = pb + int(rng.integers(1, 3)) if first_crop else int(rng.integers(0, pb + 1))
    cb = min(cb, valid * r - 1)
    ce = int(rng.integers(0, valid * r - cb))
    return [pb, pa], [cb, ce]


def dilated_model(rng, kind):
    """(tflite bytes, description) of one SPACE_TO_BATCH_ND -> convolution
    -> BATCH_TO_SPACE_ND chain."""
    conv1d = kind == "conv1d"
    depthwise = bool(rng.random() < 0.4)
    n = int(rng.integers(1, 3))
    sizes = [int(rng.integers(1, 6)) * 2 + 1] if conv1d else [int(rng.integers(1, 6)) * 2 + 1 for _ in range(2)]
    rates = [int(rng.choice([1, 2, 2, 3, 4])) for _ in sizes]
    if all(r == 1 for r in rates):
        rates[0] = 2
    ks = [int(rng.integers(1, 4)) for _ in sizes]
    dils = [int(rng.choice([1, 1, 1, 2])) for _ in sizes]  # the convolution's own dilation
    cin = int(rng.integers(1, 7))
    if kind in ("same", "valid"):
        dils = [1] * len(sizes)
        pc = [_tf_paddings(s, k, r, kind == "same") for s, k, r in zip(sizes, ks, rates)]
        if any((s + p[0] + p[1]) // r - (k - 1) < 1 for s, k, r, (p, _) in zip(sizes, ks, rates, pc)):
            return dilated_model(rng, kind)
    else:
        pc = [_free_paddings(rng, s, k, r, d, kind == "crop_first" and j == 0)
              for j, (s, k, r, d) in enumerate(zip(sizes, ks, rates, dils))]
    pads, crops = [p for p, _ in pc], [c for _, c in pc]
    stride = 2 if kind == "strided" else 1
    mid = [(s + p[0] + p[1]) // r for s, p, r in zip(sizes, pads, rates)]
    if kind == "conv_same":
        sub = [-(-m // stride) for m in mid]
    else:
        sub = [(m - (k - 1) * d - 1) // stride + 1 for m, k, d in zip(mid, ks, dils)]
        if min(sub) < 1:
            return dilated_model(rng, kind)
    b2s_rates = list(rates)
    if kind == "mismatch":
        b2s_rates = [rates[0] * rates[1], 1] if rates[1] != 1 else [1, rates[0]]
        crops = [[0, 0], [0, 0]]
    out = [s * r - c[0] - c[1] for s, r, c in zip(sub, b2s_rates, crops)]
    if min(out) < 1:
        return dilated_model(rng, kind)
    k = int(np.prod(rates))
    in_s, in_zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-20, 21))
    dm = int(rng.integers(1, 3)) if depthwise else 1
    cout = cin * dm if depthwise else int(rng.integers(1, 7))
    kh, kw = (1, ks[0]) if conv1d else ks
    fshape = (1, kh, kw, cout) if depthwise else (cout, kh, kw, cin)
    w_s = rng.uniform(0.002, 0.02, cout)
    out_s = float(np.sqrt(kh * kw * (1 if depthwise else cin)) * 60 * in_s * 70 * float(np.mean(w_s)) / 90)
    out_zp = int(rng.integers(-15, 16))
    m = ModelWriter()
    x = m.tensor("x", [n] + sizes + [cin], scale=in_s, zp=in_zp)
    bt = m.tensor("block", (len(rates),), type="int32", data=rates)
    pt = m.tensor("paddings", (len(rates), 2), type="int32", data=pads)
    s2b = m.tensor("s2b", [n * k] + mid + [cin], scale=in_s, zp=in_zp)
    m.op("SPACE_TO_BATCH_ND", [x, bt, pt], [s2b])
    cin_t = s2b
    if conv1d:
        cin_t = m.tensor("expanded", [n * k, 1] + mid + [cin], scale=in_s, zp=in_zp)
        m.op("EXPAND_DIMS", [s2b, m.tensor("axis", (), type="int32", data=1)], [cin_t])
    wt = m.tensor("w", fshape, data=rng.integers(-127, 128, fshape), scale=w_s, zp=np.zeros(cout),
                  axis=3 if depthwise else 0)
    bias = m.tensor("b", (cout,), type="int32", data=rng.integers(-3000, 3000, cout), scale=in_s * w_s,
                    zp=np.zeros(cout))
    conv_out = m.tensor("conv", [n * k] + ([1] if conv1d else []) + sub + [cout], scale=out_s, zp=out_zp)
    dh, dw = (1, dils[0]) if conv1d else dils
    opts = dict(padding="SAME" if kind == "conv_same" else "VALID", stride_w=stride, stride_h=1 if conv1d else stride,
                dilation_h_factor=dh, dilation_w_factor=dw, fused_activation_function=str(rng.choice(["NONE", "RELU"])))
    if depthwise:
        opts["depth_multiplier"] = dm
    m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [cin_t, wt, bias], [conv_out], **opts)
    b2s_in = conv_out
    if conv1d:
        b2s_in = m.tensor("squeezed", [n * k] + sub + [cout], scale=out_s, zp=out_zp)
        m.op("SQUEEZE", [conv_out], [b2s_in], squeeze_dims=[1])
    y = m.tensor("y", [n] + out + [cout], scale=out_s, zp=out_zp)
    m.op("BATCH_TO_SPACE_ND", [b2s_in, m.tensor("block2", (len(rates),), type="int32", data=b2s_rates),
                               m.tensor("crops", (len(rates), 2), type="int32", data=crops)], [y])
    outputs = [y, s2b] if kind == "shared" else [y]
    desc = (f"{kind}: {'depthwise' if depthwise else 'conv'} in {[n] + sizes + [cin]} kernel {[kh, kw]} "
            f"rate {rates} dilation {dils} paddings {pads} crops {crops} -> {[n] + out + [cout]}")
    return m.finish([x], outputs), desc


def _draws(count):
    names = list(KINDS)
    for i in range(count):
        kind = names[i % len(names)]
        data, desc = dilated_model(np.random.default_rng(seed("DILATED", i)), kind)
        yield i, kind, data, desc


def _folded(r):
    return [op for op in r.ops if op.name.startswith(FOLDED)]


def test_dilated_convolutions_fold_bitexact(host):
    bad, varies = [], 0
    for i, kind, data, desc in _draws(CONFIGS):
        r = convert(data)
        folded = _folded(r)
        if KINDS[kind]:
            assert len(r.ops) == 1 and len(folded) == 1, f"config {i} {desc}: not folded: {[op.name for op in r.ops]}"
        else:
            assert not folded, f"config {i} {desc}: folded"
        a, b = reference.random_inputs(r, 2 * i), reference.random_inputs(r, 2 * i + 1)
        want = reference.run(data, a)
        got = H.run_result(host, r, a)
        if not all(g.shape == w.shape and np.array_equal(g, w) for g, w in zip(got, want)):
            bad.append(f"config {i} {desc}")
        varies += any(not np.array_equal(p, q) for p, q in zip(want, reference.run(data, b)))
    assert not bad, f"{len(bad)}/{CONFIGS} differ from LiteRT:\n" + "\n".join(bad[:10])
    assert varies >= CONFIGS * 9 // 10


@pytest.mark.usefixtures("in_build_env")
def test_dilated_convolutions_qemu():
    target = "qemu_cortex_m7"
    js, expect = [], []
    for i, kind, data, desc in _draws(CONFIGS // 3):
        r = convert(data, target=target)
        x = reference.random_inputs(r, 2 * i)
        js.append((r, x))
        expect.append((f"config {i} {desc}", reference.run(data, x)))
    _compare(jobs.run_jobs(target, js), expect)


def test_dilated_convolutions_tflm_oracle(host):
    """In a model only TFLM runs, a padding SPACE_TO_BATCH_ND of an input
    whose zero point is not 0 stays unfolded: TFLM pads with 0, the
    convolution would pad with the zero point. Against TFLM, byte for byte."""
    import opsuite_flavor
    bad, kept, n = [], 0, CONFIGS // 3
    for i in range(n):
        kind = ["same", "valid", "free", "conv1d"][i % 4]
        with opsuite_flavor.tflm_only_op():
            data, desc = dilated_model(np.random.default_rng(seed("DILATED_TFLM", i)), kind)
        r = convert(data)
        kept += not _folded(r)
        a = reference.random_inputs(r, 2 * i)
        want, oracle = reference.run_with_oracle(data, a)
        assert oracle == reference.TFLM, f"config {i} {desc}: oracle {oracle}"
        got = H.run_result(host, r, a)
        if not all(g.shape == w.shape and np.array_equal(g, w) for g, w in zip(got, want)):
            bad.append(f"config {i} {desc}")
    assert not bad, f"{len(bad)}/{n} differ from TFLM:\n" + "\n".join(bad[:10])
    assert kept  # folded, 26 of 40 differ
