#!/usr/bin/env python3
"""Run a firmware ELF on its target's emulator (or natively on the host),
passing its output and exit status through, optionally counting executed
instructions with the insn_count plugin.

The instruction count protocol (see sprat_harness.h): the firmware calls
sprat_mark() in pairs. The first pair is back-to-back and calibrates the
cost of one mark; every later pair (2k, 2k+1) brackets a region whose count
is the difference of its marks less that cost.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.elf import Elf  # noqa: E402

_SEMIHOST = ["-semihosting-config", "enable=on,target=native"]
_HEADLESS = ["-display", "none", "-monitor", "none", "-serial", "null"]

# target -> (description, command before the ELF, how the ELF is passed)
TARGETS = {
    "qemu_cortex_m7": ("Cortex-M7, qemu-system-arm -M mps2-an500",
                       ["qemu-system-arm", "-M", "mps2-an500", "-cpu", "cortex-m7"] + _HEADLESS + _SEMIHOST, "-kernel"),
    "qemu_cortex_m4": ("Cortex-M4, qemu-system-arm -M mps2-an386",
                       ["qemu-system-arm", "-M", "mps2-an386", "-cpu", "cortex-m4"] + _HEADLESS + _SEMIHOST, "-kernel"),
    "qemu_cortex_m55": ("Cortex-M55 (Helium), qemu-system-arm -M mps3-an547",
                        ["qemu-system-arm", "-M", "mps3-an547", "-cpu", "cortex-m55"] + _HEADLESS + _SEMIHOST, "-kernel"),
    "cortex_a53": ("Cortex-A53, qemu-aarch64 user mode (Linux)",
                   ["qemu-aarch64", "-cpu", "cortex-a53"], ""),
    "cortex_a53_baremetal": ("Cortex-A53, qemu-system-aarch64 -M virt, bare metal",
                             ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53"] + _HEADLESS + _SEMIHOST,
                             "-kernel"),
    "cortex_a55": ("Cortex-A55, qemu-aarch64 user mode (Linux)",
                   ["qemu-aarch64", "-cpu", "cortex-a55"], ""),
    "cortex_a55_baremetal": ("Cortex-A55, qemu-system-aarch64 -M virt, bare metal",
                             ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a55"] + _HEADLESS + _SEMIHOST,
                             "-kernel"),
    # rv32imac: turn off the default CPU's F, D, Zfa and H so misa says IMAC.
    "riscv32": ("RV32IMAC, qemu-system-riscv32 -M virt, bare metal",
                ["qemu-system-riscv32", "-M", "virt", "-cpu", "rv32,f=false,d=false,zfa=false,h=false",
                 "-bios", "none"] + _HEADLESS + _SEMIHOST, "-kernel"),
    "riscv64_rvv": ("RV64GCV (VLEN 128), qemu-system-riscv64 -M virt, bare metal",
                    ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,v=true,vlen=128", "-bios", "none"]
                    + _HEADLESS + _SEMIHOST, "-kernel"),
    "host": ("the build machine (x86-64), native", [], ""),
}


class RunError(RuntimeError):
    pass


@dataclass
class Result:
    returncode: int
    stdout: str
    marks: list = field(default_factory=list)
    timed_out: bool = False

    def regions(self):
        """Instructions of each marked region (calibrated), in order."""
        m = self.marks
        if len(m) < 2 or len(m) % 2:
            raise RunError(f"expected an even number (>= 2) of marks, got {len(m)}")
        cost = m[1] - m[0]
        return [m[i + 1] - m[i] - cost for i in range(2, len(m), 2)]

    @property
    def mark_cost(self):
        return self.marks[1] - self.marks[0] if len(self.marks) >= 2 else None


def command(target, elf, plugin=None, mark_file=None):
    if target not in TARGETS:
        raise RunError(f"unknown target '{target}'; valid: {', '.join(TARGETS)}")
    _, cmd, how = TARGETS[target]
    cmd = list(cmd)
    if plugin:
        if target == "host":
            raise RunError("instruction counting needs an emulated target, not the host")
        syms = Elf(elf).symbols()
        if "sprat_mark" not in syms:
            raise RunError(f"{elf}: no sprat_mark symbol; link //harness:firmware to count instructions")
        addr = syms["sprat_mark"] & ~1  # Thumb bit
        cmd += ["-plugin", f"{os.path.abspath(plugin)},mark={addr:#x},out={mark_file}"]
    if how:
        cmd += [how, elf]
    else:
        cmd += [elf]
    return cmd


def run(target, elf, plugin=None, timeout=600, echo=False):
    """Runs elf on target; returns a Result (never raises on a guest failure)."""
    with tempfile.TemporaryDirectory() as tmp:
        mark_file = os.path.join(tmp, "marks.txt") if plugin else None
        cmd = command(target, elf, plugin, mark_file)
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               timeout=timeout, text=True, errors="replace")
            rc, out, timed_out = p.returncode, p.stdout, False
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            rc, timed_out = 124, True
        except FileNotFoundError as e:
            raise RunError(f"{cmd[0]} not found: run tools/setup") from e
        marks = []
        if mark_file and os.path.exists(mark_file):
            with open(mark_file) as f:
                marks = [int(x) for x in f.read().split()]
    if echo:
        sys.stdout.write(out)
    return Result(rc, out, marks, timed_out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", required=True, help="one of: " + ", ".join(TARGETS))
    ap.add_argument("--plugin", help="insn_count plugin .so: count instructions of the marked regions")
    ap.add_argument("--expect", type=int, action="append", default=[],
                    help="expected instructions of region k (repeat, in order); implies counting")
    ap.add_argument("--runs", type=int, default=1, help="run this many times; counts must agree")
    ap.add_argument("--timeout", type=int, default=600, help="seconds before the emulator is stopped")
    ap.add_argument("--json_out", help="write {returncode, stdout, marks, timed_out} of one run here and exit 0 "
                                        "whatever the guest did (a build step that measures: //bench:measurement)")
    ap.add_argument("elf")
    a = ap.parse_args(argv)
    if a.json_out:
        import json
        r = run(a.target, a.elf, a.plugin, a.timeout)
        with open(a.json_out, "w") as f:
            json.dump({"returncode": r.returncode, "stdout": r.stdout, "marks": r.marks, "timed_out": r.timed_out}, f)
        return 0
    if a.expect and not a.plugin:
        ap.error("--expect needs --plugin")
    print(f"sprat: running on {TARGETS.get(a.target, ('?',))[0]}", flush=True)
    seen = None
    for i in range(a.runs):
        try:
            r = run(a.target, a.elf, a.plugin, a.timeout, echo=True)
        except RunError as e:
            print(f"sprat: {e}", file=sys.stderr)
            return 2
        if r.timed_out:
            print(f"sprat: the emulator ran past {a.timeout} s and was stopped", file=sys.stderr)
            return 1
        if r.returncode != 0:
            print(f"sprat: the firmware exited with status {r.returncode}", file=sys.stderr)
            return r.returncode
        if a.plugin:
            try:
                regions = r.regions()
            except RunError as e:
                print(f"sprat: {e}", file=sys.stderr)
                return 1
            print(f"sprat: run {i + 1}: mark cost {r.mark_cost} instructions; regions {regions}")
            for k, want in enumerate(a.expect):
                got = regions[k] if k < len(regions) else None
                if got != want:
                    print(f"sprat: region {k}: counted {got} instructions, expected {want}", file=sys.stderr)
                    return 1
            if seen is not None and regions != seen:
                print(f"sprat: counts differ between runs: {seen} vs {regions}", file=sys.stderr)
                return 1
            seen = regions
    return 0


if __name__ == "__main__":
    sys.exit(main())
