"""Lowering: each TFLite op of the (already transformed) graph becomes one
or more sprat ops with their parameter records. Every quantization constant
is computed offline, exactly as TFLite computes it at Prepare time.

This module is the walk and what the op families share (the Lowering
context: typed access to inputs and outputs, errors naming the op, records,
copies); each family's lowering is its own module in converter/ops/."""

import struct
from dataclasses import dataclass, field

import numpy as np

from converter import ir, layouts, quant
from converter.errors import ConvertError


# runtime/src/opcodes.h
OPCODES = {
    "CONV_2D": 1, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 3, "AVERAGE_POOL_2D": 4, "MAX_POOL_2D": 5,
    "ADD": 6, "MUL": 7, "MEAN": 8, "SOFTMAX": 9, "LUT": 10, "RELU": 11, "LEAKY_RELU": 12, "HARD_SWISH": 13,
    "QUANTIZE": 14, "REQUANTIZE": 15, "DEQUANTIZE": 16, "COPY": 17, "PAD": 18, "RESIZE_NEAREST": 19,
    "ARG_MAX": 20, "MAX_MIN": 21, "REDUCE_MAX": 22, "PRELU": 23, "GATHER": 24, "TRANSPOSE_CONV": 25,
    "FUSED_ROWS": 26,
    # int16 activations, int8 weights (TFLite's 16x8 mode)
    "CONV_2D_S16": 40, "DEPTHWISE_CONV_2D_S16": 41, "FULLY_CONNECTED_S16": 42, "AVERAGE_POOL_2D_S16": 43,
    "MAX_POOL_2D_S16": 44, "ADD_S16": 45, "MUL_S16": 46, "QUANTIZE_S16": 47, "REQUANTIZE_S16": 48,
    "DEQUANTIZE_S16": 49, "RELU_S16": 50, "LEAKY_RELU_S16": 51,
    "LOGISTIC_S16": 52, "TANH_S16": 53,
    "SOFTMAX_S16": 54, "MEAN_S16": 55, "TRANSPOSE_CONV_S16": 56, "SOFTMAX_S8_S16": 57, "ABS_S16": 58, "PRELU_S16": 59,
    "DEQUANTIZE_U8": 39,
    # ops with state
    "SVDF": 110, "CIRCULAR_BUFFER": 111,
    # recurrent: 100-109
    "UNIDIRECTIONAL_SEQUENCE_LSTM": 100,
    "UNIDIRECTIONAL_SEQUENCE_LSTM_TFLM": 101, "UNIDIRECTIONAL_SEQUENCE_LSTM_S16": 102,
    # the gather family (converter/ops/gather.py)
    "GATHER_RT": 90, "GATHER_ND": 91, "EMBEDDING_LOOKUP_HYBRID": 92, "DYNAMIC_UPDATE_SLICE": 93,
    "BROADCAST_ARGS": 94, "BATCH_MATMUL": 95, "BATCH_MATMUL_S16": 96,
    # the norm family
    "REDUCE_ND": 80, "ARG_MIN": 81, "CUMSUM": 82, "L2_NORMALIZATION": 83, "LOG_SOFTMAX": 84, "L2_POOL_2D": 85,
    "RESIZE_BILINEAR": 86, "RESIZE_NEAREST_S16": 87,
    # the arith family (converter/ops/arith.py)
    "ARITH": 70, "ARITH_UNARY": 71, "DIV": 72, "SQUARED_DIFFERENCE": 73, "SQUARED_DIFFERENCE_S16": 74,
    "ADD_N": 75, "ADD_N_TYPED": 76,
    # TFLite_Detection_PostProcess (the detect family, 140-149)
    "DETECTION_POSTPROCESS": 140,
    # comparisons, logical ops, SELECT_V2, CAST (bool tensors)
    "COMPARE": 60, "LOGICAL": 61, "SELECT": 62, "CAST": 63, "REDUCE_BOOL": 64,
    # TFLM's Signal library (custom ops)
    "SIGNAL_WINDOW": 120, "SIGNAL_FFT_AUTO_SCALE": 121, "SIGNAL_RFFT_S16": 122, "SIGNAL_IRFFT_S16": 123,
    "SIGNAL_ENERGY": 124, "SIGNAL_FILTER_BANK": 125, "SIGNAL_FILTER_BANK_SQRT": 126, "SIGNAL_FILTER_BANK_LOG": 127,
    "SIGNAL_SPECTRAL_SUBTRACTION": 128, "SIGNAL_PCAN": 129, "SIGNAL_FRAMER": 130, "SIGNAL_STACKER": 131,
    "SIGNAL_DELAY": 132, "SIGNAL_OVERLAP_ADD": 133, "SIGNAL_VALID": 134, "SIGNAL_RFFT_S32": 135,
    "SIGNAL_IRFFT_S32": 136, "SIGNAL_RFFT_F32": 137, "SIGNAL_IRFFT_F32": 138,
}
MAX_DIMS = 6
SOFTMAX_TABLE_MIN = 128  # values per invoke from which SOFTMAX gets its exp table
_ACTIVATIONS = {1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6"}
FULL_INTEGER_HINT = ("convert it with full-integer quantization (TFLiteConverter: optimizations=[tf.lite.Optimize."
                     "DEFAULT], a representative_dataset, target_spec.supported_ops=[tf.lite.OpsSet."
                     "TFLITE_BUILTINS_INT8])")


@dataclass(frozen=True)
class Lowers:
    """An op family's registry entry (converter/ops): the lowering, the
    tensor types it takes ("any": it only moves bytes; none: the op is
    refused by name, `note` says why), and what a user should know."""
    fn: object
    types: tuple = ("int8",)
    note: str = ""


@dataclass
class SpratOp:
    opcode: int
    name: str  # what the user recognises, e.g. "CONV_2D+RELU6" or "SUB"
    inputs: list
    outputs: list
    params: bytes
    source: int  # the .tflite op index
    macs: int = 0
    scratch: list = field(default_factory=list)
    flags: int = 0  # OPF_* of the blob's op record


def i32(*values):
    values = [int(v) for v in values]
    bad = [v for v in values if not -2**31 <= v < 2**31]
    if bad:
        raise ConvertError(f"a parameter ({bad[0]}) does not fit the int32 parameter record")
    return struct.pack(f"<{len(values)}i", *values)


def multipliers(in_scale, filter_scales, out_scale):
    """Per-channel (multiplier, shift): in * filter / out, in double, as TFLite."""
    return [quant.quantize_multiplier(float(np.float64(in_scale) * np.float64(s) / np.float64(out_scale)))
            for s in np.ravel(filter_scales)]


def padding_offset(padding, in_size, filt, stride, dilation, out_size):
    eff = (filt - 1) * dilation + 1
    if padding == 0:  # SAME
        want = (in_size + stride - 1) // stride
    else:  # VALID
        want = (in_size - eff + stride) // stride
    if want != out_size:
        return None
    total = max(0, (out_size - 1) * stride + eff - in_size)
    return total // 2 if padding == 0 else 0


def shape4(shape):
    """NHWC, lower ranks padded with leading 1s (sprat_shape4)."""
    s = [1] * (4 - len(shape)) + [int(d) for d in shape]
    return s[-4:]


def _type(g, ts, k):
    return g.t(ts[k]).type if k < len(ts) and ts[k] >= 0 else None


# Ops LiteRT's reference resolver (BUILTIN_REF) lacks, and the input types
# it refuses (or misreads, sprat.reference.litert_misreads) where TFLM runs
# the op: each measured against both interpreters.
_LITERT_LACKS = ("ELU", "CEIL", "ROUND")
_LITERT_REFUSES_INPUT = {"ADD_N": (ir.INT8,), "SQUARED_DIFFERENCE": (ir.INT16,), "CUMSUM": (ir.INT8, ir.INT16),
                         "ZEROS_LIKE": (ir.INT8, ir.INT16), "SUM": (ir.INT8, ir.INT16)}


def tflm_only(g, op):
    """An op LiteRT refuses (or would misread) and TFLM runs: a model
    holding one has TFLM as its oracle, and the ops whose arithmetic differs
    between the two take TFLM's (docs/ops.md, "Models only TFLM runs")."""
    if op.name in _LITERT_LACKS:
        return True
    if op.name in _LITERT_REFUSES_INPUT:
        return _type(g, op.inputs, 0) in _LITERT_REFUSES_INPUT[op.name]
    if op.name == "QUANTIZE":  # int8 into int32
        return _type(g, op.inputs, 0) == ir.INT8 and _type(g, op.outputs, 0) == ir.INT32
    if op.name == "SVDF":  # an int8 state, which LiteRT reads as int16
        return _type(g, op.inputs, 4) == ir.INT8
    if op.name == "UNIDIRECTIONAL_SEQUENCE_LSTM":
        wide = bool(op.inputs) and op.inputs[0] >= 0 and g.t(op.inputs[0]).type == ir.INT16
        return wide or len(op.intermediates) != 5
    if op.name == "TRANSPOSE_CONV":  # an int16 bias
        return len(op.inputs) > 3 and op.inputs[3] >= 0 and g.t(op.inputs[3]).type == ir.INT16
    # TFLM's custom ops (the Signal front end, CIRCULAR_BUFFER); LiteRT runs
    # only the detection post-processing.
    return op.name.startswith("CUSTOM:") and op.name != "CUSTOM:TFLite_Detection_PostProcess"


def tflm_model(g):
    """Whether only TFLM runs the model (any op tflm_only): on the graph as
    read, before the passes fold TFLM's DECODE into constants (a compressed
    file is TFLM's alone, though LiteRT would run the decoded model) or fold
    a constant ZEROS_LIKE away."""
    return any(tflm_only(g, op) for op in g.ops)


class Lowering:
    def __init__(self, graph, layout=None):
        self.g = graph
        self.ops = []
        self.layout = layout or layouts.plain  # the target kernel library's weights layout
        self.tflm_oracle = tflm_model(graph) if graph.tflm_oracle is None else graph.tflm_oracle

    def err(self, op, msg, tensor=None):
        name = self.g.t(tensor).name if isinstance(tensor, int) and tensor >= 0 else tensor
        return ConvertError(msg, op_index=op.index, op_name=op.name, tensor=name)

    def const_i32(self, name, values):
        a = np.asarray(values, np.int32)
        return self.g.add_tensor(name, ir.INT32, a.shape, None, a).index

    def emit(self, op, opcode_name, inputs, outputs, params, name=None, macs=0, scratch=()):
        name = name or op.options.get("_display", op.name)
        act = _ACTIVATIONS.get(op.options.get("fused_activation_function", 0))
        if act and not name.endswith("+" + act):
            name += "+" + act  # reports show what the layer computes
        self.ops.append(SpratOp(OPCODES[opcode_name], name, list(inputs), list(outputs), params, op.index, macs,
                                list(scratch)))

    # ---- helpers -------------------------------------------------------
    def tensor(self, op, i, types=(ir.INT8,), quantized=True):
        if i >= len(op.inputs) or op.inputs[i] < 0:
            raise self.err(op, f"input {i} is missing")
        t = self.g.t(op.inputs[i])
        return self.check(op, t, types, quantized)

    def output(self, op, types=(ir.INT8,), quantized=True):
        return self.check(op, self.g.t(op.outputs[0]), types, quantized)

    def check(self, op, t, types, quantized):
        if t.type not in types:
            tn = t.type[1] if isinstance(t.type, tuple) else ir.TYPE_NAMES.get(t.type, t.type)
            want = "/".join(ir.TYPE_NAMES[x] for x in types)
            if t.type == ir.FLOAT32:
                raise self.err(op, f"float32, but sprat runs fully quantized models ({want} here); "
                                   f"{FULL_INTEGER_HINT}", t.name)
            raise self.err(op, f"type {tn} is not supported here (sprat supports {want})", t.name)
        if quantized and t.type in (ir.INT8, ir.INT16, ir.UINT8) and t.quant is None:
            raise self.err(op, f"{ir.TYPE_NAMES[t.type]} tensor without quantization parameters", t.name)
        if quantized and t.type in (ir.INT8, ir.INT16) and t.quant.per_channel and not t.is_const:
            raise self.err(op, "per-channel quantized activations are not supported", t.name)
        return t

    def const_input(self, op, i, what):
        """A constant integer input (axes, sizes, paddings, indices)."""
        t = self.g.t(op.inputs[i]) if i < len(op.inputs) and op.inputs[i] >= 0 else None
        if t is None or not t.is_const:
            raise self.err(op, f"{what} must be a constant (sprat plans shapes offline)",
                           t.name if t is not None else None)
        if not np.issubdtype(t.data.dtype, np.integer) or t.data.size == 0:
            raise self.err(op, f"{what} must be a non-empty integer constant", t.name)
        return t.data

    def bias(self, op, i, n):
        """The optional int32 bias input i (one value per output channel), or -1."""
        if len(op.inputs) <= i or op.inputs[i] < 0:
            return -1
        b = self.g.t(op.inputs[i])
        if b.type != ir.INT32 or not b.is_const or b.count != n:
            raise self.err(op, f"bias must be a constant int32 vector of {n} values (one per output channel)", b.name)
        return b.index

    def act(self, op, out):
        a = op.options.get("fused_activation_function", 0)
        if a not in (0, 1, 2, 3):
            raise self.err(op, f"fused activation {a} (e.g. TANH, SIGN_BIT) is not supported")
        return quant.activation_range(a, out.quant.s(), out.quant.zp())

    # ---- int16 activations (TFLite's 16x8 mode) ---------------------------
    def is_int16(self, op, i=0):
        """Input i exists and is int16: the op takes its int16 lowering."""
        return i < len(op.inputs) and op.inputs[i] >= 0 and self.g.t(op.inputs[i]).type == ir.INT16

    def symmetric16(self, op, *tensors):
        """TFLite's int16 kernels take symmetric tensors only."""
        for t in tensors:
            if t.quant.zp() != 0:
                raise self.err(op, f"int16 zero point {t.quant.zp()}: TFLite's int16 kernels need 0", t.name)

    def act16(self, op, out):
        a = op.options.get("fused_activation_function", 0)
        if a not in (0, 1, 2, 3):
            raise self.err(op, f"fused activation {a} (e.g. TANH, SIGN_BIT) is not supported")
        return quant.activation_range(a, out.quant.s(), out.quant.zp(), -32768, 32767)

    def lower(self):
        from converter.ops import REGISTRY  # the families import this module's helpers

        for op in self.g.ops:
            entry = REGISTRY.get(op.name)
            if entry is None:
                raise ConvertError(f"operator {op.name} is not supported by sprat", op_index=op.index, op_name=op.name)
            try:
                entry.fn(self, op)
            except ConvertError as e:
                if e.op_index is not None:
                    raise
                # Raised below the op (quantization arithmetic, records): say which op.
                raise ConvertError(str(e), op_index=op.index, op_name=op.name, tensor=e.tensor) from None
        return self.ops

    def layout_weights(self, op, w, bias, mults, shifts, input_offset, output_offset, kind, name):
        """The filter and bias tensors in the target library's layout, the
        layout's number, the flags it proved, and the multipliers and shifts
        (which a layout may rewrite for channels whose output is constant)."""
        b = None if bias < 0 else self.g.t(bias).data
        filt, folded, layout, flags, mults, shifts = self.layout.conv(w.data, b, mults, shifts, input_offset,
                                                                      output_offset, kind)
        if layout == layouts.plain.LAYOUT:
            return w.index, bias, layout, flags, mults, shifts
        f = w.index
        if filt is not w.data:
            f = self.g.add_tensor(f"{name}/filter_{self.layout.NAME}", ir.INT8, np.shape(filt), w.quant,
                                  np.asarray(filt, np.int8)).index
        return f, self.const_i32(f"{name}/bias_{self.layout.NAME}", folded), layout, flags, mults, shifts

    # ---- shared by the families that move bytes ---------------------------
    def copy_params(self, dims, elem, in_start, in_strides, out_start, out_strides):
        n = len(dims)
        if n > MAX_DIMS:
            raise ConvertError(f"more than {MAX_DIMS} dimensions")
        pad = [0] * (MAX_DIMS - n)
        return i32(n, elem, *dims, *pad, in_start, *in_strides, *pad, out_start, *out_strides, *pad)

    @staticmethod
    def dense_strides(shape):
        st, acc = [0] * len(shape), 1
        for d in range(len(shape) - 1, -1, -1):
            st[d] = acc
            acc *= shape[d]
        return st

    def elem(self, t):
        return np.dtype(ir.DTYPES[t.type]).itemsize

    def same_quant(self, op, a, b):
        if a.type == ir.INT8 and (a.quant is None or b.quant is None or a.quant.s() != b.quant.s()
                                  or a.quant.zp() != b.quant.zp()):
            raise self.err(op, "input and output must share scale and zero point", b.name)

    def copy_op(self, op, x, out, name=None):
        """A dense copy (a RESHAPE that could not alias)."""
        n = x.count
        self.emit(op, "COPY", [x.index], [out.index], self.copy_params([n], self.elem(x), 0, [1], 0, [1]), name=name)

    def axis(self, op, axis, rank):
        if not -rank <= axis < rank:
            raise self.err(op, f"axis {axis} out of range for rank {rank}")
        return axis + rank if axis < 0 else axis
