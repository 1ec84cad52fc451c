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


def build(target, platform=None, portable=False, defines=None):
    """Builds a label (for a platform of //platforms; `portable`: with the
    portable kernels whatever the platform; `defines`: --define NAME=VALUE
    pairs) and returns its output's path."""
    flags = [f"--platforms=//platforms:{platform}"] if platform else []
    if portable:
        flags.append("--define=sprat_kernels=portable")
    flags += [f"--define={k}={v}" for k, v in sorted((defines or {}).items())]
    bazel("build", *flags, target)
    p = bazel("cquery", *flags, "--output=files", target)
    files = [f for f in p.stdout.split() if f]
    if len(files) != 1:
        raise BuildError(f"{target}: expected one output file, got {files}")
    return os.path.join(REPO, files[0])


def progress(msg):
    print(f"sprat: {msg}", file=sys.stderr, flush=True)


def generated_dir(files):
    """Writes generated sources {name: text} outside the source tree, in a
    folder named by their hash (next to Bazel's output tree), and returns it:
    rules read it through --define=SPRAT_GEN_DIR, so new contents make a new
    action key and Bazel's cache stays right."""
    import hashlib
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    root = os.environ.get("SPRAT_BAZEL_ROOT") or os.path.join(os.path.expanduser("~"), ".cache", "sprat", "bazel")
    d = os.path.join(root, "sprat-gen", h.hexdigest()[:24])
    if not os.path.isdir(d):
        tmp = d + f".tmp{os.getpid()}"
        os.makedirs(tmp, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        try:
            os.rename(tmp, d)
        except OSError:  # made meanwhile by another process
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)
    return d
