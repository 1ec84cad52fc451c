"""A bounded slice of the coverage-guided fuzzing (`sprat fuzz`, whose long
runs go in the closing notes): each target for SPRAT_FUZZ_SECONDS (default
15) from the seed corpus, under AddressSanitizer and UBSan. Any crashing
input fails the test, with the fuzzer's report."""

import os

import pytest

from sprat.commands import fuzz

pytestmark = pytest.mark.usefixtures("in_build_env")
SECONDS = int(os.environ.get("SPRAT_FUZZ_SECONDS", "15"))


@pytest.mark.parametrize("target", fuzz.TARGETS)
def test_fuzz_regressions(target, tmp_path, monkeypatch):
    """Every input a fuzzer once crashed on (fuzz/regressions/) runs clean."""
    monkeypatch.setattr(fuzz, "work_dir", lambda: str(tmp_path))
    n, code, tail = fuzz.replay(target)
    assert code == 0, f"{target}: a regression input crashes again:\n{tail}"


@pytest.mark.parametrize("target", fuzz.TARGETS)
def test_fuzz_slice(target, tmp_path, monkeypatch):
    monkeypatch.setattr(fuzz, "work_dir", lambda: str(tmp_path))
    r = fuzz.run(target, SECONDS)
    assert not r["crashes"] and r["exit"] == 0, f"{target}: {r['crashes']}\n{r['tail']}"
    assert r["executions"] > 100 and r["coverage"] > 100, r
