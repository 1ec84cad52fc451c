"""The converter's op families, one module each, as the runtime's
runtime/ops/*.c: each module's OPS maps TFLite builtin names to a
lower.Lowers entry: the function lowering that op (converter/lower.py
gives it the Lowering context) and the types it takes, from which
`sprat ops` writes docs/op_support.md. Adding an op touches its family's module and table, its runtime
glue, its kernel and its test generator; nothing here or in the lowering
walk changes."""

from converter.ops import (activations, arith, conv, detect, elementwise, fully_connected, gather, logic, movement,
                           norm, pool, quantize, recurrent, reduce, space, state, stream, svdf, unary)

FAMILIES = (conv, fully_connected, pool, elementwise, reduce, activations, unary, quantize, movement, space, state,
            svdf, stream, recurrent, arith, detect, gather, logic, norm)

from converter.ops import signal  # noqa: E402  (TFLM's Signal library, custom ops)

FAMILIES += (signal,)

from converter.ops import decode  # noqa: E402  (TFLM's DECODE: compressed constants, folded offline)

FAMILIES += (decode,)


def _registry():
    table, family = {}, {}
    for module in FAMILIES:
        for name, entry in module.OPS.items():
            if name in table:
                raise RuntimeError(f"{name} is lowered by two families")  # a programming error, caught by any test
            table[name], family[name] = entry, module.__name__.rsplit(".", 1)[-1]
    return table, family


REGISTRY, _FAMILY = _registry()


def family_of(name):
    return _FAMILY.get(name)
