"""Generated layers (converter/codegen, `sprat convert --generate`): each
convolution, depthwise and fully connected layer compiled with its record
as a constant, under QEMU on the Cortex-M DSP library, byte for byte
against LiteRT's reference kernels on randomized layers and the shared
models; and the runtime refusing code that is missing or another model's."""

import dataclasses
import re
import os
import struct
import zlib

import numpy as np
import pytest

import opsuite
from conftest import SHARED_NAMES, shared_model
from converter import codegen
from converter.convert import convert
from sprat import jobs, reference
from test_ops_host import seed
from test_qemu import _compare

pytestmark = pytest.mark.usefixtures("in_build_env")
TARGET = "qemu_cortex_m7"
GEN_CONFIGS = int(os.environ.get("SPRAT_GEN_CONFIGS", "60"))  # per op
SPRAT_ERR_GENERATED_CODE = 12


def _pairs_layers(tag):
    """(seed index, model, description) of random depthwise layers the
    pairs variant applies to, endlessly."""
    i = 0
    while True:
        data, desc = opsuite.GENERATORS["DEPTHWISE_CONV_2D"](np.random.default_rng(seed(tag, i)))
        i += 1
        r = convert(data, target=TARGET, generate=True)
        if "pairs" in codegen.variants(r.library, r.ops[0]):
            yield i - 1, data, desc, r


def _variant_choice(r, i):
    """Each generated layer of r on one of its variants, turn by turn with i."""
    return {k: codegen.variants(r.library, r.ops[k])[i % len(codegen.variants(r.library, r.ops[k]))]
            for k in r.generated}


def test_generated_layers_bitexact():
    """Randomized conv, depthwise and FC layers (odd channels, 1-pixel
    images, padding on every border, strides, dilation), all generated,
    each variant in turn; every fourth model generated on some of its
    layers only."""
    js, expect = [], []
    for op_name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        for i in range(GEN_CONFIGS):
            data, desc = opsuite.GENERATORS[op_name](np.random.default_rng(seed(op_name, i)))
            r = convert(data, target=TARGET, generate=True)
            want = _variant_choice(r, i)
            if i % 4 == 3 and len(r.generated) > 1:
                want = {k: want[k] for k in sorted(want)[::2]}
            r = convert(data, target=TARGET, generate=want)
            x = reference.random_inputs(r, 5 * i)
            js.append((r, x))
            expect.append((f"{op_name} config {i}: {desc} (generated {r.variants})", reference.run(data, x)))
    assert sum(len(r.generated) for r, _ in js) >= 2 * GEN_CONFIGS  # most layers take a template
    _compare(jobs.run_jobs(TARGET, js, generated=True), expect)


def test_depthwise_pairs_bitexact():
    """The depthwise 'pairs' variant (two pixels a pass, a ring of padded
    rows) on the randomized layers it applies to: channels a multiple of 4,
    1-pixel and odd-width images, padding on every border, strides, column
    dilation, windows 1 to 5 high, rows read in place (VALID padding) or
    through the ring (SAME)."""
    js, expect = [], []
    for i, data, desc, _ in _pairs_layers("dw_pairs"):
        if len(js) == GEN_CONFIGS:
            break
        r = convert(data, target=TARGET, generate={0: "pairs"})
        x = reference.random_inputs(r, i + 1)
        js.append((r, x))
        expect.append((f"DEPTHWISE_CONV_2D pairs config {i}: {desc}", reference.run(data, x)))
    _compare(jobs.run_jobs(TARGET, js, generated=True), expect)


def test_shared_models_generated():
    js, expect = [], []
    for name in SHARED_NAMES:
        data = open(shared_model(name), "rb").read()
        r = convert(data, target=TARGET, generate=True)
        assert r.generated, f"{name}: no layer was generated"
        x = reference.random_inputs(r, 3)
        js.append((r, x))
        expect.append((name, reference.run(data, x)))
    _compare(jobs.run_jobs(TARGET, js, generated=True), expect)


def _with_params_changed(r, k):
    """r's blob with op k's output offset changed (still valid), CRC recomputed."""
    b = bytearray(r.blob)
    n_sec, sec_off = struct.unpack_from("<II", b, 28)
    sec = {struct.unpack_from("<I", b, sec_off + 16 * i)[0]: struct.unpack_from("<III", b, sec_off + 16 * i + 4)
           for i in range(n_sec)}
    ops_off, params_off, consts_off = sec[2][0], sec[4][0], sec[6][0]
    poff = struct.unpack_from("<I", b, ops_off + 20 * k + 12)[0]
    at = params_off + poff + 4 * 19  # a conv record's output_offset
    word = struct.unpack_from("<i", b, at)[0]
    struct.pack_into("<i", b, at, word + 1 if word < 127 else word - 1)
    struct.pack_into("<I", b, 12, 0)
    struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[:consts_off])))
    return dataclasses.replace(r, blob=bytes(b))


def test_variants_keep_the_arena():
    """A variant with scratch of its own (the depthwise ring) is taken by
    default only where it leaves the arena as the library kernels' would;
    asked for (a variant dict, sprat tune --grow_arena) it may grow it."""
    data = open(shared_model("mobilenet_v2_0.30_80_int8"), "rb").read()
    lib = convert(data, target=TARGET)
    auto = convert(data, target=TARGET, generate=True)
    assert auto.arena_size <= lib.arena_size and "pairs" in auto.variants.values()
    # A lone depthwise layer is the arena's peak: pairs would grow it.
    for _, d, _, g in _pairs_layers("arena"):
        if convert(d, target=TARGET, generate={0: "pairs"}).arena_size > convert(d, target=TARGET).arena_size:
            break
    assert g.variants == {0: "direct"} and g.arena_size == convert(d, target=TARGET).arena_size
    assert convert(d, target=TARGET, generate=True, grow_arena=True).variants == {0: "pairs"}


def test_generated_code_mixups_refused():
    """Missing code, another model's code, code compiled for another
    record of the same layer, and code needing more scratch than the blob
    gives it (tables CRC forged to match) are refused at init with
    SPRAT_ERR_GENERATED_CODE, never run."""
    rng = np.random.default_rng(7)
    a_data, _ = opsuite.GENERATORS["CONV_2D"](rng)
    b_data, _ = opsuite.GENERATORS["DEPTHWISE_CONV_2D"](rng)
    a = convert(a_data, target=TARGET, generate=True)
    b = convert(b_data, target=TARGET, generate=True)
    plain = convert(a_data, target=TARGET)
    k = sorted(a.generated)[0]
    a2 = _with_params_changed(a, k)
    forged = dataclasses.replace(a, blob=a2.blob)  # a's code, a2's tables CRC
    xa = reference.random_inputs(a, 0)
    cases = [
        ("a without its code", a, None, {SPRAT_ERR_GENERATED_CODE}),
        ("a with b's code", a, b, {SPRAT_ERR_GENERATED_CODE}),
        ("an ungenerated blob with a's code", plain, a, {SPRAT_ERR_GENERATED_CODE}),
        ("a changed record with the old record's code", a2, forged, {SPRAT_ERR_GENERATED_CODE}),
        ("a with its own code", a, a, {0}),
    ]
    # Code needing more scratch than the blob's (pairs code, a blob made for
    # the direct variant, tables CRC forged to match): refused at init.
    for _, d_data, _, _ in _pairs_layers("scratch"):
        pairs = convert(d_data, target=TARGET, generate={0: "pairs"})
        direct = convert(d_data, target=TARGET, generate={0: "direct"})
        if direct.arena_size < pairs.arena_size:
            break
    xd = reference.random_inputs(direct, 0)
    cases += [("a blob with the direct variant's scratch, the pairs code", direct,
               dataclasses.replace(pairs, blob=direct.blob), {SPRAT_ERR_GENERATED_CODE}),
              ("the pairs variant with its own code", pairs, pairs, {0})]
    inputs = [xa] * (len(cases) - 2) + [xd, xd]
    results = jobs.run_jobs(TARGET, [(r, x) for (_, r, _, _), x in zip(cases, inputs)], generated=True,
                            code_sources=[c for _, _, c, _ in cases])
    bad = [f"{what}: status {st}, expected one of {sorted(ok)}"
           for (what, _, _, ok), (st, _) in zip(cases, results) if st not in ok]
    assert not bad, "\n".join(bad)


def test_build_rules_list_every_generated_file():
    from converter import codegen
    text = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules",
                             "generated_dir.bzl")).read()
    listed = re.search(r"MODEL_GEN_FILES = \[(.*?)\]", text).group(1)
    assert sorted(re.findall(r'"([^"]+)"', listed)) == sorted([codegen.TABLE_FILE] + codegen.all_family_files())
