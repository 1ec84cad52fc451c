"""Op-suite generators of the gather family (see tests/opsuite.py).

Indices computed at run time come from a model input named "<name>[lo:hi]",
which reference.random_inputs draws in [lo, hi) (in range: TFLite fails on
an index out of range), or from an op that makes them (ARG_MAX over an axis
as long as the gathered one, a CONCATENATION of index columns, a GATHER of a
constant table). Constant indices take the movement family's records."""

import numpy as np

from converter.writer import ModelWriter
from opsuite import _act_q, _moved, _out16, _q, _s16, _zp8

_ITYPES = ["int32", "int32", "int64", "int16"]  # LiteRT's index types (TFLM: int32)
_NP = {"int16": np.int16, "int32": np.int32, "int64": np.int64}


def _shape(rng, rank, lo=1, hi=5):
    return [int(rng.integers(lo, hi + 1)) for _ in range(rank)]


def _indices(m, rng, name, shape, bound, itype, inputs, how=None):
    """An index tensor of `shape` with values in [0, bound): a constant, a
    model input drawn in range, or (computed by an op) ARG_MAX over a
    `bound`-long last axis of an int8 input. Returns (tensor, how); the
    inputs it needs join `inputs`."""
    how = how or str(rng.choice(["input", "input", "input", "constant", "arg_max"]))
    if how == "constant":
        data = rng.integers(0, bound, shape)
        return m.tensor(name, shape, type=itype, data=data), f"constant {itype} {np.ravel(data).tolist()}"
    if how == "arg_max" and itype in ("int32", "int64") and bound > 1:
        s, zp = _q(rng)
        z = m.tensor(f"{name}_scores", list(shape) + [bound], scale=s, zp=zp)
        ax = m.tensor(f"{name}_axis", (1,), type="int32", data=[len(shape)])
        t = m.tensor(name, shape, type=itype)
        m.op("ARG_MAX", [z, ax], [t], output_type=itype)
        inputs.append(z)
        return t, f"{itype} from ARG_MAX"
    t = m.tensor(f"{name}[0:{bound}]", shape, type=itype)
    inputs.append(t)
    return t, f"{itype} input"


def gather(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank = int(rng.integers(1, 5))
    shape = _shape(rng, rank)
    axis = int(rng.integers(0, rank))
    shape[axis] = max(shape[axis], 2)
    bd = int(rng.integers(0, axis + 1)) if rng.random() < 0.3 else 0
    itype = str(rng.choice(_ITYPES))
    irank = int(rng.integers(bd, bd + 3)) if bd < 3 else bd
    ishape = shape[:bd] + _shape(rng, irank - bd, 1, 4)
    m = ModelWriter()
    inputs = []
    x = m.tensor("x", shape, type=t, **q)
    inputs.append(x)
    it, how = _indices(m, rng, "indices", ishape, shape[axis], itype, inputs)
    y = m.tensor("y", shape[:axis] + ishape[bd:] + shape[axis + 1:], type=t, **q)
    opts = dict(axis=axis - rank if rng.random() < 0.2 else axis)
    if bd or rng.random() < 0.2:
        opts["batch_dims"] = bd - irank if 0 < bd < irank and rng.random() < 0.3 else bd
    m.op("GATHER", [x, it], [y], **opts)
    return m.finish(inputs, [y]), f"{shape} {t} axis {axis} batch_dims {bd} indices {ishape} {how}"


def gather_nd(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank = int(rng.integers(1, 5))
    shape = _shape(rng, rank)
    nd = int(rng.integers(1, rank + 1))
    batch = _shape(rng, int(rng.integers(0, 3)), 1, 4)
    itype = str(rng.choice(_ITYPES))
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, **q)
    inputs = [x]
    how = str(rng.choice(["one input", "columns", "constant"], p=[0.4, 0.4, 0.2]))
    if how == "constant":
        data = np.stack([rng.integers(0, d, batch) for d in shape[:nd]], axis=-1)
        it = m.tensor("indices", batch + [nd], type=itype, data=data)
    elif how == "one input":
        # One range for every coordinate: that of the shortest indexed axis.
        it = m.tensor(f"indices[0:{min(shape[:nd])}]", batch + [nd], type=itype)
        inputs.append(it)
    else:
        # A column per coordinate, each drawn in its own range, concatenated
        # (the indices are an op's output).
        cols = [m.tensor(f"col{j}[0:{d}]", batch + [1], type=itype) for j, d in enumerate(shape[:nd])]
        inputs += cols
        it = m.tensor("indices", batch + [nd], type=itype)
        m.op("CONCATENATION", cols, [it], axis=len(batch))
    y = m.tensor("y", batch + shape[nd:], type=t, **q)
    m.op("GATHER_ND", [x, it], [y])
    return m.finish(inputs, [y]), f"{shape} {t} indices {batch + [nd]} {itype} ({how})"


def embedding_lookup(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rows = int(rng.integers(1, 9))
    inner = _shape(rng, int(rng.integers(1, 3)), 1, 6)
    n = int(rng.integers(1, 7))
    m = ModelWriter()
    v = m.tensor("values", [rows] + inner, type=t, **q)
    inputs = [v]
    ids, how = _indices(m, rng, "ids", [n], rows, "int32", inputs)
    y = m.tensor("y", [n] + inner, type=t, **q)
    m.op("EMBEDDING_LOOKUP", [ids, v], [y])
    return m.finish(inputs, [y]), f"{[rows] + inner} {t} lookup {n} {how}"


def embedding_lookup_hybrid(rng):
    """int8 rows into float32: constant rows (a scale per row a third of the
    time) looked up by computed ids, or rows given to the model looked up by
    constant ids."""
    const_ids = rng.random() < 0.2
    rows = int(rng.integers(1 if const_ids else 2, 12))  # computed ids into one row would not vary
    inner = _shape(rng, int(rng.integers(1, 3)), 1, 8)
    n = int(rng.integers(1, 8))
    per_row = not const_ids and rng.random() < 0.35
    scale = rng.uniform(0.001, 0.5, rows) if per_row else float(rng.uniform(0.001, 0.5))
    m = ModelWriter()
    data = None if const_ids else rng.integers(-128, 128, [rows] + inner)
    v = m.tensor("values", [rows] + inner, data=data, scale=scale, zp=np.zeros(rows) if per_row else 0)
    inputs = [v] if const_ids else []
    ids, how = _indices(m, rng, "ids", [n], rows, "int32", inputs,
                        how="constant" if const_ids else str(rng.choice(["input", "input", "arg_max"])))
    y = m.tensor("y", [n] + inner, type="float32")
    m.op("EMBEDDING_LOOKUP", [ids, v], [y])
    return m.finish(inputs, [y]), \
        f"{[rows] + inner} lookup {n} {how} {'per-row' if per_row else 'per-tensor'}{' values input' if const_ids else ''}"


def dynamic_update_slice(rng):
    t, q = _moved(rng, ["uint8", "int16", "int32", "int64", "float32"])
    rank = int(rng.integers(1, 5))
    shape = _shape(rng, rank, 1, 6)
    ushape = [int(rng.integers(1, d + 1)) for d in shape]
    itype = str(rng.choice(["int32", "int64"]))
    m = ModelWriter()
    a = m.tensor("operand", shape, type=t, **q)
    u = m.tensor("update", ushape, type=t, **q)
    inputs = [a, u]
    hi = max(shape) + 3
    if rng.random() < 0.25:
        start = rng.integers(-2, hi, rank)
        it, how = m.tensor("start", (rank,), type=itype, data=start), f"constant {start.tolist()}"
    else:
        # Starts past either end too: TFLite clamps them into the operand.
        it, how = m.tensor(f"start[-2:{hi}]", (rank,), type=itype), "input"
        inputs.append(it)
    y = m.tensor("y", shape, type=t, **q)
    m.op("DYNAMIC_UPDATE_SLICE", [a, u, it], [y])
    return m.finish(inputs, [y]), f"{shape} {t} update {ushape} start {itype} {how}"


def broadcast_args(rng):
    """shape1 a row, picked by a model input, of a constant table of shapes
    that all broadcast with shape2 (a constant, or in 2% of the configs
    both constant: folded, the output does not vary); int64 values past
    2^32 now and then (TFLite reads them truncated)."""
    itype = str(rng.choice(["int32", "int64"]))
    n1, n2 = int(rng.integers(2, 6)), int(rng.integers(1, 6))
    s2 = [int(rng.choice([1, 1, 2, 3, 5])) for _ in range(n2)]
    if n1 <= n2 and all(v != 1 for v in s2[n2 - n1:]):
        s2[n2 - n1 + int(rng.integers(0, n1))] = 1  # a dimension shape1 alone decides: the output varies
    al = [1] * (max(n1, n2) - n2) + s2  # shape2 aligned with shape1's end

    def row():
        return [int(rng.integers(1, 31)) if al[k] == 1 else int(rng.choice([1, al[k]]))
                for k in range(max(n1, n2) - n1, max(n1, n2))]
    big = itype == "int64" and rng.random() < 0.3
    rows, seen = [], set()
    for _ in range(300):  # rows of distinct outputs: a new pick changes the output
        r = row()
        key = tuple(r[k - (max(n1, n2) - n1)] if al[k] == 1 else al[k] for k in range(max(n1, n2) - n1, max(n1, n2)))
        if key not in seen:
            seen.add(key)
            rows.append(r)
        if len(rows) == 64:
            break
    table = np.asarray(rows, np.int64)
    if big:
        table = table + np.where(rng.random(table.shape) < 0.3, 1 << 32, 0)
    m = ModelWriter()
    b = m.tensor("shape2", (n2,), type=itype, data=s2)
    y = m.tensor("y", (max(n1, n2),), type=itype)
    if rng.random() < 0.02:
        a = m.tensor("shape1", (n1,), type=itype, data=table[0])
        x = m.tensor("x", (1,), scale=0.1, zp=0)
        z = m.tensor("z", (1,), scale=0.1, zp=0)
        m.op("BROADCAST_ARGS", [a, b], [y])
        m.op("RELU", [x], [z])
        return m.finish([x], [y, z]), f"constant {table[0].tolist()} and {s2} {itype}"
    tab = m.tensor("table", table.shape, type=itype, data=table)
    pick = m.tensor(f"pick[0:{len(rows)}]", (), type="int32")
    a = m.tensor("shape1", (n1,), type=itype)
    m.op("GATHER", [tab, pick], [a], axis=0)
    m.op("BROADCAST_ARGS", [a, b], [y])
    return m.finish([pick], [y]), f"{n1} from {len(rows)} rows and {s2} {itype}"


def _bmm_shapes(rng, depth=None):
    """(lhs shape, rhs shape, output shape, adj_x, adj_y, depth): ranks 2 to
    5, batch dimensions broadcast either way, a 1-long RHS batch dimension
    (LiteRT folds it into the rows) a third of the time."""
    rank = int(rng.integers(2, 6))
    batch = _shape(rng, rank - 2, 1, 3)
    lb = [b if rng.random() < 0.7 else 1 for b in batch]
    rb = [b if rng.random() < 0.7 else 1 for b in batch]
    if rank > 2 and rng.random() < 0.3:
        rb[-1] = 1
    lb = lb[int(rng.integers(0, len(lb) + 1)):] if rng.random() < 0.25 else lb  # lower ranks
    rb = rb[int(rng.integers(0, len(rb) + 1)):] if rng.random() < 0.25 else rb
    n = max(len(lb), len(rb))
    ob = [max(p, q) for p, q in zip([1] * (n - len(lb)) + lb, [1] * (n - len(rb)) + rb)]
    rows, cols = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    if depth is None:
        depth = int(rng.integers(1, 9)) if rng.random() < 0.7 else int(rng.integers(9, 70))
    adj_x, adj_y = bool(rng.random() < 0.4), bool(rng.random() < 0.4)
    ls = lb + ([depth, rows] if adj_x else [rows, depth])
    rs = rb + ([cols, depth] if adj_y else [depth, cols])
    return ls, rs, ob + [rows, cols], adj_x, adj_y, depth


def batch_matmul(rng):
    left = rng.random() < 0.1  # a multiplier above 1/2 (a left shift): short sums, or every output saturates
    ls, rs, out, adj_x, adj_y, depth = _bmm_shapes(rng, int(rng.integers(1, 3)) if left else None)
    s1, s2 = _q(rng)[0], float(rng.uniform(0.005, 0.05))
    z1, z2 = (int(rng.integers(-3, 4)), 0) if left else (_zp8(rng), _zp8(rng) if rng.random() < 0.5 else 0)
    # The sum's spread and centre for inputs uniform over int8: the output's
    # scale and zero point cover it (extreme zero points shift the centre).
    m1, m2, var = -0.5 - z1, -0.5 - z2, 256.0 ** 2 / 12
    centre = depth * m1 * m2
    sd = np.sqrt(depth * ((var + m1 * m1) * (var + m2 * m2) - (m1 * m2) ** 2))
    so = s1 * s2 * 2.5 * sd / float(rng.uniform(80, 120))
    if abs(centre * s1 * s2 / so) > 100:
        so = s1 * s2 * (abs(centre) + 2.5 * sd) / float(rng.uniform(200, 240))
    zo = int(np.clip(round(-centre * s1 * s2 / so) + int(rng.integers(-10, 11)), -128, 127))
    if left:
        so, zo = float(s1 * s2 * rng.uniform(0.3, 1.9)), int(rng.integers(-10, 11))
    const = rng.random() < 0.4
    m = ModelWriter()
    a = m.tensor("lhs", ls, scale=s1, zp=z1)
    b = m.tensor("rhs", rs, scale=s2, zp=z2, data=rng.integers(-128, 128, rs) if const else None)
    y = m.tensor("y", out, scale=so, zp=zo)
    m.op("BATCH_MATMUL", [a, b], [y], adj_x=adj_x, adj_y=adj_y)
    return m.finish([a] if const else [a, b], [y]), \
        f"{ls} x {rs}{' (constant)' if const else ''} -> {out} adj_x {adj_x} adj_y {adj_y} zp {z1} {z2} {zo}" \
        f"{' left shift' if left else ''}"


def batch_matmul_int16(rng):
    ls, rs, out, adj_x, adj_y, depth = _bmm_shapes(rng)
    s1, s2 = _s16(rng), _s16(rng)
    so = _out16(rng, np.sqrt(depth) * 19000 * s1 * 19000 * s2)
    const = rng.random() < 0.4
    m = ModelWriter()
    a = m.tensor("lhs", ls, type="int16", scale=s1, zp=0)
    b = m.tensor("rhs", rs, type="int16", scale=s2, zp=0,
                 data=rng.integers(-32768, 32768, rs) if const else None)
    y = m.tensor("y", out, type="int16", scale=so, zp=0)
    m.op("BATCH_MATMUL", [a, b], [y], adj_x=adj_x, adj_y=adj_y)
    return m.finish([a] if const else [a, b], [y]), \
        f"int16 {ls} x {rs}{' (constant)' if const else ''} -> {out} adj_x {adj_x} adj_y {adj_y}"


GENERATORS = {f.__name__.upper(): f for f in [
    gather, gather_nd, embedding_lookup, embedding_lookup_hybrid, dynamic_update_slice, broadcast_args,
    batch_matmul, batch_matmul_int16]}
