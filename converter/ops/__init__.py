"""The converter's op families, one module each, as the runtime's
runtime/ops/*.c: each module's OPS maps TFLite builtin names to the
function lowering that op (converter/lower.py gives it the Lowering
context). Adding an op touches its family's module and table, its runtime
glue, its kernel and its test generator; nothing here or in the lowering
walk changes."""

from converter.ops import activations, conv, elementwise, fully_connected, movement, pool, quantize, reduce

FAMILIES = (conv, fully_connected, pool, elementwise, reduce, activations, quantize, movement)


def _registry():
    table = {}
    for family in FAMILIES:
        for name, fn in family.OPS.items():
            if name in table:
                raise RuntimeError(f"{name} is lowered by two families")  # a programming error, caught by any test
            table[name] = fn
    return table


REGISTRY = _registry()
