"""sprat tune MODEL.tflite --target T [--max_code_bytes N] [-o DIR]:
chooses per layer what runs it: the kernel library's generic kernel or
one of the code generator's variants for its shapes (converter/codegen:
the library's template specialized, or another loop order or tile such as
the depthwise two-pixel kernel), from exact instruction counts under QEMU,
within a flash budget for the generated code.

Each candidate is measured in the model's own firmware (`sprat bench`,
the exact counter): one firmware with the generic kernels, then one per
variant with every layer that has it generated that way. Each run is a
Bazel build step (//bench:measurement) that Bazel caches by the
firmware's bytes: a layer's count does not depend on how the others run,
so the per-layer counts add up exactly. Measurements are cached by layer
signature (op, parameter record), target, compiler and the kernel
library's and code generator's sources, so an unchanged model is not
measured again. With a budget, the layers that save the most instructions
per byte of generated code are kept first. -o writes the model's sources
with that choice, as `sprat convert --generate` does."""

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
from sprat.commands import model_argument, bench

FLAGS = flags.FLAGS
flags.DEFINE_integer("max_code_bytes", None, "Flash budget for generated code (functions and their records), bytes.")
flags.DEFINE_string("o", None, "Write the model's sources with the chosen layers here (as sprat convert -o).")
flags.DEFINE_string("name", "model", "C prefix of the model's symbols (with -o).")
flags.DEFINE_bool("grow_arena", False, "Let variants with scratch of their own (the depthwise ring of rows) raise "
                  "the arena; by default a layer at the arena's peak keeps a variant without.")
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
    """entries: {layer: (library instructions, {variant: (instructions,
    code bytes)})}. Returns {layer: variant} for the layers to generate:
    each layer's fastest variant where it beats the library, or within
    `budget` bytes the most instructions saved per byte first (a layer may
    move up to a faster, bigger variant when the budget still allows it)."""
    options = sorted(((lib - n) / max(size, 1), lib - n, size, k, v)
                     for k, (lib, vs) in entries.items() for v, (n, size) in vs.items() if n < lib)
    chosen, used = {}, 0
    for _, gain, size, k, v in reversed(options):
        if k in chosen:
            old_gain, old_size = chosen[k][1], chosen[k][2]
            if gain <= old_gain or (budget is not None and used - old_size + size > budget):
                continue
            used -= old_size
        elif budget is not None and used + size > budget:
            continue
        chosen[k] = (v, gain, size)
        used += size
    return {k: v for k, (v, _, _) in chosen.items()}


def tune(path, target):
    lib = layouts.for_target(target).NAME
    if not codegen.supported(lib):
        raise ConvertError(f"{target}'s kernel library ({lib}) has no layer templates to tune "
                           f"(generated code exists for: {', '.join(codegen.LIBRARIES)})")
    r = convert(path, target=target, generate=True, optimize=FLAGS.optimize)
    tool = toolchain_id(target)
    options = {k: codegen.variants(lib, r.ops[k]) for k in r.generated}
    keys = {k: layer_key(r.ops[k], target, tool) for k in r.generated}
    cache = _load_cache()
    missing = [k for k in sorted(keys) if keys[k] not in cache]
    measured = bool(missing)
    if missing:
        every = sorted({v for k in missing for v in options[k]})
        build.progress(f"measuring {len(missing)} of {len(keys)} candidate layers (not in {cache_path()}): "
                       f"the generic kernels, then {len(every)} variant(s) of generated code ({', '.join(every)})")
        base = bench.measure(path, target, generate=False, hermetic=True)
        runs = {}
        for i, v in enumerate(every, 1):
            build.progress(f"variant {i} of {len(every)}: '{v}' on every layer that has it")
            want = {k: (v if v in options[k] else options[k][0]) for k in options}
            runs[v] = bench.measure(path, target, generate=want, hermetic=True)
        if base["bitexact"] is False or any(m["bitexact"] is False for m in runs.values()):
            raise ConvertError("a measured build was not bit-exact with the reference: not tuning on it "
                               "(sprat bench says where)")
        for k in missing:
            cache[keys[k]] = {"op": r.ops[k].name, "library": base["layers"][k]["instructions"],
                              "variants": {v: [runs[v]["layers"][k]["instructions"], runs[v]["layers"][k]["code_bytes"]]
                                           for v in options[k]}}
        _save_cache(cache)
    else:
        build.progress(f"all {len(keys)} candidate layers measured before (cache {cache_path()})")
    entries = {k: (cache[keys[k]]["library"], {v: tuple(x) for v, x in cache[keys[k]]["variants"].items()})
               for k in keys}
    chosen = choose(entries, FLAGS.max_code_bytes)
    if chosen and not FLAGS.grow_arena:
        fitted = convert(path, target=target, generate=chosen, grow_arena=False, optimize=FLAGS.optimize).variants
        for k, v in list(fitted.items()):  # a layer moved off its choice to keep the arena: its next best, if it pays
            if v != chosen[k] and entries[k][1][v][0] >= entries[k][0]:
                del fitted[k]
        # The fallback may be bigger: back within the budget, least saved per byte first.
        while FLAGS.max_code_bytes is not None and sum(entries[k][1][v][1] for k, v in fitted.items()) > FLAGS.max_code_bytes:
            del fitted[min(fitted, key=lambda k: (entries[k][0] - entries[k][1][fitted[k]][0]) / max(entries[k][1][fitted[k]][1], 1))]
        if fitted != chosen:
            build.progress(f"{sum(fitted.get(k) != v for k, v in chosen.items())} layer(s) at the arena's peak keep "
                           "a variant without scratch of its own (--grow_arena lets them raise the arena)")
        chosen = dict(fitted)
    rows = []
    for k in sorted(keys):
        lib_n, vs = entries[k]
        best = min(vs, key=lambda v: vs[v][0])
        pick = chosen.get(k)
        rows.append({"index": k, "op": r.ops[k].name, "library_instructions": lib_n,
                     "variants": {v: {"instructions": n, "code_bytes": b} for v, (n, b) in vs.items()},
                     "generated_instructions": vs[pick or best][0], "code_bytes": vs[pick or best][1],
                     "generated": pick is not None, "variant": pick or "library"})
    saved = sum(entries[k][0] - entries[k][1][v][0] for k, v in chosen.items())
    res = {"model": os.path.splitext(os.path.basename(path))[0], "target": target, "candidates": len(keys),
           "generated_layers": sorted(chosen), "variants": {str(k): v for k, v in sorted(chosen.items())},
           "code_bytes": sum(entries[k][1][v][1] for k, v in chosen.items()),
           "max_code_bytes": FLAGS.max_code_bytes, "instructions_saved": saved, "measured": measured, "layers": rows}
    if FLAGS.verify:
        build.progress(f"verifying: the model with {len(chosen)} generated layers")
        v = bench.measure(path, target, generate=chosen, hermetic=True)
        res.update(instructions=v["instructions"], bitexact=v["bitexact"], flash_bytes=v["flash_bytes"],
                   arena_bytes=v["arena_bytes"])
    return res, chosen


def main(argv):
    path = model_argument(argv, "tune", "MODEL.tflite --target T [--max_code_bytes N] [-o DIR] [--json]")
    if path is None:
        return 2
    try:
        res, chosen = tune(path, FLAGS.target)
        if FLAGS.o:
            m = sprat_api.convert(path, target=FLAGS.target, generate=chosen or False, optimize=FLAGS.optimize)
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
    names = sorted({v for row in res["layers"] for v in row["variants"]})
    print(f"{'layer':>5}  {'op':<28} {'generic':>10} " + " ".join(f"{v:>10}" for v in names)
          + f" {'saved':>8} {'bytes':>7}  runs")
    for row in res["layers"]:
        cells = " ".join(f"{row['variants'][v]['instructions']:>10,}" if v in row["variants"] else f"{'-':>10}"
                         for v in names)
        saved = row["library_instructions"] - row["generated_instructions"] if row["generated"] else 0
        print(f"{row['index']:>5}  {row['op']:<28} {row['library_instructions']:>10,} {cells} {saved:>8,} "
              f"{row['code_bytes'] if row['generated'] else 0:>7,}  {row['variant']}")
    print(f"instructions saved: {res['instructions_saved']:,}"
          + (f"; with this choice: {res['instructions']:,} instructions, "
             f"{ {True: 'bit-exact', None: 'bit-exactness unknown'}.get(res['bitexact'], 'NOT bit-exact') }, "
             f"flash {res['flash_bytes']:,} B, "
             f"arena {res['arena_bytes']:,} B"
             if "instructions" in res else ""))
    if FLAGS.o:
        print(f"sprat tune: wrote the model's sources to {FLAGS.o}")
    return 1 if res.get("bitexact") is False else 0
