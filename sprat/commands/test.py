"""sprat test: every test sprat has: the host tests tools/sprat ran before
entering the build environment (tests/host/), Bazel's test matrix (host and QEMU
targets) then pytest, ending with one line 'N passed, N failed, N skipped'
that counts both. Exits non-zero on any failure."""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from absl import flags

from sprat.build import BAZEL, REPO

FLAGS = flags.FLAGS
flags.DEFINE_string("bazel_targets", "//...", "Bazel test pattern.")
flags.DEFINE_string("pytest_args", "", "Extra pytest arguments (e.g. '-k foo').")
flags.DEFINE_bool("bazel", True, "Run Bazel's tests.")
flags.DEFINE_bool("pytest", True, "Run pytest.")
flags.DEFINE_bool("host", True, "Count the host tests (tests/host/), which tools/sprat runs "
                  "outside the build environment before entering it.")

# Bazel's per-target summary line, e.g. "//harness:foo   (cached) PASSED in 0.3s".
_SUMMARY = re.compile(r"^(//\S+|@\S+)\s+(?:\(cached\)\s+)?"
                      r"(PASSED|FLAKY|FAILED TO BUILD|FAILED|TIMEOUT|NO STATUS|INCOMPLETE|REMOTE FAILURE|SKIPPED)\b")


def run_bazel():
    """Returns (passed, failed, skipped, failed names)."""
    cmd = [BAZEL, "test", FLAGS.bazel_targets, "--test_summary=short", "--noshow_progress"]
    print(f"sprat test: {' '.join(cmd[1:])}", flush=True)
    p = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    passed = failed = skipped = 0
    names = []
    for line in p.stdout:
        sys.stdout.write(line)
        m = _SUMMARY.match(line.strip())
        if not m:
            continue
        status = m.group(2)
        if status in ("PASSED", "FLAKY"):
            passed += 1
        elif status == "SKIPPED":
            skipped += 1
        else:
            failed += 1
            names.append(m.group(1))
    rc = p.wait()
    if rc not in (0, 3) and failed == 0:  # 3: some tests failed (counted above)
        failed += 1  # the build itself failed before any test ran
        names.append(f"bazel test (exit {rc})")
    return passed, failed, skipped, names


def run_pytest():
    with tempfile.TemporaryDirectory() as tmp:
        xml = os.path.join(tmp, "pytest.xml")
        cmd = [sys.executable, "-m", "pytest", "tests", "-rs", "-p", "no:cacheprovider", "--durations=15",
               f"--junitxml={xml}"]  # the slowest tests listed: where the CI time goes
        cmd += shlex.split(FLAGS.pytest_args)
        print(f"sprat test: {' '.join(cmd[1:])}", flush=True)
        rc = subprocess.call(cmd, cwd=REPO)
        if not os.path.exists(xml):
            return 0, 1, 0, [f"pytest (exit {rc}, no report)"]
        passed = failed = skipped = 0
        names = []
        for case in ET.parse(xml).getroot().iter("testcase"):
            kinds = {child.tag for child in case}
            if kinds & {"failure", "error"}:
                failed += 1
                names.append(f"{case.get('classname')}::{case.get('name')}")
            elif "skipped" in kinds:
                skipped += 1
            else:
                passed += 1
        if rc not in (0, 1, 5) and failed == 0:  # 1: tests failed; 5: none collected
            failed += 1
            names.append(f"pytest (exit {rc})")
        return passed, failed, skipped, names


def host_results():
    """The tests tools/sprat ran on the host (tests/host/run's lines)."""
    path = os.environ.get("SPRAT_HOST_RESULTS", "")
    if not path or not os.path.exists(path):
        print("sprat test: the host tests (tests/host/) run only through tools/sprat test", flush=True)
        return 0, 0, 0, []
    passed = failed = skipped = 0
    names = []
    with open(path) as f:
        for line in f:
            kind, _, rest = line.strip().partition(" ")
            if kind == "passed":
                passed += 1
            elif kind == "skipped":
                skipped += 1
            elif kind == "failed":
                failed += 1
                names.append(rest)
    os.unlink(path)
    return passed, failed, skipped, names


def main(argv):
    if len(argv) > 1:
        print(f"sprat test: unexpected arguments {argv[1:]}", file=sys.stderr)
        return 2
    totals = [0, 0, 0]
    failures = []
    runners = ((FLAGS.host, host_results), (FLAGS.bazel, run_bazel), (FLAGS.pytest, run_pytest))
    for enabled, runner in runners:
        if not enabled:
            continue
        p, f, s, names = runner()
        totals = [totals[0] + p, totals[1] + f, totals[2] + s]
        failures += names
    for name in failures:
        print(f"FAILED {name}")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0
