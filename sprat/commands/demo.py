"""sprat demo: build the demo firmware for a target, run it under QEMU and
report the core, the instruction count of its built-in workload, and its
RAM and flash."""

import sys

from absl import flags

from harness import qemu_run
from harness.elf import Elf
from sprat import build

FLAGS = flags.FLAGS
flags.DEFINE_enum("target", "qemu_cortex_m7", [t for t in qemu_run.TARGETS if t not in ("host", "cortex_a53")],
                  "Emulated target to run on.")


def main(argv):
    if len(argv) > 1:
        print(f"sprat demo: unexpected arguments {argv[1:]}", file=sys.stderr)
        return 2
    t = FLAGS.target
    build.progress(f"building //app for {t} ({qemu_run.TARGETS[t][0]})")
    try:
        elf = build.build("//app", t)
        plugin = build.build("//harness:libinsn_count.so")
    except build.BuildError as e:
        print(f"sprat demo: {e}", file=sys.stderr)
        return 1
    build.progress("running under QEMU with the instruction counter")
    r = qemu_run.run(t, elf, plugin=plugin, timeout=120)
    sys.stdout.write(r.stdout)
    if r.timed_out or r.returncode != 0:
        print(f"sprat demo: the firmware failed (status {r.returncode})", file=sys.stderr)
        return 1
    (n,) = r.regions()
    sizes = Elf(elf).sizes()
    print(f"sprat: workload executed {n:,} instructions (exact, QEMU TCG plugin; a mark costs {r.mark_cost})")
    print(f"sprat: firmware flash {sizes['flash_bytes']:,} B, static RAM {sizes['static_ram_bytes']:,} B")
    return 0
