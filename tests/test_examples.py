"""The example firmware (examples/): a .tflite through the sprat_model rule
into a cc_library, built for the seed board and run under QEMU on the
Cortex-M DSP library (generated layers) and on RISC-V (portable kernels),
its printed output against LiteRT's reference kernels."""

import os
import re

import numpy as np
import pytest

from converter.convert import convert
from harness import qemu_run
from sprat import build, reference

pytestmark = pytest.mark.usefixtures("in_build_env")
MODEL = os.path.join(build.REPO, "examples", "kws_tiny", "kws_tiny.tflite")


def _pattern(n):
    """main.c's fixed input."""
    i = np.arange(n, dtype=np.uint64)
    return ((i * 37 + (i >> 3) * 11) & 0xFF).astype(np.uint8).view(np.int8)


def test_example_builds_for_the_seed_board():
    elf = build.build("//examples/kws_tiny", "stm32f746")
    assert os.path.getsize(elf) > 0


@pytest.mark.parametrize("target,library", [("qemu_cortex_m7", "cortex_m_dsp"), ("riscv32", "portable")])
def test_example_runs_bitexact(target, library):
    data = open(MODEL, "rb").read()
    r = convert(data)
    x = _pattern(r.inputs[0].count).reshape(r.inputs[0].shape)
    want = reference.run(data, [x])[0].ravel().tolist()
    run = qemu_run.run(target, build.build("//examples/kws_tiny", target), timeout=120)
    m = re.search(r"^kws_tiny on (\S+): (.*)$", run.stdout, re.M)
    assert run.returncode == 0 and m, run.stdout[-1000:]
    assert m.group(1) == library
    assert [int(v) for v in m.group(2).split()] == want
