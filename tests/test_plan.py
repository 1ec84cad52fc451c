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
    # Live bytes recomputed from the buffers' lifetimes and places (bytes
    # two overlapping buffers share counted once), and never below the bound.
    n = len(res["layers"])
    live = []
    for k in range(n):
        covered = set()
        for b in res["buffers"]:
            if max(b["first_layer"], 0) <= k <= min(b["last_layer"], n - 1):
                covered.update(range(b["offset"], b["offset"] + b["bytes"]))
        live.append(len(covered))
    assert live == [l["live_bytes"] for l in res["layers"]]
    assert res["peak_live_bytes"] == max(live) == live[res["peak_layer"]]
    assert res["lower_bound_bytes"] <= max(live) <= res["activation_bytes"] < res["arena_bytes"]
    # No two buffers live at the same layer share bytes, but for an allowed overlap.
    lag = {(o["input"], o["output"]): o["lag_bytes"] for o in res["overlaps"]}
    for i, a in enumerate(res["buffers"]):
        for b in res["buffers"][i + 1:]:
            if a["first_layer"] <= b["last_layer"] and b["first_layer"] <= a["last_layer"]:
                apart = a["offset"] + a["bytes"] <= b["offset"] or b["offset"] + b["bytes"] <= a["offset"]
                ab, ba = (a["tensor"], b["tensor"]), (b["tensor"], a["tensor"])
                assert apart or (ab in lag and b["offset"] <= a["offset"] - lag[ab]) or \
                    (ba in lag and a["offset"] <= b["offset"] - lag[ba])
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
