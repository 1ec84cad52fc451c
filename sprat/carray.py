"""C source for byte arrays (model blobs and inputs embedded in firmware)."""


def c_array(name, data, align=16, ctype="uint8_t"):
    """`const ctype name[] = {...};` with `name_size`, aligned for the runtime."""
    rows = (", ".join(str(b) for b in data[i:i + 24]) for i in range(0, len(data), 24))
    return (f"__attribute__((aligned({align}))) const {ctype} {name}[{max(len(data), 1)}] = {{\n  "
            + ",\n  ".join(rows) + f"\n}};\nconst size_t {name}_size = {len(data)};\n")
