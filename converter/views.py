"""CONCATENATION as views: where an input is one contiguous run of the
output (every axis before the concatenation axis has size 1), its
producer writes it straight into the output's buffer and the COPY goes.

The output's buffer then lives from the first input's producer on, so the
bytes of inputs not yet made are held earlier: a view is kept only where
the planned arena does not grow. Channel concatenation of images (runs
strided by the pixel) stays a copy: the kernels write dense outputs."""

from converter import planner

COPY_NAME = "CONCATENATION"


def _eligible(g, ops, op, produced):
    x, out, _ = op.view
    r = g.buffer_of(x)
    t = g.t(r)
    return (not t.is_const and not t.variable and not g.t(g.buffer_of(out)).variable and r not in g.inputs and r not in g.outputs and x not in g.outputs
            and r != g.buffer_of(out) and t.nbytes == g.t(x).nbytes
            and r in produced and op.inputs.count(x) == 1)


def apply(g, ops):
    """ops less the concatenation copies that became views (g.views)."""
    cands = [k for k, op in enumerate(ops) if getattr(op, "view", None)]
    if not cands:
        return ops
    produced = {g.buffer_of(o) for op in ops for o in op.outputs}
    base = planner.plan(g, ops)[1]
    groups = {}
    for k in cands:
        groups.setdefault(ops[k].outputs[0], []).append(k)
    # All at once first (nested views pay only together), then input by
    # input where that grows the arena: an input made late costs nothing.
    plans = []
    for out in sorted(groups, key=lambda o: groups[o][0]):
        ks = [k for k in groups[out] if _eligible(g, ops, ops[k], produced)]
        roots = [g.buffer_of(ops[k].view[0]) for k in ks]
        ks = [k for k, r in zip(ks, roots) if roots.count(r) == 1]  # an input twice: one place only
        if ks:
            plans.append((out, ks, [g.buffer_of(ops[k].view[0]) for k in ks]))
            for k, r in zip(ks, plans[-1][2]):
                g.views[r] = (out, ops[k].view[2])
    every = {k for _, ks, _ in plans for k in ks}
    trial = [op for j, op in enumerate(ops) if j not in every]
    if not plans or planner.plan(g, trial)[1] <= base:
        return trial
    g.views.clear()
    dropped = set()
    for out, ks, roots in plans:
        for k, r in zip(ks, roots):
            g.views[r] = (out, ops[k].view[2])
            trial = [op for j, op in enumerate(ops) if j not in dropped and j != k]
            arena = planner.plan(g, trial)[1]
            if arena <= base:
                dropped.add(k)
                base = arena
            else:
                del g.views[r]
    return [op for j, op in enumerate(ops) if j not in dropped]
