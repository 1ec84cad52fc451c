"""Op-suite generators of the arith family (see tests/opsuite.py):
converter/ops/arith.py's ops, one generator per op and type.

The suite draws every model input (sprat.reference.random_inputs: integers
in [-128, 127], int16 over its range, float32 normal), so an integer
divisor that must not be 0 (TFLite stops with an error there) is made
inside the model: 2b + 1 by an ADD_N, MAXIMUM(b, 1) or MINIMUM(b, -1), or
a constant without zeros."""

import numpy as np

from converter.writer import ModelWriter
from opsuite import ACTS, _act_q, _q, _s16  # opsuite imports this module after defining them

_NP = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "float32": np.float32}


def _shapes(rng):
    """(a, b, out) broadcasting shapes of rank 1 to 5: often one operand of
    a lower rank or all ones, odd sizes, now and then one element."""
    rank = int(rng.integers(1, 6))
    out = [int(rng.choice([1, 2, 3, 5, 7])) if rng.random() < 0.7 else int(rng.integers(1, 10)) for _ in range(rank)]
    if rank == 5:
        out = [min(d, 3) for d in out]
    if rng.random() < 0.05:
        out = [1] * rank
    a = [d if rng.random() < 0.75 else 1 for d in out]
    b = [d if rng.random() < 0.75 else 1 for d in out]
    if rng.random() < 0.3:
        b = b[int(rng.integers(0, rank)):] or [1]
    if rng.random() < 0.2:
        a, b = b, a
    full = [max(x, y) for x, y in zip([1] * (rank - len(a)) + a, [1] * (rank - len(b)) + b)]
    return a, b, full


def _same_shape(rng):
    return [int(rng.choice([1, 2, 3, 4, 5, 7])) for _ in range(int(rng.integers(1, 6)))]


def _nonzero_divisor(m, rng, t, shape, q, name="b"):
    """A divisor never 0 (raw value), its description and the model inputs
    it needs: a constant, or made of an input b."""
    kind = ["constant", "max", "min", "odd"][int(rng.integers(0, 4 if t == "int32" else 3))]
    if kind == "constant":
        lo, hi = {"int8": (-128, 128), "int16": (-300, 301)}.get(t, (-40, 41))
        v = rng.integers(lo, hi, shape)
        v[v == 0] = 1
        return m.tensor(name, shape, type=t, data=v, **q), [], kind
    x = m.tensor(name + "_in", shape, type=t, **q)
    d = m.tensor(name, shape, type=t, **q)
    if kind == "odd":  # 2b + 1, both signs
        one = m.tensor(name + "_one", shape, type=t, data=np.ones(shape))
        m.op("ADD_N", [x, x, one], [d])
        return d, [x], "2b+1"
    # Beyond +-1, so that a remainder still depends on the dividend.
    v = int(rng.choice([2, 3, 5, 7])) * (1 if kind == "max" else -1)
    c = m.tensor(name + "_c", [1], type=t, data=[v], **q)
    m.op("MAXIMUM" if kind == "max" else "MINIMUM", [x, c], [d])
    return d, [x], f"{kind}(b, {v})"


# ---- DIV ---------------------------------------------------------------------
def div(rng):
    """int8. The divisor never at its zero point: LiteRT refuses that, and
    TFLM, which then answers, computes the multiplier in double where LiteRT
    does in float32 (the last bit differs for some scales). So the divisor
    is MAXIMUM(b, above the zero point), MINIMUM(b, below it) or a
    constant."""
    a_shape, b_shape, out = _shapes(rng)
    s1, z1 = _q(rng)
    s2, z2 = _q(rng)
    if rng.random() < 0.2:
        z1 = int(rng.choice([-128, 127]))
    # A clamp makes a small output constant often (a RELU of quotients all
    # negative): half the time none.
    act = ACTS[int(rng.integers(1, 4))] if rng.random() < 0.5 else "NONE"
    # Quotients (about s1 / s2 in size) that the clamp cuts only partly.
    if act == "RELU6":
        s2 = s1 / float(rng.uniform(0.5, 3))
    elif act == "RELU_N1_TO_1":
        s2 = s1 / float(rng.uniform(0.1, 0.8))
    amp = s1 / s2 * float(rng.uniform(0.5, 20))
    so, zo = _act_q(rng, amp)
    if rng.random() < 0.1:
        so = so * float(rng.choice([0.1, 30.0]))  # far off the quotients: saturating, or shifted by 32 and more
    m = ModelWriter()
    a = m.tensor("a", a_shape, scale=s1, zp=z1)
    kind = ["constant", "max", "min"][int(rng.integers(0, 3))]
    if kind == "constant":
        v = rng.integers(-128, 128, b_shape)
        v[v == z2] = z2 + 1
        b, ins = m.tensor("b", b_shape, data=v, scale=s2, zp=z2), [a]
    else:
        b_in = m.tensor("b_in", b_shape, scale=s2, zp=z2)
        b = m.tensor("b", b_shape, scale=s2, zp=z2)
        k = int(rng.integers(1, 6))
        c = min(z2 + k, 127) if kind == "max" else max(z2 - k, -128)
        m.op("MAXIMUM" if kind == "max" else "MINIMUM", [b_in, m.tensor("c", [1], data=[c], scale=s2, zp=z2)], [b])
        kind, ins = f"{kind}(b, {c}) zp {z2}", [a, b_in]
    y = m.tensor("y", out, scale=so, zp=zo)
    m.op("DIV", [a, b], [y], fused_activation_function=act)
    return m.finish(ins, [y]), f"int8 {a_shape} / {b_shape} ({kind}) -> {out} {act} scales {s1:.3f} {s2:.3f} {so:.4f}"


def _div_unquantized(rng, t):
    a_shape, b_shape, out = _shapes(rng)
    act = ACTS[int(rng.integers(0, 4))]
    m = ModelWriter()
    # An int32 dividend drawn wide (reference.random_inputs' [lo:hi] names):
    # mostly -1, 0 and 1 would make most quotients 0.
    a = m.tensor("a" if t == "float32" else "a[-5000:5000]", a_shape, type=t)
    if t == "float32":
        b, extra, kind = m.tensor("b", b_shape, type=t), None, "input"
        ins = [a, b]
    else:
        b, extra, kind = _nonzero_divisor(m, rng, t, b_shape, {})
        ins = [a] + extra
    y = m.tensor("y", out, type=t)
    m.op("DIV", [a, b], [y], fused_activation_function=act)
    return m.finish(ins, [y]), f"{t} {a_shape} / {b_shape} ({kind}) -> {out} {act}"


def div_int32(rng):
    return _div_unquantized(rng, "int32")


def div_float32(rng):
    return _div_unquantized(rng, "float32")


# ---- ADD_N -----------------------------------------------------------------------
def _n_inputs(rng):
    return int(rng.integers(2, 15)) if rng.random() < 0.3 else int(rng.integers(2, 6))


def add_n(rng):
    """int8 (TFLM's: LiteRT has none): one scale and zero point for all."""
    shape, n = _same_shape(rng), _n_inputs(rng)
    s, zp = _q(rng)
    if rng.random() < 0.2:
        zp = int(rng.choice([-128, 127]))
    # The sum's mean (far from 0 for a zero point at an end) at about the
    # output's zero point, its spread over most of the int8 range.
    mean, spread = n * (-0.5 - zp) * s, 74 * s * np.sqrt(n)
    so = max(spread / float(rng.uniform(25, 45)), abs(mean) / 100)
    zo = int(np.clip(np.round(-mean / so), -128, 127))
    m = ModelWriter()
    xs = [m.tensor(f"x{i}", shape, scale=s, zp=zp) for i in range(n)]
    y = m.tensor("y", shape, scale=so, zp=zo)
    m.op("ADD_N", xs, [y])
    return m.finish(xs, [y]), f"int8 {n} x {shape} scale {s:.3f} zp {zp} -> {so:.4f} zp {zo}"


def _add_n_unquantized(rng, t):
    shape, n = _same_shape(rng), _n_inputs(rng)
    m = ModelWriter()
    xs = [m.tensor(f"x{i}", shape, type=t) for i in range(n)]
    y = m.tensor("y", shape, type=t)
    m.op("ADD_N", xs, [y])
    return m.finish(xs, [y]), f"{t} {n} x {shape}"


def add_n_int32(rng):
    return _add_n_unquantized(rng, "int32")


def add_n_float32(rng):
    return _add_n_unquantized(rng, "float32")


# ---- SQUARED_DIFFERENCE --------------------------------------------------------------
def squared_difference(rng):
    a_shape, b_shape, out = _shapes(rng)
    s1, z1 = _q(rng)
    s2, z2 = _q(rng)
    amp = (64 * (s1 + s2)) ** 2
    so = amp / float(rng.uniform(60, 250))
    zo = int(rng.integers(-128, -90)) if rng.random() < 0.8 else int(rng.integers(-20, 21))
    m = ModelWriter()
    a = m.tensor("a", a_shape, scale=s1, zp=z1)
    b = m.tensor("b", b_shape, scale=s2, zp=z2)
    y = m.tensor("y", out, scale=so, zp=zo)
    m.op("SQUARED_DIFFERENCE", [a, b], [y])
    return m.finish([a, b], [y]), f"int8 {a_shape} {b_shape} -> {out} scales {s1:.3f} {s2:.3f} {so:.4f} zp {zo}"


def squared_difference_int16(rng):
    """TFLM's (LiteRT has no int16 SQUARED_DIFFERENCE)."""
    a_shape, b_shape, out = _shapes(rng)
    s1, s2 = _s16(rng), _s16(rng)
    so = (16384 * (s1 + s2)) ** 2 / float(rng.uniform(3000, 30000))
    m = ModelWriter()
    a = m.tensor("a", a_shape, type="int16", scale=s1, zp=0)
    b = m.tensor("b", b_shape, type="int16", scale=s2, zp=0)
    y = m.tensor("y", out, type="int16", scale=so, zp=0)
    m.op("SQUARED_DIFFERENCE", [a, b], [y])
    return m.finish([a, b], [y]), f"int16 {a_shape} {b_shape} -> {out} scales {s1:.2e} {s2:.2e} {so:.2e}"


def _binary_unquantized(rng, name, t):
    a_shape, b_shape, out = _shapes(rng)
    m = ModelWriter()
    a = m.tensor("a", a_shape, type=t)
    b = m.tensor("b", b_shape, type=t)
    y = m.tensor("y", out, type=t)
    m.op(name, [a, b], [y])
    return m.finish([a, b], [y]), f"{t} {a_shape} {name} {b_shape} -> {out}"


def squared_difference_int32(rng):
    return _binary_unquantized(rng, "SQUARED_DIFFERENCE", "int32")


def squared_difference_float32(rng):
    return _binary_unquantized(rng, "SQUARED_DIFFERENCE", "float32")


# ---- FLOOR_DIV, FLOOR_MOD: raw values (LiteRT's; TFLM has float32 only) ------------
def _q_of(t, rng):
    if t == "int8":
        s, zp = _q(rng)
        return dict(scale=s, zp=zp)
    if t == "int16":
        return dict(scale=_s16(rng), zp=0)
    return {}


def _floor_op(rng, name, t):
    a_shape, b_shape, out = _shapes(rng)
    q = _q_of(t, rng)
    m = ModelWriter()
    a = m.tensor("a", a_shape, type=t, **q)
    if t == "float32":
        b, ins, kind = m.tensor("b", b_shape, type=t), None, "input"
        ins = [a, b]
    else:
        b, extra, kind = _nonzero_divisor(m, rng, t, b_shape, q)
        ins = [a] + extra
    y = m.tensor("y", out, type=t, **q)
    m.op(name, [a, b], [y])
    return m.finish(ins, [y]), f"{t} {a_shape} {name} {b_shape} ({kind}) -> {out}"


def floor_div(rng):
    return _floor_op(rng, "FLOOR_DIV", "float32")


def floor_div_int32(rng):
    return _floor_op(rng, "FLOOR_DIV", "int32")


def floor_div_int16(rng):
    return _floor_op(rng, "FLOOR_DIV", "int16")


def floor_div_int8(rng):
    return _floor_op(rng, "FLOOR_DIV", "int8")


def floor_mod(rng):
    return _floor_op(rng, "FLOOR_MOD", "float32")


def floor_mod_int32(rng):
    return _floor_op(rng, "FLOOR_MOD", "int32")


def floor_mod_int16(rng):
    return _floor_op(rng, "FLOOR_MOD", "int16")


def floor_mod_int8(rng):
    return _floor_op(rng, "FLOOR_MOD", "int8")


def floor_mod_int64(rng):
    return _floor_op(rng, "FLOOR_MOD", "int64")


# ---- float32: FLOOR, CEIL, ROUND, SQUARE ----------------------------------------------
def _unary_f32(rng, name):
    """Half the time on multiples of 1/2 (FLOOR(x / c) / 2, then the op):
    the halves ROUND takes to even, the integers FLOOR and CEIL keep."""
    shape = _same_shape(rng)
    m = ModelWriter()
    x = m.tensor("x", shape, type="float32")
    y = m.tensor("y", shape, type="float32")
    if rng.random() < 0.5:
        m.op(name, [x], [y])
        return m.finish([x], [y]), f"float32 {shape} {name}"
    c = float(rng.choice([0.05, 0.1, 0.3]))
    q = m.tensor("q", shape, type="float32")
    k = m.tensor("k", shape, type="float32")
    h = m.tensor("h", shape, type="float32")
    m.op("DIV", [x, m.tensor("c", [1], type="float32", data=[c])], [q])
    m.op("FLOOR", [q], [k])
    m.op("DIV", [k, m.tensor("two", [1], type="float32", data=[2.0])], [h])
    m.op(name, [h], [y])
    return m.finish([x], [y]), f"float32 {shape} {name} of floor(x / {c}) / 2"


def square(rng):
    return _unary_f32(rng, "SQUARE")


def floor(rng):
    return _unary_f32(rng, "FLOOR")


def ceil(rng):
    return _unary_f32(rng, "CEIL")


def round_(rng):
    return _unary_f32(rng, "ROUND")


round_.__name__ = "round"


# ---- MAXIMUM, MINIMUM beyond int8 (the int8 ones: tests/opsuite.py) -----------------
def _max_min_typed(rng, name, types):
    t = str(rng.choice(types))
    a_shape, b_shape, out = _shapes(rng)
    q = dict(scale=_s16(rng), zp=0) if t == "int16" else {}
    m = ModelWriter()
    a = m.tensor("a", a_shape, type=t, **q)
    b = m.tensor("b", b_shape, type=t, **q)
    y = m.tensor("y", out, type=t, **q)
    m.op(name, [a, b], [y])
    return m.finish([a, b], [y]), f"{t} {a_shape} {name} {b_shape} -> {out}"


def maximum_int16(rng):
    return _max_min_typed(rng, "MAXIMUM", ["int16"])


def minimum_int16(rng):
    return _max_min_typed(rng, "MINIMUM", ["int16"])


def maximum_unquantized(rng):
    """int32, int64 and float32, drawn per config."""
    return _max_min_typed(rng, "MAXIMUM", ["int32", "int64", "float32"])


def minimum_unquantized(rng):
    return _max_min_typed(rng, "MINIMUM", ["int32", "int64", "float32"])


GENERATORS = {f.__name__.upper(): f for f in [
    div, div_int32, div_float32, add_n, add_n_int32, add_n_float32,
    squared_difference, squared_difference_int16, squared_difference_int32, squared_difference_float32,
    floor_div, floor_div_int32, floor_div_int16, floor_div_int8,
    floor_mod, floor_mod_int32, floor_mod_int16, floor_mod_int8, floor_mod_int64,
    square, floor, ceil, round_, maximum_int16, minimum_int16, maximum_unquantized, minimum_unquantized]}
