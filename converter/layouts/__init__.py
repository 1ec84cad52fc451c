"""Weight layouts, one module per kernel library: how a convolution's or
fully connected layer's filter and bias are stored for the library that
will run them, and how much scratch its kernels need (the Python twins of
the C `*_get_buffer_size()` functions). The blob records the layout in each
layer's parameters; the runtime refuses a layout its library cannot run."""

from converter.layouts import cortex_a_dotprod, cortex_a_neon, cortex_m, plain

# Kernel library -> its layout module.
LIBRARIES = {"portable": plain, "cortex_m_dsp": cortex_m, "cortex_a_neon": cortex_a_neon,
             "cortex_a_dotprod": cortex_a_dotprod}

# Target (harness/qemu_run.py and platforms/BUILD names) -> kernel library,
# as kernels/BUILD selects it.
TARGET_LIBRARY = {
    "stm32f746": "cortex_m_dsp",
    "qemu_cortex_m7": "cortex_m_dsp",
    "qemu_cortex_m4": "cortex_m_dsp",
    "qemu_cortex_m55": "cortex_m_dsp",
    "cortex_a53": "cortex_a_neon",
    "cortex_a53_baremetal": "cortex_a_neon",
    "cortex_a55": "cortex_a_dotprod",
    "cortex_a55_baremetal": "cortex_a_dotprod",
    "riscv32": "portable",
    "riscv64_rvv": "portable",
    "host": "portable",
}


def for_target(target, reference=False):
    """The layout module for a target; `reference`: the portable kernels."""
    if reference or target is None:
        return plain
    if target not in TARGET_LIBRARY:
        raise ValueError(f"unknown target '{target}'; valid: {', '.join(TARGET_LIBRARY)}")
    return LIBRARIES[TARGET_LIBRARY[target]]
