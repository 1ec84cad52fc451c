"""Op-suite generators for more types of ops the main suite draws in int8
(see tests/opsuite.py): PAD and PADV2 in int16, int32 and float32."""

import numpy as np

from converter.writer import ModelWriter

_NP = {"int16": np.int16, "int32": np.int32, "float32": np.float32}


def _pad(rng, name, type_):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in range(rank)]
    out = [d + a + b for d, (a, b) in zip(shape, pads)]
    q = dict(scale=float(rng.uniform(1e-4, 1e-3)), zp=0) if type_ == "int16" else {}
    m = ModelWriter()
    x = m.tensor("x", shape, type=type_, **q)
    p = m.tensor("pads", (rank, 2), type="int32", data=pads)
    ins, desc = [x, p], f"{type_} {shape} pads {pads}"
    if name == "PADV2":
        value = float(rng.standard_normal()) if type_ == "float32" else int(rng.integers(-1000, 1000))
        ins.append(m.tensor("value", (1,), type=type_, data=np.array([value], _NP[type_]), **q))
        desc += f" value {value}"
    y = m.tensor("y", out, type=type_, **q)
    m.op(name, ins, [y])
    return m.finish([x], [y]), desc


def pad_int16(rng):
    return _pad(rng, "PAD", "int16")


def padv2_int16(rng):
    return _pad(rng, "PADV2", "int16")


def pad_other(rng):
    """int32 and float32."""
    return _pad(rng, "PAD", ["int32", "float32"][int(rng.integers(0, 2))])


def padv2_other(rng):
    return _pad(rng, "PADV2", ["int32", "float32"][int(rng.integers(0, 2))])


GENERATORS = {f.__name__.upper(): f for f in [pad_int16, padv2_int16, pad_other, padv2_other]}
