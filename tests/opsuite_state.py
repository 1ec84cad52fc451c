"""Op-suite generators of the ops with state (see tests/opsuite.py), one
invoke each: resource variables (an accumulator whose initial value comes
from CALL_ONCE's subgraph, or TFLite's default) and CIRCULAR_BUFFER
(period 1: every invoke runs the model). tests/test_stateful.py runs them
over streams of invokes."""

import numpy as np

from converter.writer import ModelWriter


def _variables(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    int16 = rng.random() < 0.3
    t = "int16" if int16 else "int8"
    if int16:
        sx, sv = float(rng.uniform(1e-4, 1e-3)), float(rng.uniform(1e-4, 1e-3))
        zx = zv = 0
    else:
        sx, sv = float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.01, 0.1))
        zx, zv = int(rng.integers(-20, 21)), int(rng.integers(-20, 21))
    init = rng.random() < 0.6
    m = ModelWriter()
    x = m.tensor("x", shape, type=t, scale=sx, zp=zx)
    res = m.tensor("res", (), type="resource")
    old = m.tensor("old", shape, type=t, scale=sv, zp=zv)
    new = m.tensor("new", shape, type=t, scale=sv, zp=zv)
    if init:
        sub = m.subgraph()
        r2 = sub.tensor("res", (), type="resource")
        hi = 20000 if int16 else 100
        c = sub.tensor("c", shape, type=t, data=rng.integers(-hi, hi, shape), scale=sv, zp=zv)
        sub.op("VAR_HANDLE", [], [r2], shared_name="v")
        sub.op("ASSIGN_VARIABLE", [r2, c], [])
        m.op("CALL_ONCE", [], [], init_subgraph_index=1)
    m.op("VAR_HANDLE", [], [res], shared_name="v")
    m.op("READ_VARIABLE", [res], [old])
    m.op("ADD", [old, x], [new])
    m.op("ASSIGN_VARIABLE", [res, new], [])
    return m.finish([x], [new]), f"{t} {shape} {'initialized by CALL_ONCE' if init else 'default initial value'}"


def circular_buffer(rng):
    slots, h, w = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 7))
    s, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-30, 31))
    m = ModelWriter()
    x = m.tensor("frame", (1, 1, h, w), scale=s, zp=zp)
    buf = m.tensor("window", (1, slots, h, w), scale=s, zp=zp, variable=True)
    y = m.tensor("y", (1, slots, h, w), scale=s, zp=zp)
    m.custom_op("CIRCULAR_BUFFER", [x], [buf], cycles_max=1)
    m.op("RELU", [buf], [y])  # the window read by a layer after it
    return m.finish([x], [y]), f"slots {slots} frame {[h, w]}"


def _int16(rng):
    for _ in range(100):
        data, desc = _variables(rng)
        if desc.startswith("int16"):
            return data, desc
    raise RuntimeError("no int16 draw")  # 100 draws of p = 0.3 never all miss in practice


GENERATORS = {"READ_VARIABLE": _variables, "ASSIGN_VARIABLE": _variables, "VAR_HANDLE": _variables,
              "CALL_ONCE": _variables, "READ_VARIABLE_INT16": _int16, "CUSTOM:CIRCULAR_BUFFER": circular_buffer}
