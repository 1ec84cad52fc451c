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


def run_litert_steps(tflite_bytes, steps):
    """One interpreter, one invoke per step: its variables (an LSTM's
    state) carry over, as on a device. Per step, the output arrays."""
    from ai_edge_litert import interpreter as litert

    it = litert.Interpreter(model_content=bytes(tflite_bytes),
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    out = []
    for inputs in steps:
        for d, x in zip(it.get_input_details(), inputs):
            it.set_tensor(d["index"], x)
        it.invoke()
        out.append([np.array(it.get_tensor(d["index"])) for d in it.get_output_details()])
    return out


def run_tflm_steps(tflite_bytes, steps):
    from tflite_micro.python.tflite_micro import runtime
    import tflite

    ip = runtime.Interpreter.from_bytes(bytes(tflite_bytes), arena_size=64 * 1024 * 1024)
    n = tflite.Model.GetRootAsModel(bytes(tflite_bytes), 0).Subgraphs(0).OutputsLength()
    out = []
    for inputs in steps:
        for k, x in enumerate(inputs):
            ip.set_input(x, k)
        ip.invoke()
        out.append([np.array(ip.get_output(k)) for k in range(n)])
    return out


def run_steps_with_oracle(tflite_bytes, steps):
    """(per-step outputs, oracle) for a stream of invokes, LiteRT first."""
    try:
        why = litert_misreads(tflite_bytes)
        if why:
            raise RuntimeError(why)
        return run_litert_steps(tflite_bytes, steps), LITERT
    except Exception as first:
        try:
            return run_tflm_steps(tflite_bytes, steps), TFLM
        except Exception as second:
            raise RuntimeError(f"LiteRT: {_line(first)}; TFLM: {_line(second)}") from None


RUNNERS = {LITERT: run_litert, TFLM: run_tflm}


def litert_misreads(tflite_bytes):
    """Why LiteRT, running the model without complaint, would compute it
    wrongly (None if no known reason): TFLM is the oracle then."""
    import tflite

    try:
        model = tflite.Model.GetRootAsModel(bytes(tflite_bytes), 0)
        g = model.Subgraphs(0)
        for k in range(g.OperatorsLength()):
            op = g.Operators(k)
            code = model.OperatorCodes(op.OpcodeIndex())
            if max(code.BuiltinCode(), code.DeprecatedBuiltinCode()) == tflite.BuiltinOperator.SVDF \
                    and op.InputsLength() > 4 and op.Inputs(4) >= 0 \
                    and g.Tensors(op.Inputs(4)).Type() == tflite.TensorType.INT8:
                return f"its SVDF (op {k}) reads an int8 state as int16 (TFLM runs int8 states)"
    except Exception:  # a malformed model: let the interpreters say so
        return None
    return None


def run_with_oracle(tflite_bytes, inputs):
    """(outputs, oracle): LiteRT's, or TFLM's where LiteRT refuses the model
    or would misread it (litert_misreads)."""
    try:
        why = litert_misreads(tflite_bytes)
        if why:
            raise RuntimeError(why)
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
            why = litert_misreads(tflite_bytes) if oracle == LITERT else None
            if why:
                ref.refused.append((oracle, f"not used: {why}"))
                continue
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
    whole range, drawn apart so that the other inputs stay as they were)."""
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
    # uint32 and uint64 (the Signal ops' energies and sums): magnitudes of
    # every bit length, small and large alike, drawn apart as int16's.
    big = np.random.default_rng([seed, 64])
    return [_any_magnitude(big, x.shape, x.dtype) if x.dtype in (np.uint32, np.uint64) else x for x in out]


def _any_magnitude(rng, shape, dtype):
    nbits = 8 * np.dtype(dtype).itemsize
    raw = (rng.integers(0, 1 << 32, size=shape, dtype=np.uint64) << np.uint64(32)) | \
        rng.integers(0, 1 << 32, size=shape, dtype=np.uint64)
    bits = rng.integers(0, nbits + 1, size=shape)
    shift = np.minimum(64 - bits, 63).astype(np.uint64)
    return np.where(bits == 0, np.uint64(0), raw >> shift).astype(dtype)


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
