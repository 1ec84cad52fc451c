"""TFLM's DECODE (custom code TFLM_DECODE), what TFLM's compression tool
(tensorflow/lite/micro/compression) puts before each op reading a
compressed constant: input pairs (encoded constant, ancillary constant), one
decoded tensor out per pair. The ancillary tensor starts with TFLM's 16-byte
DECODE Common Metadata (byte 0 the decode type, byte 1 its version, 1) and
the decoder's own data after it:

- LUT (type 0): byte 4 its version (1), byte 5 bits 2-0 the index width
  (1-7 bits), byte 6 the value table's entries per channel; the tables (of
  the output's type) from byte 16. The indices are one MSB-first bit
  string; an element's table is its channel's, channels as TFLM's decoder
  takes them: from the output's quantization (one table unless it has
  several scales; channels along axis 0, or interleaved along the last).
  Byte 5 bits 7-4 (newer tools: the channel axis, 15 for one table) are
  not read by TFLM's decoder; they are checked against the quantization.
- Prune (type 2): byte 4 its version (1); a bitmap (MSB first, 1 = the next
  kept value) in the encoded tensor, the kept values from byte 16; pruned
  elements are the zero point (int8 per channel), else 0.
- Huffman (type 1): byte 4 its version (1), byte 5 bit 0 32-bit table
  entries (else 16-bit, int8 outputs only), bits 7-4 the first lookup's
  width less 1; Xtensa-format multi-level tables from byte 16; the codes a
  big-endian bit string that TFLM reads in 32-bit words.

An output of one quantization scale is decoded with one table whatever its
quantized_dimension (TFLM's decoders refuse one other than 0).

sprat's inputs to DECODE are constants, so every DECODE is folded offline
(`fold`, the first graph pass): each output becomes an ordinary constant of
its own type, shape and quantization, decoded as TFLM's decoders decode it,
and the op is gone before lowering. Anything TFLM would read out of bounds
(short encodings or tables, indices past a table, codes running off the
stream or a Huffman table) or refuses is refused here, naming the op.
TFLM's older scheme (COMPRESSION_METADATA in the model's metadata, LUT
tensors the kernels decode themselves) is no longer written by TFLM's tool:
`refuse_metadata` refuses it by name as the model is read."""

import numpy as np

from converter import ir
from converter.errors import ConvertError
from converter.lower import Lowers

CODE = "CUSTOM:TFLM_DECODE"
DCM_BYTES = 16
LUT, HUFFMAN, PRUNE, CUSTOM = 0, 1, 2, 127
# What TFLM's decoders write (decode_state_lut.cc, _prune.cc, _huffman.cc).
_LUT_TYPES = (ir.BOOL, ir.FLOAT32, ir.INT8, ir.INT16, ir.INT32, ir.INT64)
_HUFFMAN_TYPES = (ir.INT8, ir.INT16)
_PER_TENSOR_AXIS = 15  # the newer LUT header's "one table" in byte 5's axis field
# Huffman table entries: symbol-found flag, a 4-bit count, the value or offset.
_FOUND = {2: 0x8000, 4: 0x80000000}
_COUNT_SHIFT = {2: 11, 4: 27}
_VALUE_MASK = {2: 0x07FF, 4: 0x07FFFFFF}


class _Where:
    """The op being folded, for errors naming it and a tensor."""

    def __init__(self, op):
        self.op = op

    def err(self, msg, tensor=None):
        return ConvertError(msg, op_index=self.op.index, op_name=self.op.name, tensor=tensor)


def _raw(t):
    """A constant's bytes as TFLM sees them (little-endian)."""
    return np.ascontiguousarray(t.data.astype(np.dtype(ir.DTYPES[t.type]).newbyteorder("<"))).view(np.uint8).ravel()


def _channels(w, out):
    """(channels, interleaved): TFLM's decoders take one table (one zero
    point) per scale of the output's quantization, channels along axis 0,
    or along the last axis (interleaved) when that is the quantized one."""
    q = out.quant
    n = 1 if q is None else int(q.scale.size)
    if n == 1:
        return 1, False
    rank = len(out.shape)
    if not 0 <= q.axis < rank or out.shape[q.axis] != n:
        raise w.err(f"{n} quantization scales do not match axis {q.axis} of shape {list(out.shape)}", out.name)
    if q.axis == rank - 1:
        return n, True
    if q.axis != 0:
        raise w.err(f"per-channel quantization along axis {q.axis}: TFLM's decoders take channels along the first "
                    "or the last axis only", out.name)
    return n, False


def _channel_of(count, n, interleaved):
    """Each element's channel, in storage order."""
    i = np.arange(count, dtype=np.int64)
    return i % n if interleaved else i // (count // n)


def _bits(w, enc, nbits, what, t):
    """The first nbits of the encoded tensor's MSB-first bit string."""
    need = (nbits + 7) // 8
    if enc.size < need:
        raise w.err(f"the encoded tensor has {enc.size} bytes, too few for {what} ({need} bytes)", t.name)
    return np.unpackbits(enc[:need])[:nbits]


# How TFLM's decoders hold each type: the Prune decoder copies bool as int8
# and float32 as int32 (bit patterns, the pruned ones 0).
_STORAGE = {ir.BOOL: np.int8, ir.FLOAT32: np.int32}


def _storage(out):
    return np.dtype(_STORAGE.get(out.type, ir.DTYPES[out.type])).newbyteorder("<")


def _typed(w, out, stored):
    """Values held as _storage(out) as the output's numpy array; bool bytes
    must be 0 or 1 (TFLM copies them as bytes)."""
    if out.type == ir.BOOL:
        b = stored.view(np.uint8)
        if b.size and b.max() > 1:
            raise w.err(f"a bool value byte is {int(b.max())}, neither 0 nor 1", out.name)
        return b.astype(np.bool_)
    if out.type == ir.FLOAT32:
        return stored.view("<f4").astype(np.float32)
    return stored.astype(ir.DTYPES[out.type])


def _version1_of_lut_types(w, anc_t, out, anc, kind):
    """The LUT and Prune decoders' own version (byte 4) and output types."""
    if anc[4] != 1:
        raise w.err(f"{kind} version {int(anc[4])}: TFLM decodes version 1", anc_t.name)
    if out.type not in _LUT_TYPES:
        raise w.err(f"type {ir.TYPE_NAMES.get(out.type, out.type)}: TFLM's {kind} decoder writes bool, float32, int8, "
                    "int16, int32 and int64", out.name)


def _lut(w, enc_t, anc_t, out, enc, anc):
    _version1_of_lut_types(w, anc_t, out, anc, "LUT")
    width, axis_field, stride = int(anc[5]) & 7, int(anc[5]) >> 4, int(anc[6])
    if width == 0:
        raise w.err("LUT index width 0 (TFLM's decoder takes 1 to 7 bits)", anc_t.name)
    n, interleaved = _channels(w, out)
    # Newer compression tools name the tables' axis in byte 5, which TFLM's
    # decoder does not read: where it contradicts the quantization, TFLM
    # would look every element up in the wrong table.
    if axis_field == _PER_TENSOR_AXIS and n > 1:
        raise w.err(f"the LUT header says one value table, but the output has {n} quantization scales: TFLM's "
                    "decoder would take a table per channel", anc_t.name)
    if axis_field not in (0, _PER_TENSOR_AXIS):
        fits = n > 1 and axis_field == (len(out.shape) - 1 if interleaved else 0)
        if not fits:
            have = f"{n} scales along axis {out.quant.axis}" if n > 1 else "one table (one quantization scale)"
            raise w.err(f"the LUT header names channel axis {axis_field}, but TFLM's decoder takes {have} from the "
                        "output's quantization", anc_t.name)
    count = out.count
    bits = _bits(w, enc, count * width, f"{count} indices of {width} bits", enc_t).reshape(count, width)
    idx = bits.astype(np.int64) @ (1 << np.arange(width - 1, -1, -1, dtype=np.int64))
    bad = np.flatnonzero(idx >= stride)
    if bad.size:
        k = int(bad[0])
        raise w.err(f"element {k}'s index {int(idx[k])} is outside its value table of {stride} entries", enc_t.name)
    size = _storage(out).itemsize
    need = DCM_BYTES + n * stride * size
    if anc.size < need:
        raise w.err(f"{n} value table(s) of {stride} entries need {need} bytes with the header; the ancillary "
                    f"tensor has {anc.size}", anc_t.name)
    ch = _channel_of(count, n, interleaved)
    pos = ch * stride + idx  # entries of the concatenated tables
    table = anc[DCM_BYTES:need].view(_storage(out))
    return _typed(w, out, table[pos])


def _prune(w, enc_t, anc_t, out, enc, anc):
    _version1_of_lut_types(w, anc_t, out, anc, "Prune")
    n, interleaved = _channels(w, out)
    count = out.count
    zps = np.zeros(1, np.int64) if out.quant is None else np.asarray(out.quant.zero_point, np.int64)
    if out.type != ir.INT8 and np.any(zps != 0):
        raise w.err("a pruned tensor other than int8 needs zero points of 0 (TFLM's decoder refuses others)", out.name)
    # TFLM keeps zero points as int8 (wrapping); int8 ones are in range.
    zps = ((zps + 128) % 256) - 128
    kept = _bits(w, enc, count, f"a bitmap of {count} elements", enc_t).astype(bool)
    st = _storage(out)
    k = int(kept.sum())
    need = DCM_BYTES + k * st.itemsize
    if anc.size < need:
        raise w.err(f"the bitmap keeps {k} values, which need {need} bytes with the header; the ancillary tensor "
                    f"has {anc.size}", anc_t.name)
    if n > 1 and np.any(zps != 0):
        fill = zps[_channel_of(count, n, interleaved)]
    else:
        fill = np.full(count, zps[0])
    data = fill.astype(st)
    data[kept] = anc[DCM_BYTES:need].view(st)
    return _typed(w, out, data)


def _huffman(w, enc_t, anc_t, out, enc, anc):
    if anc[4] != 1:
        raise w.err(f"Huffman version {int(anc[4])}: TFLM decodes version 1", anc_t.name)
    if out.type not in _HUFFMAN_TYPES:
        raise w.err(f"type {ir.TYPE_NAMES.get(out.type, out.type)}: TFLM's Huffman decoder writes int8 and int16",
                    out.name)
    size = 4 if anc[5] & 1 else 2
    if size == 2 and out.type != ir.INT8:
        raise w.err("16-bit Huffman table entries decode int8 only (TFLM's decoder refuses int16 with them)",
                    anc_t.name)
    first = ((int(anc[5]) >> 4) & 15) + 1
    entries = (anc.size - DCM_BYTES) // size
    table = anc[DCM_BYTES:DCM_BYTES + entries * size].view("<u4" if size == 4 else "<u2").tolist()
    found, shift, vmask = _FOUND[size], _COUNT_SHIFT[size], _VALUE_MASK[size]
    limit = 8 * enc.size
    # Lookups may read past the last code (TFLM reads whole words); the
    # codes themselves must not. Zero bytes stand for what lies beyond.
    stream = enc.tobytes() + bytes(8)
    count = out.count
    values = [0] * count
    pos = 0

    def off_end(k, at):
        return w.err(f"element {k}'s code runs off the Huffman table ({entries} entries; entry {at})", anc_t.name)

    def truncated(k):
        return w.err(f"element {k}'s code runs past the end of the {limit}-bit encoded stream", enc_t.name)

    def peek(at, bits):  # bits 1-16 from bit position at, MSB first
        b = at >> 3
        return (int.from_bytes(stream[b:b + 4], "big") >> (32 - (at & 7) - bits)) & ((1 << bits) - 1)

    for k in range(count):
        bits = first
        at = peek(pos, bits)
        pos += bits
        if at >= entries:
            raise off_end(k, at)
        v = table[at]
        while not v & found:
            if pos > limit:
                raise truncated(k)
            bits = ((v >> shift) & 15) + 1
            at += (v & vmask) + peek(pos, bits)
            pos += bits
            if at >= entries:
                raise off_end(k, at)
            v = table[at]
        used = (v >> shift) & 15
        if bits > used:
            pos -= bits - used  # the lookup's bits past this code start the next one
        if pos > limit:
            raise truncated(k)
        values[k] = v
    # TFLM stores the entry's low byte (int8) or low 16 bits (int16).
    arr = np.asarray(values, np.uint64)
    return (arr & 0xFF).astype(np.uint8).view(np.int8) if out.type == ir.INT8 else \
        (arr & 0xFFFF).astype(np.uint16).view(np.int16)


_DECODERS = {LUT: _lut, PRUNE: _prune, HUFFMAN: _huffman}


def decode_output(op, k, g):
    """The k-th output of DECODE op, decoded from its input pair."""
    w = _Where(op)
    enc_i, anc_i, out = op.inputs[2 * k], op.inputs[2 * k + 1], g.t(op.outputs[k])
    if enc_i < 0 or anc_i < 0:
        raise w.err(f"input {2 * k if enc_i < 0 else 2 * k + 1} is missing (DECODE reads an encoded tensor and its "
                    "ancillary data for each output)")
    enc_t, anc_t = g.t(enc_i), g.t(anc_i)
    for t, what in ((enc_t, "encoded"), (anc_t, "ancillary")):
        if isinstance(t.type, tuple):
            raise w.err(f"the {what} input is of type {t.type[1]}, which sprat does not read (TFLM's tool writes "
                        "uint8)", t.name)
        if not t.is_const:
            raise w.err(f"the {what} input is not a constant: TFLM's DECODE decodes constants only", t.name)
    if out.type not in ir.DTYPES:
        raise w.err(f"output type {out.type[1] if isinstance(out.type, tuple) else out.type} is not supported",
                    out.name)
    enc, anc = _raw(enc_t), _raw(anc_t)
    if anc.size < DCM_BYTES:
        raise w.err(f"the ancillary tensor has {anc.size} bytes, less than the {DCM_BYTES}-byte DECODE header",
                    anc_t.name)
    kind, version = int(anc[0]), int(anc[1])
    if version != 1:
        raise w.err(f"DECODE header version {version}: TFLM decodes version 1", anc_t.name)
    if kind == CUSTOM or kind >= 128:
        raise w.err(f"custom decode type {kind}: TFLM has no decoder for it (an application registers its own), "
                    "and sprat cannot know its format", anc_t.name)
    if kind not in _DECODERS:
        raise w.err(f"decode type {kind} is reserved: TFLM decodes LUT (0), Huffman (1) and Prune (2)", anc_t.name)
    data = _DECODERS[kind](w, enc_t, anc_t, out, enc, anc)
    return np.ascontiguousarray(data.reshape(out.shape))


def fold(g):
    """Every DECODE becomes constants; an output the model returns gets a
    COPY of its constant (a model output is never a constant)."""
    keep = []
    for op in g.ops:
        if op.name != CODE:
            keep.append(op)
            continue
        w = _Where(op)
        if not op.outputs or len(op.inputs) != 2 * len(op.outputs):
            raise w.err(f"{len(op.inputs)} inputs and {len(op.outputs)} outputs: DECODE reads an (encoded, "
                        "ancillary) pair of inputs for each output")
        for k, o in enumerate(op.outputs):
            data = decode_output(op, k, g)
            out = g.t(o)
            if o in g.outputs:
                c = g.add_tensor(f"{out.name}/decoded", out.type, out.shape, out.quant, data)
                keep.append(ir.Op(op.index, op.name, [c.index], [o], {"_decoded": True}))
                for reader in g.ops:  # the model's other readers read the constant
                    if reader is not op:
                        reader.inputs = [c.index if i == o else i for i in reader.inputs]
            else:
                out.data = data
    g.ops = keep


def byte_inputs(model, subgraph):
    """Indices of the tensors a DECODE of the (flatbuffer) subgraph reads:
    bytes to it, whatever their quantization says. TFLM's tool leaves the
    original constant's quantization on its encoded tensor, where it no
    longer fits the shape; the reader ignores it."""
    import tflite

    from converter.tflite_reader import _builtin_code_field
    out = set()
    for k in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(k)
        ci = op.OpcodeIndex()
        if ci >= model.OperatorCodesLength() or op.InputsIsNone():
            continue
        oc = model.OperatorCodes(ci)
        if max(_builtin_code_field(oc), oc.DeprecatedBuiltinCode()) == tflite.BuiltinOperator.CUSTOM \
                and oc.CustomCode() == CODE.split(":", 1)[1].encode():
            out.update(int(x) for x in op.InputsAsNumpy())
    return out


def refuse_metadata(names):
    """TFLM's earlier compression (COMPRESSION_METADATA: LUT tensors in the
    model's metadata, decoded by the kernels) is refused by name."""
    if "COMPRESSION_METADATA" in names:
        raise ConvertError("the model is compressed with TFLM's earlier scheme (COMPRESSION_METADATA: look-up-table "
                           "tensors the kernels decode): TFLM's compression tool no longer writes it; compress the "
                           "model again with the current tool (DECODE operators), which sprat decodes offline")


def lower_decode(L, op):
    """What `fold` leaves: an output the model returns, copied from its
    decoded constant."""
    if not op.options.get("_decoded"):
        raise L.err(op, "DECODE was not folded (its inputs must be constants)")
    L.copy_op(op, L.g.t(op.inputs[0]), L.g.t(op.outputs[0]), name="DECODE")


OPS = {
    CODE: Lowers(lower_decode, ("int8", "int16", "int32", "int64", "float32", "bool"),
                 note="TFLM's compressed constants (LUT, Prune, Huffman), decoded offline into constants as TFLM's "
                      "decoders decode them; custom decode types refused"),
}
