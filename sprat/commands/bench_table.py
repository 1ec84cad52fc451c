"""sprat bench-table: reruns `sprat bench` on the five shared models on
qemu_cortex_m7, with the target's kernels and generated layers
(--generate), with the kernels alone (the Cortex-M DSP library) and with
--reference (the portable kernels), and writes the README's table
(between its bench-table markers), so the table is regenerated, never
typed."""

import json
import os
import subprocess
import sys

from absl import flags

from sprat import build

FLAGS = flags.FLAGS
flags.DEFINE_string("readme", os.path.join(build.REPO, "README.md"), "The README to update.")
flags.DEFINE_string("json_out", None, "Also write every model's `sprat bench --json` result here.")

MODELS = ["mobilenet_v2_0.30_80_int8", "vww_96_int8", "pretrainedResnet_quant", "kws_ref_model", "ad01_int8"]
BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"
SHARED = os.path.join(os.path.dirname(build.REPO), "shared", "models")


def table(results):
    rows = ["| model | kernels | instructions | MAC/instr | RAM B | flash B | bit-exact | "
            "vs TFLM+CMSIS-NN: instructions | RAM |",
            "|---|---|---:|---:|---:|---:|---|---:|---:|"]
    for r in results:
        tf = r["tflm"]
        rows.append(f"| {r['model']} | {r['kernels']} | {r['instructions']:,} | {r['macs'] / r['instructions']:.3f} | "
                    f"{r['ram_bytes']:,} | {r['flash_bytes']:,} | { {True: 'yes', None: 'unknown'}.get(r['bitexact'], 'NO') } | "
                    f"{tf['instructions_ratio']:.2f}x | {tf['ram_ratio']:.2f}x |")
    return "\n".join(rows)


def main(argv):
    results = []
    for name in MODELS:
        path = os.path.join(SHARED, name + ".tflite")
        if not os.path.exists(path):
            print(f"sprat bench-table: {path} is absent", file=sys.stderr)
            return 1
        for extra in (["--generate"], [], ["--reference"]):
            build.progress(f"sprat bench {name} --target qemu_cortex_m7 --json {' '.join(extra)}")
            p = subprocess.run([sys.executable, "-m", "sprat", "bench", path, "--target", "qemu_cortex_m7", "--json",
                                *extra], cwd=build.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if p.returncode != 0:
                print(f"sprat bench-table: bench of {name} failed:\n{p.stderr[-2000:]}", file=sys.stderr)
                return 1
            results.append(json.loads(p.stdout))
    text = open(FLAGS.readme).read()
    if BEGIN not in text or END not in text:
        print(f"sprat bench-table: {FLAGS.readme} has no {BEGIN} ... {END} markers", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(FLAGS.readme, "w") as f:
        f.write(head + BEGIN + "\n" + table(results) + "\n" + END + tail)
    if FLAGS.json_out:
        with open(FLAGS.json_out, "w") as f:
            json.dump(results, f, indent=1)
    print(table(results))
    return 0
