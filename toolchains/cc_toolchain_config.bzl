"""A cross cc_toolchain wrapping one of the build environment's GCCs."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)
load("@rules_cc//cc:defs.bzl", "cc_toolchain")

_COMPILE = [
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.cpp_header_parsing,
]
_LINK = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags(actions, flags):
    return flag_set(actions = actions, flag_groups = [flag_group(flags = flags)]) if flags else None

def _impl(ctx):
    t = ctx.attr.triple
    tools = {
        "gcc": "bin/" + t + "-gcc",  # version-checking wrapper
        "cpp": "/usr/bin/" + t + "-cpp",
        "ar": "/usr/bin/" + t + "-ar",
        "ld": "/usr/bin/" + t + "-ld",
        "nm": "/usr/bin/" + t + "-nm",
        "objcopy": "/usr/bin/" + t + "-objcopy",
        "objdump": "/usr/bin/" + t + "-objdump",
        "strip": "/usr/bin/" + t + "-strip",
        "gcov": "/usr/bin/false",
        "dwp": "/usr/bin/false",
    }

    # Reproducible output: no build paths, dates or random seeds in objects.
    repro = [
        "-no-canonical-prefixes",
        "-fno-canonical-system-headers",
        "-Wno-builtin-macro-redefined",
        "-D__DATE__=\"redacted\"",
        "-D__TIMESTAMP__=\"redacted\"",
        "-D__TIME__=\"redacted\"",
        "-ffile-prefix-map=/proc/self/cwd=.",
        "-frandom-seed=sprat",
    ]
    defaults = feature(
        name = "sprat_defaults",
        enabled = True,
        flag_sets = [s for s in [
            _flags(_COMPILE, ctx.attr.cpu_flags + repro + [
                "-O2",
                "-g",
                "-ffunction-sections",
                "-fdata-sections",
                "-Wall",
                "-Wextra",
            ]),
            _flags(_COMPILE, ["-nostdinc"] + ["-isystem" + d for d in ctx.attr.include_dirs] if ctx.attr.nostdinc else []),
            _flags(_LINK, ctx.attr.cpu_flags + ctx.attr.link_flags + ["-Wl,--gc-sections", "-Wl,--build-id=none"]),
        ] if s],
    )
    opt = feature(name = "opt")
    dbg = feature(name = "dbg")

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        features = [defaults, opt, dbg, feature(name = "supports_pic", enabled = False)],
        cxx_builtin_include_directories = ctx.attr.include_dirs,
        toolchain_identifier = ctx.attr.name,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = t,
        target_cpu = ctx.attr.core,
        target_libc = ctx.attr.libc,
        compiler = "gcc",
        abi_version = "unknown",
        abi_libc_version = "unknown",
        tool_paths = [tool_path(name = k, path = v) for k, v in tools.items()],
    )

sprat_cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "core": attr.string(mandatory = True),
        "triple": attr.string(mandatory = True),
        "libc": attr.string(default = "picolibc"),
        "cpu_flags": attr.string_list(),
        "link_flags": attr.string_list(),
        "include_dirs": attr.string_list(),
        "nostdinc": attr.bool(default = False),
    },
    provides = [CcToolchainConfigInfo],
)

def sprat_cc_toolchain(name, core, triple, cpu_flags, link_flags, include_dirs, target_constraints, libc = "picolibc", nostdinc = False):
    """A cc_toolchain for one core, registered for platforms with its constraints."""
    sprat_cc_toolchain_config(
        name = name + "_config",
        core = core,
        triple = triple,
        libc = libc,
        cpu_flags = cpu_flags,
        link_flags = link_flags,
        include_dirs = include_dirs,
        nostdinc = nostdinc,
    )
    cc_toolchain(
        name = name + "_cc",
        toolchain_config = ":" + name + "_config",
        all_files = ":wrappers",
        compiler_files = ":wrappers",
        linker_files = ":wrappers",
        ar_files = ":wrappers",
        as_files = ":wrappers",
        objcopy_files = ":wrappers",
        strip_files = ":wrappers",
        dwp_files = ":wrappers",
        supports_param_files = True,
    )
    native.toolchain(
        name = name,
        exec_compatible_with = ["@platforms//cpu:x86_64", "@platforms//os:linux"],
        target_compatible_with = target_constraints,
        toolchain = ":" + name + "_cc",
        toolchain_type = "@bazel_tools//tools/cpp:toolchain_type",
    )
