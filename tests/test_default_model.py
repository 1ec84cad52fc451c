"""The bundled default model: deterministic, its signal survives every layer,
and sprat runs it bit-exact; the demo (the README's main command) works."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from converter import zoo
from converter.convert import convert
from sprat import host as H
from sprat import reference


@pytest.fixture(scope="module")
def model():
    return zoo.mobilenet_v2()


def test_deterministic(model):
    assert model == zoo.mobilenet_v2()


def test_architecture(model):
    r = convert(model, optimize="speed")  # the graph as written: no fused blocks
    names = [l.name for l in r.layers]
    assert names.count("CONV_2D+RELU6") + names.count("CONV_2D") == 35
    assert names.count("DEPTHWISE_CONV_2D+RELU6") == 17 and names.count("ADD") == 10
    assert names[-3:] == ["MEAN", "FULLY_CONNECTED", "SOFTMAX"]
    assert r.inputs[0].shape == (1, 80, 80, 3) and r.outputs[0].shape == (1, 1000)
    assert sum(l.macs for l in r.layers) == pytest.approx(7.30e6, rel=0.01)


def test_every_layer_depends_on_the_input(model):
    from ai_edge_litert import interpreter as litert
    it = litert.Interpreter(model_content=model, experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
                            experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    details = [d for d in it.get_tensor_details() if not d["name"].endswith(("weights", "bias", "axes"))]
    runs, top1 = [], set()
    for s in range(3):
        img = zoo.smooth_images(np.random.default_rng(100 + s), 1)[0]
        x = np.clip(np.round(img / (2 / 255)), -128, 127).astype(np.int8)[None]
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        runs.append({d["name"]: it.get_tensor(d["index"]).copy() for d in details})
        top1.add(int(np.argmax(runs[-1]["probabilities"])))
    constant = [n for n in runs[0] if all(np.array_equal(runs[0][n], r[n]) for r in runs[1:])]
    assert not constant, f"layers whose output ignores the input: {constant}"
    assert len(top1) > 1, "the top class does not change with the input"


def test_bit_exact_on_host(host, model):
    r = convert(model)
    x = [zoo.demo_image()]
    assert np.array_equal(H.run_result(host, r, x)[0], reference.run(model, x)[0])


def test_demo_command(in_build_env):
    p = subprocess.run([sys.executable, "-m", "sprat", "demo"], cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    assert len(re.findall(r"^sprat: top\d class \d+ probability", p.stdout, re.M)) == 5
    assert re.search(r"^instructions\s+[\d,]+ \(exact", p.stdout, re.M)
    # The demo says which oracle checked it: LiteRT's reference kernels for this model.
    assert "firmware output == host run; == LiteRT's reference kernels (BUILTIN_REF)" in p.stdout
