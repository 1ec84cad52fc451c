"""The ground truth: TFLite's reference kernels (ai-edge-litert,
BUILTIN_REF), and TFLM's own interpreter (the tflite-micro package) for
models LiteRT refuses (a bias whose quantization names an axis it does not
have, say), which TFLM runs.

`run` is in-process, for the tests' thousands of small models. `compute`
runs each oracle in a child process: either may abort the process on a
model it refuses, and a user's run must still report sprat's figures."""

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import numpy as np

LITERT, TFLM = "litert", "tflm"
NAMES = {LITERT: "LiteRT's reference kernels (BUILTIN_REF)", TFLM: "TFLM's interpreter (tflite-micro)"}
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_litert(tflite_bytes, inputs):
    from ai_edge_litert import interpreter as litert

    it = litert.Interpreter(model_content=bytes(tflite_bytes),
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def run_tflm(tflite_bytes, inputs):
    from tflite_micro.python.tflite_micro import runtime

    ip = runtime.Interpreter.from_bytes(bytes(tflite_bytes), arena_size=64 * 1024 * 1024)
    for k, x in enumerate(inputs):
        ip.set_input(x, k)
    ip.invoke()
    import tflite

    n = tflite.Model.GetRootAsModel(bytes(tflite_bytes), 0).Subgraphs(0).OutputsLength()
    return [np.array(ip.get_output(k)) for k in range(n)]


RUNNERS = {LITERT: run_litert, TFLM: run_tflm}


def run_with_oracle(tflite_bytes, inputs):
    """(outputs, oracle): LiteRT's, or TFLM's where LiteRT refuses the model."""
    try:
        return run_litert(tflite_bytes, inputs), LITERT
    except Exception as first:  # any refusal: the next oracle
        try:
            return run_tflm(tflite_bytes, inputs), TFLM
        except Exception as second:
            raise RuntimeError(f"LiteRT: {_line(first)}; TFLM: {_line(second)}") from None


def run(tflite_bytes, inputs):
    return run_with_oracle(tflite_bytes, inputs)[0]


def _line(e):
    text = str(e).strip().splitlines()
    return (text[-1] if text else type(e).__name__)[:300]


@dataclass
class Reference:
    outputs: list = None  # None: no oracle ran the model
    oracle: str = None  # LITERT or TFLM
    refused: list = field(default_factory=list)  # (oracle, one-line reason) of each that did not run it

    @property
    def name(self):
        return NAMES.get(self.oracle)

    def describe(self):
        """One line: which oracle, and why any before it did not serve."""
        why = "; ".join(f"{NAMES[o]} refused it: {r}" for o, r in self.refused)
        if self.outputs is None:
            return f"no reference ran the model ({why})"
        return f"against {self.name}" + (f" ({why})" if why else "")


def compute(tflite_bytes, inputs, timeout=900):
    """Reference outputs from the first oracle that runs the model, each
    tried in a child process; never raises for a model an oracle refuses."""
    ref = Reference()
    with tempfile.TemporaryDirectory(prefix="sprat-ref-") as d:
        model, ins, outs = (os.path.join(d, n) for n in ("model.tflite", "in.npz", "out.npz"))
        with open(model, "wb") as f:
            f.write(bytes(tflite_bytes))
        np.savez(ins, *inputs)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([_ROOT] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        for oracle in (LITERT, TFLM):
            try:
                p = subprocess.run([sys.executable, "-m", "sprat.reference", oracle, model, ins, outs],
                                   capture_output=True, text=True, timeout=timeout, env=env)
            except subprocess.TimeoutExpired:
                ref.refused.append((oracle, f"no answer within {timeout:g} s"))
                continue
            if p.returncode == 0 and os.path.exists(outs):
                with np.load(outs) as z:
                    ref.outputs = [z[f"arr_{k}"] for k in range(len(z.files))]
                ref.oracle = oracle
                return ref
            lines = (p.stderr or p.stdout).strip().splitlines()
            why = lines[-1][:300] if lines else f"exit status {p.returncode}"
            if p.returncode < 0:
                why = f"the interpreter crashed (signal {-p.returncode}): {why}"
            ref.refused.append((oracle, why))
    return ref


def random_inputs(result_or_tensors, seed=0):
    """Fixed random inputs covering each input type's range (int16 its
    whole range, bool, uint8, int32 and int64 as below, each drawn apart so
    that the other inputs stay as they were)."""
    tensors = getattr(result_or_tensors, "inputs", result_or_tensors)
    rng = np.random.default_rng(seed)
    out = []
    for t in tensors:
        dt = np.dtype(__import__("converter.ir", fromlist=["DTYPES"]).DTYPES[t.type])
        if dt.kind in "iu":
            info = np.iinfo(dt)
            out.append(rng.integers(max(info.min, -128), min(info.max, 127) + 1, size=t.shape).astype(dt))
        else:
            out.append(rng.standard_normal(t.shape).astype(dt))
    wide = np.random.default_rng([seed, 16])
    out = [wide.integers(-32768, 32768, size=x.shape).astype(np.int16) if x.dtype == np.int16 else x for x in out]
    # bool 0 or 1; uint8 its whole range; int32 and int64 mostly -1, 0 or 1
    # (comparisons tie), else up to +-300 (casts to 8 bits wrap) or across
    # the whole type (casts saturate and round). Each from a stream of its
    # own, so that the other inputs stay as they were.
    other = np.random.default_rng([seed, 32])
    for k, x in enumerate(out):
        if x.dtype == np.bool_:
            out[k] = other.integers(0, 2, size=x.shape).astype(np.bool_)
        elif x.dtype == np.uint8:
            out[k] = other.integers(0, 256, size=x.shape).astype(np.uint8)
        elif x.dtype in (np.int32, np.int64):
            info = np.iinfo(x.dtype)
            pick = other.random(x.shape)
            v = np.where(pick < 0.55, other.integers(-1, 2, size=x.shape), other.integers(-300, 301, size=x.shape))
            out[k] = np.where(pick < 0.85, v, other.integers(info.min, info.max, size=x.shape, endpoint=True,
                                                            dtype=x.dtype)).astype(x.dtype)
    return out


def _main(argv):
    oracle, model, ins, outs = argv
    with open(model, "rb") as f:
        data = f.read()
    with np.load(ins) as z:
        inputs = [z[f"arr_{k}"] for k in range(len(z.files))]
    try:
        got = RUNNERS[oracle](data, inputs)
    except Exception as e:  # the parent reports it in one line
        print(_line(e), file=sys.stderr)
        return 1
    np.savez(outs, *got)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
