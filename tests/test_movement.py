"""COPY records that walk backwards (REVERSE_V2, MIRROR_PAD's borders) and
8-byte PAD fills (SPACE_TO_BATCH_ND of int64): a crafted record that would
reach outside its tensors is refused at init (runtime/ops/common.c
sprat_copy_fits checks the lowest and highest offset of every walk), the
genuine one runs. MIRROR_PAD at the widest paddings, and what the
converter refuses."""

import struct

import numpy as np
import pytest

from converter.convert import convert
from converter.errors import ConvertError
from converter.lower import OPCODES
from converter.writer import ModelWriter
from sprat import host as H
from sprat import reference
from test_fused import _patched

# sprat_copy_params, in words: ndim, elem_size, dims[6], in_start,
# in_strides[6], out_start, out_strides[6].
DIMS, IN_START, IN_STRIDES, OUT_START, OUT_STRIDES = 2, 8, 9, 15, 16


def _reverse_model():
    m = ModelWriter()
    x = m.tensor("x", (3, 4, 5), scale=0.1, zp=2)
    a = m.tensor("axes", (2,), type="int32", data=[0, 2])
    y = m.tensor("y", (3, 4, 5), scale=0.1, zp=2)
    m.op("REVERSE_V2", [x, a], [y])
    return m.finish([x], [y])


def movement_model():
    """REVERSE_V2, MIRROR_PAD, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND in a
    row: backward walks, one COPY per border, a PAD and phase copies
    (tests/test_blob_fuzz.py flips every byte of its records)."""
    m = ModelWriter()
    q = dict(scale=0.05, zp=-3)
    x = m.tensor("x", (1, 5, 4, 3), **q)
    r = m.tensor("reversed", (1, 5, 4, 3), **q)
    m.op("REVERSE_V2", [x, m.tensor("axes", (2,), type="int32", data=[1, 2])], [r])
    p = m.tensor("padded", (1, 8, 7, 3), **q)
    m.op("MIRROR_PAD", [r, m.tensor("pads", (4, 2), type="int32", data=[[0, 0], [2, 1], [1, 2], [0, 0]])], [p],
         mode="REFLECT")
    b = m.tensor("batched", (4, 4, 4, 3), **q)
    block = m.tensor("block", (2,), type="int32", data=[2, 2])
    m.op("SPACE_TO_BATCH_ND", [p, block, m.tensor("bpads", (2, 2), type="int32", data=[[0, 0], [1, 0]])], [b])
    y = m.tensor("y", (1, 7, 7, 3), **q)
    m.op("BATCH_TO_SPACE_ND", [b, block, m.tensor("crops", (2, 2), type="int32", data=[[1, 0], [0, 1]])], [y])
    return m.finish([x], [y])


def test_movement_chain(host):
    data = movement_model()
    r = convert(data)
    x = reference.random_inputs(r, 3)
    assert np.array_equal(H.run_result(host, r, x)[0], reference.run(data, x)[0])


def test_reverse_walks_backwards_within_its_input(host):
    data = _reverse_model()
    r = convert(data)
    (op,) = r.ops
    w = struct.unpack("<22i", op.params)
    # One backward walk: rows 2, 1, 0 and columns 4..0 of each.
    assert w[0] == 3 and w[IN_START] == 44 and list(w[IN_STRIDES:IN_STRIDES + 3]) == [-20, 5, -1]
    x = reference.random_inputs(r, 0)
    # LiteRT reverses contiguous axes only: numpy is the reference here
    assert np.array_equal(H.run_result(host, r, x)[0], np.flip(x[0], (0, 2)))


def test_crafted_copy_records_are_refused(host):
    r = convert(_reverse_model())
    copy = OPCODES["COPY"]

    def before_input(w):  # the lowest offset at -1
        w[IN_START] -= 1

    def past_input(w):  # the highest one element past the end
        w[IN_START] += 1

    def steeper(w):  # the outer backward step one too many
        w[IN_STRIDES] -= 1

    def output_backwards(w):  # written from offset 0 down
        w[OUT_STRIDES] = -w[OUT_STRIDES]

    def longer(w):
        w[DIMS] += 1

    def far_step(w):  # a stride beyond what any tensor needs
        w[IN_STRIDES] = -(1 << 24) - 1

    def forwards(w):  # a genuine walk: the plain copy
        w[IN_START], w[IN_STRIDES], w[IN_STRIDES + 2] = 0, 20, 1

    for edit in (before_input, past_input, steeper, output_backwards, longer, far_step):
        s, err_op, _ = host.init_only(_patched(r, edit, copy), r.arena_for(8))
        assert H.STATUS[s] == "BAD_OP" and err_op == 0, (edit.__name__, H.STATUS[s])
    assert host.init_only(_patched(r, forwards, copy), r.arena_for(8))[0] == 0


def _s2b_int64():
    m = ModelWriter()
    x = m.tensor("x", (1, 3, 2, 2), type="int64")
    b = m.tensor("block", (2,), type="int32", data=[2, 2])
    p = m.tensor("pads", (2, 2), type="int32", data=[[1, 0], [1, 1]])
    y = m.tensor("y", (4, 2, 2, 2), type="int64")
    m.op("SPACE_TO_BATCH_ND", [x, b, p], [y])
    return m.finish([x], [y])


def test_int64_pad_fill(host):
    """SPACE_TO_BATCH_ND's borders of 8-byte elements: a PAD of elem_size 8;
    its fill count and element size checked like any."""
    data = _s2b_int64()
    r = convert(data)
    pad = OPCODES["PAD"]
    assert [op.opcode for op in r.ops].count(pad) == 1
    x = [np.arange(-6, 6, dtype=np.int64).reshape(1, 3, 2, 2)]
    got, want = H.run_result(host, r, x)[0], reference.run(data, x)[0]
    assert np.array_equal(got, want) and np.count_nonzero(want == 0) > 4

    def more(w):  # fill one element past the output
        w[1] += 1

    def narrower(w):  # 4-byte elements of an int64 tensor
        w[3] = 4

    for edit in (more, narrower):
        s, _, _ = host.init_only(_patched(r, edit, pad), r.arena_for(8))
        assert H.STATUS[s] == "BAD_OP", (edit.__name__, H.STATUS[s])


def _mirror(shape, pads, mode):
    m = ModelWriter()
    x = m.tensor("x", shape, scale=0.1, zp=0)
    p = m.tensor("pads", (len(shape), 2), type="int32", data=pads)
    y = m.tensor("y", [d + a + b for d, (a, b) in zip(shape, pads)], scale=0.1, zp=0)
    m.op("MIRROR_PAD", [x, p], [y], mode=mode)
    return m.finish([x], [y])


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_widest(host, mode):
    """Paddings as wide as LiteRT takes (the size, less one for REFLECT),
    on sizes down to 1, on both sides."""
    off = mode == "REFLECT"
    for shape in ([1], [2], [5], [1, 3], [4, 1, 2], [3, 2, 1, 4]):
        pads = [[d - off, d - off] for d in shape]
        data = _mirror(shape, pads, mode)
        r = convert(data)
        x = [np.arange(np.prod(shape), dtype=np.int8).reshape(shape)]
        assert np.array_equal(H.run_result(host, r, x)[0], reference.run(data, x)[0]), (shape, pads)


def test_mirror_pad_too_wide_before_is_refused():
    with pytest.raises(ConvertError) as e:
        convert(_mirror([3, 4], [[3, 0], [1, 1]], "REFLECT"))
    assert "MIRROR_PAD" in str(e.value) and "padding 3 before axis 0" in str(e.value)


def test_reorder_keeps_a_pad_before_the_copies_into_its_output():
    """SPACE_TO_BATCH_ND's PAD fills the whole output: the list scheduling
    (planner.reorder) must not run a copy into it first, even where that
    would lower the peak (without the rule it would)."""
    from converter import ir, planner
    from converter.lower import SpratOp
    g = ir.Graph([], [], [], [])
    t = {n: g.add_tensor(n, ir.INT8, (s,)).index for n, s in [("in", 16), ("x", 400), ("z", 32), ("y", 304)]}
    g.inputs, g.outputs = [t["in"]], [t["y"]]
    copy, pad = OPCODES["COPY"], OPCODES["PAD"]
    ops = [SpratOp(copy, "X", [t["in"]], [t["x"]], b"", 0), SpratOp(copy, "Z", [t["in"]], [t["z"]], b"", 1),
           SpratOp(pad, "PAD", [t["x"]], [t["y"]], b"", 2), SpratOp(copy, "COPY", [t["z"]], [t["y"]], b"", 3)]
    order = [op.name for op in planner.reorder(g, ops)]
    assert order.index("PAD") < order.index("COPY"), order
    ops[2].opcode = copy  # any two writers of one buffer keep their order: the rule knows no op
    order = [op.name for op in planner.reorder(g, ops)]
    assert order.index("PAD") < order.index("COPY"), order
