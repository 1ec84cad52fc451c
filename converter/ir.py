"""The converter's graph: tensors with quantization, ops with options."""

from dataclasses import dataclass, field

import numpy as np

# sprat's type codes (runtime/include/sprat/sprat.h); numpy dtypes of each.
INT8, INT16, INT32, FLOAT32, UINT8, INT64, BOOL = 1, 2, 3, 4, 5, 6, 7
DTYPES = {INT8: np.int8, INT16: np.int16, INT32: np.int32, FLOAT32: np.float32, UINT8: np.uint8,
          INT64: np.int64, BOOL: np.bool_}
TYPE_NAMES = {INT8: "int8", INT16: "int16", INT32: "int32", FLOAT32: "float32", UINT8: "uint8",
              INT64: "int64", BOOL: "bool"}
# The Signal ops' energies and filter bank sums (TFLM's audio front end).
UINT32, UINT64 = 8, 9
DTYPES.update({UINT32: np.uint32, UINT64: np.uint64})
TYPE_NAMES.update({UINT32: "uint32", UINT64: "uint64"})


@dataclass
class Quant:
    scale: np.ndarray  # float32, one per tensor or per channel
    zero_point: np.ndarray  # int64
    axis: int = 0

    @property
    def per_channel(self):
        return self.scale.size > 1

    def s(self):
        """The per-tensor scale as a Python float (from float32)."""
        return float(self.scale[0])

    def zp(self):
        return int(self.zero_point[0])


@dataclass
class Tensor:
    index: int
    name: str
    type: int
    shape: tuple
    quant: Quant = None
    data: np.ndarray = None  # constant data, None for activations
    # TFLite's is_variable: state an op (SVDF, LSTM) reads and updates in
    # place, kept across invokes (a STATE tensor of the blob).
    variable: bool = False
    init: np.ndarray = None  # a state's initial value; None: TFLite's (zero point for int8, else 0)
    init_tensor: int = -1  # the constant tensor holding init in the blob (converter.convert)

    @property
    def is_const(self):
        return self.data is not None

    @property
    def count(self):
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self):
        return self.count * np.dtype(DTYPES[self.type]).itemsize


@dataclass
class Op:
    index: int  # position in the original .tflite, for messages
    name: str  # TFLite builtin name, e.g. "CONV_2D"
    inputs: list  # tensor indices, -1 for an absent optional input
    outputs: list
    options: dict = field(default_factory=dict)
    # tensor indices of the op's intermediates (an integer LSTM's gate
    # quantization), -1 for an absent one
    intermediates: list = field(default_factory=list)


@dataclass
class Graph:
    tensors: list
    ops: list
    inputs: list
    outputs: list
    # tensor index -> tensor index whose buffer it shares (RESHAPE aliases)
    aliases: dict = field(default_factory=dict)
    # tensor index -> (tensor index, byte offset): a contiguous part of that
    # tensor's buffer (a CONCATENATION input its producer writes in place)
    views: dict = field(default_factory=dict)
    # Whether only TFLM runs the model as read (lower.tflm_model), decided
    # before the passes fold away ops that tell (a DECODE, say); None: not yet.
    tflm_oracle: object = None

    def t(self, i):
        return self.tensors[i]

    def add_tensor(self, name, type_, shape, quant=None, data=None):
        t = Tensor(len(self.tensors), name, type_, tuple(int(d) for d in shape), quant, data)
        self.tensors.append(t)
        return t

    def consumers(self, tensor_index):
        return [op for op in self.ops if tensor_index in op.inputs]

    def producer(self, tensor_index):
        for op in self.ops:
            if tensor_index in op.outputs:
                return op
        return None

    def buffer_of(self, i):
        while i in self.aliases or i in self.views:
            i = self.aliases[i] if i in self.aliases else self.views[i][0]
        return i

    def offset_in_buffer(self, i):
        """Where tensor i starts inside its buffer (buffer_of), in bytes."""
        off = 0
        while i in self.aliases or i in self.views:
            if i in self.aliases:
                i = self.aliases[i]
            else:
                i, o = self.views[i]
                off += o
        return off

    def in_view(self, i):
        """Tensor i is only a part of its buffer."""
        while i in self.aliases or i in self.views:
            if i in self.views:
                return True
            i = self.aliases[i]
        return False
