"""A corrupt or truncated blob gets an error status, never a crash or an
out-of-bounds access: the runtime, built with AddressSanitizer and
UndefinedBehaviorSanitizer, is fed every single-byte flip of the header and
tables (as is, and with the CRC recomputed so the structural checks are the
ones tested), and truncations at each 1/64 of the length; the models: kws, a random
multi-op graph, a block fused into FUSED_ROWS (its record's every
byte flipped, the dry run of its schedule the check that holds), a
chain of data movement (backward COPY walks, PAD, phase copies), a
chain of every int16 op, one of every gather-family kernel, and one of
comparisons, logical ops, SELECT_V2, CAST and REDUCE_ALL/ANY."""

import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

from conftest import REPO, shared_model
from converter.convert import convert
from sprat import build
from sprat import host as H

# What both drivers start with: the host runtime, the blob, its section
# table (kind, offset, size, count) and where its tables end (the weights).
DRIVER_HEAD = r"""
import struct, sys, zlib
sys.path.insert(0, REPO)
from sprat.host import Host
h = Host(SO)
blob = open(BLOB, 'rb').read()
sections = struct.unpack_from('<I', blob, 32)[0]
entries = [struct.unpack_from('<IIII', blob, sections + 16 * i) for i in range(struct.unpack_from('<I', blob, 28)[0])]
tables_end = [e[1] for e in entries if e[0] == 6][0]
"""

DRIVER = DRIVER_HEAD + r"""
ok = {'flip': 0, 'flip_crc_fixed': 0, 'truncated': 0}
runs = dict(ok)
def run(kind, b):
    s, _, _ = h.init_only(bytes(b), ARENA)
    runs[kind] += 1
    ok[kind] += s == 0
for i in range(tables_end):
    b = bytearray(blob)
    b[i] ^= 0xFF
    run('flip', b)
    if i not in range(12, 16):
        struct.pack_into('<I', b, 12, 0)
        struct.pack_into('<I', b, 12, zlib.crc32(bytes(b[:tables_end])))
        run('flip_crc_fixed', b)
for k in range(64):
    run('truncated', blob[:len(blob) * k // 64])
print('RESULT', repr((runs, ok)))
"""


def _driver_env():
    libasan = subprocess.run(["gcc", "-print-file-name=libasan.so"], stdout=subprocess.PIPE, text=True).stdout.strip()
    libubsan = subprocess.run(["gcc", "-print-file-name=libubsan.so"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return dict(os.environ, LD_PRELOAD=f"{libasan}:{libubsan}", ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
                UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")


def _run_driver(model, tmp_path, driver):
    """Runs a driver script over a converted model's blob with the runtime
    built under ASan/UBSan; returns what it printed after RESULT."""
    if model == "kws":
        r = convert(shared_model("kws_ref_model"))
    elif model == "fused":
        from test_fused import _blob_with_fused
        r = _blob_with_fused()
    elif model == "movement":
        from test_movement import movement_model
        r = convert(movement_model())
    elif model == "int16":
        from test_int16 import chain16
        r = convert(chain16(np.random.default_rng(1))[0])
    elif model == "gather":
        from test_gather import gather_model
        r = convert(gather_model())
    elif model == "logic":
        from test_logic import logic_model
        r = convert(logic_model())
    else:
        from test_models_host import _graph
        r = convert(_graph(np.random.default_rng(1), True, True, True))
    return run_driver_on(r, tmp_path, driver)


def run_driver_on(r, tmp_path, driver=None, timeout=900):
    """The driver (by default DRIVER: every byte flipped, every truncation)
    over converter Result r's blob, the runtime built under ASan/UBSan;
    what it printed after RESULT. The op families' tests use it too."""
    blob_path = tmp_path / "m.sprat"
    blob_path.write_bytes(r.blob)
    so = build.build("//runtime:libsprat_host_asan.so")
    code = f"REPO={REPO!r}; SO={so!r}; BLOB={str(blob_path)!r}; ARENA={r.arena_for(8)}\n" + (driver or DRIVER)
    p = subprocess.run([sys.executable, "-c", code], env=_driver_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    # A sanitizer report aborts the driver: no RESULT line, non-zero exit.
    assert p.returncode == 0 and "RESULT" in p.stdout, p.stdout[-3000:]
    return eval(p.stdout.split("RESULT", 1)[1].strip())


@pytest.mark.parametrize("model", ["kws", "multi_op", "fused", "movement", "int16", "gather", "logic"])
def test_corrupt_blobs_fail_cleanly(in_build_env, tmp_path, model):
    runs, ok = _run_driver(model, tmp_path, DRIVER)
    assert runs["flip"] > 500 and runs["truncated"] == 64
    # Every flip and every truncation is caught. With the CRC made to match,
    # a flip may still be a valid model (another zero point, say): those only
    # have to run without a fault, which the sanitizers checked.
    assert ok["flip"] == 0 and ok["truncated"] == 0, (runs, ok)


def test_arena_too_small_says_how_much(host):
    r = convert(shared_model("kws_ref_model"))
    s, _, need = host.init_only(r.blob, r.arena_for(8) - 16)
    assert H.STATUS[s] == "ARENA_TOO_SMALL" and need == r.arena_for(8)
    s, _, _ = host.init_only(r.blob, r.arena_for(8))
    assert s == 0


STORAGE_DRIVER = DRIVER_HEAD + r"""
_, t_off, _, t_count = [e for e in entries if e[0] == 1][0]
runs = ok = 0
for t in range(t_count):
    b = bytearray(blob)
    b[t_off + 48 * t + 2] ^= 1  # arena <-> constant
    struct.pack_into('<I', b, 12, 0)
    struct.pack_into('<I', b, 12, zlib.crc32(bytes(b[:tables_end])))
    s, _, _ = h.init_only(bytes(b), ARENA)
    runs += 1
    ok += s == 0
print('RESULT', repr((runs, ok)))
"""


@pytest.mark.parametrize("model", ["kws", "multi_op", "fused", "int16", "gather"])
def test_tensor_storage_swapped(in_build_env, tmp_path, model):
    """Every tensor marked arena instead of constant (or the reverse), the
    CRC made to match: init and invoke under the sanitizers never read an
    arena tensor's contents at init (it has none yet) or fault."""
    runs, ok = _run_driver(model, tmp_path, STORAGE_DRIVER)
    assert runs > 10, runs
