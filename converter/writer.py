"""The project's own .tflite writer (numpy + flatbuffers, no TensorFlow):
builds single-op and multi-op int8 test models and the bundled default
model from a few lines of Python.

    m = ModelWriter()
    x = m.tensor("x", (1, 8, 8, 3), scale=0.05, zp=-3)
    w = m.tensor("w", (4, 3, 3, 3), data=filters, scale=scales, zp=0, axis=0)
    y = m.tensor("y", (1, 8, 8, 4), scale=0.1, zp=2)
    m.op("CONV_2D", [x, w, -1], [y], padding="SAME", stride_w=1, stride_h=1)
    tflite_bytes = m.finish([x], [y])
"""

import re

import flatbuffers
import numpy as np
import tflite

_TYPES = {"float32": tflite.TensorType.FLOAT32, "int32": tflite.TensorType.INT32, "uint8": tflite.TensorType.UINT8,
          "int64": tflite.TensorType.INT64, "bool": tflite.TensorType.BOOL, "int16": tflite.TensorType.INT16,
          "int8": tflite.TensorType.INT8, "resource": tflite.TensorType.RESOURCE}
_NP = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "int64": np.int64, "bool": np.bool_,
       "int16": np.int16, "int8": np.int8, "resource": np.uint8}
_TYPES.update({"uint32": tflite.TensorType.UINT32, "uint64": tflite.TensorType.UINT64})
_NP.update({"uint32": np.uint32, "uint64": np.uint64})
_TYPES["int4"], _NP["int4"] = tflite.TensorType.INT4, np.int8  # constants only, packed two to a byte
_ENUMS = {"padding": {"SAME": 0, "VALID": 1},
          "fused_activation_function": {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4},
          "output_type": {"int32": 2, "int64": 4}, "mode": {"REFLECT": 0, "SYMMETRIC": 1}}
_ENUMS["in_data_type"] = _ENUMS["out_data_type"] = dict(_TYPES)  # CAST's options name tensor types

# builtin op -> its options table (None: no options)
OPTIONS = {
    "CONV_2D": "Conv2DOptions", "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "FULLY_CONNECTED": "FullyConnectedOptions", "AVERAGE_POOL_2D": "Pool2DOptions", "MAX_POOL_2D": "Pool2DOptions",
    "ADD": "AddOptions", "SUB": "SubOptions", "MUL": "MulOptions", "MEAN": "ReducerOptions",
    "SOFTMAX": "SoftmaxOptions", "CONCATENATION": "ConcatenationOptions", "RESHAPE": "ReshapeOptions",
    "STRIDED_SLICE": "StridedSliceOptions", "TRANSPOSE": "TransposeOptions", "PAD": "PadOptions",
    "PADV2": "PadV2Options", "LEAKY_RELU": "LeakyReluOptions", "HARD_SWISH": "HardSwishOptions",
    "RESIZE_NEAREST_NEIGHBOR": "ResizeNearestNeighborOptions", "ARG_MAX": "ArgMaxOptions",
    "QUANTIZE": None, "DEQUANTIZE": "DequantizeOptions", "LOGISTIC": None, "TANH": None, "RELU": None,
    "RELU6": None, "RELU_N1_TO_1": None, "SQUEEZE": "SqueezeOptions", "EXPAND_DIMS": "ExpandDimsOptions",
    "SPLIT": "SplitOptions", "SPLIT_V": "SplitVOptions", "PACK": "PackOptions", "UNPACK": "UnpackOptions",
    "SLICE": "SliceOptions", "SQRT": None, "MAXIMUM": "MaximumMinimumOptions", "MINIMUM": "MaximumMinimumOptions",
    "REDUCE_MAX": "ReducerOptions", "PRELU": None, "GATHER": "GatherOptions",
    "TRANSPOSE_CONV": "TransposeConvOptions",
    "ABS": "AbsOptions", "NEG": "NegOptions", "EXP": "ExpOptions", "SQUARE": "SquareOptions", "ELU": None,
    "LOG": None, "RSQRT": None,
    "DEPTH_TO_SPACE": "DepthToSpaceOptions", "SPACE_TO_DEPTH": "SpaceToDepthOptions",
    "MIRROR_PAD": "MirrorPadOptions", "REVERSE_V2": "ReverseV2Options", "BROADCAST_TO": "BroadcastToOptions",
    "SPACE_TO_BATCH_ND": "SpaceToBatchNDOptions", "BATCH_TO_SPACE_ND": "BatchToSpaceNDOptions",
    "ZEROS_LIKE": "ZerosLikeOptions", "FILL": "FillOptions",
    "VAR_HANDLE": "VarHandleOptions", "READ_VARIABLE": None, "ASSIGN_VARIABLE": None,
    "CALL_ONCE": "CallOnceOptions", "SVDF": "SVDFOptions", "WHILE": "WhileOptions", "IF": "IfOptions",
    "UNIDIRECTIONAL_SEQUENCE_LSTM": "UnidirectionalSequenceLSTMOptions",
    "BATCH_MATMUL": "BatchMatMulOptions", "GATHER_ND": "GatherNdOptions",
    "DYNAMIC_UPDATE_SLICE": "DynamicUpdateSliceOptions",
    "SUM": "ReducerOptions", "REDUCE_MIN": "ReducerOptions", "ARG_MIN": "ArgMinOptions",
    "CUMSUM": "CumsumOptions", "L2_NORMALIZATION": "L2NormOptions", "LOG_SOFTMAX": "LogSoftmaxOptions",
    "L2_POOL_2D": "Pool2DOptions", "RESIZE_BILINEAR": "ResizeBilinearOptions",
    "DIV": "DivOptions", "ADD_N": "AddNOptions", "SQUARED_DIFFERENCE": "SquaredDifferenceOptions",
    "FLOOR_DIV": "FloorDivOptions", "FLOOR_MOD": "FloorModOptions", "FLOOR": None, "CEIL": None, "ROUND": None,
    "SIN": None, "COS": None,
    "CAST": "CastOptions", "REDUCE_ALL": "ReducerOptions", "REDUCE_ANY": "ReducerOptions",
}

# Operator versions other than 1: LiteRT registers BROADCAST_TO from version 2.
VERSIONS = {"BROADCAST_TO": 2}


def _camel(key):
    return "".join(p[:1].upper() + p[1:] for p in key.split("_"))


class ModelWriter:
    def __init__(self):
        self.tensors = []  # dicts
        self.buffers = [b""]
        self.ops = []
        self.opcodes = []
        self.versions = {}
        self.subgraphs = []  # ModelWriters sharing this one's buffers and opcodes, subgraph 1 on
        self.io = ([], [])

    def subgraph(self, inputs=(), outputs=()):
        """Another subgraph (CALL_ONCE's initialization, say), index 1 on:
        add its tensors and ops to the writer returned; set its inputs and
        outputs with .io = (inputs, outputs)."""
        sub = ModelWriter()
        sub.buffers, sub.opcodes, sub.versions = self.buffers, self.opcodes, self.versions
        sub.io = (list(inputs), list(outputs))
        self.subgraphs.append(sub)
        return sub

    def tensor(self, name, shape, type="int8", scale=None, zp=None, data=None, axis=0, variable=False):
        """Adds a tensor; returns its index. scale/zp: scalars or per-channel arrays.
        variable: TFLite's is_variable (the state an op such as SVDF or LSTM
        reads and updates in place, kept across invokes)."""
        buf = 0
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, _NP[type]).reshape(shape))
            if type == "int4":  # TFLite's packing: the first of each pair in the low nibble
                flat = np.append(arr.ravel(), np.int8(0)) if arr.size % 2 else arr.ravel()
                self.buffers.append(((flat[0::2] & 15) | ((flat[1::2] & 15) << 4)).astype(np.uint8).tobytes())
            else:
                self.buffers.append(arr.astype(arr.dtype.newbyteorder("<")).tobytes())
            buf = len(self.buffers) - 1
        self.tensors.append(dict(name=name, shape=list(shape), type=_TYPES[type], buffer=buf,
                                 scale=None if scale is None else np.atleast_1d(np.asarray(scale, np.float32)),
                                 zp=None if zp is None else np.atleast_1d(np.asarray(zp, np.int64)), axis=axis,
                                 variable=variable))
        return len(self.tensors) - 1

    def custom_op(self, code, inputs, outputs, **options):
        """A custom op (TFLM's Signal ops, TFLite_Detection_PostProcess,
        CIRCULAR_BUFFER): `code` its custom code, `options` written as a
        flexbuffer map, as TFLite's converter writes them."""
        key = ("CUSTOM", code)
        if key not in self.opcodes:
            self.opcodes.append(key)
        self.ops.append((self.opcodes.index(key), "CUSTOM:" + code, list(inputs), list(outputs), options, None))

    def op(self, name, inputs, outputs, intermediates=None, **options):
        """intermediates: tensor indices of the op's intermediates (the
        quantization of an integer LSTM's gates)."""
        code = getattr(tflite.BuiltinOperator, name)
        if code not in self.opcodes:
            self.opcodes.append(code)
            self.versions[code] = VERSIONS.get(name, 1)
        self.ops.append((self.opcodes.index(code), name, list(inputs), list(outputs), options, intermediates))

    def finish(self, inputs, outputs):
        b = flatbuffers.Builder(1024)

        def ivec(values, dtype=np.int32):
            return b.CreateNumpyVector(np.asarray(values, dtype))

        def tables(start, items):
            start(b, len(items))
            for it in reversed(items):
                b.PrependUOffsetTRelative(it)
            return b.EndVector()

        buffers = []
        for data in self.buffers:
            d = b.CreateNumpyVector(np.frombuffer(data, np.uint8)) if data else None
            tflite.BufferStart(b)
            if d is not None:
                tflite.BufferAddData(b, d)
            buffers.append(tflite.BufferEnd(b))

        def content(w):
            tensors = []
            for t in w.tensors:
                name = b.CreateString(t["name"])
                shape = ivec(t["shape"])
                q = None
                if t["scale"] is not None:
                    sc, zp = ivec(t["scale"], np.float32), ivec(t["zp"] if t["zp"] is not None else [0] * t["scale"].size, np.int64)
                    tflite.QuantizationParametersStart(b)
                    tflite.QuantizationParametersAddScale(b, sc)
                    tflite.QuantizationParametersAddZeroPoint(b, zp)
                    tflite.QuantizationParametersAddQuantizedDimension(b, t["axis"])
                    q = tflite.QuantizationParametersEnd(b)
                tflite.TensorStart(b)
                tflite.TensorAddShape(b, shape)
                tflite.TensorAddType(b, t["type"])
                tflite.TensorAddBuffer(b, t["buffer"])
                tflite.TensorAddName(b, name)
                if q is not None:
                    tflite.TensorAddQuantization(b, q)
                if t["variable"]:
                    tflite.TensorAddIsVariable(b, True)
                tensors.append(tflite.TensorEnd(b))

            ops = []
            for opcode_index, name, ins, outs, options, intermediates in w.ops:
                kind = None if name.startswith("CUSTOM:") else OPTIONS.get(name)
                opt = custom = None
                if name.startswith("CUSTOM:") and options:
                    from flatbuffers import flexbuffers
                    flex = {k: (np.asarray(v).tolist() if isinstance(v, (list, tuple, np.ndarray)) else v)
                            for k, v in options.items()}
                    custom = b.CreateNumpyVector(np.frombuffer(bytes(flexbuffers.Dumps(flex)), np.uint8))
                if kind:
                    vectors = {k: ivec(v) for k, v in options.items() if isinstance(v, (list, tuple, np.ndarray))}
                    vectors.update({k: b.CreateString(v) for k, v in options.items() if isinstance(v, str)
                                    and k not in _ENUMS})
                    getattr(tflite, kind + "Start")(b)
                    for k, v in options.items():
                        v = vectors[k] if k in vectors else _ENUMS.get(k, {}).get(v, v)
                        getattr(tflite, kind + "Add" + _camel(k))(b, v)
                    opt = getattr(tflite, kind + "End")(b)
                iv, ov = ivec(ins), ivec(outs)
                mv = ivec(intermediates) if intermediates else None
                tflite.OperatorStart(b)
                tflite.OperatorAddOpcodeIndex(b, opcode_index)
                tflite.OperatorAddInputs(b, iv)
                tflite.OperatorAddOutputs(b, ov)
                if mv is not None:
                    tflite.OperatorAddIntermediates(b, mv)
                if custom is not None:
                    tflite.OperatorAddCustomOptions(b, custom)
                    tflite.OperatorAddCustomOptionsFormat(b, tflite.CustomOptionsFormat.FLEXBUFFERS)
                if opt is not None:
                    tflite.OperatorAddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, kind))
                    tflite.OperatorAddBuiltinOptions(b, opt)
                ops.append(tflite.OperatorEnd(b))

            return tensors, ops

        def graph(w, inputs, outputs, name):
            tensors, ops = content(w)
            tv = tables(tflite.SubGraphStartTensorsVector, tensors)
            ov = tables(tflite.SubGraphStartOperatorsVector, ops)
            iv, outv = ivec(inputs), ivec(outputs)
            sg_name = b.CreateString(name)
            tflite.SubGraphStart(b)
            tflite.SubGraphAddTensors(b, tv)
            tflite.SubGraphAddInputs(b, iv)
            tflite.SubGraphAddOutputs(b, outv)
            tflite.SubGraphAddOperators(b, ov)
            tflite.SubGraphAddName(b, sg_name)
            return tflite.SubGraphEnd(b)

        sgs = [graph(self, inputs, outputs, "main")]
        sgs += [graph(w, w.io[0], w.io[1], f"subgraph{k + 1}") for k, w in enumerate(self.subgraphs)]
        codes = []  # after the subgraphs: theirs ops add opcodes too
        for code in self.opcodes:
            custom = b.CreateString(code[1]) if isinstance(code, tuple) else None
            tflite.OperatorCodeStart(b)
            if custom is not None:
                tflite.OperatorCodeAddDeprecatedBuiltinCode(b, tflite.BuiltinOperator.CUSTOM)
                tflite.OperatorCodeAddBuiltinCode(b, tflite.BuiltinOperator.CUSTOM)
                tflite.OperatorCodeAddCustomCode(b, custom)
                tflite.OperatorCodeAddVersion(b, 1)
            else:
                tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
                tflite.OperatorCodeAddBuiltinCode(b, code)
                tflite.OperatorCodeAddVersion(b, self.versions.get(code, 1))
            codes.append(tflite.OperatorCodeEnd(b))
        sgv = tables(tflite.ModelStartSubgraphsVector, sgs)
        cv = tables(tflite.ModelStartOperatorCodesVector, codes)
        bv = tables(tflite.ModelStartBuffersVector, buffers)
        desc = b.CreateString("written by sprat's model writer")
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, 3)
        tflite.ModelAddOperatorCodes(b, cv)
        tflite.ModelAddSubgraphs(b, sgv)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, bv)
        b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
        return bytes(b.Output())
