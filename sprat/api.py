"""sprat's Python API: what the `sprat` commands use, for notebooks and CI.

    import sprat
    model = sprat.convert("kws.tflite", target="qemu_cortex_m7")
    print(model.arena_bytes, model.inputs[0].shape)
    outputs = model.run([x])       # on this machine, the C runtime, bit-exact with the firmware
    model.save("out/")             # model.sprat, model_data.c/.h (+ model_gen*.c), report.txt
    sprat.plan("kws.tflite")       # the memory plan, as `sprat plan --json` would print it
    sprat.bench("kws.tflite")      # needs the build environment (a checkout, tools/setup)

Conversion and host runs need no Bazel, QEMU or build environment; only
bench, demo and firmware builds do.
"""

import os
from dataclasses import dataclass

import numpy as np

from converter import ir
from converter.convert import convert as _convert
from converter.errors import ConvertError

__all__ = ["convert", "plan", "bench", "Model", "TensorInfo", "LayerInfo", "ConvertError"]


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output as the firmware sees it."""
    name: str
    shape: tuple
    dtype: np.dtype
    scale: float  # 0.0 for an unquantized tensor
    zero_point: int

    @staticmethod
    def of(t):
        q = t.quant
        return TensorInfo(t.name, tuple(t.shape), np.dtype(ir.DTYPES[t.type]), q.s() if q is not None else 0.0,
                          q.zp() if q is not None else 0)


@dataclass(frozen=True)
class LayerInfo:
    """One layer of the converted model (after fusion)."""
    index: int
    op: str  # e.g. "CONV_2D+RELU6"
    source: int  # the .tflite op it came from
    output_shape: tuple
    macs: int
    live_bytes: int  # arena bytes in use while it runs (its inputs, output, scratch and every other live buffer)


class Model:
    """A converted model: the blob and what the runtime will need."""

    def __init__(self, result, source=None):
        self._r = result
        self.source = source
        self.blob = result.blob
        self.library = result.library
        self.inputs = [TensorInfo.of(t) for t in result.inputs]
        self.outputs = [TensorInfo.of(t) for t in result.outputs]
        live = _live_bytes(result)
        self.layers = [LayerInfo(l.index, l.name, l.source, tuple(l.output_shape), l.macs, live[l.index])
                       for l in result.layers]
        self._host = None
        self._tflite = None
        self._portable = None

    @property
    def arena_bytes(self):
        """The arena `sprat_model_init` needs on a 32-bit core (activations
        plus the prepared layers)."""
        return self._r.arena_size

    @property
    def macs(self):
        return sum(l.macs for l in self.layers)

    @property
    def weight_bytes(self):
        return self._r.weight_bytes

    def report(self):
        """The conversion report `sprat convert` prints."""
        from sprat import report
        return report.conversion(self._r, self.source or "<bytes>")

    def save(self, directory, name="model"):
        """Writes model.sprat, report.txt and the C sources
        (sprat/model_sources.py): model_data.c with the blob `{name}_blob`,
        model_data.h with its arena size, I/O sizes and `{name}_init()`, and
        the generated layers' model_gen*.c if the model has them. Returns
        {"blob", "report", "c", "h", "generated": [...]} paths."""
        from sprat.model_sources import model_sources
        os.makedirs(directory, exist_ok=True)
        paths = {"blob": os.path.join(directory, "model.sprat"), "report": os.path.join(directory, "report.txt"),
                 "generated": []}
        with open(paths["blob"], "wb") as f:
            f.write(self.blob)
        with open(paths["report"], "w") as f:
            f.write(self.report())
        for fname, text in model_sources(self._r, name, stem="model_data").items():
            path = os.path.join(directory, fname)
            with open(path, "w") as f:
                f.write(text)
            key = {"model_data.c": "c", "model_data.h": "h"}.get(fname)
            if key:
                paths[key] = path
            else:
                paths["generated"].append(path)
        return paths

    @property
    def generated_layers(self):
        """Indices of the layers that run generated code (convert(..., generate=True))."""
        return sorted(self._r.generated)

    def run(self, inputs):
        """Runs one inference on this machine through the C runtime and the
        portable kernels (bit-exact with every target's); `inputs`: one
        array per model input, of its shape and dtype. Returns the outputs."""
        from sprat import host, native
        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        if len(inputs) != len(self.inputs):
            raise ValueError(f"the model has {len(self.inputs)} inputs, {len(inputs)} given")
        arrays = []
        for k, (x, t) in enumerate(zip(inputs, self.inputs)):
            x = np.asarray(x)
            if x.dtype != t.dtype or tuple(x.shape) != t.shape:
                raise ValueError(f"input {k} ('{t.name}') must be {t.dtype}{list(t.shape)}, not {x.dtype}{list(x.shape)}")
            arrays.append(np.ascontiguousarray(x))
        if self._host is None:
            self._host = host.Host(native.library_path())
        return host.run_result(self._host, self._host_result(), arrays)

    def _host_result(self):
        """What runs here: this blob if the portable kernels take it as it
        is, else the same model converted for them (every layout and every
        generated layer gives the same bytes; sprat's tests hold them to it)."""
        if self._r.library == "portable" and not self._r.generated:
            return self._r
        if self._portable is None:
            if self._tflite is None:
                raise ValueError("this model was converted for another kernel library; run() needs its .tflite "
                                 "to convert it for this machine (sprat.convert keeps it)")
            self._portable = _convert(self._tflite)
        return self._portable

    def plan(self):
        """The memory plan as plain data (what `sprat.plan` returns). Two
        buffers live at once never share bytes, except an output listed in
        "overlaps", which may sit over its input from lag_bytes before it."""
        from converter import planner
        g = self._r.graph
        buffers = sorted(self._r.buffers or [], key=lambda b: b.offset)
        allowed = planner.allowances(g, self._r.ops or [], self._r.buffers or [])
        return {
            "arena_bytes": self.arena_bytes,
            "activation_bytes": self._r.activation_bytes,
            "layer_record_bytes": self._r.layer_bytes,
            "buffers": [{"tensor": g.t(b.root).name, "offset": b.offset, "bytes": b.size,
                         "first_layer": b.first, "last_layer": b.last,
                         "state": bool(g.t(b.root).variable)} for b in buffers],
            "layers": [{"index": l.index, "op": l.op, "output_shape": list(l.output_shape), "macs": l.macs,
                        "live_bytes": l.live_bytes} for l in self.layers],
            # Outputs the kernels let overlap their input: from lag_bytes before it.
            "overlaps": [{"layer": k, "input": g.t(rin).name, "output": g.t(rout).name, "lag_bytes": lag}
                         for k, (rin, rout, lag) in sorted(allowed.items())],
        }

    def __repr__(self):
        return (f"<sprat.Model {len(self.layers)} layers, {self.macs:,} MACs, arena {self.arena_bytes:,} B, "
                f"blob {len(self.blob):,} B, {self.library} layout>")


def _live_bytes(result):
    """Per layer, the arena bytes its live buffers occupy (overlapping
    buffers counted once)."""
    n = len(result.layers)
    spans = [[] for _ in range(n)]
    for b in result.buffers or []:
        for k in range(max(b.first, 0), min(b.last, n - 1) + 1):
            spans[k].append((b.offset, b.offset + b.size))
    live = []
    for s in spans:
        total, end = 0, 0
        for lo, hi in sorted(s):
            total += max(0, hi - max(lo, end))
            end = max(end, hi)
        live.append(total)
    return live


def convert(model, target=None, reference=False, generate=False, optimize="balanced"):
    """Converts a .tflite model (a path or its bytes) for a target (a
    platform name such as "qemu_cortex_m7" or "stm32f746"; None: the
    portable kernels' layout, which every target runs). `generate`: also
    generate per-layer C specialized for its shapes where the target's
    kernel library has templates (save() writes it). `optimize`: "balanced"
    (fuse blocks of layers computed a few rows at a time where that shrinks
    the arena by 10% or more), "ram" (wherever it shrinks it) or "speed"
    (none). Raises ConvertError naming the op and tensor at fault."""
    source = model if isinstance(model, (str, os.PathLike)) else None
    if source is not None and not os.path.isfile(source):
        raise ConvertError(f"{source}: no such file")
    try:
        result = _convert(os.fspath(model) if source is not None else model, target=target, reference=reference,
                          generate=generate, optimize=optimize)
    except ValueError as e:  # an unknown target
        raise ConvertError(str(e)) from None
    m = Model(result, os.fspath(source) if source is not None else None)
    m._tflite = open(source, "rb").read() if source is not None else bytes(model)
    return m


def plan(model, target=None, optimize="balanced"):
    """The memory plan of a .tflite model (path or bytes) or a Model: arena
    size, each buffer's offset, size and lifetime, each layer's live bytes."""
    return (model if isinstance(model, Model) else convert(model, target=target, optimize=optimize)).plan()


def bench(model_path, target="qemu_cortex_m7", reference=False, seed=0, timeout=900.0):
    """`sprat bench --json` as a dict: per-layer exact instruction counts,
    RAM, flash, bit-exactness and the ratio to TFLM + CMSIS-NN. Needs the
    build environment (Bazel, cross compilers, QEMU: a checkout's tools/setup)."""
    import json
    import subprocess
    import sys
    from sprat import build
    if not os.path.exists(build.BAZEL):
        raise RuntimeError("sprat.bench needs the build environment: run it from a sprat checkout "
                           "(tools/setup makes the environment; tools/sprat bench MODEL runs it)")
    cmd = [sys.executable, "-m", "sprat", "bench", os.fspath(model_path), "--target", target, "--json",
           f"--seed={seed}", f"--timeout={timeout}"] + (["--reference"] if reference else [])
    p = subprocess.run(cmd, cwd=build.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"sprat bench failed:\n{p.stderr.strip()[-3000:]}")
    return json.loads(p.stdout)

