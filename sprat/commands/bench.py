"""sprat bench MODEL.tflite --target T: run a model on a target and measure
it, layer by layer, against TFLM + CMSIS-NN.

Converts the model, builds the benchmark firmware for the target through
Bazel (the runtime and kernels a customer gets, plus per-layer marks), runs
it under the target's emulator with the exact instruction counter, and
compares its output with LiteRT's reference kernels on the same input (with
TFLM's interpreter where LiteRT refuses the model; the report says which)."""

import json
import os
import re
import sys

import numpy as np
from absl import flags

from converter import codegen, fuse, ir, layouts
from converter.convert import convert
from sprat.commands import optimize_flag
from converter.errors import ConvertError
from harness import qemu_run
from harness.elf import Elf
from sprat import build, reference
from sprat import host as H
from sprat.model_sources import firmware_sources

# target: (clock MHz assumed for the ms estimate, flash bytes, RAM bytes) of
# the memory map its firmware is linked for; None where there is no limit.
TARGETS = {
    "qemu_cortex_m7": (216, 1 << 20, 320 << 10),
    "qemu_cortex_m4": (168, 1 << 20, 320 << 10),
    "qemu_cortex_m55": (400, 512 << 10, 512 << 10),
    "cortex_a53": (1200, 4 << 20, 4 << 20),
    "cortex_a55": (1800, 4 << 20, 4 << 20),
    # The same cores named by their system-emulation platforms.
    "cortex_a53_baremetal": (1200, 4 << 20, 4 << 20),
    "cortex_a55_baremetal": (1800, 4 << 20, 4 << 20),
    "riscv32": (100, 4 << 20, 4 << 20),
    "riscv64_rvv": (1000, 4 << 20, 4 << 20),
    "host": (None, None, None),
}
# Room the linker scripts keep for the stack, and what the runtime and
# harness code need at most, for the fit check before building.
STACK_RESERVE = 32 << 10
CODE_ESTIMATE = 48 << 10
STATIC_ESTIMATE = 4 << 10
KNOWN_LOOP = 2_000_000
SYSTEM_EMULATION = {"cortex_a53": "cortex_a53_baremetal", "cortex_a55": "cortex_a55_baremetal"}
ANCHORS = os.path.join(os.path.dirname(build.REPO), "shared", "anchors", "tflm_cmsis_nn_cortex_m7.json")

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(optimize_flag)
flags.DEFINE_enum("target", "qemu_cortex_m7", list(TARGETS), "Target to measure on: " + ", ".join(TARGETS) + ".")
flags.DEFINE_bool("reference", False, "Measure the portable reference kernels even where an optimized "
                                      "library exists for the target (the weights in their layout too).")
flags.DEFINE_bool("json", False, "Print the results as JSON instead of tables.")
flags.DEFINE_string("plot", None, "Write a PNG of instructions per layer to this file.")
flags.DEFINE_integer("seed", 0, "Seed of the random input.")
flags.DEFINE_string("input", None, "A .npy file with the input (instead of a random one).")
flags.DEFINE_float("timeout", 900, "Seconds the emulator may run.")
flags.DEFINE_bool("hermetic", False, "Run the emulator as a Bazel build step (//bench:measurement), whose "
                                     "result Bazel caches by the firmware's bytes.")
flags.DEFINE_bool("generate", False, "Run generated layers (converter/codegen): each convolution, depthwise "
                                     "and fully connected layer specialized for its shapes, where the target's "
                                     "kernel library has templates.")


class BenchError(Exception):
    pass


def kernels_for(target):
    return "portable" if FLAGS.reference else layouts.TARGET_LIBRARY[target]


POINTER_BYTES = {"cortex_a53": 8, "cortex_a55": 8, "cortex_a53_baremetal": 8, "cortex_a55_baremetal": 8,
                 "riscv64_rvv": 8, "host": 8}


def streaming_check(r):
    """One invoke is what the bench measures: a CIRCULAR_BUFFER layer that
    waits for more frames would end it early."""
    from converter import blob as blobfmt
    for k, op in enumerate(r.ops):
        if op.flags & blobfmt.OPF_MAY_STOP:
            cycles = int(r.graph.t(op.inputs[0]).init[1])
            if cycles > 1:
                raise BenchError(f"layer {k} ({op.name}) runs the rest of the model once every {cycles} invokes "
                                 "(a streaming model): sprat bench measures one invoke, which would stop there; "
                                 "the op suite and tests/test_stateful.py check such models over many invokes")


def fit_check(r, target):
    _, flash, ram = TARGETS[target]
    if ram is not None:
        need = r.arena_size + STACK_RESERVE + STATIC_ESTIMATE
        if need > ram:
            raise BenchError(f"the model does not fit {target}'s RAM: its arena alone is {r.arena_size:,} B; with "
                             f"the {STACK_RESERVE // 1024} KiB stack and runtime it needs {need:,} B of "
                             f"{ram:,} B ({need - ram:,} B too many)")
    if flash is not None:
        need = len(r.blob) + CODE_ESTIMATE
        if need > flash:
            raise BenchError(f"the model does not fit {target}'s flash: blob {len(r.blob):,} B plus about "
                             f"{CODE_ESTIMATE // 1024} KiB of code is {need:,} B of {flash:,} B "
                             f"({need - flash:,} B too many)")


def make_inputs(r):
    if FLAGS.input:
        try:
            x = np.load(FLAGS.input)
        except Exception as e:
            raise BenchError(f"cannot read {FLAGS.input}: {e}")
        t = r.inputs[0]
        want = np.dtype(ir.DTYPES[t.type])
        if len(r.inputs) != 1 or x.dtype != want or tuple(x.shape) != tuple(t.shape):
            raise BenchError(f"{FLAGS.input} holds {x.dtype}{list(x.shape)}; the model's input is "
                             f"{want}{list(t.shape)}")
        return [x]
    return reference.random_inputs(r, FLAGS.seed)


def bench_sources(r, inputs, target):
    """The firmware's generated sources (bench/BUILD's :bench_sources)."""
    raw = b"".join(np.ascontiguousarray(x).tobytes() for x in inputs)
    return firmware_sources(r, "bench", "bench/generated", max(r.arena_for(POINTER_BYTES.get(target, 4)), 16), raw)


def parse_outputs(r, stdout):
    outs = []
    for k, t in enumerate(r.outputs):
        m = re.search(rf"^sprat: output {k}\n((?:sprat: hex [0-9a-f]*\n)+)", stdout, re.M)
        if not m:
            raise BenchError(f"the firmware printed no output {k}")
        raw = bytes.fromhex("".join(re.findall(r"sprat: hex ([0-9a-f]*)", m.group(1))))
        outs.append(np.frombuffer(raw, ir.DTYPES[t.type]).reshape(t.shape))
    return outs


def compare(got, want):
    flat_g = np.concatenate([g.ravel().view(np.uint8) for g in got])
    flat_w = np.concatenate([np.ascontiguousarray(w).ravel().view(np.uint8) for w in want])
    if flat_g.shape == flat_w.shape and np.array_equal(flat_g, flat_w):
        return True, None
    g = np.concatenate([x.ravel() for x in got])
    w = np.concatenate([x.ravel() for x in want])
    diff = np.flatnonzero(g != w) if g.shape == w.shape else [0]
    return False, int(diff[0])


def measure(model_path, target, generate=None, hermetic=None):
    """`generate`: None for --generate's choice, else True, False or a set
    of layer indices (sprat tune's choice). `hermetic`: run the emulator
    as a Bazel build step (//bench:measurement, cached by the firmware's
    bytes) instead of from here; None for --hermetic."""
    hermetic = FLAGS.hermetic if hermetic is None else hermetic
    name = os.path.splitext(os.path.basename(model_path))[0]
    data = open(model_path, "rb").read()
    build.progress(f"converting {model_path}")
    try:
        gen = False if FLAGS.reference else (FLAGS.generate if generate is None else generate)
        if gen and not codegen.supported(layouts.for_target(target).NAME):
            raise BenchError(f"--generate: {target}'s kernel library ({layouts.for_target(target).NAME}) has no "
                             f"layer templates yet (generated code exists for: {', '.join(codegen.LIBRARIES)})")
        r = convert(data, target=target, reference=FLAGS.reference, generate=gen, optimize=FLAGS.optimize)
    except ConvertError as e:
        raise BenchError(f"{model_path}: {e}")
    fit_check(r, target)
    streaming_check(r)
    inputs = make_inputs(r)
    build.progress("computing the reference output (LiteRT's reference kernels; TFLM's interpreter if LiteRT "
                   "refuses the model)")
    ref = reference.compute(data, inputs)
    if ref.outputs is None:
        build.progress(f"bit-exactness unknown: {ref.describe()}")
    kernels = kernels_for(target) + (f" + {len(r.generated)} generated layers" if r.generated else "")
    res = {"model": name, "target": target, "kernels": kernels, "description": "",
           "macs": sum(l.macs for l in r.layers), "arena_bytes": r.arena_size}
    layers = [{"index": l.index, "op": l.name, "shape": list(l.output_shape), "macs": l.macs, "instructions": None,
               "variant": "generated" if l.index in r.generated else
               "fused" if r.ops[l.index].opcode == fuse.FUSED else "library",
               "template": (r.variants or {}).get(l.index), "code_bytes": None}
              for l in r.layers]
    if target == "host":
        build.progress("running on the host (libsprat_host.so)")
        got = H.run_result(H.Host(build.build("//runtime:libsprat_host.so")), r, inputs)
        res.update(instructions=None, counter="none: the host is not emulated", stack_bytes=None,
                   static_ram_bytes=None, ram_bytes=None, flash_bytes=None, layers=layers)
    else:
        gen_dir = build.generated_dir(bench_sources(r, inputs, target))
        # User-mode qemu-aarch64 cannot count: Cortex-A53 is measured on the
        # same core under system emulation, bare metal, with the same code.
        emulated = SYSTEM_EMULATION.get(target, target)
        build.progress(f"building //bench:fw for {emulated} with Bazel")
        elf = build.build("//bench:fw", emulated, portable=FLAGS.reference, defines={"SPRAT_GEN_DIR": gen_dir})
        if hermetic:
            build.progress(f"measuring on {qemu_run.TARGETS[emulated][0]} as a Bazel build step (//bench:measurement)")
            path = build.build("//bench:measurement", emulated, portable=FLAGS.reference,
                               defines={"SPRAT_GEN_DIR": gen_dir})
            with open(path) as f:
                got = json.load(f)
            run = qemu_run.Result(got["returncode"], got["stdout"], got["marks"], got["timed_out"])
        else:
            plugin = build.build("//harness:libinsn_count.so")
            build.progress(f"running on {qemu_run.TARGETS[emulated][0]} with the instruction counter")
            run = qemu_run.run(emulated, elf, plugin=plugin, timeout=FLAGS.timeout)
        if run.timed_out:
            raise BenchError(f"the emulator ran past the time limit ({FLAGS.timeout:g} s) and was stopped; raise --timeout")
        if run.returncode != 0:
            raise BenchError(f"the firmware failed (status {run.returncode}):\n{run.stdout[-1500:]}")
        got = parse_outputs(r, run.stdout)
        m = re.search(r"^sprat: arena (\d+) stack (\d+)", run.stdout, re.M)
        arena, stack = int(m.group(1)), int(m.group(2))
        e = Elf(elf)
        sizes = e.sizes()
        # A generated layer's code: its record and its functions (bench_layerK
        # and what its variant adds, bench_layerK_*).
        syms = {name: size for name, (_, size) in e.symbols(with_size=True).items()}
        for l in layers:
            if l["variant"] == "generated":
                k = l["index"]
                l["code_bytes"] = syms.get(f"bench_params{k}", 0) + sum(
                    size for name, size in syms.items() if name == f"bench_layer{k}" or name.startswith(f"bench_layer{k}_"))
        static = e.static_ram_without("arena")
        res.update(arena_bytes=arena, stack_bytes=stack, static_ram_bytes=static, ram_bytes=arena + stack + static,
                   flash_bytes=sizes["flash_bytes"])
        mk = run.marks
        if len(mk) != 8 + 2 * len(layers):
            raise BenchError(f"expected {8 + 2 * len(layers)} marks from the counter, got {len(mk)}")
        cost = mk[1] - mk[0]
        hooks = mk[3] - mk[2]
        known = mk[5] - mk[4] - cost
        total = mk[-1] - mk[6] - cost
        for k, l in enumerate(layers):
            l["instructions"] = mk[8 + 2 * k] - mk[7 + 2 * k] - hooks
        overhead = total - sum(l["instructions"] for l in layers)
        how = "exact: QEMU TCG plugin counting executed instructions"
        if emulated != target:
            how += (f", under system emulation ({qemu_run.TARGETS[emulated][0]}): Debian's user-mode "
                    "qemu-aarch64 is a static build that cannot load plugins")
        res.update(instructions=total, counter=how,
                   counter_check={"known_loop_expected": KNOWN_LOOP, "known_loop_counted": known},
                   overhead_instructions=overhead, mark_cost=cost, hook_cost=hooks)
        res["layers"] = layers
    ok, first = compare(got, ref.outputs) if ref.outputs is not None else (None, None)
    res["bitexact"] = ok  # None: no oracle ran the model
    res["first_difference"] = first
    res["oracle"] = ref.oracle
    res["oracle_note"] = ref.describe()
    res["tflm"] = tflm_comparison(name, target, res)
    return res


def tflm_comparison(name, target, res):
    if target != "qemu_cortex_m7":
        return None
    try:
        anchors = json.load(open(ANCHORS))["models"]
    except OSError:
        return None
    a = anchors.get(name)
    if a is None or res.get("instructions") is None:
        return None
    tflm_ram = a["arena_bytes"] + a["stack_bytes"] + a["static_ram_bytes"]
    return {"instructions": a["instructions"], "ram_bytes": tflm_ram, "arena_bytes": a["arena_bytes"],
            "flash_bytes": a["flash_bytes"], "instructions_ratio": res["instructions"] / a["instructions"],
            "ram_ratio": res["ram_bytes"] / tflm_ram}


def _fmt(n):
    return "n/a" if n is None else f"{n:,}"


def print_report(res):
    t = res["target"]
    clock = TARGETS[t][0]
    print(f"\n{'#':>3}  {'op':<26} {'output shape':<17} {'MACs':>11} {'instructions':>13} {'MAC/instr':>9} {'share':>6}")
    total = res.get("instructions")
    for l in res["layers"]:
        ins = l["instructions"]
        mpi = f"{l['macs'] / ins:.3f}" if ins and l["macs"] else ""
        share = f"{100 * ins / total:.1f}%" if ins and total else ""
        print(f"{l['index']:>3}  {l['op']:<26} {str(l['shape']):<17} {l['macs']:>11,} {_fmt(ins):>13} {mpi:>9} {share:>6}")
    print()
    if total:
        print(f"instructions       {total:,}  ({res['counter']})")
        cc = res["counter_check"]
        print(f"counter check      known loop of {cc['known_loop_expected']:,} instructions counted "
              f"{cc['known_loop_counted']:,}")
        per_layer = res["overhead_instructions"] / max(len(res["layers"]), 1)
        print(f"per-layer sum      {total - res['overhead_instructions']:,}; the rest, "
              f"{res['overhead_instructions']:,} ({100 * res['overhead_instructions'] / total:.2f}%), is the "
              f"interpreter between layers and the marks")
        print(f"interpreter        {per_layer:.1f} instructions per layer ({len(res['layers'])} layers)")
        print(f"MACs               {res['macs']:,}  ({res['macs'] / total:.3f} MACs per instruction)")
        if clock:
            print(f"time               ~{total / clock / 1000:.2f} ms at {clock} MHz (assuming one instruction per cycle)")
    else:
        print(f"instructions       n/a  ({res['counter']})")
        print(f"MACs               {res['macs']:,}")
    if res.get("ram_bytes") is not None:
        print(f"arena              {res['arena_bytes']:,} B")
        print(f"stack (peak)       {res['stack_bytes']:,} B (painted)")
        print(f"static RAM         {res['static_ram_bytes']:,} B (.data + .bss, arena excluded)")
        print(f"RAM                {res['ram_bytes']:,} B")
        print(f"flash              {res['flash_bytes']:,} B (.text + .rodata, weights included)")
    else:
        print(f"arena              {res['arena_bytes']:,} B (RAM and flash: n/a on the host)")
    be = {True: "yes", None: "unknown"}.get(res["bitexact"],
                                           f"NO (first difference at output index {res['first_difference']})")
    print(f"bit-exact          {be} ({res['oracle_note']})")
    tf = res["tflm"]
    if tf:
        print(f"vs TFLM+CMSIS-NN   instructions {res['instructions']:,} / {tf['instructions']:,} = "
              f"{tf['instructions_ratio']:.2f}x; RAM {res['ram_bytes']:,} / {tf['ram_bytes']:,} = {tf['ram_ratio']:.2f}x")
    elif t == "qemu_cortex_m7":
        print(f"vs TFLM+CMSIS-NN   no anchor for '{res['model']}' (anchors: ../shared/anchors/)")
    else:
        print("vs TFLM+CMSIS-NN   anchors exist for qemu_cortex_m7 only")


def plot(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    layers = [l for l in res["layers"] if l["instructions"] is not None]
    if not layers:
        raise BenchError("nothing to plot: this target has no instruction counts")
    kinds = sorted({l["op"].split("+")[-1] if l["op"].startswith("PAD+") else l["op"].split("+")[0] for l in layers})
    colors = {k: plt.cm.tab10(i % 10) for i, k in enumerate(kinds)}
    fig, ax = plt.subplots(figsize=(max(8, len(layers) * 0.22), 5), dpi=110)
    xs = np.arange(len(layers))
    key = [l["op"].split("+")[-1] if l["op"].startswith("PAD+") else l["op"].split("+")[0] for l in layers]
    ax.bar(xs, [l["instructions"] / 1e6 for l in layers], color=[colors[k] for k in key])
    ax.set_xlabel("layer")
    ax.set_ylabel("instructions (millions)")
    ax2 = ax.twinx()
    ax2.plot(xs, [l["macs"] / l["instructions"] if l["instructions"] else 0 for l in layers], "k.-", lw=1)
    ax2.set_ylabel("MACs per instruction")
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colors[k]) for k in kinds], labels=kinds, fontsize=8,
              loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(kinds), 5), frameon=False)
    ax.set_title(f"{res['model']} on {res['target']} ({res['kernels']} kernels): "
                 f"{res['instructions'] / 1e6:.2f} M instructions")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv):
    if len(argv) != 2:
        print("usage: sprat bench MODEL.tflite --target T [--json] [--plot FILE.png] [--seed N | --input FILE.npy]\n"
              f"targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    path = argv[1]
    if not os.path.isfile(path):
        print(f"sprat bench: {path}: no such file", file=sys.stderr)
        return 2
    t = FLAGS.target
    where = "the build machine" if t == "host" else qemu_run.TARGETS[SYSTEM_EMULATION.get(t, t)][0]
    if not FLAGS.json:
        print(f"sprat bench: {os.path.basename(path)} on {t} ({where}), kernels: {kernels_for(t)}", flush=True)
    try:
        res = measure(path, t)
        if FLAGS.plot:
            plot(res, FLAGS.plot)
    except (BenchError, build.BuildError, qemu_run.RunError) as e:
        print(f"sprat bench: {e}", file=sys.stderr)
        return 1
    if FLAGS.json:
        print(json.dumps(res, indent=1))
    else:
        print_report(res)
        if FLAGS.plot:
            print(f"plot               {FLAGS.plot}")
    return 1 if res["bitexact"] is False else 0  # unknown (no oracle ran the model) is not a failure of sprat
