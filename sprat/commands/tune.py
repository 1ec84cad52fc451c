"""sprat tune MODEL.tflite --target T [--max_code_bytes N] [-o DIR]:
chooses per layer whether it runs the kernel library's generic kernel or
code generated for its shapes, from exact instruction counts under QEMU,
within a flash budget for the generated code.

Each candidate layer is measured both ways in the model's own firmware
(`sprat bench`, the exact counter), each run a Bazel build step
(//bench:measurement) that Bazel caches by the firmware's bytes: a layer's
count does not depend on how the others run, so the per-layer counts add
up exactly. Measurements are
cached by layer signature (op, parameter record), target, compiler and the
kernel library's and code generator's sources, so an unchanged model is
not measured again. With a budget, the layers that save the most
instructions per byte of generated code are kept first. -o writes the
model's sources with that choice, as `sprat convert --generate` does."""

import hashlib
import json
import os
import subprocess
import sys

from absl import flags

import sprat.api as sprat_api
from converter import codegen, layouts
from converter.convert import convert
from converter.errors import ConvertError
from sprat import build
from sprat.commands import bench

FLAGS = flags.FLAGS
flags.DEFINE_integer("max_code_bytes", None, "Flash budget for generated code (functions and their records), bytes.")
flags.DEFINE_string("o", None, "Write the model's sources with the chosen layers here (as sprat convert -o).")
flags.DEFINE_string("name", "model", "C prefix of the model's symbols (with -o).")
flags.DEFINE_bool("verify", True, "Rebuild and rerun with the chosen layers to confirm the total and bit-exactness.")

_SOURCES = ["kernels/cortex_m", "kernels/portable", "kernels/include", "converter/codegen", "runtime/src"]


def cache_path():
    if os.environ.get("SPRAT_TUNE_CACHE"):
        return os.environ["SPRAT_TUNE_CACHE"]
    root = os.environ.get("SPRAT_BAZEL_ROOT") or os.path.join(os.path.expanduser("~"), ".cache", "sprat", "bazel")
    return os.path.join(os.path.dirname(root.rstrip("/")), "tune-cache.json")


def toolchain_id(target):
    """The compiler and the sources whose change invalidates measurements."""
    cc = "riscv64-unknown-elf-gcc" if target.startswith("riscv") else "arm-none-eabi-gcc"
    try:
        version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        version = cc
    h = hashlib.sha256(version.encode())
    for d in _SOURCES:
        for root, dirs, files in os.walk(os.path.join(build.REPO, d)):
            dirs[:] = sorted(x for x in dirs if not x.startswith(("tests", "__pycache__")))
            for f in sorted(files):
                if f.endswith((".c", ".h", ".inc", ".py")):
                    p = os.path.join(root, f)
                    h.update(os.path.relpath(p, build.REPO).encode() + b"\0" + open(p, "rb").read())
    return h.hexdigest()[:16]


def layer_key(op, target, tool):
    return hashlib.sha256(b"%d\0" % op.opcode + op.params + f"\0{target}\0{tool}".encode()).hexdigest()[:24]


def _load_cache():
    try:
        with open(cache_path()) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _save_cache(cache):
    path = cache_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(cache, f)
    os.replace(path + ".tmp", path)


def choose(entries, budget):
    """entries: {layer: (library instructions, generated instructions, code
    bytes)}. The layers to generate: every one that saves instructions, or
    within `budget` bytes the most instructions saved per byte first."""
    gains = sorted(((lib - gen) / max(size, 1), k) for k, (lib, gen, size) in entries.items() if gen < lib)
    chosen, used = set(), 0
    for _, k in reversed(gains):
        size = entries[k][2]
        if budget is None or used + size <= budget:
            chosen.add(k)
            used += size
    return chosen


def tune(path, target):
    lib = layouts.for_target(target).NAME
    if not codegen.supported(lib):
        raise ConvertError(f"{target}'s kernel library ({lib}) has no layer templates to tune "
                           f"(generated code exists for: {', '.join(codegen.LIBRARIES)})")
    r = convert(path, target=target, generate=True)
    tool = toolchain_id(target)
    keys = {k: layer_key(r.ops[k], target, tool) for k in r.generated}
    cache = _load_cache()
    missing = [k for k in sorted(keys) if keys[k] not in cache]
    measured = bool(missing)
    if missing:
        build.progress(f"measuring {len(missing)} of {len(keys)} candidate layers (not in {cache_path()}): "
                       "generic kernels first, then generated code")
        base = bench.measure(path, target, generate=False, hermetic=True)
        build.progress("generic kernels measured; now every candidate layer generated")
        gen = bench.measure(path, target, generate=True, hermetic=True)
        if not (base["bitexact"] and gen["bitexact"]):
            raise ConvertError("a measured build was not bit-exact with LiteRT: not tuning on it (sprat bench says where)")
        for k in keys:
            cache[keys[k]] = {"library": base["layers"][k]["instructions"], "generated": gen["layers"][k]["instructions"],
                              "code_bytes": gen["layers"][k]["code_bytes"], "op": r.ops[k].name}
        _save_cache(cache)
    else:
        build.progress(f"all {len(keys)} candidate layers measured before (cache {cache_path()})")
    entries = {k: (cache[keys[k]]["library"], cache[keys[k]]["generated"], cache[keys[k]]["code_bytes"]) for k in keys}
    chosen = choose(entries, FLAGS.max_code_bytes)
    rows = [{"index": k, "op": r.ops[k].name, "library_instructions": entries[k][0],
             "generated_instructions": entries[k][1], "code_bytes": entries[k][2], "generated": k in chosen}
            for k in sorted(keys)]
    saved = sum(entries[k][0] - entries[k][1] for k in chosen)
    res = {"model": os.path.splitext(os.path.basename(path))[0], "target": target, "candidates": len(keys),
           "generated_layers": sorted(chosen), "code_bytes": sum(entries[k][2] for k in chosen),
           "max_code_bytes": FLAGS.max_code_bytes, "instructions_saved": saved, "measured": measured, "layers": rows}
    if FLAGS.verify:
        build.progress(f"verifying: the model with {len(chosen)} generated layers")
        v = bench.measure(path, target, generate=chosen, hermetic=True)
        res.update(instructions=v["instructions"], bitexact=v["bitexact"], flash_bytes=v["flash_bytes"])
    return res, chosen


def main(argv):
    if len(argv) != 2:
        print("usage: sprat tune MODEL.tflite --target T [--max_code_bytes N] [-o DIR] [--json]", file=sys.stderr)
        return 2
    path = argv[1]
    if not os.path.isfile(path):
        print(f"sprat tune: {path}: no such file", file=sys.stderr)
        return 2
    try:
        res, chosen = tune(path, FLAGS.target)
        if FLAGS.o:
            m = sprat_api.convert(path, target=FLAGS.target, generate=chosen or False)
            m.save(FLAGS.o, FLAGS.name)
    except (ConvertError, bench.BenchError, build.BuildError) as e:
        print(f"sprat tune: {path}: {e}", file=sys.stderr)
        return 1
    if FLAGS.json:
        print(json.dumps(res, indent=1))
        return 0
    print(f"sprat tune: {res['model']} on {res['target']}: {len(chosen)} of {res['candidates']} layers generated, "
          f"{res['code_bytes']:,} B of generated code"
          + (f" (budget {FLAGS.max_code_bytes:,} B)" if FLAGS.max_code_bytes is not None else ""))
    print(f"{'layer':>5}  {'op':<28} {'generic':>10} {'generated':>10} {'saved':>8} {'bytes':>7}  runs")
    for row in res["layers"]:
        print(f"{row['index']:>5}  {row['op']:<28} {row['library_instructions']:>10,} "
              f"{row['generated_instructions']:>10,} {row['library_instructions'] - row['generated_instructions']:>8,} "
              f"{row['code_bytes']:>7,}  {'generated' if row['generated'] else 'generic'}")
    print(f"instructions saved: {res['instructions_saved']:,}"
          + (f"; with this choice: {res['instructions']:,} instructions, "
             f"{'bit-exact' if res['bitexact'] else 'NOT bit-exact'}, flash {res['flash_bytes']:,} B"
             if "instructions" in res else ""))
    if FLAGS.o:
        print(f"sprat tune: wrote the model's sources to {FLAGS.o}")
    return 0 if res.get("bitexact", True) else 1
