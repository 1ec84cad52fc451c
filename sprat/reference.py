"""TFLite's reference kernels (ai-edge-litert, BUILTIN_REF): the ground truth."""

import numpy as np


def run(tflite_bytes, inputs):
    from ai_edge_litert import interpreter as litert

    it = litert.Interpreter(model_content=bytes(tflite_bytes),
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def random_inputs(result_or_tensors, seed=0):
    """Fixed random inputs covering each input type's range."""
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
    return out
