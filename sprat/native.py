"""The C runtime with the portable kernels as a shared library on this
machine, for host runs through ctypes (sprat/host.py), without Bazel:

- an installed package carries it as the extension `sprat._host`, compiled
  by `pip install` from the same C sources the firmware uses;
- a checkout compiles it once with the system C compiler (`$CC`, else cc)
  into the user's cache folder, keyed on the sources' contents.
"""

import functools
import glob
import hashlib
import importlib.machinery
import os
import shutil
import subprocess
import tempfile

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(_PACKAGE)

# Shared with setup.py: what the library is made of.
INCLUDE_DIRS = [".", "runtime/include", "kernels/include"]
CFLAGS = ["-std=c99", "-O2", "-ffp-contract=off", "-fPIC"]


def sources(root):
    """The runtime's, its host glue's and the portable kernels' C files,
    relative to root (a checkout or an unpacked sdist)."""
    pats = ["runtime/src/*.c", "runtime/ops/*.c", "runtime/host/*.c", "kernels/portable/*.c"]
    return sorted(os.path.relpath(f, root) for p in pats for f in glob.glob(os.path.join(root, p)))


class NativeError(RuntimeError):
    pass


def _installed():
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(_PACKAGE, "_host" + suffix)
        if os.path.exists(path):
            return path
    return None


def _compile_from_checkout():
    srcs = sources(_REPO)
    if not srcs:
        raise NativeError("sprat's host runtime is missing: reinstall the package (pip install) or use a checkout")
    h = hashlib.sha256()
    headers = sorted(glob.glob(os.path.join(_REPO, "runtime", "**", "*.h"), recursive=True)
                     + glob.glob(os.path.join(_REPO, "kernels", "**", "*.h"), recursive=True)
                     + glob.glob(os.path.join(_REPO, "kernels", "**", "*.inc"), recursive=True))
    for f in srcs + [os.path.relpath(x, _REPO) for x in headers]:
        h.update(f.encode())
        with open(os.path.join(_REPO, f), "rb") as fh:
            h.update(fh.read())
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sprat")
    out = os.path.join(cache, f"libsprat_host-{h.hexdigest()[:16]}.so")
    if os.path.exists(out):
        return out
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise NativeError("no C compiler found (set CC): the host runtime is compiled once from sprat's C sources")
    os.makedirs(cache, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache)
    os.close(fd)
    cmd = [cc, *CFLAGS, "-shared", *[f"-I{os.path.join(_REPO, d)}" for d in INCLUDE_DIRS],
           *[os.path.join(_REPO, s) for s in srcs], "-lm", "-o", tmp]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        os.unlink(tmp)
        raise NativeError(f"compiling the host runtime failed ({cc}):\n{p.stdout[-3000:]}")
    os.replace(tmp, out)  # atomic: concurrent first runs each finish with a whole library
    return out


@functools.lru_cache(maxsize=None)  # the sources are hashed once per process
def library_path():
    """The host runtime library's path, built first if needed."""
    return _installed() or _compile_from_checkout()
