"""The converter pipeline: .tflite bytes -> blob + report."""

from dataclasses import dataclass

from converter import blob as blobfmt
from converter import layouts, passes, planner, tflite_reader
from converter.lower import Lowering


@dataclass
class Layer:
    index: int
    name: str
    source: int  # .tflite op index
    output_shape: tuple
    macs: int


@dataclass
class Result:
    blob: bytes
    arena_size: int  # activations + prepared layers, for a 32-bit target
    layers: list
    inputs: list  # graph Tensors
    outputs: list
    graph: object
    weight_bytes: int
    library: str  # the kernel library the weights are laid out for
    activation_bytes: int = 0
    layer_bytes: int = 0  # prepared layers with 4-byte pointers
    layer_bytes64: int = 0
    buffers: list = None  # planner.Buffer per arena buffer: root tensor, size, first/last layer, offset

    def arena_for(self, pointer_size):
        """Arena bytes on a target with pointers of this size."""
        return self.activation_bytes + (self.layer_bytes64 if pointer_size == 8 else self.layer_bytes)


def convert(tflite_bytes_or_path, target=None, reference=False):
    """`target` (a platform name) picks the kernel library whose weight
    layout the blob carries; None or `reference`: the portable kernels'."""
    layout = layouts.for_target(target, reference)
    g = tflite_reader.read(tflite_bytes_or_path)
    passes.run_all(g)
    ops = Lowering(g, layout).lower()
    offsets, activations, buffers = planner.plan(g, ops)
    layer_bytes = planner.layer_bytes(ops)
    arena = activations + layer_bytes
    data, _ = blobfmt.write(g, ops, offsets, activations, layer_bytes)
    layers = [Layer(k, op.name, op.source, g.t(op.outputs[0]).shape, op.macs) for k, op in enumerate(ops)]
    weights = sum(g.t(i).nbytes for i in {i for op in ops for i in op.inputs if i >= 0 and g.t(i).is_const})
    return Result(data, arena, layers, [g.t(i) for i in g.inputs], [g.t(i) for i in g.outputs], g, weights,
                  layout.NAME, activations, layer_bytes, planner.layer_bytes(ops, 8), buffers)
