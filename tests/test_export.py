"""`sprat export`: the exported source tree builds outside Bazel with plain
make and with CMake, with the same cross compiler, and its firmware prints,
under QEMU, the outputs the Bazel build computes (the job runner with the
same generated layers) and LiteRT's reference kernels compute."""

import os
import re
import subprocess

import numpy as np
import pytest

import sprat
from conftest import shared_model
from converter import codegen, layouts
from harness import qemu_run
from sprat import export as exp
from sprat import jobs, reference

pytestmark = pytest.mark.usefixtures("in_build_env")
KWS_TINY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "kws_tiny",
                        "kws_tiny.tflite")


def _outputs(model, stdout):
    outs = []
    for k, t in enumerate(model.outputs):
        m = re.search(rf"^sprat: output {k}\n((?:sprat: hex [0-9a-f]*\n)+)", stdout, re.M)
        assert m, stdout[-1500:]
        raw = bytes.fromhex("".join(re.findall(r"sprat: hex ([0-9a-f]*)", m.group(1))))
        outs.append(np.frombuffer(raw, t.dtype).reshape(t.shape))
    return outs


def _build_and_run(tree, target, how):
    if how == "make":
        cmd, elf = ["make", "-j2", "-s"], os.path.join(tree, "model.elf")
        p = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    else:
        p = subprocess.run(["cmake", "-S", ".", "-B", "cbuild"], cwd=tree, capture_output=True, text=True)
        if p.returncode == 0:
            p = subprocess.run(["cmake", "--build", "cbuild", "-j2"], cwd=tree, capture_output=True, text=True)
        elf = os.path.join(tree, "cbuild", "model.elf")
    assert p.returncode == 0, f"{how} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
    assert "warning:" not in p.stderr, p.stderr[-2000:]
    run = subprocess.run(qemu_run.command(target, elf), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout[-1500:]
    return run.stdout


@pytest.mark.parametrize("name,target", [("kws_tiny", "qemu_cortex_m7"), ("kws_tiny", "riscv32"),
                                         ("kws_ref_model", "qemu_cortex_m7")])
def test_export_builds_with_make_and_cmake_and_matches(tmp_path, name, target):
    path = KWS_TINY if name == "kws_tiny" else shared_model(name)
    data = open(path, "rb").read()
    model = sprat.convert(path, target=target, generate=codegen.supported(layouts.for_target(target).NAME))
    if name == "kws_ref_model":  # every layer on its first variant: the depthwise pairs kernels exported too
        r = model._r
        model = sprat.convert(path, target=target, generate={k: codegen.variants(r.library, r.ops[k])[0]
                                                              for k in r.generated})
        assert "pairs" in model._r.variants.values()
    x = reference.random_inputs(model._r, 11)
    tree = str(tmp_path / "tree")
    files = exp.export(model, target, tree, inputs=x)
    assert {"Makefile", "CMakeLists.txt", "README.md", "main.c", "model/model_data.h"} <= set(files)
    if target == "qemu_cortex_m7":
        assert model.generated_layers and "model/model_gen_conv.c" in files
    want = reference.run(data, x)
    bazel = jobs.run_jobs(target, [(model._r, x)], generated=bool(model.generated_layers))[0]
    assert bazel[0] == 0
    for how in ("make", "cmake"):
        stdout = _build_and_run(tree, target, how)
        got = _outputs(model, stdout)
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), f"{how}: differs from LiteRT"
        assert all(np.array_equal(g, b) for g, b in zip(got, bazel[1])), f"{how}: differs from the Bazel build"
        assert f"({model.library} kernels)" in stdout


def test_export_refuses_clearly(tmp_path):
    m = sprat.convert(KWS_TINY)  # the portable layout
    with pytest.raises(sprat.ConvertError, match="convert it with target='qemu_cortex_m7'"):
        exp.export(m, "qemu_cortex_m7", str(tmp_path / "a"))
    with pytest.raises(sprat.ConvertError, match="no export for target"):
        exp.export(m, "cortex_z9", str(tmp_path / "b"))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "keep.txt").write_text("mine")
    m7 = sprat.convert(KWS_TINY, target="qemu_cortex_m7")
    with pytest.raises(sprat.ConvertError, match="not empty"):
        exp.export(m7, "qemu_cortex_m7", str(tmp_path / "c"))
