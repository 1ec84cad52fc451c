"""`sprat COMMAND [flags]`: one module per command in sprat/commands."""

import importlib
import sys

COMMANDS = {
    "convert": "Convert a .tflite int8 model into a sprat model blob (sprat convert IN.tflite -o OUT_DIR).",
    "export": "Write a model as a C source tree with a Makefile and CMakeLists.txt (sprat export M.tflite -o DIR).",
    "bench-table": "Rerun sprat bench on the five shared models and rewrite the README table.",
    "bench": "Measure a model on a target, layer by layer, against TFLM (sprat bench MODEL.tflite --target T).",
    "plan": "The memory plan: live bytes per layer, peak, lower bound, TFLM's arena (sprat plan M.tflite [--plot F.png]).",
    "tune": "Choose per layer generic or generated code from exact counts under QEMU (sprat tune M.tflite).",
    "demo": "The main job: the bundled MobileNetV2 on an emulated Cortex-M7: top-5, instructions, RAM, flash.",
    "fuzz": "Coverage-guided fuzzing of the runtime and the converter (sprat fuzz all --seconds N).",
    "ops": "Every op sprat converts and the types it takes, and TFLM's ops it does not run yet (docs/op_support.md).",
    "test": "Run every test (Bazel's test matrix and pytest); ends with 'N passed, N failed'.",
}


# Commands that build firmware or run emulators.
NEEDS_BUILD_ENV = ("bench-table", "bench", "demo", "fuzz", "test", "tune")


def _has_build_env():
    import os
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.exists(os.path.join(repo, "tools", "bazel")) and os.path.exists(os.path.join(repo, "MODULE.bazel"))


def usage(out=sys.stdout):
    print("usage: sprat COMMAND [flags]   (sprat COMMAND --help for its flags)\n\ncommands:", file=out)
    for name, text in COMMANDS.items():
        print(f"  {name:<12} {text}", file=out)


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage()
        return 0
    cmd = argv[0]
    if cmd not in COMMANDS:
        print(f"sprat: unknown command '{cmd}'", file=sys.stderr)
        usage(sys.stderr)
        return 2
    if cmd in NEEDS_BUILD_ENV and not _has_build_env():
        print(f"sprat {cmd}: needs the build environment (Bazel, the cross compilers, QEMU), which comes with a "
              "sprat checkout: run tools/sprat " + cmd + " there (tools/setup makes the environment). "
              "convert and the Python API work without it.", file=sys.stderr)
        return 2
    module = importlib.import_module(f"sprat.commands.{cmd.replace('-', '_')}")
    from absl import app, flags

    # --help shows the command's own text and flags.
    sys.modules["__main__"].__doc__ = module.__doc__
    flags.adopt_module_key_flags(module)

    try:
        app.run(module.main, argv=[f"sprat {cmd}"] + argv[1:])
    except SystemExit as e:
        # absl exits 1 after --help; asking for help is not an error.
        if e.code == 1 and any(a in ("--help", "-h", "--helpfull", "--helpshort") for a in argv[1:]):
            return 0
        raise
    return 0


def entry():
    """The `sprat` console script of an installed package."""
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
