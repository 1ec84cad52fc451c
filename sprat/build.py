"""Running Bazel from the sprat tools (inside the build environment)."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAZEL = os.path.join(REPO, "tools", "bazel")


class BuildError(RuntimeError):
    pass


def bazel(*args, quiet=True, check=True):
    """Runs tools/bazel ARGS in the repo; returns the CompletedProcess."""
    cmd = [BAZEL, *args]
    if quiet and args[0] in ("build", "test"):
        cmd[2:2] = ["--noshow_progress", "--ui_event_filters=-info,-stdout,-stderr,-warning"]
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise BuildError(f"bazel {' '.join(args)} failed:\n{p.stderr.strip()[-4000:]}")
    return p


def build(target, platform=None, portable=False):
    """Builds a label (for a platform of //platforms; `portable`: with the
    portable kernels whatever the platform) and returns its output's path."""
    flags = [f"--platforms=//platforms:{platform}"] if platform else []
    if portable:
        flags.append("--define=sprat_kernels=portable")
    bazel("build", *flags, target)
    p = bazel("cquery", *flags, "--output=files", target)
    files = [f for f in p.stdout.split() if f]
    if len(files) != 1:
        raise BuildError(f"{target}: expected one output file, got {files}")
    return os.path.join(REPO, files[0])


def progress(msg):
    print(f"sprat: {msg}", file=sys.stderr, flush=True)
