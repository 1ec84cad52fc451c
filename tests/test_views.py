"""CONCATENATION as views (converter/views.py): randomized branches
concatenated along an axis whose inputs are contiguous runs of the output
(height; [1, n] through a RESHAPE) and along one whose are not (channels),
nested, with an input given twice, a model input among them, and a branch
read again after the concatenation (tests/blocksuite.concat_net). Each is
planned, its views checked to sit inside their buffer apart from each
other, and run on the host (portable kernels) and under QEMU (the
Cortex-M library, then generated code), byte for byte against LiteRT's
reference kernels; views never grow the arena."""

import os

import numpy as np
import pytest

import blocksuite
from converter.convert import convert
from sprat import jobs, reference
from test_ops_host import seed
from test_overlap import _check_disjoint, _overlapped
from test_qemu import _compare

pytestmark = pytest.mark.usefixtures("in_build_env")
TARGET = "qemu_cortex_m7"
CONFIGS = int(os.environ.get("SPRAT_VIEW_CONFIGS", "40"))


def _check_views(r):
    """Every view inside its buffer; the views of one buffer apart."""
    g = r.graph
    size = {b.root: b.size for b in r.buffers}
    spans = {}
    for t in g.views:
        root, at = g.buffer_of(t), g.offset_in_buffer(t)
        assert 0 <= at and at + g.t(t).nbytes <= size[root], (g.t(t).name, at, size[root])
        spans.setdefault(root, []).append((at, at + g.t(t).nbytes, t))
    for parts in spans.values():
        parts.sort()
        for (a0, a1, ta), (b0, b1, tb) in zip(parts, parts[1:]):
            inside = _contains(g, ta, tb) or _contains(g, tb, ta)
            assert a1 <= b0 or inside, (g.t(ta).name, g.t(tb).name)


def _contains(g, outer, inner):
    """inner is (through views) a part of outer."""
    while inner in g.views or inner in g.aliases:
        inner = g.views[inner][0] if inner in g.views else g.aliases[inner]
        if inner == outer:
            return True
    return False


def test_concat_views_bitexact_host_and_qemu():
    host, lib, gen = [], [], []
    expect_h, expect_l, expect_g = [], [], []
    viewed = copies_dropped = varies = 0
    for i in range(CONFIGS):
        data, desc = blocksuite.concat_net(np.random.default_rng(seed("views", i)))
        x = x2 = None
        for target, generate, js, expect in ((None, False, host, expect_h), (TARGET, False, lib, expect_l),
                                             (TARGET, True, gen, expect_g)):
            r = convert(data, target=target, generate=generate, tightest_overlap=True)
            _check_disjoint(r)
            _overlapped(r)
            _check_views(r)
            assert convert(data, target=target, generate=generate).arena_size <= \
                convert(data, target=target, generate=generate, views=False).arena_size, \
                f"config {i}: views grew the arena: {desc}"
            if x is None:
                x, x2 = reference.random_inputs(r, 2 * i), reference.random_inputs(r, 2 * i + 1)
                want = reference.run(data, x)
                varies += any(not np.array_equal(a, b) for a, b in zip(want, reference.run(data, x2)))
                viewed += bool(r.graph.views)
                copies_dropped += sum(op.name == "CONCATENATION" for op in
                                      convert(data, views=False).ops) - sum(op.name == "CONCATENATION" for op in r.ops)
            js.append((r, x))
            expect.append((f"config {i} ({target or 'host'}{', generated' if generate else ''}): {desc}", want))
    # The test sees what it claims: outputs that follow the input, and
    # concatenations whose inputs really are written in place.
    assert varies >= CONFIGS * 9 // 10, f"only {varies} of {CONFIGS} outputs depend on the input"
    assert viewed >= CONFIGS // 3, f"only {viewed} of {CONFIGS} models had a view"
    assert copies_dropped >= CONFIGS // 2, copies_dropped
    _compare(jobs.run_jobs("host", host), expect_h)
    _compare(jobs.run_jobs(TARGET, lib), expect_l)
    _compare(jobs.run_jobs(TARGET, gen, generated=True), expect_g)
