"""The converter pipeline: .tflite bytes -> blob + report."""

from dataclasses import dataclass

from converter import blob as blobfmt
from converter import passes, planner, tflite_reader
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
    arena_size: int
    layers: list
    inputs: list  # graph Tensors
    outputs: list
    graph: object
    weight_bytes: int


def convert(tflite_bytes_or_path):
    g = tflite_reader.read(tflite_bytes_or_path)
    passes.run_all(g)
    ops = Lowering(g).lower()
    offsets, arena, _ = planner.plan(g, ops)
    data, _ = blobfmt.write(g, ops, offsets, arena)
    layers = [Layer(k, op.name, op.source, g.t(op.outputs[0]).shape, op.macs) for k, op in enumerate(ops)]
    weights = sum(g.t(i).nbytes for i in {i for op in ops for i in op.inputs if i >= 0 and g.t(i).is_const})
    return Result(data, arena, layers, [g.t(i) for i in g.inputs], [g.t(i) for i in g.outputs], g, weights)
