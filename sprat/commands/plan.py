"""sprat plan MODEL.tflite [--target T] [--json] [--plot FILE.png]: the
model's memory plan: per layer the bytes live in the arena, the peak and
the layer where it occurs, a lower bound and how far the plan is above it,
TFLM's arena for the same model, and with --plot a picture of where each
buffer sits over time (arena offset against layer).

The lower bound: at each layer, the bytes of its live buffers less what
the op's overlap allowance (converter/access.py) lets its output share
with its input; no placement can use less than the largest of these.

TFLM's figure comes from the tflite-micro package's interpreter on the
host (64-bit pointers, reference kernels); the measured on-target anchor
(../shared/anchors) is printed beside it for the shared models."""

import json
import os
import re
import subprocess
import sys

from absl import flags

import sprat.api as sprat_api
from sprat.commands import model_argument
from converter import layouts, planner
from sprat.commands import optimize_flag
from converter.errors import ConvertError

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(optimize_flag)
flags.DEFINE_enum("target", None, list(layouts.TARGET_LIBRARY),
                  "Plan for this target's kernel library (its scratch); default: the portable kernels.")
flags.DEFINE_bool("json", False, "Print the plan as JSON.")
flags.DEFINE_string("plot", None, "Write a PNG of buffer placement over time (arena offset against layer).")
flags.DEFINE_bool("tflm", True, "Also compute TFLM's arena for the model (tflite-micro package).")

_ANCHORS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "..",
                        "shared", "anchors", "tflm_cmsis_nn_cortex_m7.json")
# In a child process: TFLM's interpreter aborts the process on some models.
_TFLM_SCRIPT = """
import sys
from tflite_micro.python.tflite_micro import runtime
ip = runtime.Interpreter.from_file(sys.argv[1], arena_size=16 * 1024 * 1024)
sys.stdout.flush()
ip.print_allocations()
"""


def tflm_arena(path):
    """(bytes, None) or (None, why not)."""
    try:
        p = subprocess.run([sys.executable, "-c", _TFLM_SCRIPT, path], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"TFLM's interpreter did not run ({e})"
    m = re.search(r"Arena allocation total (\d+) bytes", p.stdout + p.stderr)
    if not m:
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        if "No module named" in last:
            return None, "the tflite-micro package is not installed (pip install tflite-micro)"
        return None, f"TFLM's interpreter refused the model: {last[:200]}"
    return int(m.group(1)), None


def anchor_arena(path):
    try:
        with open(_ANCHORS) as f:
            models = json.load(f)["models"]
    except (OSError, ValueError, KeyError):
        return None
    return models.get(os.path.splitext(os.path.basename(path))[0], {}).get("arena_bytes")


def make_plan(path, target):
    model = sprat_api.convert(path, target=target, optimize=FLAGS.optimize)
    p = model.plan()
    r = model._r
    live = [l["live_bytes"] for l in p["layers"]]
    peak = max(range(len(live)), key=lambda k: live[k]) if live else 0
    bound = max(planner.layer_needs(r.graph, r.ops, r.buffers or []), default=0)
    res = {"model": os.path.splitext(os.path.basename(path))[0], "target": target, "library": model.library,
           "arena_bytes": p["arena_bytes"], "activation_bytes": p["activation_bytes"],
           "layer_record_bytes": p["layer_record_bytes"], "peak_layer": peak,
           "peak_op": p["layers"][peak]["op"] if live else None, "peak_live_bytes": live[peak] if live else 0,
           "lower_bound_bytes": bound, "lower_bound": "the most any layer needs, less the overlap its op allows",
           "above_lower_bound": (p["activation_bytes"] - bound) / bound if bound else 0.0,
           "tflm_arena_bytes": None, "tflm_arena_source": None, "tflm_anchor_arena_bytes": anchor_arena(path),
           "layers": p["layers"], "buffers": p["buffers"], "overlaps": p["overlaps"]}
    if FLAGS.tflm:
        res["tflm_arena_bytes"], why = tflm_arena(path)
        res["tflm_arena_source"] = why or "tflite-micro package interpreter on the host (64-bit, reference kernels)"
    return res


def plot(res, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    n = len(res["layers"])
    fig, ax = plt.subplots(figsize=(max(8, min(24, n * 0.18)), 6))
    cmap = plt.get_cmap("tab20")
    def span(b):
        return min(b["last_layer"], n - 1) + 1 - max(b["first_layer"], 0)
    # Labelled: the 8 largest by area that are wide enough to hold a label.
    largest = sorted((b for b in res["buffers"] if span(b) >= max(2, n // 40)),
                     key=lambda b: -b["bytes"] * span(b))[:8]
    for i, b in enumerate(res["buffers"]):
        x0, x1 = max(b["first_layer"], 0), min(b["last_layer"], n - 1) + 1
        ax.add_patch(Rectangle((x0, b["offset"] / 1024), x1 - x0, b["bytes"] / 1024, facecolor=cmap(i % 20),
                               edgecolor="black", linewidth=0.4))
        if b in largest:
            what = "input" if b["first_layer"] < 0 else (f"layer {b['first_layer']} scratch"
                                                         if b["tensor"].endswith(("/scratch", "/fused_rows"))
                                                         else f"layer {b['first_layer']} out")
            ax.text((x0 + x1) / 2, (b["offset"] + b["bytes"] / 2) / 1024, f"{what}\n{b['bytes'] / 1024:.1f} KiB",
                    ha="center", va="center", fontsize=6)
    ax.plot([k + 0.5 for k in range(n)], [l["live_bytes"] / 1024 for l in res["layers"]], color="black",
            linewidth=1, label="live bytes")
    ax.axvline(res["peak_layer"] + 0.5, color="red", linestyle=":", label=f"peak: layer {res['peak_layer']}")
    ax.axhline(res["activation_bytes"] / 1024, color="gray", linestyle="--", label="activations in the arena")
    top = res["activation_bytes"] * 1.12
    # TFLM's arena as a line only when it fits without squashing the plan;
    # the title always gives it.
    if res["tflm_arena_bytes"] and res["tflm_arena_bytes"] <= 2 * res["activation_bytes"]:
        ax.axhline(res["tflm_arena_bytes"] / 1024, color="orange", linestyle="--", label="TFLM arena (host)")
        top = res["tflm_arena_bytes"] * 1.05
    ax.set_xlim(0, n)
    ax.set_ylim(0, top / 1024)
    ax.set_xlabel("layer")
    ax.set_ylabel("arena offset (KiB)")
    ax.set_title(f"{res['model']}: arena {res['arena_bytes']:,} B, lower bound {res['lower_bound_bytes']:,} B"
                 + (f", TFLM {res['tflm_arena_bytes']:,} B" if res["tflm_arena_bytes"] else ""))
    ax.legend(loc="upper right", ncol=4, fontsize=7, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv):
    path = model_argument(argv, "plan", "MODEL.tflite [--target T] [--json] [--plot FILE.png]")
    if path is None:
        return 2
    try:
        res = make_plan(path, FLAGS.target)
    except ConvertError as e:
        print(f"sprat plan: {path}: {e}", file=sys.stderr)
        return 1
    if FLAGS.plot:
        try:
            plot(res, FLAGS.plot)
        except ImportError:
            print("sprat plan: --plot needs matplotlib (pip install matplotlib)", file=sys.stderr)
            return 1
        except (OSError, ValueError) as e:
            print(f"sprat plan: cannot write {FLAGS.plot}: {e}", file=sys.stderr)
            return 1
    if FLAGS.json:
        print(json.dumps(res, indent=1))
        return 0
    print(f"sprat plan: {res['model']} ({res['library']} kernels"
          + (f", {res['target']}" if res["target"] else "") + ")")
    print(f"arena        {res['arena_bytes']:>9,} B = activations {res['activation_bytes']:,} B + "
          f"layer records {res['layer_record_bytes']:,} B")
    print(f"peak         {res['peak_live_bytes']:>9,} B live at layer {res['peak_layer']} ({res['peak_op']})")
    print(f"lower bound  {res['lower_bound_bytes']:>9,} B ({res['lower_bound']}); the plan is "
          f"{100 * res['above_lower_bound']:.1f}% above it")
    if FLAGS.tflm:
        tflm = f"{res['tflm_arena_bytes']:>9,} B ({res['tflm_arena_source']})" if res["tflm_arena_bytes"] \
            else f"unknown: {res['tflm_arena_source']}"
        print(f"TFLM arena   {tflm}")
    if res["tflm_anchor_arena_bytes"]:
        print(f"TFLM anchor  {res['tflm_anchor_arena_bytes']:>9,} B (TFLM + CMSIS-NN on Cortex-M7, ../shared/anchors)")
    states = [b for b in res["buffers"] if b.get("state")]
    if states:
        print(f"state        {sum(b['bytes'] for b in states):>9,} B kept across invokes, bytes of their own "
              f"(sprat_reset_state restores them): " + ", ".join(f"{b['tensor']} {b['bytes']:,} B" for b in states))
    width = 40
    top = max(res["peak_live_bytes"], 1)
    print(f"\n{'layer':>5}  {'op':<28} {'live B':>9}")
    for l in res["layers"]:
        bar = "#" * max(1, round(width * l["live_bytes"] / top)) if l["live_bytes"] else ""
        mark = "  <- peak" if l["index"] == res["peak_layer"] else ""
        print(f"{l['index']:>5}  {l['op']:<28} {l['live_bytes']:>9,} {bar}{mark}")
    if FLAGS.plot:
        print(f"\nsprat plan: wrote {FLAGS.plot}")
    return 0
