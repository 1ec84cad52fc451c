#!/usr/bin/env python3
"""A kernel bench log (conv_s8_bench, elementwise_bench) as a table: the
firmware prints each region's name, MACs and outputs, the runner prints the
regions' instruction counts. Benches without MACs get a per-element table.

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
    if all(r["macs"] == 0 for r in rows.values()):
        print("| case | elements | DSP instructions | per element | portable instructions | per element | speedup |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, r in rows.items():
            d, p, n = r["dsp"], r["portable"], r["outputs"]
            print(f"| {name} | {n} | {d} | {d / n:.1f} | {p} | {p / n:.1f} | {p / d:.1f}x |")
        return
    print(f"| shape | MACs | DSP instructions | MAC/instr | instr/output | portable instructions | MAC/instr | speedup |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        d, p, m = r["dsp"], r["portable"], r["macs"]
        print(f"| {name} | {m} | {d} | {m / d:.2f} | {d / r['outputs']:.1f} | {p} | {m / p:.3f} | {p / d:.1f}x |")


if __name__ == "__main__":
    main(sys.argv[1])
