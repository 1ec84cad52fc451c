"""sprat ops: every op sprat converts, with the tensor types it takes, and
every op TFLM registers that sprat does not run yet, from the converter's
own registry (converter/ops). `--write FILE` rewrites docs/op_support.md;
a test checks the file matches."""

import sys

from absl import flags

from converter.ops import REGISTRY, family_of

FLAGS = flags.FLAGS
flags.DEFINE_string("write", None, "Write the table as Markdown to this file (docs/op_support.md).")

# The builtin and custom ops TFLM's MicroMutableOpResolver can register
# (tensorflow/lite/micro/micro_mutable_op_resolver.h): what users arrive with.
TFLM_OPS = (
    "ABS ADD ADD_N ARG_MAX ARG_MIN ASSIGN_VARIABLE AVERAGE_POOL_2D BATCH_MATMUL BATCH_TO_SPACE_ND BROADCAST_ARGS "
    "BROADCAST_TO CALL_ONCE CAST CEIL CONCATENATION CONV_2D COS CUMSUM DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE "
    "DIV DYNAMIC_UPDATE_SLICE ELU EMBEDDING_LOOKUP EQUAL EXP EXPAND_DIMS FILL FLOOR FLOOR_DIV FLOOR_MOD "
    "FULLY_CONNECTED GATHER GATHER_ND GREATER GREATER_EQUAL HARD_SWISH IF L2_NORMALIZATION L2_POOL_2D LEAKY_RELU "
    "LESS LESS_EQUAL LOG LOGICAL_AND LOGICAL_NOT LOGICAL_OR LOGISTIC LOG_SOFTMAX MAXIMUM MAX_POOL_2D MEAN MINIMUM "
    "MIRROR_PAD MUL NEG NOT_EQUAL PACK PAD PADV2 PRELU QUANTIZE READ_VARIABLE REDUCE_ALL REDUCE_MAX REDUCE_MIN "
    "RELU RELU6 RESHAPE RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR REVERSE_V2 ROUND RSQRT SELECT_V2 SHAPE SIN SLICE "
    "SOFTMAX SPACE_TO_BATCH_ND SPACE_TO_DEPTH SPLIT SPLIT_V SQRT SQUARE SQUARED_DIFFERENCE SQUEEZE STRIDED_SLICE "
    "SUB SUM SVDF TANH TRANSPOSE TRANSPOSE_CONV UNIDIRECTIONAL_SEQUENCE_LSTM UNPACK VAR_HANDLE WHILE ZEROS_LIKE"
).split()
TFLM_CUSTOM = ("CIRCULAR_BUFFER", "TFLite_Detection_PostProcess", "SignalDelay", "SignalEnergy",
               "SignalFftAutoScale", "SignalFilterBank", "SignalFilterBankLog", "SignalFilterBankSquareRoot",
               "SignalFramer", "SignalIrfft", "SignalOverlapAdd", "SignalPCAN", "SignalRfft", "SignalStacker",
               "SignalWindow")
TFLM_CUSTOM += ("SignalFilterBankSpectralSubtraction",)  # python_ops_resolver.cc registers it as well
TFLM_CUSTOM += ("TFLM_DECODE",)  # MicroMutableOpResolver::AddDecode (compressed constants)


def rows():
    """(op, family or '', types or '', note) for every op sprat or TFLM knows."""
    out = []
    for name in sorted((set(REGISTRY) | set(TFLM_OPS)) - {k for k in REGISTRY if k.startswith("CUSTOM:")}):
        e = REGISTRY.get(name)
        if e is None:
            out.append((name, "", "", "not yet: refused by name"))
        else:
            out.append((name, family_of(name), ", ".join(e.types) or "none", e.note))
    for name in TFLM_CUSTOM:
        e = REGISTRY.get("CUSTOM:" + name)  # the reader names a custom op CUSTOM:<its custom code>
        if e is None:
            out.append((name + " (custom)", "", "", "not yet: refused by name"))
        else:
            out.append((name + " (custom)", family_of("CUSTOM:" + name), ", ".join(e.types) or "none", e.note))
    return out


def markdown():
    rs = rows()
    done = sum(1 for r in rs if r[2] and r[2] != "none")
    tflm = set(TFLM_OPS) | {c + " (custom)" for c in TFLM_CUSTOM}
    done_tflm = sum(1 for r in rs if r[0] in tflm and r[2] and r[2] != "none")
    lines = ["# Op support", "",
             "Written by `sprat ops --write docs/op_support.md` from the converter's registry "
             "(`converter/ops/`); a test fails when this file and the registry disagree.", "",
             f"sprat converts {done} ops; of the {len(tflm)} that TFLM can register, {done_tflm}. "
             "Every op in this table with a type runs bit-exact against LiteRT's reference kernels (TFLM's "
             "interpreter where LiteRT has no kernel, or computes the op wrongly: int8/int16 SUM, SVDF with an int8 "
             "state) in the op suite, on the host and under QEMU on every target; in a model only TFLM runs, "
             "the ops whose arithmetic differs between the two take TFLM's (docs/ops.md). "
             "`any` means every tensor type: the op only moves bytes. An op without a type is refused by name, "
             "with its index and the reason.", "",
             "| op | converter family | types | note |", "|---|---|---|---|"]
    for name, fam, types, note in rs:
        lines.append(f"| {name} | {fam} | {types} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 1:
        print("usage: sprat ops [--write FILE]", file=sys.stderr)
        return 2
    text = markdown()
    if FLAGS.write:
        with open(FLAGS.write, "w") as f:
            f.write(text)
        print(f"sprat ops: wrote {FLAGS.write}")
    else:
        sys.stdout.write(text)
    return 0
