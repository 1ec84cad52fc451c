import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import pytest  # noqa: E402

SHARED_MODELS = os.path.join(os.path.dirname(REPO), "shared", "models")


@pytest.fixture(scope="session")
def in_build_env():
    if os.environ.get("SPRAT_IN_ROOT") != "1":
        pytest.skip("needs the build environment: run through `tools/sprat test`")


@pytest.fixture(scope="session")
def host(in_build_env):
    from sprat import build
    from sprat.host import Host
    return Host(build.build("//runtime:libsprat_host.so"))


def shared_model(name):
    path = os.path.join(SHARED_MODELS, name + ".tflite")
    if not os.path.exists(path):
        pytest.skip(f"{path} is absent (the shared model zoo is not next to this checkout)")
    return path


SHARED_NAMES = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8", "mobilenet_v2_0.30_80_int8"]
