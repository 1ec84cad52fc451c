"""The ground truth: TFLite's reference kernels (ai-edge-litert,
BUILTIN_REF), and TFLM's own interpreter (the tflite-micro package) for
models LiteRT refuses (a bias whose quantization names an axis it does not
have, say), which TFLM runs.

`run` is in-process, for the tests' thousands of small models. `compute`
runs each oracle in a child process: either may abort the process on a
model it refuses, and a user's run must still report sprat's figures."""

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import numpy as np

LITERT, TFLM = "litert", "tflm"
TFLITE_ABORT = 15  # kTfLiteAbort: TFLM's invoke stopped early (a streaming model waiting for frames)
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
    return detection_slots_defined(tflite_bytes, [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()])


def detection_slots_defined(tflite_bytes, outputs):
    """LiteRT's TFLite_Detection_PostProcess leaves the output slots past
    its detections unwritten (they hold whatever its arena held): those of
    the model's outputs become 0, as sprat writes them (and as TFLite's
    regular NMS pads its first max_detections)."""
    try:
        import tflite
        from flatbuffers import flexbuffers

        model = tflite.Model.GetRootAsModel(bytes(tflite_bytes), 0)
        g = model.Subgraphs(0)
        outs = [int(g.Outputs(k)) for k in range(g.OutputsLength())]
        for k in range(g.OperatorsLength()):
            op = g.Operators(k)
            if model.OperatorCodes(op.OpcodeIndex()).CustomCode() != b"TFLite_Detection_PostProcess":
                continue
            o = [int(op.Outputs(j)) for j in range(op.OutputsLength())]
            if len(o) != 4 or o[3] not in outs or op.CustomOptionsLength() == 0:
                continue
            opts = flexbuffers.Loads(bytes(op.CustomOptionsAsNumpy()))
            max_det, per_det = int(opts.get("max_detections", 0)), int(opts.get("max_classes_per_detection", 0))
            slots = max_det * per_det
            written = np.zeros(max(slots, 0), bool)
            if opts.get("use_regular_nms"):
                written[:max_det] = True
            else:
                per_anchor = min(per_det, int(opts.get("num_classes", 0)))
                for i in range(int(outputs[outs.index(o[3])].ravel()[0])):
                    written[per_det * i:per_det * i + per_anchor] = True
            for j in range(3):
                if o[j] in outs and outputs[outs.index(o[j])].size == slots * (4 if j == 0 else 1):
                    outputs[outs.index(o[j])].reshape(slots, -1)[~written] = 0
    except Exception:  # a malformed model: the interpreter has said so already, or will
        pass
    return outputs


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
        out.append(detection_slots_defined(tflite_bytes, [np.array(it.get_tensor(d["index"]))
                                                          for d in it.get_output_details()]))
    return out


def run_tflm_steps(tflite_bytes, steps):
    """As run_litert_steps; None for a step TFLM's invoke stopped early."""
    from tflite_micro.python.tflite_micro import runtime
    import tflite

    ip = runtime.Interpreter.from_bytes(bytes(tflite_bytes), arena_size=64 * 1024 * 1024)
    n = tflite.Model.GetRootAsModel(bytes(tflite_bytes), 0).Subgraphs(0).OutputsLength()
    out = []
    for inputs in steps:
        for k, x in enumerate(inputs):
            ip.set_input(x, k)
        status = ip.invoke()
        if status == TFLITE_ABORT:
            out.append(None)  # a CIRCULAR_BUFFER stopped the invoke: no outputs this step
            continue
        if status not in (None, 0):
            raise RuntimeError(f"TFLM's invoke returned status {status}")
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
            builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
            if builtin == tflite.BuiltinOperator.SVDF and op.InputsLength() > 4 and op.Inputs(4) >= 0 \
                    and g.Tensors(op.Inputs(4)).Type() == tflite.TensorType.INT8:
                return f"its SVDF (op {k}) reads an int8 state as int16 (TFLM runs int8 states)"
            # tflite/kernels/reduce.cc's reference SUM reads the data as uint8 whatever its type.
            if builtin == tflite.BuiltinOperator.SUM and op.InputsLength() > 0 and op.Inputs(0) >= 0 \
                    and g.Tensors(op.Inputs(0)).Type() in (tflite.TensorType.INT8, tflite.TensorType.INT16):
                return f"its int8/int16 SUM (op {k}) reads the data as uint8"
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


# An integer input named "<name>[lo:hi]" (e.g. "indices[0:5]") holds indices
# or positions: random_inputs draws it in [lo, hi), as the model expects.
_RANGE = re.compile(r"\[(-?\d+):(-?\d+)\]$")


def random_inputs(result_or_tensors, seed=0):
    """Fixed random inputs covering each input type's range (int16 its
    whole range, bool, uint8, int32 and int64 as below, each drawn apart so
    that the other inputs stay as they were). An integer input whose name
    ends in "[lo:hi]" (indices for GATHER, say) is drawn in [lo, hi)
    instead, again apart from the others."""
    tensors = getattr(result_or_tensors, "inputs", result_or_tensors)
    out = _random_inputs(tensors, seed)
    ranged = np.random.default_rng([seed, 64])
    for k, t in enumerate(tensors):
        m = _RANGE.search(getattr(t, "name", "") or "")
        if m is None or out[k].dtype.kind not in "iu":
            continue
        info = np.iinfo(out[k].dtype)
        lo, hi = max(int(m.group(1)), int(info.min)), min(int(m.group(2)), int(info.max) + 1)
        if lo < hi:
            out[k] = ranged.integers(lo, hi, size=out[k].shape).astype(out[k].dtype)
    return out


def _random_inputs(tensors, seed):
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
    # uint32 and uint64 (the Signal ops' energies and sums): magnitudes of
    # every bit length, small and large alike, drawn apart as int16's.
    big = np.random.default_rng([seed, 48])
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
