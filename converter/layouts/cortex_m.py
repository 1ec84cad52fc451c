"""Layout ARMV7EM (kernels/cortex_m, the ARMv7E-M DSP library).

The bias is folded with the input offset, bias'[c] = bias[c] + input_offset
* sum(filter[c]), so kernels accumulate raw int8 products with SMLAD and
read padded taps as the input zero point. CONV_2D and FULLY_CONNECTED
filters are reordered for the GEMM kernels (`interleave`, the twin of
kernels/cortex_m/conv/filter_order.h): the kernels unpack filter and input
bytes with the same SXTB16 pattern, so the pairs they multiply already
match. DEPTHWISE_CONV_2D filters are grouped by 4 channels (`dw_order`,
the twin of kernels/cortex_m/depthwise/dw_filter_order.h). A layer whose folded bias or
accumulators could leave int32 stays in layout PLAIN (the library runs
that too, with the portable kernels).
"""

import numpy as np

from converter.layouts import plain

LAYOUT = 1
NAME = "cortex_m_dsp"
FAST_REQUANT = 1  # SPRAT_CONV_FAST_REQUANT
PREPARED = 2  # SPRAT_CONV_PREPARED: the kernels' records (and depthwise lanes) after the bias


def _rows(w, kind):
    """The filter as [out_c, taps] int64 rows."""
    w = np.asarray(w, np.int64)
    if kind == "depthwise":  # [1, kh, kw, out_c]
        return w.reshape(-1, w.shape[-1]).T
    return w.reshape(w.shape[0], -1)


def interleave(rows):
    """[rows, depth] int8 filter rows in the kernels' order, flat.

    With G = depth // 4 and t = depth % 4: for each pair of rows, their
    4-byte groups alternating (row 2j's bytes 4g..4g+3, then row 2j+1's);
    an odd last row's groups alone; then every row's last t bytes. A pair's
    groups start 8-byte aligned (one LDRD per group), and each tail is read
    as the word that ends at it.
    """
    rows = np.asarray(rows)
    n, depth = rows.shape
    g = depth // 4
    head = rows[:, :4 * g]
    parts = []
    if n >= 2:
        pairs = head[:n - n % 2].reshape(n // 2, 2, g, 4).transpose(0, 2, 1, 3)
        parts.append(pairs.reshape(-1))
    if n % 2:
        parts.append(head[n - 1].reshape(-1))
    parts.append(rows[:, 4 * g:].reshape(-1))
    return np.concatenate(parts)


def dw_order(taps):
    """[taps, channels] int8 depthwise filter in the kernels' order, flat:
    for each group of 4 channels, each tap's 4 bytes; then each tap's last
    channels % 4 bytes."""
    taps = np.asarray(taps)
    k, c = taps.shape
    g = c // 4
    head = taps[:, :4 * g].reshape(k, g, 4).transpose(1, 0, 2).reshape(-1)
    return np.concatenate([head, taps[:, 4 * g:].reshape(-1)])


def _mbqm(x, m, shift):
    """TFLite's two-rounding requantization of one int32 (as
    kernels/portable/fixedpoint.h computes it)."""
    left, right = max(shift, 0), max(-shift, 0)
    a = ((int(x) << left) + 2**31) % 2**32 - 2**31  # the C code's wrapping shift
    if a == m == -2**31:
        y = 2**31 - 1
    else:
        ab = a * int(m)
        t = ab + (2**30 if ab >= 0 else 1 - 2**30)
        y = abs(t) >> 31 if t >= 0 else -(abs(t) >> 31)  # truncation toward zero
    mask = (1 << right) - 1
    threshold = (mask >> 1) + (1 if y < 0 else 0)
    return (y >> right) + (1 if (y & mask) > threshold else 0)


def _has_fast_form(m, shift):
    """The kernels' per-channel fast requantization (requant.h:
    sprat_cm_rq_make) covers this channel."""
    return m >= 2**30 and -22 <= shift <= -1


def _constant_channels(rows, bias, mults, shifts, output_offset):
    """Pruned channels (all-zero filter rows) whose multiplier has no fast
    form, rewritten so that it has one: such a channel's accumulator is its
    bias at every pixel, so its output is the constant
    q = clamp(mbqm(bias) + offset, -128, 127), and bias 4 * (q - offset) with
    multiplier 2^30 and shift -1 gives exactly q. One such channel would
    otherwise put the whole layer on the exact (64-bit) requantization."""
    mults, shifts = list(np.broadcast_to(mults, (len(bias),))), list(shifts)
    zero = ~np.any(rows != 0, axis=1)
    for c in np.nonzero(zero)[0]:
        if _has_fast_form(mults[c], shifts[c]):
            continue
        q = min(127, max(-128, _mbqm(bias[c], mults[c], shifts[c]) + output_offset))
        bias[c], mults[c], shifts[c] = 4 * (q - output_offset), 2**30, -1
    return bias, mults, shifts


def conv(w, bias, mults, shifts, input_offset, output_offset, kind):
    rows = _rows(w, kind)
    oc = rows.shape[0]
    b = np.zeros(oc, np.int64) if bias is None else np.asarray(bias, np.int64)
    folded = b + int(input_offset) * rows.sum(axis=1)
    abs_w = np.abs(rows).sum(axis=1)
    # Kernels add raw products to the folded bias: every partial sum must
    # stay in int32 (|x| <= 128).
    if np.any(np.abs(folded) + 128 * abs_w >= 2**31):
        return plain.conv(w, bias, mults, shifts, input_offset, output_offset, kind)
    if kind != "fc":  # FULLY_CONNECTED rounds once, by its own code
        b, mults, shifts = _constant_channels(rows, b.copy(), mults, shifts, int(output_offset))
        folded = b + int(input_offset) * rows.sum(axis=1)
    # The final accumulator equals TFLite's: bias + sum(w * (x + offset)).
    widest = max(abs(-128 + int(input_offset)), abs(127 + int(input_offset)))
    bound = np.abs(b) + widest * abs_w
    flags = 0
    if np.all(np.asarray(shifts) <= -1) and np.all(bound < 2**30):
        flags |= FAST_REQUANT
    if kind == "depthwise":
        w = dw_order(np.asarray(w).reshape(-1, oc)).reshape(np.shape(w)).astype(np.int8)
    else:
        w = interleave(np.asarray(w).reshape(oc, -1)).reshape(np.shape(w)).astype(np.int8)
    return w, folded.astype(np.int32), LAYOUT, flags, mults, shifts


def conv_scratch_bytes(p):
    """Twin of sprat_cm_conv2d_s8_get_buffer_size (kernels/cortex_m/conv/
    conv_s8.c). The GEMM path (ungrouped, undilated, depth >= 4) keeps a
    record per pair of output channels (biases, unpacked tail weights when
    depth % 4 != 0, requantization constants: 10 or 14 words), the panel
    (two pixels' windows as int16: 16 bytes per 4 inputs) and two staging
    rows (4 bytes per 4 inputs each; at least out_c bytes in all)."""
    _, kh, kw, fc = p["filter"]
    depth = kh * kw * fc
    if fc != p["in"][3] or p["dilation_h"] != 1 or p["dilation_w"] != 1 or depth < 4:
        return 0
    record_words = 14 if depth % 4 else 10
    quads = (depth + 3) // 4
    records = 0 if _prepared(p) else 4 * record_words * ((p["out"][3] + 1) // 2)
    return records + 16 * quads + 4 * max(2 * quads, (p["out"][3] + 3) // 4)


def depthwise_scratch_bytes(p):
    """Twin of sprat_cm_depthwise_conv2d_s8_get_buffer_size (kernels/
    cortex_m/depthwise/depthwise_s8.c): the fast requantization's
    constants (12 bytes per output channel, with the flag), for windows 3
    or 5 taps wide with the flag the filter split into SXTB16 lanes (8
    bytes per tap and 4 channels), and one gathered window (kh * kw * output channels, rounded
    up to 4 bytes)."""
    _, kh, kw, c = p["filter"]
    fast = bool(p["flags"] & FAST_REQUANT) and not _prepared(p)
    records = 12 * p["out"][3] if fast else 0
    lanes = 8 * kh * kw * (p["out"][3] // 4) if fast and kw in (3, 5) and p["out"][3] >= 4 else 0
    return records + lanes + (kh * kw * c + 3) // 4 * 4


def _prepared(p):
    return bool(p.get("flags", 0) & PREPARED) and bool(p.get("flags", 0) & FAST_REQUANT)


# ---- constants the kernels read after the bias (SPRAT_CONV_PREPARED) ----

def _sxtb16(w):
    lo, hi = w & 0xFF, (w >> 16) & 0xFF
    return ((hi - 256 * (hi >= 128)) & 0xFFFF) << 16 | ((lo - 256 * (lo >= 128)) & 0xFFFF)


def _sxtb16_ror8(w):
    return _sxtb16(((w >> 8) | (w << 24)) & 0xFFFFFFFF)


def _word(buf, at):
    return int.from_bytes(buf[at:at + 4], "little")


def _rq(mult, shift, offset):
    """Twin of sprat_cm_rq_make (requant.h): (m2, c, r) or None."""
    r = -int(shift)
    if int(mult) < 2**30 or not 1 <= r <= 22:
        return None
    return [(int(mult) << 1) & 0xFFFFFFFF, (2 * int(offset) + 1) * (1 << (r - 1)), r]


def prepare(p, filt, folded, mults, shifts):
    """The words the kernels would build in scratch at each call, made
    offline: for CONV_2D on the GEMM path, one record per pair of output
    channels (twin of make_records, conv_s8_impl.h); for DEPTHWISE_CONV_2D
    each channel's requantization record, then the filter's SXTB16 lanes
    when the assembly kernels run it (twin of depthwise_s8_impl.h). None
    where the kernels would not use them (no fast requantization for every
    channel, or another path)."""
    if not p["flags"] & FAST_REQUANT:
        return None
    oc, offset = p["out"][3], p["output_offset"]
    rqs = [_rq(m, s, offset) for m, s in zip(np.broadcast_to(mults, (oc,)), np.broadcast_to(shifts, (oc,)))]
    if any(q is None for q in rqs):
        return None
    buf = np.asarray(filt, np.int8).tobytes()
    _, kh, kw, fc = p["filter"]
    if p["depth_multiplier"]:  # depthwise
        words = [w & 0xFFFFFFFF for q in rqs for w in q]
        if kw in (3, 5) and oc >= 4:
            for i in range(kh * kw * (oc // 4)):
                w = _word(buf, 4 * i)
                words += [_sxtb16(w), _sxtb16_ror8(w)]
        return np.asarray(words, np.uint32).view(np.int32)
    depth = kh * kw * fc
    if fc != p["in"][3] or p["dilation_h"] != 1 or p["dilation_w"] != 1 or depth < 4:
        return None
    groups, t = depth // 4, depth % 4
    record = 14 if t else 10
    tails = 4 * groups * oc
    words = []
    for c in range(0, oc, 2):
        c1 = c + 1 if c + 1 < oc else c
        r = [int(folded[c]), int(folded[c1]), int(folded[c]), int(folded[c1])]
        if t:
            w0, w1 = _word(buf, tails + (c + 1) * t - 4), _word(buf, tails + (c1 + 1) * t - 4)
            r += [_sxtb16(w0), _sxtb16_ror8(w0), _sxtb16(w1), _sxtb16_ror8(w1)]
        r += rqs[c] + rqs[c1]
        assert len(r) == record
        words += [w & 0xFFFFFFFF for w in r]
    return np.asarray(words, np.uint32).view(np.int32)
