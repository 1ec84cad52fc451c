"""sprat export MODEL.tflite --target T -o DIR: the model as a
self-contained C source tree for builds without Bazel (STM32CubeIDE, Keil,
IAR, Zephyr, PlatformIO, plain make): the runtime, the target's kernel
library, the model with its generated layers, a minimal main.c, a Makefile,
a CMakeLists.txt and a README. `make` (or CMake) in DIR builds model.elf
with the target's cross compiler."""

import os
import sys

import numpy as np
from absl import flags

import sprat.api as sprat_api
from converter import codegen, layouts
from converter.errors import ConvertError
from sprat import export as exp
from sprat.commands import optimize_flag

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(optimize_flag)
flags.DEFINE_string("o", None, "Output folder (must be new or empty).")
flags.DEFINE_enum("target", "qemu_cortex_m7", list(exp.TARGETS), "Target to export for.")
flags.DEFINE_bool("generate", True, "Generated layers where the target's kernel library has templates.")
flags.DEFINE_string("input", None, "A .npy file with main.c's sample input (default: a random one).")
flags.DEFINE_integer("seed", 0, "Seed of the random sample input.")


def main(argv):
    if len(argv) != 2 or not FLAGS.o:
        print("usage: sprat export MODEL.tflite --target T -o DIR", file=sys.stderr)
        return 2
    src = argv[1]
    try:
        gen = FLAGS.generate and codegen.supported(layouts.for_target(FLAGS.target).NAME)
        model = sprat_api.convert(src, target=FLAGS.target, generate=gen, optimize=FLAGS.optimize)
        inputs = None
        if FLAGS.input:
            try:
                x = np.load(FLAGS.input)
            except (OSError, ValueError) as e:
                raise ConvertError(f"--input {FLAGS.input}: cannot read it as a .npy file ({e})")
            t = model.inputs[0]
            if len(model.inputs) != 1 or x.dtype != t.dtype or tuple(x.shape) != t.shape:
                raise ConvertError(f"--input must hold {t.dtype}{list(t.shape)}, not {x.dtype}{list(x.shape)}")
            inputs = [x]
        files = exp.export(model, FLAGS.target, FLAGS.o, inputs=inputs, seed=FLAGS.seed)
    except ConvertError as e:
        print(f"sprat export: {src}: {e}", file=sys.stderr)
        return 1
    print(f"sprat export: wrote {len(files)} files to {FLAGS.o} ({len(model.generated_layers)} of "
          f"{len(model.layers)} layers generated, {model.library} kernels); build with `make -C {FLAGS.o}` "
          f"or CMake; see {os.path.join(FLAGS.o, 'README.md')}")
    return 0
