"""Resource variables: READ_VARIABLE and ASSIGN_VARIABLE copy bytes out
of and into a variable's STATE tensor (converter/variables.py made them so
as the model was read, with VAR_HANDLE and CALL_ONCE folded away), with the
movement family's COPY (runtime/ops/movement.c)."""

from converter.lower import Lowers


def _copy(L, op):
    x, out = L.g.t(op.inputs[0]), L.g.t(op.outputs[0])
    if x.type != out.type or x.nbytes != out.nbytes:
        raise L.err(op, f"copies {list(x.shape)} of type {x.type} into {list(out.shape)} of type {out.type}")
    L.copy_op(op, x, out)


def _folded(L, op):
    raise L.err(op, "left over after the model was read (a converter bug: please report it)")


_NOTE = "kept in the arena across invokes; sprat_reset_state restores its initial value"
OPS = {
    "READ_VARIABLE": Lowers(_copy, ("any",), note=_NOTE),
    "ASSIGN_VARIABLE": Lowers(_copy, ("any",), note=_NOTE),
    "VAR_HANDLE": Lowers(_folded, ("any",), note="names a variable: resolved as the model is read"),
    "CALL_ONCE": Lowers(_folded, ("any",), note="initializations by constants folded into the variables' "
                                                 "initial values"),
    # Refused as the model is read (converter/variables.py), by name.
    "IF": Lowers(_folded, (), note="refused: control flow runs other subgraphs; sprat runs one graph, planned offline"),
    "WHILE": Lowers(_folded, (), note="refused: control flow runs other subgraphs; sprat runs one graph, planned "
                                      "offline"),
}
