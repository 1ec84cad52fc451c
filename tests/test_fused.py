"""FUSED_ROWS (runtime/ops/fused.c, converter/fuse.py): randomized blocks
(tests/blocksuite.py) fused with every band of rows and planned with the
tightest overlap their schedule allows, run on the host (portable kernels)
and under QEMU (the Cortex-M library), byte for byte against LiteRT's
reference kernels; the shared models' fused plans; and records the
runtime must refuse (windows too small, regions that overlap, sources that
do not exist), which a valid CRC does not make safe."""

import os
import struct
import zlib

import numpy as np
import pytest

import blocksuite
from converter import fuse, planner
from converter.convert import convert
from sprat import host as H
from sprat import jobs, reference
from test_ops_host import seed
from test_overlap import _check_disjoint, _overlapped
from test_qemu import _compare

pytestmark = pytest.mark.usefixtures("in_build_env")
TARGET = "qemu_cortex_m7"
CONFIGS = int(os.environ.get("SPRAT_FUSED_CONFIGS", "80"))
BANDS = [1, 1, 2, 3, 5]


def _draws():
    for i in range(CONFIGS):
        rng = np.random.default_rng(seed("fused", i))
        data, desc = blocksuite.block(rng)
        yield i, data, desc, int(rng.choice(BANDS))


def _fused_ops(r):
    return [op for op in r.ops if op.opcode == fuse.FUSED]


def _over_input(r):
    """Fused ops whose output the plan placed over their input (each at
    least its allowance before it)."""
    return sum(r.ops[k].opcode == fuse.FUSED for k in _overlapped(r))


def test_fused_blocks_bitexact_host_and_qemu():
    host, qemu, expect_h, expect_q = [], [], [], []
    kinds, overlapped, varies = {}, 0, 0
    for i, data, desc, band in _draws():
        kind = desc.split(":")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        x = x2 = None
        for target, js, expect in ((None, host, expect_h), (TARGET, qemu, expect_q)):
            r = convert(data, target=target, optimize="all", fuse_band=band, tightest_overlap=True)
            assert _fused_ops(r), f"config {i}: {desc}: nothing fused"
            _check_disjoint(r)
            if x is None:
                x, x2 = reference.random_inputs(r, 2 * i), reference.random_inputs(r, 2 * i + 1)
                want = reference.run(data, x)
                varies += any(not np.array_equal(a, b) for a, b in zip(want, reference.run(data, x2)))
                overlapped += _over_input(r) > 0
            js.append((r, x))
            expect.append((f"config {i} band {band}: {desc} ({target or 'host'})", want))
    assert len(kinds) == 4, kinds
    # The tests see what they claim: outputs that follow the input, and
    # blocks whose output really overwrites their input.
    assert varies >= CONFIGS * 9 // 10, f"only {varies} of {CONFIGS} outputs depend on the input"
    assert overlapped >= CONFIGS // 3, f"only {overlapped} of {CONFIGS} fused outputs were planned over their input"
    _compare(jobs.run_jobs("host", host), expect_h)
    _compare(jobs.run_jobs(TARGET, qemu), expect_q)


NETWORKS = int(os.environ.get("SPRAT_FUSED_NETWORKS", "40"))


def _respects_allowances(r):
    """No two buffers live at once share a byte, except an op's output over
    its dying input at least its allowance (access.output_lag) before it."""
    _check_disjoint(r)
    _overlapped(r)


def test_random_networks_plans_hold():
    """Models the tests never saw: 2 to 4 random blocks in a row, fused or
    not, planned with the tightest overlap; every plan keeps live buffers
    apart but for the access model's allowances, and runs bit-exact on the
    host and under QEMU."""
    host, qemu, expect_h, expect_q, fused = [], [], [], [], 0
    for i in range(NETWORKS):
        rng = np.random.default_rng(seed("fused_network", i))
        data, desc = blocksuite.network(rng)
        band = int(rng.choice(BANDS))
        x = None
        for optimize in ("balanced", "all"):
            for target, js, expect in ((None, host, expect_h), (TARGET, qemu, expect_q)):
                r = convert(data, target=target, optimize=optimize, fuse_band=band if optimize == "all" else None,
                            tightest_overlap=True)
                _respects_allowances(r)
                fused += bool(_fused_ops(r))
                x = reference.random_inputs(r, i) if x is None else x
                js.append((r, x))
                expect.append((f"network {i} ({optimize}, {target or 'host'}): {desc}", reference.run(data, x)))
    assert fused >= NETWORKS, f"only {fused} of {4 * NETWORKS} plans had a fused block"
    _compare(jobs.run_jobs("host", host), expect_h)
    _compare(jobs.run_jobs(TARGET, qemu), expect_q)


def test_small_plans_are_the_best_first_fit_can_make(monkeypatch):
    """On graphs of up to planner.EXHAUSTIVE buffers, branch and bound
    finds the smallest arena of first fit over every placement order (each
    order tried here one by one), also where the heuristic orders miss it;
    on larger graphs the budgeted search never does worse than them."""
    import itertools
    small = missed = larger = 0
    for i in range(60):
        rng = np.random.default_rng(seed("exact_plan", i))
        data, _ = (blocksuite.network if i % 2 else blocksuite.concat_net)(rng)
        r = convert(data, optimize="speed" if i % 3 else "ram")
        g, ops = r.graph, r.ops
        roots = [b.root for b in planner.plan(g, ops)[2]]
        best = planner.plan(g, ops)[1]
        with monkeypatch.context() as m:
            m.setattr(planner, "EXHAUSTIVE", 0)
            heuristic = planner.plan(g, ops)[1]
        if len(roots) > planner.EXHAUSTIVE:
            larger += 1
            assert planner.plan(g, ops, search=2000)[1] <= heuristic, i
            continue
        small += 1
        every = min(planner.plan(g, ops, order=list(p))[1] for p in itertools.permutations(roots))
        assert best == every, (i, best, every)
        missed += heuristic > every
    assert small >= 10 and larger >= 10, (small, larger)
    assert missed >= 1, "the heuristic orders found every optimum: the search went untested"


def test_reordering_branches_lowers_the_peak(host):
    """Where running a branch earlier lowers the peak (planner.reorder),
    the converter does, the arena is smaller than in the model's order, and
    the results stay LiteRT's."""
    reordered = 0
    for i in range(120):
        data, desc = blocksuite.network(np.random.default_rng(seed("reorder", i)))
        r = convert(data, optimize="speed")
        in_model_order = sorted(r.ops, key=lambda op: op.source)
        if [op.source for op in r.ops] == [op.source for op in in_model_order]:
            continue
        reordered += 1
        assert r.activation_bytes < planner.plan(r.graph, in_model_order)[1], (i, desc)
        x = reference.random_inputs(r, i)
        got = H.run_result(host, r, x)
        assert all(np.array_equal(a, b) for a, b in zip(got, reference.run(data, x))), (i, desc)
    assert reordered >= 1, "no network was reordered"


def test_balanced_fuses_only_where_the_arena_shrinks():
    for i, data, desc, _ in list(_draws())[:30]:
        plain = convert(data, optimize="speed")
        assert not _fused_ops(plain)
        for mode in ("balanced", "ram"):
            r = convert(data, optimize=mode)
            # A fusion is chosen on the heuristic plan; the final plan's
            # search may bring the unfused graph level with it, never below.
            if _fused_ops(r):
                assert r.activation_bytes <= plain.activation_bytes, (i, desc, mode)


def test_shared_models_fused_on_host(host):
    """The default conversion fuses the blocks at MobileNetV2's and
    ResNet-8's peaks; the result stays LiteRT's and the arena shrinks."""
    from conftest import shared_model
    for name in ("mobilenet_v2_0.30_80_int8", "pretrainedResnet_quant"):
        data = open(shared_model(name), "rb").read()
        r, plain = convert(data), convert(data, optimize="speed")
        assert _fused_ops(r) and r.arena_size < plain.arena_size * 0.8, (name, r.arena_size, plain.arena_size)
        _check_disjoint(r)
        x = reference.random_inputs(r, 5)
        got = H.run_result(host, r, x)
        assert all(np.array_equal(a, b) for a, b in zip(got, reference.run(data, x))), name


# ---- crafted records ------------------------------------------------------

def _blob_with_fused():
    """A block fused with two windows, one of several rows."""
    for i, data, desc, band in _draws():
        r = convert(data, optimize="all", fuse_band=band)
        ops = _fused_ops(r)
        if ops and len(ops[0].fused["windows"]) >= 2 and max(ops[0].fused["windows"]) > 1:
            return r
    raise AssertionError("no fused block with two windows")


def _patched(r, edit, opcode=fuse.FUSED):
    """The blob with the first `opcode` op's record words edited, CRC fixed."""
    b = bytearray(r.blob)
    params = next(op.params for op in r.ops if op.opcode == opcode)
    at = bytes(b).find(params)
    assert at > 0
    words = list(struct.unpack_from(f"<{len(params) // 4}i", b, at))
    edit(words)
    struct.pack_into(f"<{len(words)}i", b, at, *words)
    sections = struct.unpack_from("<I", b, 32)[0]
    entries = [struct.unpack_from("<IIII", b, sections + 16 * i) for i in range(struct.unpack_from("<I", b, 28)[0])]
    tables_end = [e[1] for e in entries if e[0] == 6][0]
    struct.pack_into("<I", b, 12, 0)
    struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[:tables_end])))
    return bytes(b)


HEADER, STAGE = 12, 37  # words: sprat_fused_params' header, one sprat_fused_stage


def _stage_word(s, field):
    return HEADER + STAGE * s + {"kind": 0, "src": 1, "src2": 2, "rows": 3, "offset": 4}[field]


def test_crafted_fused_records_are_refused(host):
    r = _blob_with_fused()
    assert host.init_only(r.blob, r.arena_for(8))[0] == 0
    op = _fused_ops(r)[0]
    wide = next(s for s, w in enumerate(op.fused["windows"]) if w > 1)

    def shrink(w):
        w[_stage_word(wide, "rows")] -= 1

    def windows_overlap(w):
        w[_stage_word(1 - wide if wide < 2 else 0, "offset")] = w[_stage_word(wide, "offset")]

    def forward_source(w):
        w[_stage_word(0, "src")] = 1

    def no_band(w):
        w[3] = 0

    def bad_kind(w):
        w[_stage_word(0, "kind")] = 9

    def past_scratch(w):
        w[_stage_word(wide, "offset")] = 1 << 20

    def more_stages(w):
        w[0] += 1

    edits = [shrink, windows_overlap, forward_source, no_band, bad_kind, past_scratch, more_stages]
    for edit in edits:
        s, err_op, _ = host.init_only(_patched(r, edit), r.arena_for(8))
        assert H.STATUS[s] in ("BAD_OP", "MALFORMED"), (edit.__name__, H.STATUS[s])
