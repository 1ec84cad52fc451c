"""sprat demo: the main job. Makes the bundled default model (MobileNetV2
alpha 0.30, 80x80x3, 1000 classes; fixed seed), converts it, builds it into
firmware for the target, runs one inference under QEMU on a fixed image, and
prints the top-5 classes, the executed instructions (exact), RAM (arena +
stack + static) and flash, checking the result against the same model run
on the host and against LiteRT's reference kernels."""

import os
import re
import sys

import numpy as np
from absl import flags

from converter import codegen, layouts, zoo
from converter.convert import convert
from harness import qemu_run
from harness.elf import Elf
from sprat import build, reference
from sprat import host as H
from sprat.model_sources import firmware_sources

FLAGS = flags.FLAGS
flags.DEFINE_enum("target", "qemu_cortex_m7", ["qemu_cortex_m7", "qemu_cortex_m4", "riscv32", "riscv64_rvv"],
                  "Emulated target to run on (the model needs ~700 KB of flash).")

MODEL_DIR = os.path.join(build.REPO, "out", "demo")
CLOCK_MHZ = 216  # the seed board's


def demo_sources(r, image):
    """The firmware's generated sources (app/BUILD's :demo_sources), written
    outside the source tree by build.generated_dir."""
    arena = r.arena_for(8 if FLAGS.target == "riscv64_rvv" else 4)
    return firmware_sources(r, "demo", "app/generated", arena, image.view(np.uint8).ravel().tobytes(), "int8_t")


def main(argv):
    if len(argv) > 1:
        print(f"sprat demo: unexpected arguments {argv[1:]}", file=sys.stderr)
        return 2
    t = FLAGS.target
    build.progress("making the default model: MobileNetV2 alpha 0.30, 80x80x3, 1000 classes (seed 2026)")
    data = zoo.mobilenet_v2()
    os.makedirs(MODEL_DIR, exist_ok=True)
    tflite_path = os.path.join(MODEL_DIR, "mobilenet_v2_0.30_80_int8.tflite")
    with open(tflite_path, "wb") as f:
        f.write(data)
    build.progress(f"converting {os.path.relpath(tflite_path, build.REPO)}")
    r = convert(data, target=t, generate=codegen.supported(layouts.for_target(t).NAME))
    image = zoo.demo_image()
    gen_dir = build.generated_dir(demo_sources(r, image))
    build.progress(f"building //app:demo for {t} ({qemu_run.TARGETS[t][0]})")
    try:
        elf = build.build("//app:demo", t, defines={"SPRAT_GEN_DIR": gen_dir})
        plugin = build.build("//harness:libinsn_count.so")
        host_so = build.build("//runtime:libsprat_host.so")
    except build.BuildError as e:
        print(f"sprat demo: {e}", file=sys.stderr)
        return 1
    build.progress("running one inference under QEMU with the instruction counter")
    run = qemu_run.run(t, elf, plugin=plugin, timeout=600)
    if run.timed_out or run.returncode != 0:
        sys.stdout.write(run.stdout)
        print(f"sprat demo: the firmware failed (status {run.returncode})", file=sys.stderr)
        return 1
    (instructions,) = run.regions()
    fw_out = bytes.fromhex("".join(re.findall(r"^sprat: hex ([0-9a-f]+)$", run.stdout, re.M)))
    # The host runs the portable kernels: the same model in their layout.
    host_out = H.run_result(H.Host(host_so), convert(data), [image])[0].tobytes()
    ref = reference.compute(data, [image])
    ref_out = ref.outputs[0].tobytes() if ref.outputs is not None else None

    e = Elf(elf)
    sizes = e.sizes()
    static = e.static_ram_without("arena")
    m = re.search(r"arena (\d+) B, stack peak (\d+) B", run.stdout)
    arena, stack = int(m.group(1)), int(m.group(2))
    macs = sum(l.macs for l in r.layers)

    print(f"sprat demo: MobileNetV2 0.30, 80x80x3 -> 1000 classes, on {qemu_run.TARGETS[t][0]}, "
          f"{r.library} kernels" + (f", {len(r.generated)} of {len(r.layers)} layers generated" if r.generated else ""))
    print(re.search(r"^sprat: core .*$", run.stdout, re.M).group(0))
    for line in re.findall(r"^sprat: top\d .*$", run.stdout, re.M):
        print(line)
    print(f"instructions  {instructions:,} (exact, QEMU plugin counter; {macs:,} MACs, "
          f"{macs / instructions:.3f} MACs/instruction)")
    print(f"              ~{instructions / CLOCK_MHZ / 1000:.1f} ms at {CLOCK_MHZ} MHz, assuming one instruction per cycle")
    print(f"RAM           {arena + stack + static:,} B = arena {arena:,} + stack {stack:,} (painted) + static {static:,}")
    print(f"flash         {sizes['flash_bytes']:,} B (.text + .rodata, weights {r.weight_bytes:,} B included)")
    same_host = fw_out == host_out
    same_ref = ref_out is None or fw_out == ref_out
    print(f"check         firmware output {'==' if same_host else '!='} host run; "
          + (f"{'==' if same_ref else '!='} {ref.name}" if ref_out is not None else ref.describe()))
    return 0 if same_host and same_ref else 1
