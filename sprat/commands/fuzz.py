"""sprat fuzz TARGET [--seconds N]: coverage-guided fuzzing of sprat's
input handling, under AddressSanitizer and UBSan.

Targets:
  runtime      sprat_model_init + sprat_invoke on mutated blobs (libFuzzer)
  runtime_crc  the same with the tables' CRC recomputed after each
               mutation, so the structural checks are what is fuzzed
  converter    the .tflite reader, passes and lowering (atheris): only
               ConvertError may come out
  all          each of them in turn, --seconds each

The seed corpora (fuzz/corpus/) are models made by the project's own
writer and converter (`sprat fuzz --make_corpus` remakes them); a run grows
a working copy outside the checkout and writes any crashing input there
(the path is printed). Once fixed, a crashing input goes into
fuzz/regressions/TARGET/, which every run (and `sprat test`) replays first. `sprat test`
runs each target briefly; run them for as long as you like here."""

import functools
import glob
import os
import re
import shutil
import subprocess
import sys

from absl import flags

from sprat import build, native

FLAGS = flags.FLAGS
flags.DEFINE_integer("seconds", 60, "How long to fuzz each target.")
flags.DEFINE_bool("make_corpus", False, "Remake the seed corpora in fuzz/corpus/ from the op suite's models.")
flags.DEFINE_string("work_dir", None, "Where the fuzzers, working corpora and crashing inputs go (default: next to "
                    "Bazel's output tree, outside the checkout).")

TARGETS = ("runtime", "runtime_crc", "converter")
CORPUS = os.path.join(build.REPO, "fuzz", "corpus")


def work_dir():
    """Outside the checkout: next to Bazel's output tree."""
    if FLAGS.is_parsed() and FLAGS.work_dir:
        return FLAGS.work_dir
    root = os.environ.get("SPRAT_BAZEL_ROOT", os.path.join(os.path.expanduser("~"), ".cache", "sprat", "bazel"))
    return os.path.join(os.path.dirname(root.rstrip("/")), "fuzz")


def _build_runtime_fuzzer(fix_crc):
    return _build_runtime_fuzzer_in(fix_crc, work_dir())


@functools.lru_cache(maxsize=None)  # replay and run share one build per process
def _build_runtime_fuzzer_in(fix_crc, work):
    out = os.path.join(work, "bin", "runtime_crc" if fix_crc else "runtime")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    srcs = [s for s in native.sources(build.REPO) if not s.startswith("runtime/host/")]
    cmd = ["clang", "-g", "-O1", "-std=c99", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
           *[f"-I{os.path.join(build.REPO, d)}" for d in native.INCLUDE_DIRS],
           *(["-DSPRAT_FUZZ_FIX_CRC"] if fix_crc else []),
           os.path.join(build.REPO, "fuzz", "runtime_fuzz.c"), *[os.path.join(build.REPO, s) for s in srcs],
           "-lm", "-o", out]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise build.BuildError(f"building the runtime fuzzer failed:\n{p.stdout[-3000:]}")
    return [out]


def run(target, seconds):
    """Fuzzes one target; returns a dict of what happened."""
    base = os.path.join(work_dir(), target)
    corpus, artifacts = os.path.join(base, "corpus"), os.path.join(base, "artifacts") + "/"
    os.makedirs(corpus, exist_ok=True)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts)
    seeds = os.path.join(CORPUS, "converter" if target == "converter" else "runtime")
    for f in glob.glob(os.path.join(seeds, "*")):
        shutil.copy(f, corpus)
    if target == "converter":
        cmd = [sys.executable, os.path.join(build.REPO, "fuzz", "converter_fuzz.py")]
        limits = ["-timeout=30", "-rss_limit_mb=6000"]
    else:
        cmd = _build_runtime_fuzzer(target == "runtime_crc")
        limits = ["-timeout=10", "-rss_limit_mb=4096"]
    cmd += [corpus, f"-max_total_time={seconds}", f"-artifact_prefix={artifacts}", "-print_final_stats=1", *limits]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1",
               PYTHONPATH=build.REPO)
    p = subprocess.run(cmd, cwd=base, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = p.stdout
    with open(os.path.join(base, "last.log"), "w") as f:
        f.write(log)
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    cov = re.findall(r"#\d+\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)", log)
    crashes = sorted(glob.glob(artifacts + "*"))
    return {"target": target, "seconds": seconds, "exit": p.returncode,
            "executions": int(execs[-1]) if execs else 0,
            "coverage": int(cov[-1][0]) if cov else 0, "features": int(cov[-1][1]) if cov else 0,
            "corpus": len(os.listdir(corpus)), "crashes": crashes, "log": os.path.join(base, "last.log"),
            "tail": log[-2500:]}


REGRESSIONS = os.path.join(build.REPO, "fuzz", "regressions")


def replay(target):
    """Runs every input once that a fuzzer once crashed on
    (fuzz/regressions/TARGET/); returns (inputs, exit code, log tail)."""
    files = sorted(glob.glob(os.path.join(REGRESSIONS, target, "*")))
    if not files:
        return 0, 0, ""
    if target == "converter":
        cmd = [sys.executable, os.path.join(build.REPO, "fuzz", "converter_fuzz.py")]
    else:
        cmd = _build_runtime_fuzzer(target == "runtime_crc")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1",
               PYTHONPATH=build.REPO)
    p = subprocess.run(cmd + files, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return len(files), p.returncode, p.stdout[-2500:]


def make_corpus():
    """The op suite's models (.tflite) and their blobs, one per op."""
    sys.path.insert(0, os.path.join(build.REPO, "tests"))
    import numpy as np
    import opsuite
    from converter.convert import convert
    for kind in ("converter", "runtime"):
        shutil.rmtree(os.path.join(CORPUS, kind), ignore_errors=True)
        os.makedirs(os.path.join(CORPUS, kind))
    for k, (name, gen) in enumerate(opsuite.GENERATORS.items()):
        data, _ = gen(np.random.default_rng(k))
        stem = name.lower()
        with open(os.path.join(CORPUS, "converter", stem + ".tflite"), "wb") as f:
            f.write(data)
        with open(os.path.join(CORPUS, "runtime", stem + ".sprat"), "wb") as f:
            f.write(convert(data).blob)
    # Variants a first draw may miss: a SOFTMAX wide enough for its exp table.
    for k in range(1000):
        data, _ = opsuite.GENERATORS["SOFTMAX"](np.random.default_rng([k, 1]))
        r = convert(data)
        if any(len(op.inputs) == 2 for op in r.ops):
            with open(os.path.join(CORPUS, "runtime", "softmax_table.sprat"), "wb") as f:
                f.write(r.blob)
            with open(os.path.join(CORPUS, "converter", "softmax_table.tflite"), "wb") as f:
                f.write(data)
            break
    print(f"sprat fuzz: wrote {len(opsuite.GENERATORS) + 1} models and blobs to {CORPUS}")


def main(argv):
    if FLAGS.make_corpus:
        make_corpus()
        return 0
    if len(argv) != 2 or argv[1] not in TARGETS + ("all",):
        print(f"usage: sprat fuzz {{{'|'.join(TARGETS + ('all',))}}} [--seconds N]", file=sys.stderr)
        return 2
    failed = False
    for target in TARGETS if argv[1] == "all" else (argv[1],):
        n, code, tail = replay(target)
        if code != 0:
            print(f"sprat fuzz {target}: a regression input crashes again:\n{tail}", file=sys.stderr)
            failed = True
            continue
        build.progress(f"fuzzing {target} for {FLAGS.seconds} s ({n} regression inputs replayed)")
        r = run(target, FLAGS.seconds)
        print(f"sprat fuzz {target}: {r['executions']:,} executions in {r['seconds']} s, coverage {r['coverage']} "
              f"edges ({r['features']} features), corpus {r['corpus']}, "
              f"{len(r['crashes'])} crashing inputs" + (f": {', '.join(r['crashes'])}" if r["crashes"] else ""))
        if r["crashes"] or r["exit"] != 0:
            failed = True
            print(r["tail"], file=sys.stderr)
            print(f"sprat fuzz {target}: log {r['log']}", file=sys.stderr)
    return 1 if failed else 0
