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


GENERATED_PER_BUILD = 30


WAITING = 13  # SPRAT_WAITING (sprat.h)


class Steps(list):
    """A job's inputs as a stream: per invoke, the list of input arrays,
    one init for all (state carries over). Its result: per step, the
    output arrays."""


def _generated_runner(platform, jobs, code_sources):
    """//runtime/tests:gen_job_runner with every job's generated layers."""
    from converter import codegen
    if code_sources is None:
        code_sources = [r if r.generated else None for r, _ in jobs]
    libs = {c.library for c in code_sources if c is not None}
    if len(libs) > 1:
        raise ValueError(f"generated jobs for several kernel libraries: {sorted(libs)}")
    lib = libs.pop() if libs else "cortex_m_dsp"
    models = [(f"job{k}", c.ops, c.variants, c.blob) for k, c in enumerate(code_sources) if c is not None]
    files = codegen.generate(lib, models)
    names = {k for k, c in enumerate(code_sources) if c is not None}
    codes = ['#include "sprat/sprat.h"']
    codes += [f"extern const sprat_generated_code job{k}_code;" for k in sorted(names)]
    codes.append(f"const sprat_generated_code *const sprat_job_codes[{max(len(jobs), 1)}] = {{")
    codes += [f"    [{k}] = &job{k}_code," for k in sorted(names)]
    codes += ["};", f"const int sprat_job_code_count = {len(jobs)};", ""]
    files["job_codes.c"] = "\n".join(codes)
    return build.build("//runtime/tests:gen_job_runner", platform, defines={"SPRAT_GEN_DIR": build.generated_dir(files)})


def run_jobs(target, jobs, timeout=1800, generated=False, code_sources=None):
    """jobs: list of (converter Result, list of input arrays). `generated`:
    link each job's generated layers (Results converted with generate=...);
    `code_sources`: per job, what its code is made from instead (anything
    with .library, .ops, .variants, .blob, or None: no code), for tests
    of mix-ups. Returns a list of (status, output arrays or None), in order."""
    platform = "host" if target == "host" else target
    if generated and len(jobs) > GENERATED_PER_BUILD:
        # Each model's code is in the firmware: a few dozen fit its flash.
        srcs = code_sources or [None] * len(jobs)
        out = []
        for at in range(0, len(jobs), GENERATED_PER_BUILD):
            part = slice(at, at + GENERATED_PER_BUILD)
            out += run_jobs(target, jobs[part], timeout, True, srcs[part] if code_sources else None)
        return out
    if generated:
        elf = _generated_runner(platform, jobs, code_sources)
    else:
        elf = build.build("//runtime/tests:job_runner", platform)
    with tempfile.TemporaryDirectory(dir=os.environ.get("SPRAT_JOBS_TMP")) as tmp:
        lines = []
        for k, (r, inputs) in enumerate(jobs):
            with open(os.path.join(tmp, f"m{k}.sprat"), "wb") as f:
                f.write(r.blob)
            steps = inputs if isinstance(inputs, Steps) else [inputs]
            with open(os.path.join(tmp, f"i{k}.bin"), "wb") as f:
                for step in steps:
                    for x in step:
                        f.write(np.ascontiguousarray(x).tobytes())
            lines.append(f"m{k}.sprat i{k}.bin o{k}.bin" + (f" {len(steps)}" if isinstance(inputs, Steps) else ""))
        with open(os.path.join(tmp, "sprat_jobs.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        cmd = qemu_run.command(target, elf) if target != "host" else [elf]
        p = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        status = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"^job (\d+) status (-?\d+)", p.stdout, re.M)}
        if p.returncode != 0 or len(status) != len(jobs):
            raise RuntimeError(f"job runner on {target} failed (exit {p.returncode}):\n{p.stdout[-2000:]}")
        results = []
        for k, (r, inputs) in enumerate(jobs):
            if status[k] != 0:
                results.append((status[k], None))
                continue
            raw = open(os.path.join(tmp, f"o{k}.bin"), "rb").read()
            per_step, at = [], 0
            for _ in range(len(inputs) if isinstance(inputs, Steps) else 1):
                if isinstance(inputs, Steps):
                    step_status = int(np.frombuffer(raw[at:at + 4], np.int32)[0])
                    at += 4
                outs = []
                for t in r.outputs:
                    dt = np.dtype(ir.DTYPES[t.type])
                    n = t.count * dt.itemsize
                    outs.append(np.frombuffer(raw[at:at + n], dt).reshape(t.shape))
                    at += n
                waiting = isinstance(inputs, Steps) and step_status == WAITING
                per_step.append(None if waiting else outs)  # SPRAT_WAITING: no outputs this step
            results.append((0, per_step if isinstance(inputs, Steps) else per_step[0]))
        return results
