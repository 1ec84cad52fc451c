"""sprat convert IN.tflite -o OUT_DIR [--target T]: converts a TFLite int8
model into a sprat model blob (model.sprat), a C source embedding it
(model_data.c/.h), and a report of its layers, memory and flash
(report.txt).

--target lays the weights out for that target's kernel library (e.g.
qemu_cortex_m7 or stm32f746: the Cortex-M DSP kernels). Without it the blob
runs on every target with the portable kernels; a runtime built for another
library than the blob's refuses it at init (SPRAT_ERR_LAYOUT)."""

import os
import sys

from absl import flags

import sprat.api as sprat_api
from sprat.commands import model_argument
from converter import layouts
from sprat.commands import optimize_flag
from converter.errors import ConvertError

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(optimize_flag)
flags.DEFINE_string("o", None, "Output directory (created if missing).")
flags.DEFINE_string("name", "model", "C prefix of the model's symbols: NAME_blob, NAME_init() in model_data.h.")
flags.DEFINE_bool("generate", False, "Also write per-layer C specialized for each layer's shapes (model_gen*.c), "
                                     "where --target's kernel library has templates; compile it with the model.")
flags.DEFINE_enum("target", None, list(layouts.TARGET_LIBRARY),
                  "Lay the weights out for this target's kernel library (default: the portable kernels, any target).")


def main(argv):
    src = model_argument(argv, "convert", "MODEL.tflite -o OUT_DIR [--target T] [--generate]", ok=bool(FLAGS.o))
    if src is None:
        return 2
    try:
        model = sprat_api.convert(src, target=FLAGS.target, generate=FLAGS.generate, optimize=FLAGS.optimize)
    except ConvertError as e:
        print(f"sprat convert: {src}: {e}", file=sys.stderr)
        return 1
    try:
        paths = model.save(FLAGS.o, FLAGS.name)
    except ConvertError as e:
        print(f"sprat convert: {e}", file=sys.stderr)
        return 2
    print(model.report(), end="")
    gen = f", {len(paths['generated'])} files of generated layers (model_gen*.c)" if paths["generated"] else ""
    print(f"sprat convert: wrote {FLAGS.o}/model.sprat ({len(model.blob):,} B), model_data.c/.h, report.txt{gen}")
    return 0
