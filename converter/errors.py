"""The converter's one error type: says which op / tensor is at fault."""


class ConvertError(Exception):
    def __init__(self, message, op_index=None, op_name=None, tensor=None):
        where = []
        if op_index is not None:
            where.append(f"op {op_index}" + (f" ({op_name})" if op_name else ""))
        elif op_name:
            where.append(op_name)
        if tensor is not None:
            where.append(f"tensor '{tensor}'")
        super().__init__((", ".join(where) + ": " if where else "") + message)
        self.op_index = op_index
        self.op_name = op_name
        self.tensor = tensor
