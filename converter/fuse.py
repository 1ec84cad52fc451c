"""Fused blocks streamed by rows (FUSED_ROWS, runtime/ops/fused.c).

A chain of convolutions, with the residual ADD that may close it (an
inverted residual: expand 1x1, depthwise, project 1x1, ADD; a ResNet block:
3x3, 3x3, ADD, with or without a 1x1 convolution on the skip path) becomes
one op that computes a few rows of each intermediate tensor at a time into
windows in its scratch. The widest tensor of the block is then never whole
in the arena, and the block's output may overwrite its input as the rows
are consumed (access.py). Each stage runs the kernel its own layer would:
the outputs are the unfused graph's, byte for byte.

`schedule` is the twin of the runtime's pull schedule: it sizes the
windows and tells the planner which input rows are still to be read when
each output row is written. `fuse` picks the blocks: fusing costs a little
speed (the library kernels instead of generated code, one call per row), so
by default (`optimize="balanced"`) a block is fused only where that makes
the arena smaller."""

import struct

from converter import ir, planner
from converter.lower import OPCODES, SpratOp

_CONV, _DW, _ADD = OPCODES["CONV_2D"], OPCODES["DEPTHWISE_CONV_2D"], OPCODES["ADD"]
FUSED = OPCODES["FUSED_ROWS"]
KIND_CONV, KIND_DW, KIND_ADD = 1, 2, 3
INPUT, SKIP = -1, -2
MAX_STAGES, MAX_CONVS = 4, 3
_STAGE_WORDS = 32  # the union of sprat_conv_params (25 words) and sprat_add_params (32)
OPTIMIZE = ("speed", "balanced", "ram")
# balanced: a fusion must shrink the arena by at least this fraction (a
# small saving is not worth the generated code the fused layers give up).
_BALANCED_GAIN = 0.10


class ScheduleError(Exception):
    pass


def _conv_words(op):
    return struct.unpack("<25i", op.params)


def stage_ok(op):
    """A convolution the fused op can run a few rows at a time: one image,
    and every output row's window reaching a row of the input (the runtime
    refuses rows made of padding alone)."""
    if op.opcode not in (_CONV, _DW):
        return False
    w = _conv_words(op)
    ih, oh, sh, dh, kh, pt = w[1], w[9], w[12], w[14], w[5], w[16]
    ekh = (kh - 1) * dh + 1
    return w[0] == 1 and w[8] == 1 and 0 <= pt < ekh and (oh - 1) * sh - pt <= ih - 1


class _Window:
    def __init__(self, h, row_bytes, cap, whole=False):
        self.h, self.rb, self.cap = h, row_bytes, cap
        self.lo, self.hi = 0, (h if whole else 0)
        self.whole = whole


def schedule(stages, in_hw, skip_hw, caps=None, band=1):
    """Runs the runtime's schedule (fused.c: ensure/compute) on the stages
    (dicts: kind, src, src2, and for convolutions sh, pt, ekh, and every
    stage's output h, row_bytes). Returns (spans, events): per stage the
    most rows one request needed at once (its window's rows), and the reads
    of the block's input ("read", lo, hi) and writes of its output
    ("write", lo, hi) in order. Raises ScheduleError where the runtime's
    dry run would refuse the record."""
    n = len(stages)
    big = 1 << 30
    win = {}
    for s, st in enumerate(stages):
        win[s] = _Window(st["h"], st["row_bytes"], 0 if s == n - 1 else (big if caps is None else caps[s]))
    win[INPUT] = _Window(in_hw[0], in_hw[1], 0, whole=True)
    win[SKIP] = _Window(skip_hw[0], skip_hw[1], 0, whole=True) if skip_hw else _Window(0, 0, 0, whole=True)
    spans = [0] * n
    events = []

    def holds(w, lo, hi):
        return w.lo <= lo and hi <= w.hi

    def ensure(slot, lo, hi):
        w = win[slot]
        if lo < w.lo or lo >= hi or hi > w.h:
            raise ScheduleError(f"stage {slot} asked for rows [{lo}, {hi}) holding [{w.lo}, {w.hi}) of {w.h}")
        if hi <= w.hi:
            return
        if w.whole:
            raise ScheduleError("a whole tensor asked for rows it lacks")
        start = max(w.hi, lo)
        if w.cap:
            if start > w.hi:
                w.lo = w.hi = start
            if hi - w.lo > w.cap:
                if hi - lo > w.cap:
                    raise ScheduleError(f"stage {slot}'s window of {w.cap} rows cannot hold rows [{lo}, {hi})")
                w.lo = lo
        spans[slot] = max(spans[slot], hi - lo)
        compute(slot, start, hi)
        w.hi = hi

    def read(slot, lo, hi):
        if slot in (INPUT, SKIP):
            events.append(("read" if slot == INPUT else "skip", lo, hi))

    def compute(s, a, b):
        st = stages[s]
        if st["kind"] in (KIND_CONV, KIND_DW):
            src = win[st["src"]]
            lo = max(0, a * st["sh"] - st["pt"])
            hi = min(src.h, (b - 1) * st["sh"] - st["pt"] + st["ekh"])
            ensure(st["src"], lo, hi)
            if not holds(src, lo, hi):
                raise ScheduleError("a window lost rows its stage reads")
            read(st["src"], lo, hi)
        else:
            ensure(st["src"], a, b)
            ensure(st["src2"], a, b)
            if not holds(win[st["src"]], a, b) or not holds(win[st["src2"]], a, b):
                raise ScheduleError("the ADD's second source pushed its first one's rows out")
            read(st["src"], a, b)
            read(st["src2"], a, b)
        if s == n - 1:
            events.append(("write", a, b))

    h = stages[-1]["h"]
    for y in range(0, h, band):
        ensure(n - 1, y, min(h, y + band))
    return spans, events


def output_lag(events, in_row_bytes, out_row_bytes, in_h):
    """Bytes the block's output must start before its input when they share
    memory: each output row written must end before the first input row any
    later step reads (an ADD reading the input in the same step reads each
    element before writing it, so lag 0 suffices there)."""
    later = in_h
    lag = 0
    for ev in reversed(events):
        if ev[0] == "read":
            later = min(later, ev[1])
        elif ev[0] == "write":
            lag = max(lag, ev[2] * out_row_bytes - later * in_row_bytes)
    return lag


# ---- the op's record (runtime/src/fused.h) ------------------------------

def _stage_dicts(g, block):
    """The schedule's view of a block's stages."""
    out = []
    for st in block["stages"]:
        op = st["op"]
        t = g.t(op.outputs[0])
        h, w, c = t.shape[1], t.shape[2], t.shape[3]
        d = {"kind": st["kind"], "src": st["src"], "src2": st.get("src2", 0), "h": h, "row_bytes": w * c}
        if st["kind"] != KIND_ADD:
            cw = _conv_words(op)
            d.update(sh=cw[12], pt=cw[16], ekh=(cw[5] - 1) * cw[14] + 1)
        out.append(d)
    return out


def _hw(g, i):
    t = g.t(i)
    return t.shape[1], t.shape[2] * t.shape[3]


def _flat_add(op, count):
    w = list(struct.unpack("<32i", op.params))
    bc = [1, count] + [0] * 5 + [1] + [0] * 5 + [1] + [0] * 5
    return w[:13] + bc


def build(g, block, band=1):
    """The FUSED_ROWS SpratOp for a block (see candidates), its scratch
    tensor added to the graph; raises ScheduleError if the runtime could
    not run it."""
    stages = _stage_dicts(g, block)
    x, skip = block["input"], block.get("skip")
    in_hw = _hw(g, x)
    skip_hw = _hw(g, skip) if skip is not None else None
    spans, _ = schedule(stages, in_hw, skip_hw, band=band)
    caps = spans[:-1] + [0]
    _, events = schedule(stages, in_hw, skip_hw, caps, band)  # the runtime's exact run: must pass
    words, inputs, offset = [], [x], 0
    kernel_scratch = 0
    for st in block["stages"]:
        if st["kind"] != KIND_ADD:
            kernel_scratch = max(kernel_scratch, max((g.t(i).nbytes for i in st["op"].scratch), default=0))
    for s, (st, d) in enumerate(zip(block["stages"], stages)):
        rows = caps[s]
        woff = offset if rows else 0
        offset += (rows * d["row_bytes"] + 3) // 4 * 4
        rec = list(_conv_words(st["op"])) + [0] * 7 if st["kind"] != KIND_ADD else \
            _flat_add(st["op"], d["h"] * d["row_bytes"])
        words += [st["kind"], st["src"], st.get("src2", 0), rows, woff] + rec
        if st["kind"] != KIND_ADD:
            inputs += st["op"].inputs[1:5]
    if skip is not None:
        inputs.append(skip)
    kso = offset
    total = max(4, kso + kernel_scratch)
    shape4 = lambda i: list(g.t(i).shape) if i is not None else [0, 0, 0, 0]
    header = [len(stages), kso, kernel_scratch, band] + shape4(x) + shape4(skip)
    params = struct.pack(f"<{len(header) + len(words)}i", *header, *words)
    last = block["stages"][-1]["op"]
    out = last.outputs[0]
    scratch = g.add_tensor(f"{g.t(out).name}/fused_rows", ir.INT8, (total,)).index
    short = {"CONV_2D": "CONV", "DEPTHWISE_CONV_2D": "DW"}
    names = " > ".join(short.get(st["op"].name.split("+")[0], st["op"].name.split("+")[0])
                       + "".join("+" + a for a in st["op"].name.split("+")[1:]) for st in block["stages"])
    op = SpratOp(FUSED, f"FUSED_ROWS({names})", inputs, [out], params, block["stages"][0]["op"].source,
                 sum(st["op"].macs for st in block["stages"]), [scratch])
    op.fused = {"lag": output_lag(events, in_hw[1], _hw(g, out)[1], in_hw[0]), "windows": caps[:-1],
                "block": block, "band": band}
    return op


# ---- which blocks -------------------------------------------------------

def candidates(g, ops):
    """Blocks the runtime can fuse, each {"stages": [{op, kind, src, src2}],
    "input": tensor, "skip": tensor or None, "members": op indices}."""
    readers = {}
    for k, op in enumerate(ops):
        for i in op.inputs:
            if i >= 0:
                readers.setdefault(i, []).append(k)
    aliased = {g.buffer_of(a) for a in list(g.aliases) + list(g.views)} | set(g.aliases) | set(g.views)
    producer = {op.outputs[0]: k for k, op in enumerate(ops) if op.outputs}

    def private(t, reader):
        """t is read by that op alone, once, and nowhere else."""
        return (t not in g.outputs and t not in aliased and t not in g.inputs
                and readers.get(t) == [reader] and ops[reader].inputs.count(t) == 1)

    def chain_to(t, reader, limit):
        """The convolutions making t, back to the tensor they start from."""
        chain, cur, nxt = [], t, reader
        while len(chain) < limit:
            k = producer.get(cur)
            if k is None or not stage_ok(ops[k]) or not private(cur, nxt):
                break
            chain.insert(0, k)
            cur, nxt = ops[k].inputs[0], k
        return cur, chain

    def conv_stages(chain, base, src):
        out = []
        for j, k in enumerate(chain):
            out.append({"op": ops[k], "kind": KIND_CONV if ops[k].opcode == _CONV else KIND_DW,
                        "src": src if j == 0 else base + j - 1})
        return out

    found = []
    for k, op in enumerate(ops):
        if op.opcode == _ADD and len(op.inputs) == 2:
            a, b = op.inputs
            shapes = {g.t(a).shape, g.t(b).shape, g.t(op.outputs[0]).shape}
            if len(shapes) != 1 or len(g.t(a).shape) != 4 or g.t(a).shape[0] != 1 or a == b:
                continue
            ra, ca = chain_to(a, k, MAX_CONVS)
            rb, cb = chain_to(b, k, MAX_CONVS)
            for (r1, c1, t1), (r2, c2, t2) in (((ra, ca, a), (rb, cb, b)), ((rb, cb, b), (ra, ca, a))):
                if not c1 or g.t(r1).is_const:
                    continue
                if r1 == r2 and len(c1) + len(c2) <= MAX_CONVS and (c2 or t2 == r1):
                    # Both paths from one input: the ADD's operands in order.
                    st1 = conv_stages(c1, 0, INPUT)
                    st2 = conv_stages(c2, len(c1), INPUT)
                    end1 = len(c1) - 1
                    end2 = len(c1) + len(c2) - 1 if c2 else INPUT
                    src, src2 = (end1, end2) if t1 == a else (end2, end1)
                    stages = st1 + st2 + [{"op": op, "kind": KIND_ADD, "src": src, "src2": src2}]
                    found.append({"stages": stages, "input": r1, "skip": None, "members": c1 + c2 + [k]})
                    break
                if len(c1) >= 1 and not g.t(t2).is_const:
                    # The other operand is a tensor of its own: the skip input.
                    st1 = conv_stages(c1, 0, INPUT)
                    end1 = len(c1) - 1
                    src, src2 = (end1, SKIP) if t1 == a else (SKIP, end1)
                    stages = st1 + [{"op": op, "kind": KIND_ADD, "src": src, "src2": src2}]
                    found.append({"stages": stages, "input": r1, "skip": t2, "members": c1 + [k]})
                    break
    # Chains without an ADD: every run of 2 or 3 convolutions.
    for k, op in enumerate(ops):
        if not stage_ok(op):
            continue
        for length in (2, 3):
            # The chain's end is the block's output, read by anyone.
            root, head = chain_to(op.inputs[0], k, length - 1)
            chain = head + [k]
            if len(chain) == length and not g.t(root).is_const:
                found.append({"stages": conv_stages(chain, 0, INPUT), "input": root, "skip": None,
                              "members": chain})
    return found


def apply(g, ops, block, band=1):
    """ops with the block's members replaced by its fused op (at the place
    of its last member, where every input it reads exists)."""
    fused = build(g, block, band)
    members = set(block["members"])
    at = max(members)
    out = []
    for k, op in enumerate(ops):
        if k == at:
            out.append(fused)
        elif k not in members:
            out.append(op)
    return out


def fuse(g, ops, optimize="balanced", band=None):
    """Fuses blocks, greedily the one that shrinks the planned arena most,
    while one does ("ram"); "balanced" keeps the fewest of those steps that
    reach 90% of their saving, and none unless it is 10% of the arena or
    more (a block often pays only with its neighbour fused too); "speed"
    fuses none. "all" (for tests) fuses every block it can, with `band`
    rows per step if given. Returns the new ops."""
    if optimize not in OPTIMIZE + ("all",):
        raise ValueError(f"optimize must be one of {', '.join(OPTIMIZE)}")
    if optimize == "speed":
        return ops
    _, base, _ = planner.plan(g, ops)
    arena, steps = base, [(base, ops)]
    while True:
        best = None
        for block in candidates(g, ops):
            n_tensors = len(g.tensors)
            try:
                trial = apply(g, ops, block, band or 1)
            except ScheduleError:
                del g.tensors[n_tensors:]
                continue
            _, a, _ = planner.plan(g, trial)
            if (optimize == "all" or a < arena) and (best is None or a < best[0]):
                best = (a, block)
            del g.tensors[n_tensors:]  # the trial's scratch tensor
        if best is None:
            break
        ops = apply(g, ops, best[1], band or 1)
        arena = best[0]
        steps.append((arena, ops))
    if optimize != "balanced":
        return ops
    saved = base - arena
    if saved < base * _BALANCED_GAIN:
        return steps[0][1]
    return next(o for a, o in steps if base - a >= 0.9 * saved)


def widen(g, ops):
    """Wider bands (more rows per kernel call, fewer window shifts) for each
    fused op, as far as the arena has room for its larger windows: the
    converter's last step before the final plan."""
    arena = planner.plan(g, ops)[1]
    for k in range(len(ops)):
        if ops[k].opcode != FUSED:
            continue
        for band in (2, 4, 8, 16):
            n_tensors = len(g.tensors)
            try:
                trial = ops[:k] + [build(g, ops[k].fused["block"], band)] + ops[k + 1:]
            except ScheduleError:
                del g.tensors[n_tensors:]
                break
            if planner.plan(g, trial)[1] > arena:
                del g.tensors[n_tensors:]
                break
            ops = trial
    return ops
