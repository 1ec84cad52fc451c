"""sprat_qemu_test: build a firmware for a platform and run it on that
platform's emulator as a host test; sprat_test_matrix: one per target."""

# Every target of the test matrix (the emulated ones and the host).
MATRIX = [
    "qemu_cortex_m7",
    "qemu_cortex_m4",
    "qemu_cortex_m55",
    "cortex_a53",
    "cortex_a55",
    "riscv32",
    "riscv64_rvv",
    "host",
]

def _to_platform_impl(settings, attr):
    return {"//command_line_option:platforms": str(attr.platform)}

_to_platform = transition(
    implementation = _to_platform_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _qemu_test_impl(ctx):
    binary = ctx.attr.binary
    if type(binary) == "list":
        binary = binary[0]
    elf = binary[DefaultInfo].files_to_run.executable
    args = ["--target", ctx.attr.target, "--runs", str(ctx.attr.runs), "--timeout", str(ctx.attr.emulator_timeout)]
    runfiles = [elf, ctx.file._runner] + ctx.files._runner_lib
    if ctx.attr.count or ctx.attr.expect:
        args += ["--plugin", ctx.file._plugin.short_path]
        runfiles.append(ctx.file._plugin)
    for n in ctx.attr.expect:
        args += ["--expect", str(n)]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        script,
        "#!/bin/bash\nexec /usr/bin/python3 {runner} {args} {elf}\n".format(
            runner = _sh_quote(ctx.file._runner.short_path),
            args = " ".join([_sh_quote(a) for a in args]),
            elf = _sh_quote(elf.short_path),
        ),
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = runfiles))]

sprat_qemu_test = rule(
    implementation = _qemu_test_impl,
    test = True,
    doc = "Builds `binary` for `platform` and runs it under `target`'s emulator.",
    attrs = {
        "binary": attr.label(mandatory = True, cfg = _to_platform, executable = True),
        "platform": attr.label(mandatory = True),
        "target": attr.string(mandatory = True, doc = "a key of harness/qemu_run.py TARGETS"),
        "count": attr.bool(doc = "count the instructions of the marked regions"),
        "expect": attr.int_list(doc = "expected instructions of each region, in order"),
        "runs": attr.int(default = 1, doc = "runs whose counts must agree"),
        "emulator_timeout": attr.int(default = 240),
        "_runner": attr.label(default = "//harness:qemu_run.py", allow_single_file = True),
        "_runner_lib": attr.label(default = "//harness:runner_lib"),
        "_plugin": attr.label(default = "//harness:libinsn_count.so", cfg = "exec", allow_single_file = True),
    },
)

def sprat_test_matrix(name, srcs, deps = [], targets = MATRIX, copts = [], **kwargs):
    """A firmware test built from `srcs`, run on each of `targets`.

    Makes `<name>_<target>` tests and a test_suite `<name>`. The firmware
    links the board startup and the harness; main() returning 0 passes.
    """
    native.cc_binary(
        name = name + "_fw",
        srcs = srcs,
        deps = deps + ["//harness:firmware", "//toolchains/boards:board"],
        copts = copts,
        tags = ["manual"],
        testonly = True,
    )
    tests = []
    for t in targets:
        sprat_qemu_test(
            name = name + "_" + t,
            binary = ":" + name + "_fw",
            platform = "//platforms:" + t,
            target = t,
            **kwargs
        )
        tests.append(":" + name + "_" + t)
    native.test_suite(name = name, tests = tests)
