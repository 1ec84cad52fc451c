"""Op-suite generators of the decode family (see tests/opsuite.py): models
whose constants (convolution weights, biases, an elementwise op's constant
operand; FULLY_CONNECTED weights in tests/test_decode.py) are the outputs
of TFLM's DECODE, as TFLM's compression tool writes them, with each decode
type: LUT (every index width, per-channel tables), Prune (per-channel zero
points) and Huffman (16- and 32-bit tables, several lookup levels). TFLM's
interpreter is the oracle (LiteRT has no DECODE); sprat decodes offline
(converter/ops/decode.py).

The encoders are this file's own, written from the format TFLM's decoders
read (tensorflow/lite/micro/kernels/decode_state_*.cc)."""

import heapq

import numpy as np

from converter.writer import ModelWriter
from opsuite import ACTS, _act_q, _in_q, out_hw  # opsuite imports this module after defining them

CODE = "TFLM_DECODE"
PLAIN = False  # True: the generators write plain constants instead (the same draws)
LUT, HUFFMAN, PRUNE = 0, 1, 2
_NP = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "float32": np.float32,
       "bool": np.bool_}
# How TFLM's decoders hold each type's values (the Prune decoder's bool as
# int8, float32 as int32: bit patterns).
_STORE = {"bool": np.uint8, "float32": np.uint32}


def dcm(kind, b4=1, b5=0, b6=0, version=1):
    """TFLM's 16-byte DECODE Common Metadata with a decoder's bytes 4-6."""
    h = bytearray(16)
    h[0], h[1], h[4], h[5], h[6] = kind, version, b4, b5, b6
    return bytes(h)


def _stored(values, type_):
    a = np.ascontiguousarray(np.asarray(values, _NP[type_]).ravel())
    if type_ in _STORE:
        a = a.view(np.uint8).astype(_STORE[type_]) if type_ == "bool" else a.view(_STORE[type_])
    return a.astype(a.dtype.newbyteorder("<"))


def channels_of(shape, quant_scales, axis):
    """(n, interleaved) as TFLM's decoders take channels from a tensor's
    quantization: one per scale, along axis 0 or interleaved along the last."""
    n = 1 if quant_scales is None else int(np.size(quant_scales))
    if n == 1:
        return 1, False
    return n, axis == len(shape) - 1


def _channel_index(count, n, interleaved):
    i = np.arange(count)
    return i % n if interleaved else i // (count // n)


def _pack_msb(codes):
    """MSB-first bit string of (value, width) fields, zero-padded to a byte."""
    bits = []
    for v, wdt in codes:
        bits.extend((int(v) >> (wdt - 1 - j)) & 1 for j in range(wdt))
    return np.packbits(np.asarray(bits, np.uint8)).tobytes() if bits else b""


def encode_lut(values, type_, n, interleaved, rng, width=None, axis_field=0):
    """(encoded, ancillary): each channel's distinct values in a table of
    `stride` entries (shuffled, padded), the elements' indices packed."""
    flat = np.asarray(values, _NP[type_]).ravel()
    stored = _stored(flat, type_)
    ch = _channel_index(flat.size, n, interleaved)
    tables, index = [], np.zeros(flat.size, np.int64)
    for c in range(n):
        sel = ch == c
        uniq = np.unique(stored[sel])
        uniq = uniq[rng.permutation(uniq.size)]  # the order a table keeps is its own
        pos = {int(u): k for k, u in enumerate(uniq)}
        index[sel] = [pos[int(v)] for v in stored[sel]]
        tables.append(uniq)
    need = max(t.size for t in tables)
    least = max(1, (need - 1).bit_length())
    width = width or int(rng.integers(least, 8))
    assert least <= width <= 7, (least, width)
    stride = min(need + int(rng.integers(0, 3)), 1 << width)
    table = np.zeros((n, stride), stored.dtype)
    for c, t in enumerate(tables):
        table[c, :t.size] = t
        table[c, t.size:] = rng.integers(0, 2, stride - t.size)  # unused entries: anything
    enc = _pack_msb((i, width) for i in index)
    anc = dcm(LUT, 1, width | (axis_field << 4), stride) + table.tobytes()
    return enc, anc


def encode_prune(values, type_, fill):
    """(encoded, ancillary): a bitmap of the elements that are not their
    fill value (the zero point, per element), those values in order."""
    stored = _stored(values, type_)
    keep = stored != _stored(fill, type_) if type_ != "bool" else stored != 0
    enc = np.packbits(keep.astype(np.uint8)).tobytes()
    vals = stored[keep]
    if type_ == "bool":
        vals = vals.astype(np.int8)
    return enc, dcm(PRUNE) + vals.tobytes()


def _huffman_lengths(freq):
    """Code length of each symbol (Huffman's algorithm); one symbol: 1."""
    if len(freq) == 1:
        return {next(iter(freq)): 1}
    heap = [(f, k, [s]) for k, (s, f) in enumerate(sorted(freq.items()))]
    heapq.heapify(heap)
    length = {s: 0 for s in freq}
    k = len(heap)
    while len(heap) > 1:
        f1, _, s1 = heapq.heappop(heap)
        f2, _, s2 = heapq.heappop(heap)
        for s in s1 + s2:
            length[s] += 1
        heapq.heappush(heap, (f1 + f2, k, s1 + s2))
        k += 1
    return length


def _canonical(length):
    """Canonical codes (bit strings) for the lengths."""
    code, prev, out = 0, 0, {}
    for s in sorted(length, key=lambda s: (length[s], s)):
        code <<= length[s] - prev
        prev = length[s]
        out[s] = format(code, f"0{prev}b")
        code += 1
    return out


def huffman_tables(codes, first, wide, cap):
    """Xtensa-format lookup tables for {symbol bits: code}: a first table of
    2^first entries, then sub-tables of at most 2^cap, each entry a symbol
    (found flag, the bits of this lookup its code uses, the value) or a
    link (the next lookup's width less 1, the offset from this entry)."""
    found, shift, vmask = (0x80000000, 27, 0x07FFFFFF) if wide else (0x8000, 11, 0x07FF)
    entries = []

    def build(sub, width):
        start = len(entries)
        entries.extend([None] * (1 << width))
        by_prefix = {}
        for v, c in sub.items():
            if len(c) <= width:  # a symbol: every entry its code starts
                pad = width - len(c)
                for e in range(int(c, 2) << pad, (int(c, 2) + 1) << pad):
                    entries[start + e] = found | (len(c) << shift) | (v & vmask)
            else:
                by_prefix.setdefault(int(c[:width], 2), {})[v] = c[width:]
        for e in range(1 << width):
            if entries[start + e] is not None:
                continue
            rest = by_prefix.get(e)
            if rest is None:  # no code starts so (one symbol): never looked up
                entries[start + e] = found | (width << shift)
                continue
            w2 = min(cap, max(len(c) for c in rest.values()))
            link = len(entries) - (start + e)
            if link > vmask:
                raise OverflowError(link)
            entries[start + e] = ((w2 - 1) << shift) | link
            build(rest, w2)

    try:
        build(codes, first)
    except OverflowError:
        return None
    return np.asarray(entries, np.uint32 if wide else np.uint16)


def encode_huffman(values, type_, rng, wide=None):
    """(encoded, ancillary) of int8 or int16 values: canonical Huffman codes
    of their frequencies, the codes' bit string padded to 32-bit words."""
    flat = np.asarray(values, _NP[type_]).ravel()
    mask = 0xFF if type_ == "int8" else 0xFFFF
    sym = (flat.astype(np.int64) & mask).tolist()
    freq = {}
    for s in sym:
        freq[s] = freq.get(s, 0) + 1
    codes = _canonical(_huffman_lengths(freq))
    longest = max(len(c) for c in codes.values())
    if wide is None:
        wide = type_ == "int16" or rng.random() < 0.4
    first = int(rng.integers(1, min(longest, 9) + 1))
    cap = int(rng.integers(1, 9))
    table = huffman_tables(codes, first, wide, cap)
    if table is None:  # links too far for 16-bit entries
        wide, table = True, huffman_tables(codes, first, True, cap)
    bits = "".join(codes[s] for s in sym)
    bits += "0" * (-len(bits) % 32 + 32 * int(rng.integers(0, 2)))
    enc = int(bits, 2).to_bytes(len(bits) // 8, "big")
    anc = dcm(HUFFMAN, 1, ((first - 1) << 4) | int(wide)) + table.astype(table.dtype.newbyteorder("<")).tobytes()
    return enc, anc, f"huffman{'32' if wide else '16'} first {first} cap {cap} longest {longest}"


class Decoder:
    """Constants of a ModelWriter model made DECODE outputs."""

    def __init__(self, m, rng):
        self.m, self.rng, self.pairs, self.outs, self.notes = m, rng, [], [], []

    def const(self, name, shape, type_, data, scale=None, zp=None, axis=0, methods=("lut", "prune", "huffman")):
        """The tensor a DECODE will write with `data` (its encoding drawn
        from `methods`); op() then adds the DECODE, before its reader."""
        rng = self.rng
        n, inter = channels_of(shape, scale, axis)
        ch = _channel_index(int(np.prod(shape)), n, inter)
        flat = np.asarray(data).ravel()
        distinct = max(np.unique(flat[ch == c]).size for c in range(n))
        methods = [x for x in methods if (x != "huffman" or type_ in ("int8", "int16"))
                   and (x != "lut" or distinct <= 128)] or ["prune"]
        method = methods[int(rng.integers(0, len(methods)))]
        if method == "lut":
            proper = 15 if n == 1 else (len(shape) - 1 if inter else 0)
            enc, anc = encode_lut(data, type_, n, inter, rng, axis_field=proper if rng.random() < 0.5 else 0)
            note = f"lut{anc[5] & 7}" + (f"x{n}" if n > 1 else "")
        elif method == "prune":
            zps = np.zeros(1, np.int64) if zp is None else np.atleast_1d(np.asarray(zp, np.int64))
            if zps.size == 1:
                fill = np.full(np.size(data), zps[0])
            else:
                fill = zps[_channel_index(np.size(data), n, inter)]
            enc, anc = encode_prune(data, type_, fill)
            note = "prune"
        else:
            enc, anc, note = encode_huffman(data, type_, rng)
        m = self.m
        if PLAIN:  # the same model uncompressed, after the same draws (tests compare the two)
            return m.tensor(name, shape, type=type_, data=data, scale=scale, zp=zp, axis=axis)
        e = m.tensor(f"{name}_encoded", (len(enc),), type="uint8", data=np.frombuffer(enc, np.uint8))
        a = m.tensor(f"{name}_ancillary", (len(anc),), type="uint8", data=np.frombuffer(anc, np.uint8))
        out = m.tensor(f"{name}_decoded", shape, type=type_, scale=scale, zp=zp, axis=axis)
        self.pairs.append((e, a))
        self.outs.append(out)
        self.notes.append(f"{name}:{note}")
        return out

    def op(self):
        """The DECODE ops for the constants so far: one for all, or one each
        (TFLM's tool writes one per reader)."""
        together = self.rng.random() < 0.5
        if not self.outs:
            return
        if together:
            self.m.custom_op(CODE, [i for p in self.pairs for i in p], self.outs)
        else:
            for p, o in zip(self.pairs, self.outs):
                self.m.custom_op(CODE, list(p), [o])
        self.pairs, self.outs = [], []

    def describe(self):
        return " ".join(self.notes)


def palette(rng, lo, hi, shape, k=None, dtype=np.int64):
    """Values drawn from a few distinct ones (what LUT compression is for),
    one of them far from 0 (the layer's output scale expects such weights)."""
    k = k or int(rng.choice([1, 2, 3, 4, 7, 8, 13, 16, 31, 64, 100]))
    pal = rng.integers(lo, hi, k)
    pal[0] = lo if rng.random() < 0.5 else hi - 1
    return pal[rng.integers(0, k, shape)].astype(dtype)


def sparse(rng, lo, hi, shape, fill=0):
    """Mostly `fill` (what pruning is for), never all of it."""
    v = rng.integers(lo, hi, shape)
    out = np.where(rng.random(shape) < rng.uniform(0.2, 0.8), fill, v)
    out.flat[int(rng.integers(0, out.size))] = lo if fill - lo > hi - 1 - fill else hi - 1
    return out


def _weights(rng, shape, lo, hi, zp=0):
    """Palette values (for LUT), mostly-zero ones (for Prune), or any."""
    r = rng.random()
    if r < 0.45:
        return palette(rng, lo, hi, shape)
    if r < 0.8:
        return sparse(rng, lo, hi, shape, zp)
    return rng.integers(lo, hi, shape)


def _conv(rng, depthwise, int16=False):
    h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    cin = int(rng.integers(1, 7))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    padding, oh, ow = out_hw("SAME" if rng.random() < 0.5 else "VALID", h, w, kh, kw, sh, sw, 1, 1)
    if depthwise:
        cout = cin * int(rng.integers(1, 3))
        fshape, depth = (1, kh, kw, cout), kh * kw
    else:
        cout = int(rng.integers(1, 9))
        fshape, depth = (cout, kh, kw, cin), kh * kw * cin
    per_channel = rng.random() < 0.7
    w_s = rng.uniform(0.002, 0.02, cout if per_channel else 1)
    wdata = _weights(rng, fshape, -127, 128)
    # Each channel's output amplitude from its weights: the inputs' spread
    # through their norm, the inputs' offset from the zero point through
    # their sum (palettes and pruned filters are far from random).
    per = np.moveaxis(wdata, 3, 0) if depthwise else wdata
    per = per.reshape(cout, -1).astype(np.float64)
    norm, total = np.sqrt((per ** 2).sum(1)), np.abs(per.sum(1))
    ws = np.broadcast_to(w_s, (cout,))
    m = ModelWriter()
    d = Decoder(m, rng)
    if int16:
        in_s, in_zp = float(rng.uniform(3e-5, 3e-4)), 0
        amp = float(np.mean(in_s * ws * 19000 * norm)) + in_s * float(np.max(ws)) * 19000
        out_s, out_zp = max(amp, 1e-9) / float(rng.uniform(8000, 20000)), 0
        x = m.tensor("x", (1, h, w, cin), type="int16", scale=in_s, zp=0)
    else:
        in_s, in_zp = _in_q(rng)
        amp = float(np.mean(in_s * ws * (74 * norm + abs(in_zp + 0.5) * total))) + in_s * float(np.max(ws)) * 74
        out_s, out_zp = _act_q(rng, amp)
        x = m.tensor("x", (1, h, w, cin), scale=in_s, zp=in_zp)
    # A filter of one scale has quantized_dimension 0: TFLM's decoders refuse
    # another axis with one scale.
    axis = 3 if depthwise and w_s.size > 1 else 0
    wt = d.const("w", fshape, "int8", wdata, scale=w_s, zp=np.zeros(w_s.size), axis=axis)
    bs = in_s * np.broadcast_to(w_s, (cout,))
    btype = "int64" if int16 else "int32"
    bdata = _weights(rng, (cout,), -3000, 3000)
    r = rng.random()
    if r < 0.6:
        bias = d.const("b", (cout,), btype, bdata, scale=bs, zp=np.zeros(cout), methods=("lut", "prune"))
    elif r < 0.9 or depthwise:  # TFLM's depthwise convolution crashes without a bias
        bias = m.tensor("b", (cout,), type=btype, data=bdata, scale=bs, zp=np.zeros(cout))
    else:
        bias = -1
    y = m.tensor("y", (1, oh, ow, cout), type="int16" if int16 else "int8", scale=out_s, zp=out_zp)
    act = ACTS[int(rng.integers(0, 4))]
    opts = dict(padding=padding, stride_w=sw, stride_h=sh, fused_activation_function=act)
    if depthwise:
        opts["depth_multiplier"] = cout // cin
    d.op()
    m.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bias], [y], **opts)
    desc = f"{'DEPTHWISE_CONV_2D' if depthwise else 'CONV_2D'} in {[1, h, w, cin]} filter {list(fshape)} " \
           f"{'per-channel' if per_channel else 'per-tensor'} {d.describe()}"
    return m.finish([x], [y]), desc


def fully_connected(rng):
    """int8 weights and int32 bias decoded (tests/test_decode.py)."""
    batches, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 48)), int(rng.integers(1, 24))
    w_s = float(rng.uniform(0.002, 0.02))
    m = ModelWriter()
    d = Decoder(m, rng)
    in_s, in_zp = _in_q(rng)
    out_s, out_zp = _act_q(rng, np.sqrt(depth) * 60 * in_s * 70 * w_s)
    x = m.tensor("x", (batches, depth), scale=in_s, zp=in_zp)
    wt = d.const("w", (units, depth), "int8", _weights(rng, (units, depth), -127, 128), scale=w_s, zp=0)
    bias = d.const("b", (units,), "int32", _weights(rng, (units,), -3000, 3000), scale=in_s * w_s, zp=0,
                   methods=("lut", "prune")) if rng.random() < 0.7 else -1
    y = m.tensor("y", (batches, units), scale=out_s, zp=out_zp)
    d.op()
    m.op("FULLY_CONNECTED", [x, wt, bias], [y], fused_activation_function=ACTS[int(rng.integers(0, 4))])
    return m.finish([x], [y]), f"FULLY_CONNECTED {batches}x{depth} -> {units} {d.describe()}"


def _shapes(rng, quantized):
    """Broadcasting shapes as the op's own generators draw them."""
    if quantized:
        from opsuite import _broadcast_shapes
        return _broadcast_shapes(rng)
    from opsuite_arith import _shapes as shapes
    return shapes(rng)


def _binary(rng, name, type_):
    """x (an input) op c (a decoded constant), broadcasting."""
    a_shape, b_shape, out = _shapes(rng, type_ in ("int8", "int16"))
    m = ModelWriter()
    d = Decoder(m, rng)
    if type_ == "int8":
        s1, z1 = _in_q(rng)
        s2, z2 = float(rng.uniform(0.01, 0.12)), int(rng.integers(-128, 128))
        so, zo = _act_q(rng, 120 * (s1 * s2 * 40 if name == "MUL" else s1 + s2))
        q1, q2, qo = dict(scale=s1, zp=z1), dict(scale=s2, zp=z2), dict(scale=so, zp=zo)
        data = _weights(rng, b_shape, -128, 128, z2)
    elif type_ == "int16":
        s1, s2 = float(rng.uniform(3e-5, 3e-4)), float(rng.uniform(3e-5, 3e-4))
        so = 19000 * (s1 * s2 * 19000 if name == "MUL" else s1 + s2) / float(rng.uniform(12000, 30000))
        q1, q2, qo = dict(scale=s1, zp=0), dict(scale=s2, zp=0), dict(scale=so, zp=0)
        data = _weights(rng, b_shape, -32768, 32768)
    elif type_ == "float32":
        q1 = q2 = qo = {}
        r = rng.random()
        # Infinities only where no product makes a NaN (whose bits differ by FPU).
        pal = np.concatenate([rng.normal(0, 3, 8), [0.0, -0.0, 1.0, 0.5, np.inf, -np.inf]]).astype(np.float32)
        data = pal[rng.integers(0, pal.size if r < 0.3 and name == "ADD" else 12, b_shape)]
        data = np.where(rng.random(b_shape) < 0.4, np.float32(0), data)
    else:  # int32, int64: raw values
        q1 = q2 = qo = {}
        span = int(rng.choice([2, 3, 1000]))  # the inputs are mostly -1, 0 and 1
        data = _weights(rng, b_shape, -span, span + 1)
    # One element through which the output follows the input (not 0 for
    # MUL, the low end for MAXIMUM, the high end for MINIMUM).
    data = np.array(data).reshape(b_shape)
    lively = {"MUL": 1, "MAXIMUM": -10**6, "MINIMUM": 10**6}.get(name)
    if name == "MUL" and type_ in ("int8", "int16"):
        lively = -10**6 if q2["zp"] >= 0 else 10**6  # the farthest from the zero point
    if lively is not None:
        info = np.finfo(np.float32) if type_ == "float32" else np.iinfo(_NP[type_])
        data.flat[int(rng.integers(0, data.size))] = np.clip(lively, info.min, info.max)
    a = m.tensor("a", a_shape, type=type_, **q1)
    c = d.const("c", b_shape, type_, data, **q2)
    y = m.tensor("y", out, type=type_, **qo)
    d.op()
    if name in ("MAXIMUM", "MINIMUM"):
        m.op(name, [a, c], [y])
    else:
        # TFLM's int32 ADD and MUL leave out the fused activation (LiteRT's,
        # and sprat's, clamp): none on raw integers.
        act = ACTS[int(rng.choice([0, 0, 1, 2, 3]))] if type_ in ("int8", "int16", "float32") else "NONE"
        m.op(name, [a, c], [y], fused_activation_function=act)
    return m.finish([a], [y]), f"{type_} {a_shape} {name} decoded {b_shape} -> {out} {d.describe()}"


# Not here, since TFLM is these models' oracle: FULLY_CONNECTED (TFLM's
# int8 and 16x8 ones round twice where LiteRT's, and sprat's, round once:
# off by one now and then with plain constants too) and int16 MUL (likewise);
# tests/test_decode.py checks decoded FULLY_CONNECTED weights against
# LiteRT on the uncompressed model.


def decode_int8(rng):
    """int8 weights, int32 biases, an int8 constant operand."""
    r = rng.random()
    if r < 0.4:
        return _conv(rng, False)
    if r < 0.75:
        return _conv(rng, True)
    return _binary(rng, ["ADD", "MUL"][int(rng.integers(0, 2))], "int8")


def decode_int16(rng):
    """16x8 convolutions (int8 weights, int64 biases), an int16 constant
    operand."""
    if rng.random() < 0.5:
        return _conv(rng, rng.random() < 0.5, int16=True)
    return _binary(rng, "ADD", "int16")


def decode_int32(rng):
    return _binary(rng, ["ADD", "MUL", "MAXIMUM"][int(rng.integers(0, 3))], "int32")


def decode_int64(rng):
    return _binary(rng, ["MAXIMUM", "MINIMUM"][int(rng.integers(0, 2))], "int64")


def decode_float32(rng):
    return _binary(rng, ["ADD", "MUL"][int(rng.integers(0, 2))], "float32")


def decode_bool(rng):
    """x AND/OR a decoded bool constant."""
    a_shape, b_shape, out = _shapes(rng, False)
    while np.prod(a_shape) < 6:  # two draws of a few bools are often the same
        a_shape, b_shape, out = _shapes(rng, False)
    m = ModelWriter()
    d = Decoder(m, rng)
    r = rng.random()
    data = rng.random(b_shape) < (0.5 if r < 0.5 else (0.1 if r < 0.75 else 0.9))
    name = ["LOGICAL_AND", "LOGICAL_OR"][int(rng.integers(0, 2))]
    data.flat[int(rng.integers(0, data.size))] = name == "LOGICAL_AND"  # an element passing the input through
    a = m.tensor("a", a_shape, type="bool")
    c = d.const("c", b_shape, "bool", data)
    y = m.tensor("y", out, type="bool")
    d.op()
    m.op(name, [a, c], [y])
    return m.finish([a], [y]), f"bool {a_shape} {name} decoded {b_shape} {d.describe()}"


GENERATORS = {
    "CUSTOM:" + CODE: decode_int8,
    "CUSTOM:" + CODE + "_INT16": decode_int16,
    "CUSTOM:" + CODE + "_INT32": decode_int32,
    "CUSTOM:" + CODE + "_INT64": decode_int64,
    "CUSTOM:" + CODE + "_FLOAT32": decode_float32,
    "CUSTOM:" + CODE + "_BOOL": decode_bool,
}
