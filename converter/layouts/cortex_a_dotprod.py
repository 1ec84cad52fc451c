"""The Cortex-A dot-product kernel library (kernels/cortex_a built with
SDOT, Cortex-A55): layout PLAIN, no scratch, as cortex_a_neon."""

from converter.layouts.plain import LAYOUT, conv, conv_scratch_bytes, depthwise_scratch_bytes  # noqa: F401

NAME = "cortex_a_dotprod"
