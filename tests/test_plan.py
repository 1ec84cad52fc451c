"""sprat plan: the memory plan's figures (live bytes per layer, peak,
lower bound, TFLM's arena), its JSON and its picture, and clear errors."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.usefixtures("in_build_env")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "examples", "kws_tiny", "kws_tiny.tflite")


def _plan(*args):
    return subprocess.run([sys.executable, "-m", "sprat", "plan", *args], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPO))


def test_plan_json_and_plot(tmp_path):
    png = tmp_path / "plan.png"
    p = _plan(MODEL, "--target", "qemu_cortex_m7", "--json", f"--plot={png}")
    assert p.returncode == 0, p.stderr[-2000:]
    res = json.loads(p.stdout)
    for key in ("arena_bytes", "lower_bound_bytes", "peak_layer", "tflm_arena_bytes"):
        assert key in res
    # Live bytes recomputed from the buffers' lifetimes; the bound is the peak's.
    n = len(res["layers"])
    live = [0] * n
    for b in res["buffers"]:
        for k in range(max(b["first_layer"], 0), min(b["last_layer"], n - 1) + 1):
            live[k] += b["bytes"]
    assert live == [l["live_bytes"] for l in res["layers"]]
    assert res["lower_bound_bytes"] == max(live) == live[res["peak_layer"]]
    assert res["lower_bound_bytes"] <= res["activation_bytes"] < res["arena_bytes"]
    # No two buffers live at the same layer share bytes.
    for i, a in enumerate(res["buffers"]):
        for b in res["buffers"][i + 1:]:
            if a["first_layer"] <= b["last_layer"] and b["first_layer"] <= a["last_layer"]:
                assert a["offset"] + a["bytes"] <= b["offset"] or b["offset"] + b["bytes"] <= a["offset"]
    assert isinstance(res["tflm_arena_bytes"], int) and res["tflm_arena_bytes"] > 0, res["tflm_arena_source"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plan_text_report():
    p = _plan(MODEL)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "lower bound" in p.stdout and "<- peak" in p.stdout and "TFLM arena" in p.stdout


def test_plan_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer at all" * 10)
    for args, rc in (([str(tmp_path / "missing.tflite")], 2), ([str(bad)], 1), ([], 2)):
        p = _plan(*args)
        assert p.returncode == rc, (args, p.stderr)
        assert "Traceback" not in p.stderr and p.stderr.strip(), p.stderr
