"""`sprat bench`: exact, honest and complete figures; clear errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, SHARED_NAMES, shared_model
from converter.writer import ModelWriter

pytestmark = pytest.mark.usefixtures("in_build_env")
KEYS = ["target", "kernels", "instructions", "macs", "arena_bytes", "stack_bytes", "static_ram_bytes", "ram_bytes",
        "flash_bytes", "bitexact", "layers", "tflm"]


def bench(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "sprat", "bench", *args], cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def bench_json(model, target="qemu_cortex_m7", *extra):
    p = bench(model, "--target", target, "--json", *extra)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def kws_m7():
    return bench_json(shared_model("kws_ref_model"))


def test_json_has_every_key(kws_m7):
    for k in KEYS:
        assert k in kws_m7, k
    for layer in kws_m7["layers"]:
        for k in ("index", "op", "shape", "macs", "instructions"):
            assert k in layer
    assert kws_m7["bitexact"] is True and kws_m7["kernels"] == "cortex_m_dsp"
    assert kws_m7["ram_bytes"] == kws_m7["arena_bytes"] + kws_m7["stack_bytes"] + kws_m7["static_ram_bytes"]
    assert kws_m7["tflm"]["instructions"] == 7632267
    assert kws_m7["tflm"]["instructions_ratio"] == pytest.approx(kws_m7["instructions"] / 7632267)


def test_counter_is_exact_through_bench(kws_m7):
    # The firmware runs a loop of exactly 2,000,000 instructions between two
    # marks in the same run as the model.
    cc = kws_m7["counter_check"]
    assert cc["known_loop_counted"] == cc["known_loop_expected"] == 2_000_000


def test_layers_add_up_to_the_total(kws_m7):
    layers = sum(l["instructions"] for l in kws_m7["layers"])
    overhead = kws_m7["overhead_instructions"]
    assert layers + overhead == kws_m7["instructions"]
    # The interpreter between layers: a few hundred instructions per layer.
    assert 0 <= overhead < 2000 * len(kws_m7["layers"])
    assert all(l["instructions"] > 0 for l in kws_m7["layers"])


def test_two_runs_count_the_same(kws_m7):
    again = bench_json(shared_model("kws_ref_model"))
    assert again["instructions"] == kws_m7["instructions"]
    assert [l["instructions"] for l in again["layers"]] == [l["instructions"] for l in kws_m7["layers"]]


@pytest.mark.parametrize("target", ["qemu_cortex_m4", "qemu_cortex_m55", "cortex_a53", "cortex_a55", "riscv32", "riscv64_rvv",
                                    "host"])
def test_every_target_is_bit_exact(target):
    r = bench_json(shared_model("kws_ref_model"), target)
    assert r["bitexact"] is True
    if target != "host":
        assert r["instructions"] > 1_000_000 and r["counter_check"]["known_loop_counted"] == 2_000_000
    assert r["tflm"] is None


@pytest.mark.parametrize("name", [n for n in SHARED_NAMES if n != "kws_ref_model"])
def test_shared_models_on_cortex_m7(name):
    r = bench_json(shared_model(name))
    assert r["bitexact"] is True and r["tflm"] is not None and r["instructions"] > 0


def test_table_and_plot(tmp_path):
    png = tmp_path / "layers.png"
    p = bench(shared_model("ad01_int8"), "--target", "qemu_cortex_m7", "--plot", str(png))
    assert p.returncode == 0, p.stderr
    first = p.stdout.splitlines()[0]
    assert first.startswith("sprat bench: ad01_int8.tflite on qemu_cortex_m7 (Cortex-M7") and "cortex_m_dsp" in first
    for text in ("FULLY_CONNECTED", "instructions ", "MACs per instruction", "arena", "stack (peak)", "static RAM",
                 "flash", "bit-exact          yes", "vs TFLM+CMSIS-NN   instructions"):
        assert text in p.stdout, text
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_input_file(tmp_path):
    x = np.random.default_rng(5).integers(-128, 128, (1, 49, 10, 1)).astype(np.int8)
    np.save(tmp_path / "x.npy", x)
    r = bench_json(shared_model("kws_ref_model"), "host", "--input", str(tmp_path / "x.npy"))
    assert r["bitexact"] is True
    np.save(tmp_path / "bad.npy", x.astype(np.float32))
    p = bench(shared_model("kws_ref_model"), "--target", "host", "--input", str(tmp_path / "bad.npy"))
    assert p.returncode != 0 and "float32" in p.stderr and "Traceback" not in p.stderr


def test_unknown_target_lists_the_valid_ones():
    p = bench(shared_model("kws_ref_model"), "--target", "pdp11")
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert "qemu_cortex_m7" in p.stderr and "riscv64_rvv" in p.stderr


def test_unsupported_op_is_named_and_nothing_built(tmp_path):
    m = ModelWriter()
    x = m.tensor("x", (1, 4), scale=0.1, zp=0)
    y = m.tensor("y", (1, 4), scale=0.1, zp=0)
    m.op("RANK", [x], [y])  # not in TFLM, nor in sprat
    (tmp_path / "rank.tflite").write_bytes(m.finish([x], [y]))
    p = bench(str(tmp_path / "rank.tflite"), "--target", "qemu_cortex_m7")
    assert p.returncode != 0 and "op 0 (RANK)" in p.stderr and "Traceback" not in p.stderr
    assert "building" not in p.stderr


def test_too_big_for_the_target_says_by_how_much(tmp_path):
    # 512 KiB even with the RELU in place: more than the board's 320 KiB of RAM.
    m = ModelWriter()
    x = m.tensor("x", (1, 256, 128, 16), scale=0.1, zp=0)
    y = m.tensor("y", (1, 256, 128, 16), scale=0.1, zp=0)
    m.op("RELU", [x], [y])
    (tmp_path / "big.tflite").write_bytes(m.finish([x], [y]))
    p = bench(str(tmp_path / "big.tflite"), "--target", "qemu_cortex_m7")
    assert p.returncode != 0 and "does not fit" in p.stderr and "too many" in p.stderr
    assert "building" not in p.stderr and "Traceback" not in p.stderr


def test_reference_measures_the_portable_kernels(kws_m7):
    ref = bench_json(shared_model("kws_ref_model"), "qemu_cortex_m7", "--reference")
    assert ref["kernels"] == "portable" and ref["bitexact"] is True
    assert kws_m7["kernels"] == "cortex_m_dsp" and ref["instructions"] != kws_m7["instructions"]


def test_emulator_time_limit():
    p = bench(shared_model("mobilenet_v2_0.30_80_int8"), "--target", "qemu_cortex_m7", "--timeout", "0.01")
    assert p.returncode != 0 and "time limit" in p.stderr and "Traceback" not in p.stderr


def test_bench_table_regenerates(tmp_path):
    for name in SHARED_NAMES:  # bench-table measures all five: skip, saying which is absent
        shared_model(name)
    readme = tmp_path / "README.md"
    readme.write_text("x\n<!-- bench-table:begin -->\nold\n<!-- bench-table:end -->\ny\n")
    p = subprocess.run([sys.executable, "-m", "sprat", "bench-table", "--readme", str(readme)], cwd=REPO,
                       env=dict(os.environ, PYTHONPATH=REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=1800)
    assert p.returncode == 0, p.stderr[-2000:]
    text = readme.read_text()
    assert "old" not in text and text.startswith("x\n") and text.endswith("y\n")
    for name in SHARED_NAMES:
        assert f"| {name} | cortex_m_dsp |" in text and f"| {name} | portable |" in text
        assert f"| {name} | cortex_m_dsp + " in text  # the generated layers' row
    assert text.count("| yes |") == 15


def test_help_lists_the_targets():
    p = bench("--help")
    assert p.returncode == 0
    for t in ("qemu_cortex_m7", "qemu_cortex_m4", "qemu_cortex_m55", "cortex_a53", "cortex_a55", "riscv32", "riscv64_rvv",
              "host"):
        assert t in p.stdout
    assert "--plot" in p.stdout and "json" in p.stdout and "--seed" in p.stdout
