#!/usr/bin/env python3
"""The conv_s8_bench log as a table: the firmware prints each region's name
and MACs, the runner prints the regions' instruction counts.

    python3 kernels/cortex_m/tests/bench_table.py bazel-testlogs/kernels/cortex_m/tests/conv_s8_bench_qemu_cortex_m7/test.log
"""

import re
import sys


def main(path):
    text = open(path).read()
    regions = [int(x) for x in re.findall(r"regions \[([^\]]*)\]", text)[-1].split(",")]
    rows = {}
    for k, name, kind, macs, outs in re.findall(r"bench: region (\d+) (.+?) (dsp|portable) macs (\d+) outputs (\d+)", text):
        rows.setdefault(name, {"macs": int(macs), "outputs": int(outs)})[kind] = regions[int(k)]
    print(f"| shape | MACs | DSP instructions | MAC/instr | instr/output | portable instructions | MAC/instr | speedup |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        d, p, m = r["dsp"], r["portable"], r["macs"]
        print(f"| {name} | {m} | {d} | {m / d:.2f} | {d / r['outputs']:.1f} | {p} | {m / p:.3f} | {p / d:.1f}x |")


if __name__ == "__main__":
    main(sys.argv[1])
