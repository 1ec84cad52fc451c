"""sprat tune: per-layer choice between the generic kernels and generated
code from exact counts, the cache that makes a second run measure nothing,
the flash budget, and the choice verified bit-exact in a rebuilt firmware."""

import json
import os
import subprocess
import sys

import pytest

from sprat.commands.tune import choose

pytestmark = pytest.mark.usefixtures("in_build_env")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "examples", "kws_tiny", "kws_tiny.tflite")


def _tune(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=REPO, SPRAT_TUNE_CACHE=str(tmp_path / "cache.json"))
    p = subprocess.run([sys.executable, "-m", "sprat", "tune", MODEL, "--target", "qemu_cortex_m7", "--json", *args],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Traceback" not in p.stderr
    return json.loads(p.stdout), p.stderr


def test_choose_greedy_by_gain_per_byte():
    e = {0: (1000, {"direct": (400, 600)}), 1: (1000, {"direct": (900, 100)}), 2: (500, {"direct": (600, 50)}),
         3: (800, {"direct": (100, 1000)})}
    assert choose(e, None) == {0: "direct", 1: "direct", 3: "direct"}  # every layer that saves, none that costs
    assert choose(e, 700) == {0: "direct", 1: "direct"}  # 1 saves 1/byte, 0 1/byte, 3 0.7/byte
    assert choose(e, 0) == {}


def test_choose_among_variants():
    e = {0: (1000, {"direct": (600, 100), "pairs": (400, 400)}), 1: (1000, {"direct": (1100, 10), "pairs": (500, 50)})}
    assert choose(e, None) == {0: "pairs", 1: "pairs"}  # the fastest of each
    assert choose(e, 150) == {0: "direct", 1: "pairs"}  # pairs of 1 (10/byte), then direct of 0 (4/byte)
    assert choose(e, 450) == {0: "pairs", 1: "pairs"}  # room to move 0 up to its faster variant
    assert choose(e, 40) == {}


def test_tune_cache_budget_and_verify(tmp_path):
    cold, log = _tune(tmp_path)
    assert cold["measured"] and cold["bitexact"] and "measuring" in log
    assert cold["candidates"] >= 3 and cold["layers"]
    warm, log = _tune(tmp_path)
    assert not warm["measured"] and "measured before" in log
    assert warm["generated_layers"] == cold["generated_layers"] and warm["instructions"] == cold["instructions"]
    one = min(r["code_bytes"] for r in cold["layers"] if r["generated"])
    tight, _ = _tune(tmp_path, f"--max_code_bytes={one}")
    assert tight["code_bytes"] <= one and len(tight["generated_layers"]) <= 1 and tight["bitexact"]
    none, _ = _tune(tmp_path, "--max_code_bytes=0", f"-o={tmp_path / 'out'}")
    assert none["generated_layers"] == [] and none["bitexact"]
    assert none["instructions"] >= tight["instructions"] >= cold["instructions"] - 50
    assert (tmp_path / "out" / "model_data.h").exists() and not (tmp_path / "out" / "model_gen.c").exists()
