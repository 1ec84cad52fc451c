"""Writes the model blob (docs/model_format.md)."""

import struct
import zlib

import numpy as np

from converter import ir

MAGIC = b"SPRT"
VERSION = (2, 3)  # 2.1: op flags (OPF_GENERATED); 2.2: FUSED_ROWS; 2.3: STATE tensors
OPF_GENERATED = 1
OPF_MAY_STOP = 2  # input 0 is an int32 STATE [3]; element 2 non-zero ends the invoke (SPRAT_WAITING)
HEADER_SIZE = 64
TENSOR_RECORD = 48
OP_RECORD = 20
NO_TENSOR = 0xFFFF
SECTIONS = {"TENSORS": 1, "OPS": 2, "OP_IO": 3, "PARAMS": 4, "IO": 5, "CONSTS": 6}


def _align(n, a):
    return (n + a - 1) // a * a


def write(graph, ops, offsets, arena_size, layer_bytes32=0):
    """Returns (blob bytes, {graph tensor index: blob tensor index})."""
    used = []
    seen = set()

    def use(i):
        if i >= 0 and i not in seen:
            seen.add(i)
            used.append(i)
    for i in graph.inputs:
        use(i)
    for op in ops:
        for i in op.inputs + op.outputs + op.scratch:
            use(i)
    for i in graph.outputs:
        use(i)
    for i in list(used):
        if graph.t(i).variable and graph.t(i).init_tensor >= 0:
            use(graph.t(i).init_tensor)
    if len(used) >= NO_TENSOR:
        raise ValueError(f"{len(used)} tensors: the format allows {NO_TENSOR - 1}")
    index = {t: k for k, t in enumerate(used)}

    # Constants, 16-byte aligned, identical arrays stored once.
    consts = bytearray()
    const_at = {}
    by_content = {}
    for i in used:
        t = graph.t(i)
        if not t.is_const:
            continue
        raw = np.ascontiguousarray(t.data.astype(np.dtype(ir.DTYPES[t.type]).newbyteorder("<"))).tobytes()
        if raw in by_content:
            const_at[i] = by_content[raw]
            continue
        off = _align(len(consts), 16)
        consts += b"\0" * (off - len(consts)) + raw
        const_at[i] = by_content[raw] = off

    tensors = bytearray()
    for i in used:
        t = graph.t(i)
        if len(t.shape) > 6:
            raise ValueError(f"tensor '{t.name}' has rank {len(t.shape)}: at most 6")
        dims = list(t.shape) + [0] * (6 - len(t.shape))
        q = t.quant
        scale = q.s() if q is not None else 0.0
        zp = q.zp() if q is not None else 0
        storage, off = (1, const_at[i]) if t.is_const else (2 if t.variable else 0, offsets[i])
        init = index[t.init_tensor] if t.variable and t.init_tensor >= 0 else NO_TENSOR
        tensors += struct.pack("<BBBB6iIIifH2x", t.type, len(t.shape), storage, 0, *dims, off, t.nbytes, zp, scale,
                               init)

    op_io = []
    params = bytearray()
    op_recs = bytearray()
    for op in ops:
        io_index = len(op_io)
        op_io += [index[i] if i >= 0 else NO_TENSOR for i in op.inputs]
        op_io += [index[i] for i in op.outputs + op.scratch]
        poff = len(params)
        params += op.params + b"\0" * (_align(len(op.params), 4) - len(op.params))
        op_recs += struct.pack("<HBBBB2xIII", op.opcode, len(op.inputs), len(op.outputs), len(op.scratch), op.flags,
                               io_index, poff, len(op.params))
    io = struct.pack(f"<HH{len(graph.inputs) + len(graph.outputs)}H", len(graph.inputs), len(graph.outputs),
                     *[index[i] for i in graph.inputs + graph.outputs])
    op_io_bytes = struct.pack(f"<{len(op_io)}H", *op_io)

    # Layout: header, section table, tables, then the weights (last, 16-aligned).
    sections = [("TENSORS", tensors, len(used)), ("OPS", op_recs, len(ops)), ("OP_IO", op_io_bytes, len(op_io)),
                ("PARAMS", params, 0), ("IO", io, 0)]
    table_off = HEADER_SIZE
    pos = table_off + 16 * (len(sections) + 1)
    body = bytearray()
    entries = []
    for name, data, count in sections:
        pos_al = _align(pos, 4)
        body += b"\0" * (pos_al - pos) + data
        entries.append((SECTIONS[name], pos_al, len(data), count))
        pos = pos_al + len(data)
    consts_off = _align(pos, 16)
    body += b"\0" * (consts_off - pos)
    entries.append((SECTIONS["CONSTS"], consts_off, len(consts), 0))
    table = b"".join(struct.pack("<IIII", *e) for e in entries)
    total = consts_off + len(consts)
    header = bytearray(HEADER_SIZE)
    struct.pack_into("<4sHHII", header, 0, MAGIC, VERSION[0], VERSION[1], total, 0)
    struct.pack_into("<IIIIII", header, 16, HEADER_SIZE, zlib.crc32(bytes(consts)), arena_size, len(entries), table_off,
                     layer_bytes32)
    blob = bytearray(header) + table + body + consts
    assert len(blob) == total
    # The tables' CRC: every byte before the weights, this field read as 0.
    struct.pack_into("<I", blob, 12, zlib.crc32(bytes(blob[:consts_off])))
    return bytes(blob), index
