"""The Cortex-A NEON kernel library (kernels/cortex_a, Cortex-A53): layout
PLAIN, which its kernels read as it is, with no scratch (so a blob made
for any target runs on it, and its blobs on any target)."""

from converter.layouts.plain import LAYOUT, conv, conv_scratch_bytes, depthwise_scratch_bytes  # noqa: F401

NAME = "cortex_a_neon"
