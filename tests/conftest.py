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
