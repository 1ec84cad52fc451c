"""Offline memory plan: every activation buffer gets an arena offset.

Greedy by size (largest first), each at the lowest 16-byte-aligned offset
free during its whole lifetime. Simple and good; the overlap-aware planner
with fused blocks replaces it later (same blob fields)."""

from dataclasses import dataclass

ALIGN = 16


@dataclass
class Buffer:
    root: int  # tensor index owning the buffer (aliases share it)
    size: int
    first: int  # first op index using it (-1: a model input)
    last: int  # last op index using it (n_ops: a model output)
    offset: int = -1


def layer_bytes(ops, pointer_size=4):
    """Bytes of the runtime's prepared layers (sprat_layer, SPRAT_LAYER_BYTES):
    run function, parameters, count, then one pointer per input, output and
    scratch. They follow the activations in the arena."""
    return sum((3 + len(op.inputs) + len(op.outputs) + len(op.scratch)) * pointer_size for op in ops)


def plan(graph, ops):
    """Returns ({tensor index: offset}, arena size, [Buffer])."""
    n = len(ops)
    spans = {}

    def touch(i, k):
        if i < 0 or graph.t(i).is_const:
            return
        r = graph.buffer_of(i)
        size = max(graph.t(i).nbytes, graph.t(r).nbytes)
        lo, hi, sz = spans.get(r, (k, k, size))
        spans[r] = (min(lo, k), max(hi, k), max(sz, size))

    for i in graph.inputs:
        touch(i, -1)
    for k, op in enumerate(ops):
        for i in op.inputs + op.outputs + op.scratch:
            touch(i, k)
    for i in graph.outputs:
        touch(i, n)
    buffers = [Buffer(r, sz, lo, hi) for r, (lo, hi, sz) in spans.items()]
    placed = []
    for b in sorted(buffers, key=lambda b: (-b.size, b.first, b.root)):
        clashes = sorted((p.offset, p.offset + p.size) for p in placed if not (p.last < b.first or b.last < p.first))
        off = 0
        for lo, hi in clashes:
            if off + b.size <= lo:
                break
            off = max(off, (hi + ALIGN - 1) // ALIGN * ALIGN)
        b.offset = off
        placed.append(b)
    arena = max((b.offset + b.size for b in placed), default=0)
    arena = (arena + ALIGN - 1) // ALIGN * ALIGN
    offsets = {}
    for t in graph.tensors:
        if t.is_const:
            continue
        r = graph.buffer_of(t.index)
        for b in placed:
            if b.root == r:
                offsets[t.index] = b.offset
    return offsets, arena, placed
