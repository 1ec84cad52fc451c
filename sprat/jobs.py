"""Runs many model blobs in one launch of a target's firmware
(//runtime/tests:job_runner) and returns their outputs."""

import os
import re
import subprocess
import tempfile

import numpy as np

from converter import ir
from harness import qemu_run
from sprat import build


def run_jobs(target, jobs, timeout=1800):
    """jobs: list of (converter Result, list of input arrays).
    Returns a list of (status, output arrays or None), in order."""
    platform = "host" if target == "host" else target
    elf = build.build("//runtime/tests:job_runner", platform)
    with tempfile.TemporaryDirectory(dir=os.environ.get("SPRAT_JOBS_TMP")) as tmp:
        lines = []
        for k, (r, inputs) in enumerate(jobs):
            with open(os.path.join(tmp, f"m{k}.sprat"), "wb") as f:
                f.write(r.blob)
            with open(os.path.join(tmp, f"i{k}.bin"), "wb") as f:
                for x in inputs:
                    f.write(np.ascontiguousarray(x).tobytes())
            lines.append(f"m{k}.sprat i{k}.bin o{k}.bin")
        with open(os.path.join(tmp, "sprat_jobs.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        cmd = qemu_run.command(target, elf) if target != "host" else [elf]
        p = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        status = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"^job (\d+) status (-?\d+)", p.stdout, re.M)}
        if p.returncode != 0 or len(status) != len(jobs):
            raise RuntimeError(f"job runner on {target} failed (exit {p.returncode}):\n{p.stdout[-2000:]}")
        results = []
        for k, (r, _) in enumerate(jobs):
            if status[k] != 0:
                results.append((status[k], None))
                continue
            raw = open(os.path.join(tmp, f"o{k}.bin"), "rb").read()
            outs, at = [], 0
            for t in r.outputs:
                dt = np.dtype(ir.DTYPES[t.type])
                n = t.count * dt.itemsize
                outs.append(np.frombuffer(raw[at:at + n], dt).reshape(t.shape))
                at += n
            results.append((0, outs))
        return results
