"""Offline memory plan: every activation buffer gets an arena offset.

Greedy by size (largest first), each at the lowest 16-byte-aligned offset
free during its whole lifetime, then branch and bound and a random search
over placement orders. An op whose kernels allow it (converter/access.py)
may have its output overlap its input where the input dies: the output
then only has to start `lag` bytes before it. A buffer is a tensor with
its RESHAPE aliases and CONCATENATION views (Graph.buffer_of)."""

import random
from dataclasses import dataclass

from converter import access, ir

ALIGN = 16
EXHAUSTIVE = 7  # graphs with at most this many buffers: every placement order tried
BNB_STEPS = 2  # placements branch and bound may try per unit of a search budget (8000 for the final plan)


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


def allowances(graph, ops, buffers):
    """{op index: (input root, output root, lag)}: the output may overlap
    the input, which dies at the op that makes the output, if it starts at
    least lag bytes before it. A model input too: the caller writes the
    inputs before every invoke (docs/embedding.md), as the arena reuses
    their bytes once read."""
    span = {b.root: b for b in buffers}
    out = {}
    for k, op in enumerate(ops):
        lag = access.output_lag(op) if op.inputs and op.outputs else None
        if lag is None or op.inputs[0] < 0 or graph.in_view(op.inputs[0]) or graph.in_view(op.outputs[0]):
            continue  # a view's buffer holds other parts, live beside it
        rin, rout = graph.buffer_of(op.inputs[0]), graph.buffer_of(op.outputs[0])
        if rin != rout and rin in span and rout in span and span[rin].last == k \
                and span[rout].first == k:
            out[k] = (rin, rout, lag)
    return out


def layer_needs(graph, ops, buffers):
    """Per layer, the bytes its live buffers need at the least: their sizes,
    less what its op's allowance lets the output share with its input. No
    placement fits in less than the largest (sprat plan's lower bound)."""
    n = len(ops)
    need = [0] * n
    for b in buffers:
        for k in range(max(b.first, 0), min(b.last, n - 1) + 1):
            need[k] += b.size
    size = {b.root: b.size for b in buffers}
    for k, (rin, rout, lag) in allowances(graph, ops, buffers).items():
        need[k] -= max(0, min(size[rout] - lag, size[rin]))
    return need


def _up(v):
    return (v + ALIGN - 1) // ALIGN * ALIGN


def _together(a, b):
    return not (a.last < b.first or b.last < a.first)


def plan(graph, ops, tightest=False, search=0, order=None):
    """Returns ({tensor index: offset}, arena size, [Buffer]), outputs placed
    over their inputs where the ops' allowances let them. `tightest` (for
    tests): every such output exactly its lag before its input wherever
    that fits. `search`: a budget (buffers x orders) for the searches over
    placement orders after the heuristic ones. `order` (tests): first fit
    in this order of buffers (their root tensors), nothing else."""
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
    for r in state_roots(graph, ops):  # kept across invokes: bytes of its own
        touch(r, -1)
        touch(r, n)
    buffers = [Buffer(r, sz, lo, hi) for r, (lo, hi, sz) in spans.items()]
    lags = {(rin, rout): lag for rin, rout, lag in allowances(graph, ops, buffers).values()}

    def occupied(p, b):
        """The bytes b must keep clear of p, as [lo, hi): b ends by lo or
        starts from hi (lo > hi: b fits below p only when it ends by lo)."""
        if (b.root, p.root) in lags:  # b is the input: it starts lag or more after the output p
            return p.offset, p.offset + lags[(b.root, p.root)]
        if (p.root, b.root) in lags:  # b is the output: it starts lag or more before the input p
            return p.offset - lags[(p.root, b.root)] + b.size, p.offset + p.size
        return p.offset, p.offset + p.size

    by_root = {b.root: b for b in buffers}
    out_of = {rin: (by_root[rout], lag) for (rin, rout), lag in lags.items()}
    in_of = {rout: (by_root[rin], lag) for (rin, rout), lag in lags.items()}

    def first_fit(b, placed):
        off = 0
        for lo, hi in sorted(occupied(p, b) for p in placed if _together(p, b)):
            if off + b.size <= lo:
                break
            off = max(off, _up(hi))
        return off

    def fits(b, off, placed):
        return all(off + b.size <= lo or off >= hi for lo, hi in (occupied(p, b) for p in placed if _together(p, b)))

    def step(b, placed, done):
        """First fit for b among the placed buffers, the lag pairs' way."""
        off = first_fit(b, placed)
        pair = out_of.get(b.root)
        if tightest and b.root in in_of and in_of[b.root][0].root in done:
            src, lag = in_of[b.root]  # the output, its input placed: right below it
            if src.offset - lag >= 0 and fits(b, src.offset - lag, placed):
                off = src.offset - lag
        elif tightest and pair and pair[0].root in done:
            if fits(b, pair[0].offset + pair[1], placed):  # the input, its output placed: lag above it
                off = pair[0].offset + pair[1]
        elif pair and pair[0].root not in done:
            # An input placed before its overlapping output: leave the
            # output its place lag bytes below, if that costs under lag.
            o, lag = pair
            for cand in sorted({_up(lag)} | {_up(x) for p in placed for x in (p.offset + p.size + lag,
                                                                          p.offset + p.size)}):
                if cand > off + lag and not tightest:
                    break
                if cand >= lag and fits(b, cand, placed) and fits(o, cand - lag, placed):
                    off = cand
                    break
        return off

    def place(order):
        placed, done = [], set()
        for b in sorted(buffers, key=order):
            b.offset = step(b, placed, done)
            placed.append(b)
            done.add(b.root)
        return [(b, b.offset) for b in placed]

    def branch_and_bound(best, budget):
        """Depth first over placement orders, largest first at each level,
        pruning every partial placement already as high as the best; two
        buffers never live together and in no lag pair place alike in
        either order, so only one of those orders is explored. budget:
        placements tried (None: no limit). Returns the best (top, placed)."""
        rank = {b.root: r for r, b in enumerate(sorted(buffers, key=orders[0]))}
        free = {b.root for b in buffers if b.root not in out_of and b.root not in in_of}
        todo = sorted(buffers, key=orders[0])
        placed, done = [], set()
        left = [budget]

        def down(top):
            nonlocal best
            if len(placed) == len(buffers):
                if top < best[0]:
                    best = (top, [(b, b.offset) for b in placed])
                return
            prev = placed[-1] if placed else None
            for b in todo:
                if b.root in done:
                    continue
                if prev is not None and prev.root in free and b.root in free and not _together(prev, b) \
                        and rank[b.root] < rank[prev.root]:
                    continue  # the same placement as with b first
                if left[0] is not None:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                b.offset = step(b, placed, done)
                t = max(top, b.offset + b.size)
                if t < best[0]:
                    placed.append(b)
                    done.add(b.root)
                    down(t)
                    placed.pop()
                    done.discard(b.root)
                if best[0] <= bound:
                    return

        down(0)
        return best

    # Largest first is good for buffers that never overlap; a chain of
    # overlapping layers (each output below its input) packs better from its
    # end. Try a few orders, keep the smallest arena.
    orders = [lambda b: (-b.size, b.first, b.root), lambda b: (-b.size, -b.first, b.root),
              lambda b: (-b.last, -b.size, b.root)]
    best = None
    for key in [lambda b: order.index(b.root)] if order else orders if lags else orders[:1]:
        got = place(key)
        top = max((off + b.size for b, off in got), default=0)
        if best is None or top < best[0]:
            best = (top, got)
    bound = max(layer_needs(graph, ops, buffers), default=0) \
        if not order and (search or len(buffers) <= EXHAUSTIVE) else best[0]
    if best[0] > bound:
        # Few buffers: branch and bound to the end, exact over the
        # placements first fit can make. More, with a budget: branch and
        # bound within it (it refines the tail of the heuristic order),
        # then a seeded random search over whole orders (each buffer's size
        # scaled by a random factor, ties by lifetime), both stopping at
        # the lower bound. Count budgets, not time limits, so that a model
        # always gets the same plan.
        if len(buffers) <= EXHAUSTIVE or search:
            best = branch_and_bound(best, None if len(buffers) <= EXHAUSTIVE else search * BNB_STEPS)
        # Branch and bound to the end already tried every order the random
        # search could draw.
        rng = random.Random(len(buffers) * 7919 + n)
        for _ in range(max(8, search // max(1, len(buffers))) if search and len(buffers) > EXHAUSTIVE else 0):
            if best[0] <= bound:
                break
            scale = {b.root: rng.uniform(0.6, 1.4) for b in buffers}
            flip = rng.random() < 0.5
            got = place(lambda b: (-b.size * scale[b.root], -b.first if flip else b.first, b.root))
            top = max((off + b.size for b, off in got), default=0)
            if top < best[0]:
                best = (top, got)
    for b, off in best[1]:
        b.offset = off
    placed = [b for b, _ in best[1]]
    arena = _up(max((b.offset + b.size for b in placed), default=0))
    offsets = {}
    at = {b.root: b.offset for b in placed}
    for t in graph.tensors:
        r = graph.buffer_of(t.index)
        if not t.is_const and r in at:
            offsets[t.index] = at[r] + graph.offset_in_buffer(t.index)
    return offsets, arena, placed


def state_roots(graph, ops):
    """The buffers holding state (TFLite variables) that ops touch."""
    roots = set()
    for op in ops:
        for i in op.inputs + op.outputs:
            if i >= 0 and graph.t(graph.buffer_of(i)).variable:
                roots.add(graph.buffer_of(i))
    return roots


def reorder(graph, ops):
    """ops in another topological order when that lowers the planned arena:
    list scheduling that, among the ops whose inputs exist, runs first the
    one that adds the fewest live bytes (its outputs and scratch, less the
    inputs it is the last reader of); ties keep the model's order. Matters
    where independent branches (a skip path's convolution, say) can run
    before or after the path beside them."""
    n = len(ops)
    if n < 3:
        return ops
    root = graph.buffer_of
    live = lambda i: i >= 0 and not graph.t(i).is_const
    producers, readers = {}, {}
    for k, op in enumerate(ops):
        for o in op.outputs:
            producers.setdefault(root(o), set()).add(k)
        for i in set(op.inputs):
            if live(i):
                readers.setdefault(root(i), set()).add(k)
    deps = [set() for _ in ops]
    writers = {}
    states = state_roots(graph, ops)
    for k, op in enumerate(ops):
        for i in op.inputs:
            if live(i) and root(i) not in states:  # a state's writer may come later: the previous invoke's value
                deps[k] |= producers.get(root(i), set()) - {k}
        # Ops writing one buffer keep their order: a PAD fills the whole of
        # it before the copies into it, say.
        for o in op.outputs:
            deps[k] |= writers.get(root(o), set())
        for o in op.outputs:
            writers.setdefault(root(o), set()).add(k)
    # Ops that read or write a state keep their order (a READ_VARIABLE
    # before the ASSIGN_VARIABLE after it), and a state is never freed.
    touched = {}
    for k, op in enumerate(ops):
        for r in {root(i) for i in op.inputs + op.outputs if i >= 0} & states:
            deps[k] |= touched.setdefault(r, set())
            touched[r].add(k)
    kept = {root(i) for i in graph.outputs} | states
    size = {}
    for t in graph.tensors:
        if not t.is_const and t.type in ir.DTYPES:  # not a resource handle the reader resolved
            r = root(t.index)
            size[r] = max(size.get(r, 0), t.nbytes)
    left = {r: set(ks) for r, ks in readers.items()}
    done, order = set(), []
    while len(order) < n:
        best = None
        for k in range(n):
            if k in done or not deps[k] <= done:
                continue
            op = ops[k]
            grow = sum(size.get(root(o), 0) for o in op.outputs) + sum(graph.t(s).nbytes for s in op.scratch)
            freed = sum(size.get(r, 0) for r in {root(i) for i in op.inputs if live(i)}
                        if left.get(r) == {k} and r not in kept)
            key = (grow - freed, k)
            if best is None or key < best[0]:
                best = (key, k)
        k = best[1]
        done.add(k)
        order.append(k)
        for i in set(ops[k].inputs):
            if live(i):
                left[root(i)].discard(k)
    if order == list(range(n)):
        return ops
    trial = [ops[k] for k in order]
    return trial if plan(graph, trial)[1] < plan(graph, ops)[1] else ops
