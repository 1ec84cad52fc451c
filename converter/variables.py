"""Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE) and
CALL_ONCE, resolved as the model is read. Each variable, named as TFLM
names it by its VAR_HANDLE's container and shared_name, becomes one STATE
tensor of the graph: arena bytes of its own, kept across invokes
(docs/model_format.md). READ_VARIABLE copies it out, ASSIGN_VARIABLE copies
a value in. CALL_ONCE's subgraph runs once before the first invoke; the
initializations it can hold here (ASSIGN_VARIABLE of constants) become the
states' initial values, which sprat_model_init and sprat_reset_state set.
IF and WHILE are refused by name: one graph, planned offline."""

from converter import ir
from converter.errors import ConvertError

NO_OUTPUT = ("ASSIGN_VARIABLE", "CALL_ONCE")
CONTROL_FLOW = ("IF", "WHILE")
RESOURCE_OPS = ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE")


def _text(v):
    return v.decode(errors="replace") if isinstance(v, (bytes, bytearray)) else (v or "")


def _key(op):
    return _text(op.options.get("container")), _text(op.options.get("shared_name"))


def _label(key):
    container, name = key
    return f"{container}/{name}" if container else (name or "(unnamed)")


def _initial_values(tensors, ops, call):
    """{variable key: constant array} from a CALL_ONCE subgraph."""
    handles, init = {}, {}
    for op in ops:
        where = f"(op {op.index} of CALL_ONCE's subgraph {call.options.get('init_subgraph_index')})"
        if op.name == "VAR_HANDLE":
            handles[op.outputs[0]] = _key(op)
        elif op.name == "ASSIGN_VARIABLE":
            if len(op.inputs) != 2 or op.inputs[0] not in handles:
                raise ConvertError(f"ASSIGN_VARIABLE {where} assigns no VAR_HANDLE's variable",
                                   op_index=call.index, op_name=call.name)
            value = tensors[op.inputs[1]]
            if value.data is None:
                raise ConvertError(f"ASSIGN_VARIABLE {where} assigns a computed value: only constants are "
                                   "folded into a variable's initial value", op_index=call.index, op_name=call.name)
            init[handles[op.inputs[0]]] = (value, value.data)
        else:
            raise ConvertError(f"its initialization subgraph runs {op.name} {where}: sprat folds only "
                               "VAR_HANDLE and ASSIGN_VARIABLE of constants", op_index=call.index, op_name=call.name)
    return init


def resolve(tensors, ops, subgraph, n_subgraphs):
    """(tensors, ops) of the main graph with every resource op replaced:
    READ_VARIABLE(state) -> value, ASSIGN_VARIABLE(value) -> state.
    `subgraph(k)` reads subgraph k as (tensors, ops, inputs, outputs)."""
    for op in ops:
        if op.name in CONTROL_FLOW:
            raise ConvertError("control flow (an op running other subgraphs) is not supported: sprat runs one "
                               "graph, planned offline", op_index=op.index, op_name=op.name)
    if not any(op.name in RESOURCE_OPS for op in ops):
        return tensors, ops
    tensors = list(tensors)
    init, states, handles, out = {}, {}, {}, []
    for op in ops:
        if op.name == "CALL_ONCE":
            k = op.options.get("init_subgraph_index", -1)
            if not isinstance(k, int) or not 0 < k < n_subgraphs:
                raise ConvertError(f"init_subgraph_index {k} is not a subgraph of the model ({n_subgraphs})",
                                   op_index=op.index, op_name=op.name)
            sub_tensors, sub_ops, _, _ = subgraph(k)
            init.update(_initial_values(sub_tensors, sub_ops, op))
        elif op.name == "VAR_HANDLE":
            handles[op.outputs[0]] = _key(op)
    for op in ops:
        if op.name in ("CALL_ONCE", "VAR_HANDLE"):
            continue
        if op.name not in ("READ_VARIABLE", "ASSIGN_VARIABLE"):
            for i in op.inputs:
                if i in handles:
                    raise ConvertError(f"takes the resource '{tensors[i].name}': only READ_VARIABLE and "
                                       "ASSIGN_VARIABLE can", op_index=op.index, op_name=op.name)
            out.append(op)
            continue
        reading = op.name == "READ_VARIABLE"
        if not op.inputs or op.inputs[0] not in handles or len(op.inputs) != (1 if reading else 2) \
                or len(op.outputs) != (1 if reading else 0):
            raise ConvertError("needs a VAR_HANDLE's resource as input 0" + ("" if reading else " and a value"),
                               op_index=op.index, op_name=op.name)
        key = handles[op.inputs[0]]
        value = tensors[op.outputs[0] if reading else op.inputs[1]]
        state = states.get(key)
        if state is None:
            state = ir.Tensor(len(tensors), f"variable {_label(key)}", value.type, value.shape, value.quant,
                              variable=True)
            if key in init:
                first, data = init[key]
                if first.type != value.type or tuple(first.shape) != tuple(value.shape):
                    raise ConvertError(f"variable {_label(key)} is initialized with {list(first.shape)} of type "
                                       f"{first.type} but used as {list(value.shape)} of type {value.type}",
                                       op_index=op.index, op_name=op.name, tensor=value.name)
                state.init = data
            tensors.append(state)
            states[key] = state
        if state.type != value.type or tuple(state.shape) != tuple(value.shape):
            raise ConvertError(f"variable {_label(key)} is {list(state.shape)} of type {state.type}; this "
                               f"{'read' if reading else 'assignment'} has {list(value.shape)} of type {value.type}",
                               op_index=op.index, op_name=op.name, tensor=value.name)
        if reading:
            out.append(ir.Op(op.index, op.name, [state.index], [value.index], {}))
        else:
            out.append(ir.Op(op.index, op.name, [value.index], [state.index], {}))
    return tensors, out
