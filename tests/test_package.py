"""sprat as a Python package: the API (sprat.convert, Model.run, save,
plan) on this machine, `pip install` of the checkout into a fresh venv that
then converts and runs a model with no build environment, and endurance:
many invokes of one initialized model, each equal to a fresh run."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, shared_model
import sprat
from sprat import reference


def _inputs(m, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(-128, 128, t.shape).astype(t.dtype) for t in m.inputs]


def test_api_convert_run_save_plan(tmp_path):
    path = shared_model("kws_ref_model")
    m = sprat.convert(path)
    assert m.inputs[0].shape == (1, 49, 10, 1) and m.inputs[0].dtype == np.int8
    assert m.outputs[0].shape == (1, 12) and abs(m.outputs[0].scale - 1 / 256) < 1e-9
    assert m.outputs[0].zero_point == -128 and m.arena_bytes > 0 and m.macs > 2_000_000
    data = open(path, "rb").read()
    outs = set()
    for seed in range(3):
        x = _inputs(m, seed)
        got = m.run(x)
        want = reference.run(data, x)
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), f"seed {seed}"
        outs.add(got[0].tobytes())
    assert len(outs) > 1, "the output does not depend on the input"
    paths = m.save(tmp_path / "out", "kws")
    assert open(paths["blob"], "rb").read() == m.blob
    assert "kws_blob[" in open(paths["c"]).read() and "kws_init(" in open(paths["h"]).read() and "SOFTMAX" in open(paths["report"]).read()
    p = sprat.plan(m)
    assert p["arena_bytes"] == m.arena_bytes and len(p["layers"]) == len(m.layers)
    # Every buffer lies inside the activations; two buffers alive at once
    # never overlap, but for an output over its input from its lag on.
    lag = {(o["input"], o["output"]): o["lag_bytes"] for o in p["overlaps"]}
    assert lag, "kws's depthwise outputs may overlap their inputs"
    for a in p["buffers"]:
        assert 0 <= a["offset"] and a["offset"] + a["bytes"] <= p["activation_bytes"]
        for b in p["buffers"]:
            alive = not (a["last_layer"] < b["first_layer"] or b["last_layer"] < a["first_layer"])
            if a is not b and alive:
                apart = a["offset"] + a["bytes"] <= b["offset"] or b["offset"] + b["bytes"] <= a["offset"]
                pair = (a["tensor"], b["tensor"])
                assert apart or (pair in lag and b["offset"] <= a["offset"] - lag[pair]) or \
                    (pair[::-1] in lag and a["offset"] <= b["offset"] - lag[pair[::-1]]), pair
    assert max(l["live_bytes"] for l in p["layers"]) <= p["activation_bytes"]


def test_run_a_model_converted_for_a_target(tmp_path):
    """A model converted for the DSP library with generated layers still
    runs here (its portable twin), bit-exact; save() writes its code."""
    path = os.path.join(REPO, "examples", "kws_tiny", "kws_tiny.tflite")
    data = open(path, "rb").read()
    for src in (path, data):
        m = sprat.convert(src, target="stm32f746", generate=True)
        assert m.library == "cortex_m_dsp" and m.generated_layers
        x = reference.random_inputs(m._r, 4)
        assert all(np.array_equal(g, w) for g, w in zip(m.run(x), reference.run(data, x)))
    paths = m.save(tmp_path / "out")
    assert paths["generated"] and "model_init(" in open(paths["h"]).read()
    with pytest.raises(sprat.ConvertError, match="belong to the runtime"):
        m.save(tmp_path / "bad", "sprat_net")


def test_api_errors_are_convert_errors(tmp_path):
    with pytest.raises(sprat.ConvertError, match="no such file"):
        sprat.convert(str(tmp_path / "missing.tflite"))
    with pytest.raises(sprat.ConvertError, match="unknown target"):
        sprat.convert(shared_model("ad01_int8"), target="cortex_z9")
    m = sprat.convert(shared_model("ad01_int8"))
    with pytest.raises(ValueError, match="must be int8"):
        m.run([np.zeros(m.inputs[0].shape, np.float32)])


def _tracked_copy(dst):
    """The checkout without what builds and runs leave in it (Bazel's
    symlinks, out/, caches), as a fresh clone has it."""
    skip = shutil.ignore_patterns(".git", "bazel-*", "out", "build", "dist", "*.egg-info", "__pycache__", "*.so")
    shutil.copytree(REPO, dst, ignore=skip, symlinks=True)


def test_pip_install_into_fresh_venv(tmp_path):
    """`pip install <checkout>` in a new venv (no system packages), then the
    `sprat` command and the API, run outside the checkout with no Bazel on
    PATH, convert and run a shared model bit-exact with LiteRT."""
    model = shared_model("ad01_int8")
    src, venv = tmp_path / "src", tmp_path / "venv"
    _tracked_copy(src)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    p = subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(src)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-3000:]
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    cli = subprocess.run(["sprat", "convert", model, "-o", str(tmp_path / "out")], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert cli.returncode == 0 and (tmp_path / "out" / "model.sprat").exists(), cli.stdout[-2000:]
    bench = subprocess.run(["sprat", "bench", model], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    assert bench.returncode == 2 and "build environment" in bench.stdout and "Traceback" not in bench.stdout
    code = ("import json, sys, numpy as np, sprat\n"
            f"m = sprat.convert({model!r})\n"
            "rng = np.random.default_rng(7)\n"
            "x = rng.integers(-128, 128, m.inputs[0].shape).astype(m.inputs[0].dtype)\n"
            "print(json.dumps({'file': sprat.__file__, 'x': x.tolist(), 'y': m.run([x])[0].tolist()}))\n")
    run = subprocess.run([py, "-c", code], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["file"].startswith(str(venv)), got["file"]  # the installed package, not the checkout
    x = np.array(got["x"], np.int8)
    want = reference.run(open(model, "rb").read(), [x])[0]
    assert np.array_equal(np.array(got["y"], want.dtype), want)


ENDURANCE = int(os.environ.get("SPRAT_ENDURANCE_INVOKES", "10000"))


def test_endurance_many_invokes(tmp_path):
    """One model initialized once and invoked ENDURANCE times with changing
    inputs (the firmware's loop), each output equal to a fresh init + invoke
    on the same input. sprat has no stateful ops (variables, LSTM state):
    nothing carries over between invokes, which the equality shows."""
    from sprat import host, native
    m = sprat.convert(shared_model("ad01_int8"))
    h = host.Host(native.library_path())
    rng = np.random.default_rng(11)
    xs = rng.integers(-128, 128, (ENDURANCE,) + m.inputs[0].shape).astype(np.int8)
    ys = h.run_many(m.blob, xs, m.outputs[0].shape, m.outputs[0].dtype, m._r.arena_for(8))
    fresh = h.run_many(m.blob, xs, m.outputs[0].shape, m.outputs[0].dtype, m._r.arena_for(8), fresh=True)
    differ = [k for k in range(ENDURANCE) if not np.array_equal(ys[k], fresh[k])]
    assert not differ, f"{len(differ)} of {ENDURANCE} invokes differ from a fresh run, the first: {differ[:5]}"
    assert len({y.tobytes() for y in ys[:100]}) > 1, "the output does not depend on the input"
    # And the host run agrees with LiteRT on a few of them.
    data = open(shared_model("ad01_int8"), "rb").read()
    for k in (0, ENDURANCE // 2, ENDURANCE - 1):
        assert np.array_equal(ys[k], reference.run(data, [xs[k]])[0])
