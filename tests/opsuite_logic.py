"""Op-suite generators of the logic family (see tests/opsuite.py):
comparisons, logical ops, SELECT_V2, CAST, REDUCE_ALL/REDUCE_ANY.

Comparisons must tie often (EQUAL of two random int8 tensors is almost
always false), so an operand is often made tie-rich: an int8 or int16
input requantized to a scale 50 to 130 times coarser (a handful of
levels, whatever the zero points), or an int32 input (mostly -1, 0 and 1,
sprat.reference.random_inputs) cast to the operand's type."""

import numpy as np

from converter.writer import ModelWriter

GENERATORS = {}
COMPARISONS = ["EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL"]
_NP = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "uint8": np.uint8,
       "float32": np.float32, "bool": np.bool_}


def _shapes(rng, k, least=8):
    """k operand shapes and the output shape they broadcast to: ranks 0 to
    6, broadcast dimensions, lower ranks, single elements; 1 in 25 outputs
    has fewer than `least` elements (they rarely vary with the input)."""
    small = rng.random() < 0.04
    while True:
        rank = int(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6]))
        hi = {0: 1, 1: 40, 2: 9, 3: 7}.get(rank, 5 if rank == 4 else 4)
        out = [int(rng.integers(1, hi + 1)) for _ in range(rank)]
        shapes = []
        for _ in range(k):
            s = [d if rng.random() < 0.7 else 1 for d in out]
            if rank and rng.random() < 0.25:
                s = s[int(rng.integers(0, rank + 1)):]  # a lower rank, down to a scalar
            shapes.append(s)
        padded = [[1] * (rank - len(s)) + s for s in shapes]
        out = [max(p[d] for p in padded) for d in range(rank)]
        out = out[rank - max(len(s) for s in shapes):]  # TFLite's output has the operands' largest rank
        # A single element against many ties or not by one draw: fewer of those
        # where ties matter.
        single = any(np.prod(s) == 1 for s in shapes) and np.prod(out) > 1
        if (small or np.prod(out) >= least) and (not single or rng.random() < 0.3):
            return shapes, out


def _scale8(rng):
    """int8 scales: a third below 1/256 (TFLite's common scale then merges
    neighbouring values), the rest up to just below 1."""
    r = rng.random()
    if r < 0.3:
        return float(rng.uniform(1e-4, 4e-3))
    if r < 0.8:
        return float(rng.uniform(4e-3, 0.12))
    return float(rng.uniform(0.12, 0.999))


def _zp8(rng, lo=-128, hi=127):
    return int(rng.choice([lo, hi])) if rng.random() < 0.2 else int(rng.integers(lo, hi + 1))


class _Model:
    """A ModelWriter and the model inputs its operands come from."""

    def __init__(self, rng):
        self.m = ModelWriter()
        self.inputs = []
        # One for all operands, on the largest operand scale: their levels overlap.
        self.coarse = float(rng.uniform(50, 130))
        self.step = None

    def source(self, rng, name, shape, type, scale=None, zp=None, tie_rich=0.5, const=0.1, far=0.3):
        """The operand: a model input, a tie-rich one made from another
        input, or (rarely) a constant."""
        m = self.m
        q = {} if scale is None else dict(scale=scale, zp=zp)
        r = rng.random()
        if r < const:
            return m.tensor(name, shape, type=type, data=_values(rng, type, shape, zp or 0, far), **q), "const"
        if r < const + tie_rich:
            # Requantized to 2 to 5 levels: ties whatever the zero points (a
            # cast's few raw values tie on one zero point only). Below 1/256,
            # TFLite's common scale merges 1 / (256 scale) neighbouring
            # levels: at least 4 of its values are kept. QUANTIZE between
            # int16 tensors takes zero points 0 only.
            step = max(self.step or 0, scale or 0)
            k = min(self.coarse, 65536 * (scale or 0) / 4)  # below 2: none
            # A zero point at an end of the range would clip the levels to one side of 0.
            if type in ("int8", "int16") and scale is not None and (type == "int8" or zp == 0) and k >= 2 \
                    and abs(zp) < 100:
                k *= 256 if type == "int16" else 1
                # A fine zero point near 0: the operands' levels overlap around 0.
                fine = m.tensor(name + "_in", shape, type=type, scale=step / k,
                                zp=0 if type == "int16" else int(rng.integers(-10, 11)))
                t = m.tensor(name, shape, type=type, **q)
                m.op("QUANTIZE", [fine], [t])
                self.inputs.append(fine)
                return t, "coarse"
            # Not int8: a cast's raw -1, 0 and 1 are far from the zero point's real 0.
            if type not in ("bool", "int8"):
                src = m.tensor(name + "_i32", shape, type="int32")
                t = m.tensor(name, shape, type=type, **q)
                m.op("CAST", [src], [t])
                self.inputs.append(src)
                return t, "cast"
        t = m.tensor(name, shape, type=type, **q)
        self.inputs.append(t)
        return t, "input"

    def finish(self, outputs):
        return self.m.finish(self.inputs, outputs)


def _values(rng, type, shape, zp=0, far=0.3):
    """A constant: values a few steps from the zero point, a fraction `far`
    anywhere."""
    if type == "bool":
        return rng.random(shape) < 0.5
    if type == "float32":
        return rng.integers(-2, 3, shape).astype(np.float32)
    info = np.iinfo(_NP[type])
    # int8: near the zero point (real values near 0, where a requantized
    # operand's are); others near 0 (where a cast's are).
    near = zp if type == "int8" else 0
    small = np.clip(near + rng.integers(-2, 3, shape), info.min, info.max)  # a requantized operand's levels
    return np.where(rng.random(shape) >= far, small, rng.integers(info.min, info.max, shape, endpoint=True))


def _compare(rng, name, type):
    eq = name in ("EQUAL", "NOT_EQUAL")
    (sa, sb), out = _shapes(rng, 2, 16 if eq else 8)
    qa = qb = {}
    note = ""
    if type in ("int8", "uint8"):
        lo, hi = (-128, 127) if type == "int8" else (0, 255)
        s1 = _scale8(rng)
        mode = rng.choice(["same", "ratio", "free"], p=[0.6, 0.4, 0.0] if eq else [0.3, 0.3, 0.4])
        # Ratios of 2 and 1/2 tie on every other level, the others rarely.
        ratios = [r for r in ((2, 0.5) if eq else (2, 3, 0.5, 1 / 3, 4)) if s1 * r < 1]
        # Free scales at most 8 times apart: further, one operand's range is a
        # point in the other's and every pair orders alike.
        free = min(0.999, s1 * float(np.exp(rng.uniform(-np.log(8), np.log(8)))))
        s2 = s1 if mode == "same" else s1 * float(rng.choice(ratios)) if mode == "ratio" else free
        # Zero points at the ends of the range clip a requantized operand's
        # levels to one side of zero, where the other's rarely are.
        # Orderings: mostly zero points well inside the range, where a direct
        # input's real values surround a requantized one's (near 0).
        zp = (lambda: int(rng.integers(lo + 28, hi - 27))) if eq or rng.random() < 0.85 else \
            (lambda: int(rng.choice([lo, lo + 1, hi - 1, hi])))
        z1, z2 = zp(), zp()
        if type == "uint8" and eq:  # operands cast from small ints: ties near zero points 0
            z1 = 0 if rng.random() < 0.6 else z1
            z2 = z1 if rng.random() < 0.8 else z2
        mid = (lo + hi) / 2
        c1, c2 = (mid - z1) * s1, (mid - z2) * s2  # the real ranges' centres
        if not eq and abs(c1 - c2) > 64 * min(s1, s2):
            # Ranges that barely overlap order every pair alike: b's centred on a's.
            z2 = int(np.clip(round(mid - c1 / s2) + int(rng.integers(-20, 21)), lo, hi))
        qa, qb = dict(scale=s1, zp=z1), dict(scale=s2, zp=z2)
        note = f" scales {s1:.5g}/{s2:.5g} ({mode}) zps {qa['zp']}/{qb['zp']}"
    elif type == "int16":
        quantized = rng.random() < (0.85 if eq else 0.7)
        if name == "NOT_EQUAL":
            quantized = True  # LiteRT writes nothing for unquantized int16 NOT_EQUAL
        if quantized:
            s1 = float(rng.choice([rng.uniform(3e-5, 4e-3), rng.uniform(4e-3, 0.999)]))
            ratios = [r for r in (2, 0.5, 3) if s1 * r < 1]
            zp1 = int(rng.integers(-300, 301)) if rng.random() < 0.3 else 0
            # Zero points other than 0 leave operands cast from small ints,
            # which tie on one scale only.
            s2 = s1 if not eq or zp1 or rng.random() < 0.7 else s1 * float(rng.choice(ratios))
            # Operands cast from small ints tie across zero points a step or two apart.
            zp2 = zp1 if not eq or rng.random() < 0.8 else zp1 + int(rng.choice([-2, -1, 1, 2]))
            qa, qb = dict(scale=s1, zp=zp1), dict(scale=s2, zp=zp2)
            note = f" scales {s1:.5g}/{s2:.5g} zps {zp1}/{zp2}"
        else:
            note = " unquantized"
    w = _Model(rng)
    w.step = max(qa.get("scale", 0), qb.get("scale", 0)) or None
    # A third of the int8 comparisons and int16 equalities compare an
    # operand with itself requantized: equal where its value survives the
    # other scale (about every other value), else ordered by the rounding.
    shared = type in ("int8", "int16") and qa and (eq or type == "int8") \
        and (type == "int8" or qa["zp"] == qb["zp"] == 0) and qa["scale"] < 0.3 and rng.random() < 0.33 \
        and (eq or qa["scale"] > 1 / 256)  # finer, TFLite's common scale rounds the two alike
    if not eq and (max(abs(qa.get("zp", 0)), abs(qb.get("zp", 0))) >= 100 or min(np.prod(sa), np.prod(sb)) == 1):
        # A requantized operand's values sit near 0: ordered against a range
        # on one side of 0, or against a single value, all alike.
        w.coarse = 0
    if shared:
        sb, out = list(sa), list(sa)
        # Whole ratios round halves one way (equal or above, for positive
        # values): orderings need the others too.
        qb = dict(qb, scale=qa["scale"] * float(rng.choice([2, 3]) if eq and rng.random() < 0.5
                                                else rng.uniform(1.3, 3.7)))
        if type == "int8":  # not clipped to one side of the input's values
            qb["zp"] = int(rng.integers(-60, 61))
        note += f" (b at {qb['scale']:.5g})"
    far = 0.0 if eq else 0.3
    a, how_a = w.source(rng, "a", sa, type, **qa, tie_rich=0.0 if shared else 1.0 if eq else 0.4,
                        const=0.0 if shared else 0.1, far=far)
    if shared:
        b, how_b = w.m.tensor("b", sb, type=type, **qb), "a requantized"
        w.m.op("QUANTIZE", [a], [b])
    else:
        b, how_b = w.source(rng, "b", sb, type, **qb, tie_rich=1.0 if eq else 0.4,
                            const=0.0 if how_a == "const" else 0.15, far=far)
    y = w.m.tensor("y", out, type="bool")
    w.m.op(name, [a, b], [y])
    return w.finish([y]), f"{type} {sa} ({how_a}) {name} {sb} ({how_b}) -> {out}{note}"


def _compare_types(name):
    types = ["int32", "int64", "float32", "uint8"] + (["bool"] if name in ("EQUAL", "NOT_EQUAL") else [])
    return lambda rng: _compare(rng, name, types[int(rng.integers(0, len(types)))])


for _name in COMPARISONS:
    GENERATORS[_name] = (lambda n: lambda rng: _compare(rng, n, "int8"))(_name)
    GENERATORS[_name + "_INT16"] = (lambda n: lambda rng: _compare(rng, n, "int16"))(_name)
    GENERATORS[_name + "_TYPES"] = _compare_types(_name)


def _logical(rng, name):
    unary = name == "LOGICAL_NOT"
    shapes, out = _shapes(rng, 1 if unary else 2)
    if unary:
        out = shapes[0]
    w = _Model(rng)
    ins = [w.source(rng, f"x{k}", s, "bool", const=0.0 if k == 0 else 0.08)[0] for k, s in enumerate(shapes)]
    y = w.m.tensor("y", out, type="bool")
    w.m.op(name, ins, [y])
    return w.finish([y]), f"{name} {shapes} -> {out}"


for _name in ["LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT"]:
    GENERATORS[_name] = (lambda n: lambda rng: _logical(rng, n))(_name)


def _select(rng, types):
    type = types[int(rng.integers(0, len(types)))]
    (sc, sx, sy), out = _shapes(rng, 3)
    q = {}
    if type in ("int8", "uint8", "int16"):
        q = dict(scale=float(rng.uniform(1e-4, 0.5)), zp=0 if type == "int16" else _zp8(rng, *(
            (-128, 127) if type == "int8" else (0, 255))))
    w = _Model(rng)
    c, _ = w.source(rng, "cond", sc, "bool")
    x, hx = w.source(rng, "x", sx, type, **q, tie_rich=0.0)
    y, hy = w.source(rng, "y", sy, type, **q, tie_rich=0.0, const=0.0 if hx == "const" else 0.2)
    o = w.m.tensor("out", out, type=type, **q)
    w.m.op("SELECT_V2", [c, x, y], [o])
    return w.finish([o]), f"{type} cond {sc} x {sx} ({hx}) y {sy} ({hy}) -> {out}"


GENERATORS["SELECT_V2"] = lambda rng: _select(rng, ["int8"])
GENERATORS["SELECT_V2_INT16"] = lambda rng: _select(rng, ["int16"])
GENERATORS["SELECT_V2_TYPES"] = lambda rng: _select(rng, ["float32", "int32", "int64", "uint8", "bool"])

_CAST_TYPES = ["int8", "int16", "int32", "int64", "uint8", "float32", "bool"]


def _cast(rng, src=None, dst=None):
    src = src or _CAST_TYPES[int(rng.integers(0, len(_CAST_TYPES)))]
    dst = dst or _CAST_TYPES[int(rng.integers(0, len(_CAST_TYPES)))]
    shape = [int(rng.integers(1, 7)) for _ in range(int(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 4, 5] * 2 + [6])))]
    if np.prod(shape) < 4 and rng.random() < 0.7:
        shape = shape + [int(rng.integers(4, 9))]  # single elements rarely vary
    m = ModelWriter()
    # Quantization is ignored by CAST (raw values); some tensors carry it anyway.
    q = lambda t: dict(scale=0.05, zp=3 if t != "int16" else 0) if t in ("int8", "int16", "uint8") \
        and rng.random() < 0.3 else {}
    # Floats far outside every integer type, and 8- and 16-bit values with
    # zeros among them (to bool): an int32 or int64 input cast first.
    chain = src in ("float32", "int8", "int16", "uint8") and rng.random() < 0.5
    if chain:
        wide = "int32" if rng.random() < 0.5 else "int64"
        x0 = m.tensor("x_wide", shape, type=wide)
        x = m.tensor("x", shape, type=src, **q(src))
        m.op("CAST", [x0], [x])
        first = x0
    else:
        x = first = m.tensor("x", shape, type=src, **q(src))
    y = m.tensor("y", shape, type=dst, **q(dst))
    m.op("CAST", [x], [y], in_data_type=src, out_data_type=dst)
    return m.finish([first], [y]), f"{shape} {src} -> {dst}" + (f" (from {wide})" if chain else "")


def _cast_int16(rng):
    other = _CAST_TYPES[int(rng.integers(0, len(_CAST_TYPES)))]
    return _cast(rng, "int16", other) if rng.random() < 0.5 else _cast(rng, other, "int16")


GENERATORS["CAST"] = _cast
GENERATORS["CAST_INT16"] = _cast_int16


def _reduce(rng, name):
    # One output value is the same for both draws half the time: 1 in 14
    # configurations reduce to one (rank 1, or every axis).
    rank = 1 if rng.random() < 0.04 else int(rng.integers(2, 7))
    n_axes = rank if rank == 1 or rng.random() < 0.04 else int(rng.integers(1, rank // 2 + 1))
    axes = [int(a) for a in rng.choice(rank, n_axes, replace=False)]
    shape = [int(rng.integers(2, 6 if rank <= 4 else 4)) if d not in axes or rng.random() < 0.85 else 1
             for d in range(rank)]
    axes = [a - rank if rng.random() < 0.3 else a for a in axes]  # negative axes
    if rng.random() < 0.15:
        axes.append(axes[0])  # a repeated axis counts once
    keep = bool(rng.random() < 0.5)
    red = {a % rank for a in axes}
    out = [1 if d in red else shape[d] for d in range(rank)] if keep else [shape[d] for d in range(rank) if d not in red]
    # Inputs true (ALL) or false (ANY) often enough that about half the
    # reductions of R values come out each way: the LOGICAL_OR (AND) of k
    # inputs, 0.5 ** k = 1 - 0.5 ** (1 / R).
    r = int(np.prod([shape[d] for d in red]))
    k = int(min(8, max(1, round(-np.log2(1 - 0.5 ** (1 / r))))))
    m = ModelWriter()
    ins = [m.tensor(f"in{j}", shape, type="bool") for j in range(k)]
    x = ins[0]
    for j in range(1, k):
        t = m.tensor(f"x{j}", shape, type="bool")
        m.op("LOGICAL_OR" if name == "REDUCE_ALL" else "LOGICAL_AND", [x, ins[j]], [t])
        x = t
    ax = m.tensor("axes", (len(axes),), type="int32", data=axes)
    y = m.tensor("y", out, type="bool")
    m.op(name, [x, ax], [y], keep_dims=keep)
    return m.finish(ins, [y]), f"{shape} axes {axes} keep_dims {keep} ({k} inputs) -> {out}"


GENERATORS["REDUCE_ALL"] = lambda rng: _reduce(rng, "REDUCE_ALL")
GENERATORS["REDUCE_ANY"] = lambda rng: _reduce(rng, "REDUCE_ANY")
